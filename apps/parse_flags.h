#pragma once

// gflags parsing for the apps, with the project's exit codes (DESIGN.md): a bad flag exits 2,
// whereas gflags on its own exits 1 for an unknown flag or a malformed value.

#include <cstdio>
#include <cstdlib>
#include <string>

#include <gflags/gflags.h>

namespace morphfit::apps {

[[noreturn]] inline void ExitBadFlags(const char* app, const std::string& message) {
  std::fprintf(stderr, "%s: %s (see --help)\n", app, message.c_str());
  std::exit(2);
}

// Checks every "--name[=value]" / "--name value" / "--noname" argument against the defined flags
// and their types before gflags parses them, then parses (removing the flags from argv).
inline void ParseFlagsOrExit(const char* app, int* argc, char*** argv) {
  for (int i = 1; i < *argc; ++i) {
    const std::string argument = (*argv)[i];
    if (argument == "--") break;
    if (argument.size() < 2 || argument[0] != '-') continue;
    const std::string body = argument.substr(argument[1] == '-' ? 2 : 1);
    const size_t equals = body.find('=');
    std::string name = body.substr(0, equals);
    if (name == "help" || name == "helpfull" || name == "helpshort" || name == "version") continue;
    gflags::CommandLineFlagInfo info;
    bool negated = false;
    if (!gflags::GetCommandLineFlagInfo(name.c_str(), &info) && name.rfind("no", 0) == 0 &&
        gflags::GetCommandLineFlagInfo(name.substr(2).c_str(), &info) && info.type == "bool") {
      negated = true;
    }
    if (!negated && !gflags::GetCommandLineFlagInfo(name.c_str(), &info)) {
      ExitBadFlags(app, "unknown flag --" + name);
    }
    std::string value;
    if (negated) {
      if (equals != std::string::npos) ExitBadFlags(app, "--" + name + " takes no value");
      value = "false";
    } else if (equals != std::string::npos) {
      value = body.substr(equals + 1);
    } else if (info.type == "bool") {
      value = "true";
    } else if (i + 1 < *argc) {
      value = (*argv)[++i];
    } else {
      ExitBadFlags(app, "--" + name + " needs a value");
    }
    if (gflags::SetCommandLineOption(info.name.c_str(), value.c_str()).empty()) {
      ExitBadFlags(app, "bad value '" + value + "' for --" + info.name + " (" + info.type + ")");
    }
  }
  gflags::ParseCommandLineFlags(argc, argv, true);
}

}  // namespace morphfit::apps
