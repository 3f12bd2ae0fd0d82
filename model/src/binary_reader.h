#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "morphfit/model/error.h"

namespace morphfit::model {

// Little-endian reader over a whole file in memory; every read checks the remaining length so
// that a truncated file gives an error naming the file, the offset and what was being read.
class BinaryReader {
 public:
  BinaryReader(std::string path, std::vector<char> bytes)
      : path_(std::move(path)), bytes_(std::move(bytes)) {}

  static BinaryReader FromFile(const std::string& path);

  template <typename T>
  T Read(const char* what) {
    static_assert(std::is_trivially_copyable_v<T>);
    T value;
    ReadBytes(&value, sizeof(T), what);
    return value;
  }

  void ReadBytes(void* destination, size_t count, const char* what) {
    Require(count, what);
    std::memcpy(destination, bytes_.data() + offset_, count);
    offset_ += count;
  }

  // Fails unless `count` more bytes are available.
  void Require(size_t count, const char* what) const {
    if (count > bytes_.size() - offset_) {
      throw FileError(path_, "truncated: " + std::to_string(count) + " bytes needed for " + what +
                                 " at offset " + std::to_string(offset_) + ", " +
                                 std::to_string(bytes_.size() - offset_) + " left");
    }
  }

  size_t offset() const { return offset_; }
  size_t remaining() const { return bytes_.size() - offset_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::vector<char> bytes_;
  size_t offset_ = 0;
};

}  // namespace morphfit::model
