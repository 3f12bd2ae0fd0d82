#pragma once

// What every morphfit app shares: flag parsing with the project's exit codes and one-line errors.
// gflags is used in apps/ only.

#include <functional>
#include <string>

namespace morphfit::apps {

inline constexpr int kExitOk = 0;
inline constexpr int kExitBadInput = 1;  // bad input file or failed fit
inline constexpr int kExitBadFlags = 2;

// Parses the command line with gflags, but exits with kExitBadFlags (not gflags' 1) on an unknown
// flag, a flag without its value, a value of the wrong type, or a positional argument. --help
// (also -h, --helpshort) prints `usage` and the flags defined in apps/ (not glog's), then exits 0.
void ParseFlags(int* argc, char*** argv, const std::string& usage);

// Prints "<program>: <message>" and exits with kExitBadFlags; for checks of flag values.
[[noreturn]] void ExitBadFlags(const std::string& message);

// Runs the body of main: returns its exit code, or prints a morphfit::Error (or any other
// exception) as one line on stderr and returns kExitBadInput.
int RunApp(const std::function<int()>& body);

}  // namespace morphfit::apps
