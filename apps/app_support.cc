#include "app_support.h"

#include <gflags/gflags.h>

#include <cerrno>
#include <cstdlib>
#include <iostream>
#include <limits>
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

void ParseFlags(int* argc, char*** argv, const std::string& usage) {
  gflags::SetArgv(*argc, const_cast<const char**>(*argv));  // names the program in messages
  gflags::SetUsageMessage(usage);
  static const std::set<std::string> kHelp = {"help", "h", "helpshort", "helpfull"};
  for (int i = 1; i < *argc; ++i) {
    const std::string arg = (*argv)[i];
    if (arg.size() < 2 || arg[0] != '-' || arg == "--") {
      ExitBadFlags("unexpected argument '" + arg + "'; this program takes flags only");
    }
    const std::string body = arg.substr(arg[1] == '-' ? 2 : 1);
    const size_t equals = body.find('=');
    const std::string name = body.substr(0, equals);
    if (kHelp.count(name) > 0) {
      PrintHelp(usage);
      std::exit(kExitOk);
    }
    gflags::CommandLineFlagInfo info;
    if (!gflags::GetCommandLineFlagInfo(name.c_str(), &info)) {
      // --nofoo for a bool flag foo.
      if (equals == std::string::npos && name.rfind("no", 0) == 0 &&
          gflags::GetCommandLineFlagInfo(name.substr(2).c_str(), &info) && info.type == "bool") {
        continue;
      }
      ExitBadFlags("unknown flag --" + name);
    }
    std::string value;
    if (equals != std::string::npos) {
      value = body.substr(equals + 1);
    } else if (info.type == "bool") {
      continue;
    } else if (i + 1 < *argc) {
      value = (*argv)[++i];
    } else {
      ExitBadFlags("flag --" + name + " needs a value");
    }
    if (!ValueFitsType(value, info.type)) {
      ExitBadFlags("flag --" + name + ": '" + value + "' is not a valid " + info.type);
    }
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
