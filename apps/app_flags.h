#pragma once

// Command-line handling shared by the apps: gflags, but with the project's exit codes (gflags
// itself exits 1 on a bad flag and on --help): --help prints the app's own flags and exits 0,
// an unknown flag or an unparsable value prints one line on stderr and exits 2.

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include <gflags/gflags.h>

namespace morphfit::apps {

inline constexpr int kExitBadInput = 1;
inline constexpr int kExitBadFlags = 2;

[[noreturn]] inline void ExitBadFlags(const std::string& message) {
  std::cerr << "error: " << message << " (see --help)\n";
  std::exit(kExitBadFlags);
}

// Parses argv into the gflags of this program. `source_file` (e.g. "morphfit_render.cc") selects
// the flags --help lists.
inline void ParseFlags(int argc, char** argv, const std::string& usage,
                       const std::string& source_file) {
  gflags::SetUsageMessage(usage);
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-help" || arg == "-h") {
      std::cout << usage << "\n\nFlags:\n";
      std::vector<gflags::CommandLineFlagInfo> flags;
      gflags::GetAllFlags(&flags);
      for (const auto& flag : flags) {
        if (flag.filename.size() >= source_file.size() &&
            flag.filename.compare(flag.filename.size() - source_file.size(), std::string::npos,
                                  source_file) == 0) {
          std::cout << gflags::DescribeOneFlag(flag);
        }
      }
      std::exit(0);
    }
    if (arg.rfind("-", 0) != 0) ExitBadFlags("unexpected argument '" + arg + "'");
    arg.erase(0, arg.rfind("--", 0) == 0 ? 2 : 1);
    std::string name = arg, value;
    const size_t equals = arg.find('=');
    gflags::CommandLineFlagInfo info;
    if (equals != std::string::npos) {
      name = arg.substr(0, equals);
      value = arg.substr(equals + 1);
    }
    if (!gflags::GetCommandLineFlagInfo(name.c_str(), &info)) {
      // --noflag for booleans.
      if (equals == std::string::npos && name.rfind("no", 0) == 0 &&
          gflags::GetCommandLineFlagInfo(name.substr(2).c_str(), &info) && info.type == "bool") {
        name = name.substr(2);
        value = "false";
      } else {
        ExitBadFlags("unknown flag --" + name);
      }
    } else if (equals == std::string::npos) {
      if (info.type == "bool") {
        value = "true";
      } else if (i + 1 < argc) {
        value = argv[++i];
      } else {
        ExitBadFlags("flag --" + name + " needs a value");
      }
    }
    if (gflags::SetCommandLineOption(name.c_str(), value.c_str()).empty()) {
      ExitBadFlags("invalid value '" + value + "' for --" + name + " (" + info.type + ")");
    }
  }
}

}  // namespace morphfit::apps
