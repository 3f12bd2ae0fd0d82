#include "morphfit/model/atomic_file.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "morphfit/model/error.h"

namespace morphfit {

namespace {
std::string TemporaryName(const std::string& path) {
  static std::atomic<unsigned> counter{0};
  return path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
}
}  // namespace

void WriteFileAtomically(const std::string& path, const std::function<void(std::ostream&)>& write) {
  const std::string temporary = TemporaryName(path);
  try {
    {
      std::ofstream stream(temporary, std::ios::binary | std::ios::trunc);
      if (!stream) throw FileError(path, "cannot create a file in its folder");
      write(stream);
      stream.close();  // close() flushes; a full disk often shows only here
      if (!stream) throw FileError(path, "write failed (disk full?)");
    }
    std::error_code error;
    std::filesystem::rename(temporary, path, error);
    if (error)
      throw FileError(path, "cannot rename the temporary file into place: " + error.message());
  } catch (const Error&) {
    std::remove(temporary.c_str());
    throw;
  } catch (const std::exception& e) {
    std::remove(temporary.c_str());
    throw FileError(path, e.what());
  } catch (...) {
    std::remove(temporary.c_str());
    throw;
  }
}

void WriteFileAtomically(const std::string& path, const std::string& bytes) {
  WriteFileAtomically(path, [&bytes](std::ostream& out) {
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  });
}

}  // namespace morphfit
