#pragma once

// Flag handling shared by the apps: bad flags exit with code 2 (docs/conventions.md), where gflags
// alone would exit with 1.

#include <cstdio>
#include <cstdlib>
#include <string>

#include <gflags/gflags.h>

namespace morphfit::apps {

// Checks every "--name[=value]" argument before gflags parses them: an unknown flag name or a
// value gflags cannot parse prints one line and exits with 2. ("--name value" pairs and flag files
// are checked by gflags itself.)
inline void ExitOnBadFlags(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string argument = argv[i];
    if (argument == "--" ) break;
    if (argument.size() < 2 || argument[0] != '-') continue;
    argument = argument.substr(argument[1] == '-' ? 2 : 1);
    const size_t equals = argument.find('=');
    const std::string name = argument.substr(0, equals);
    gflags::CommandLineFlagInfo info;
    const bool known = gflags::GetCommandLineFlagInfo(name.c_str(), &info) ||
                       (name.rfind("no", 0) == 0 &&
                        gflags::GetCommandLineFlagInfo(name.substr(2).c_str(), &info) &&
                        info.type == "bool");
    if (!known) {
      std::fprintf(stderr, "%s: unknown flag --%s (see --help)\n", argv[0], name.c_str());
      std::exit(2);
    }
    if (equals != std::string::npos &&
        gflags::SetCommandLineOption(name.c_str(), argument.substr(equals + 1).c_str()).empty()) {
      std::fprintf(stderr, "%s: bad value for --%s: '%s'\n", argv[0], name.c_str(),
                   argument.substr(equals + 1).c_str());
      std::exit(2);
    }
  }
}

}  // namespace morphfit::apps
