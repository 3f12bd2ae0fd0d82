#include "app_support.h"

#include <gflags/gflags.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <limits>
#include <optional>
#include <set>
#include <vector>

#include "morphfit/model/error.h"

namespace morphfit::apps {

namespace {

std::string ProgramName() { return gflags::ProgramInvocationShortName(); }

bool IsInteger(const std::string& text, long long low, long long high) {
  if (text.empty()) return false;
  errno = 0;
  char* end = nullptr;
  const long long value = std::strtoll(text.c_str(), &end, 0);
  return errno == 0 && *end == '\0' && value >= low && value <= high;
}

bool IsUnsigned(const std::string& text, unsigned long long high) {
  if (text.empty() || text[0] == '-') return false;
  errno = 0;
  char* end = nullptr;
  const unsigned long long value = std::strtoull(text.c_str(), &end, 0);
  return errno == 0 && *end == '\0' && value <= high;
}

bool IsDouble(const std::string& text) {
  if (text.empty()) return false;
  errno = 0;
  char* end = nullptr;
  std::strtod(text.c_str(), &end);
  return errno == 0 && *end == '\0';
}

bool ValueFitsType(const std::string& value, const std::string& type) {
  if (type == "int32") {
    return IsInteger(value, std::numeric_limits<int32_t>::min(),
                     std::numeric_limits<int32_t>::max());
  }
  if (type == "int64") {
    return IsInteger(value, std::numeric_limits<int64_t>::min(),
                     std::numeric_limits<int64_t>::max());
  }
  if (type == "uint32") return IsUnsigned(value, std::numeric_limits<uint32_t>::max());
  if (type == "uint64") return IsUnsigned(value, std::numeric_limits<uint64_t>::max());
  if (type == "double") return IsDouble(value);
  if (type == "bool") {
    static const std::set<std::string> kBools = {"true", "false", "1", "0", "yes",
                                                 "no",   "t",     "f", "y", "n"};
    return kBools.count(value) > 0;
  }
  return true;  // string
}

void PrintHelp(const std::string& usage) {
  std::cout << usage << "\n\nFlags:\n";
  std::vector<gflags::CommandLineFlagInfo> flags;
  gflags::GetAllFlags(&flags);
  for (const gflags::CommandLineFlagInfo& flag : flags) {
    if (flag.filename.find("apps/") == std::string::npos) continue;
    std::cout << "  --" << flag.name << " (" << flag.type
              << ", default: " << (flag.default_value.empty() ? "\"\"" : flag.default_value)
              << ")\n      " << flag.description << "\n";
  }
  std::cout << "  --help\n      Print this help and exit.\n";
}

}  // namespace

void ExitBadFlags(const std::string& message) {
  std::cerr << ProgramName() << ": " << message << " (see --help)\n";
  std::exit(kExitBadFlags);
}

namespace {

// One flag as written: --name=value, --name (a bool, or a value in the next argument) or --noname.
struct WrittenFlag {
  std::string name;
  std::optional<std::string> value;  // after '='
};

WrittenFlag SplitFlag(const std::string& arg) {
  const std::string body = arg.substr(arg[1] == '-' ? 2 : 1);
  const size_t equals = body.find('=');
  if (equals == std::string::npos) return {body, std::nullopt};
  return {body.substr(0, equals), body.substr(equals + 1)};
}

// Why `flag` (with `value`, when it has one) would not set a flag of this program, or "".
// `info` receives the flag's description.
std::string FlagProblem(const WrittenFlag& flag, gflags::CommandLineFlagInfo& info) {
  if (!gflags::GetCommandLineFlagInfo(flag.name.c_str(), &info)) {
    // --nofoo for a bool flag foo.
    if (!flag.value && flag.name.rfind("no", 0) == 0 &&
        gflags::GetCommandLineFlagInfo(flag.name.substr(2).c_str(), &info) && info.type == "bool") {
      return "";
    }
    return "unknown flag --" + flag.name;
  }
  if (flag.value && !ValueFitsType(*flag.value, info.type)) {
    return "flag --" + flag.name + ": '" + *flag.value + "' is not a valid " + info.type;
  }
  return "";
}

// gflags ignores unknown flags in a --flagfile, so a misspelt weight in a preset ran with the
// default silently; a flag file is checked as the command line is (nested ones too).
void CheckFlagfile(const std::string& path, int depth) {
  if (depth > 8) ExitBadFlags("--flagfile " + path + ": flag files nested too deep");
  std::ifstream stream(path);
  if (!stream) ExitBadFlags("--flagfile " + path + ": cannot open it");
  std::string line;
  for (int number = 1; std::getline(stream, line); ++number) {
    const size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    line = line.substr(first, line.find_last_not_of(" \t\r") + 1 - first);
    const std::string where = path + ": line " + std::to_string(number) + ": ";
    if (line.size() < 2 || line[0] != '-') {
      ExitBadFlags(where + "'" + line + "' is not a flag (one --name=value per line)");
    }
    const WrittenFlag flag = SplitFlag(line);
    gflags::CommandLineFlagInfo info;
    const std::string problem = FlagProblem(flag, info);
    if (!problem.empty()) ExitBadFlags(where + problem);
    if (flag.name == "flagfile" && flag.value) CheckFlagfile(*flag.value, depth + 1);
  }
}

}  // namespace

void ParseFlags(int* argc, char*** argv, const std::string& usage) {
  gflags::SetArgv(*argc, const_cast<const char**>(*argv));  // names the program in messages
  gflags::SetUsageMessage(usage);
  static const std::set<std::string> kHelp = {"help", "h", "helpshort", "helpfull"};
  for (int i = 1; i < *argc; ++i) {
    const std::string arg = (*argv)[i];
    if (arg.size() < 2 || arg[0] != '-' || arg == "--") {
      ExitBadFlags("unexpected argument '" + arg + "'; this program takes flags only");
    }
    WrittenFlag flag = SplitFlag(arg);
    if (kHelp.count(flag.name) > 0) {
      PrintHelp(usage);
      std::exit(kExitOk);
    }
    gflags::CommandLineFlagInfo info;
    std::string problem = FlagProblem(flag, info);
    if (!problem.empty()) ExitBadFlags(problem);
    if (!flag.value && info.type != "bool") {
      if (i + 1 >= *argc) ExitBadFlags("flag --" + flag.name + " needs a value");
      flag.value = (*argv)[++i];
      problem = FlagProblem(flag, info);
      if (!problem.empty()) ExitBadFlags(problem);
    }
    if (flag.name == "flagfile" && flag.value) CheckFlagfile(*flag.value, 0);
  }
  gflags::ParseCommandLineFlags(argc, argv, true);
}

int RunApp(const std::function<int()>& body) {
  try {
    return body();
  } catch (const morphfit::Error& error) {
    std::cerr << ProgramName() << ": " << error.what() << "\n";
  } catch (const std::exception& error) {
    std::cerr << ProgramName() << ": unexpected error: " << error.what() << "\n";
  }
  return kExitBadInput;
}

}  // namespace morphfit::apps
