#include "morphfit/render/npy.h"

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

#include "morphfit/model/atomic_file.h"
#include "morphfit/model/error.h"

namespace morphfit::render {

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;

bool HostIsLittleEndian() {
  const uint16_t probe = 1;
  unsigned char first = 0;
  std::memcpy(&first, &probe, 1);
  return first == 1;
}

size_t Product(const std::vector<size_t>& shape) {
  size_t n = 1;
  for (size_t d : shape) n *= d;
  return n;
}

// The header dictionary, padded with spaces and a newline so that magic + version + length +
// header is a multiple of 64 bytes, as NumPy writes it.
std::string Header(const std::vector<size_t>& shape) {
  std::ostringstream dict;
  dict << "{'descr': '<f4', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < shape.size(); ++i) {
    dict << shape[i] << (shape.size() == 1 || i + 1 < shape.size() ? "," : "");
    if (i + 1 < shape.size()) dict << ' ';
  }
  dict << "), }";
  std::string header = dict.str();
  const size_t unpadded = kMagicSize + 2 + 2 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header.push_back('\n');
  return header;
}

// Value of `key` in a NumPy header dict, up to the next top-level comma (tuples kept whole).
std::string DictValue(const std::string& header, const std::string& key, const std::string& path) {
  const std::string quoted = "'" + key + "'";
  size_t pos = header.find(quoted);
  if (pos == std::string::npos) throw FileError(path, "npy header has no " + quoted);
  pos = header.find(':', pos + quoted.size());
  if (pos == std::string::npos) throw FileError(path, "malformed npy header");
  ++pos;
  while (pos < header.size() && header[pos] == ' ') ++pos;
  size_t end = pos;
  int depth = 0;
  while (end < header.size() && !(depth == 0 && (header[end] == ',' || header[end] == '}'))) {
    if (header[end] == '(') ++depth;
    if (header[end] == ')') --depth;
    ++end;
  }
  return header.substr(pos, end - pos);
}

}  // namespace

void WriteNpy(const std::string& path, const std::vector<size_t>& shape, const float* data) {
  const size_t count = Product(shape);
  if (count > 0 && data == nullptr) throw FileError(path, "no data to write");
  const std::string header = Header(shape);
  if (header.size() > 0xFFFF) throw FileError(path, "npy header too long for version 1.0");
  WriteFileAtomically(path, [&](std::ostream& out) {
    out.write(kMagic, kMagicSize);
    const char version[2] = {1, 0};
    out.write(version, 2);
    const char length[2] = {static_cast<char>(header.size() & 0xFF),
                            static_cast<char>((header.size() >> 8) & 0xFF)};
    out.write(length, 2);
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    if (HostIsLittleEndian()) {
      out.write(reinterpret_cast<const char*>(data),
                static_cast<std::streamsize>(count * sizeof(float)));
    } else {
      for (size_t i = 0; i < count; ++i) {
        char bytes[4];
        std::memcpy(bytes, data + i, 4);
        std::swap(bytes[0], bytes[3]);
        std::swap(bytes[1], bytes[2]);
        out.write(bytes, 4);
      }
    }
  });
}

void WriteNpy(const std::string& path, const NpyArray& array) {
  if (array.data.size() != Product(array.shape)) {
    throw FileError(path,
                    "npy array has " + std::to_string(array.data.size()) + " values for its shape");
  }
  WriteNpy(path, array.shape, array.data.data());
}

NpyArray ReadNpy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw FileError(path, "cannot open");
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() < kMagicSize + 4 || bytes.compare(0, kMagicSize, kMagic, kMagicSize) != 0) {
    throw FileError(path, "not a .npy file");
  }
  const int major = static_cast<unsigned char>(bytes[6]);
  size_t header_length = 0;
  size_t offset = 0;
  auto byte = [&](size_t i) { return static_cast<size_t>(static_cast<unsigned char>(bytes[i])); };
  if (major == 1) {
    header_length = byte(8) | byte(9) << 8;
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) throw FileError(path, "truncated npy header");
    header_length = byte(8) | byte(9) << 8 | byte(10) << 16 | byte(11) << 24;
    offset = 12;
  } else {
    throw FileError(path, "unsupported npy version " + std::to_string(major));
  }
  if (bytes.size() < offset + header_length) throw FileError(path, "truncated npy header");
  const std::string header = bytes.substr(offset, header_length);
  offset += header_length;

  const std::string descr = DictValue(header, "descr", path);
  if (descr != "'<f4'") throw FileError(path, "npy dtype " + descr + ", expected '<f4'");
  if (DictValue(header, "fortran_order", path) != "False") {
    throw FileError(path, "npy array in Fortran order, expected C order");
  }
  NpyArray array;
  const std::string shape = DictValue(header, "shape", path);
  if (shape.size() < 2 || shape.front() != '(' || shape.back() != ')') {
    throw FileError(path, "malformed npy shape " + shape);
  }
  std::istringstream dims(shape.substr(1, shape.size() - 2));
  std::string dim;
  while (std::getline(dims, dim, ',')) {
    const size_t first = dim.find_first_not_of(' ');
    if (first == std::string::npos) continue;
    try {
      array.shape.push_back(std::stoull(dim.substr(first)));
    } catch (const std::exception&) {
      throw FileError(path, "malformed npy shape " + shape);
    }
  }
  const size_t count = Product(array.shape);
  if (bytes.size() - offset != count * sizeof(float)) {
    throw FileError(path, "npy data has " + std::to_string(bytes.size() - offset) +
                              " bytes, the shape needs " + std::to_string(count * sizeof(float)));
  }
  array.data.resize(count);
  std::memcpy(array.data.data(), bytes.data() + offset, count * sizeof(float));
  if (!HostIsLittleEndian()) {
    for (float& value : array.data) {
      char b[4];
      std::memcpy(b, &value, 4);
      std::swap(b[0], b[3]);
      std::swap(b[1], b[2]);
      std::memcpy(&value, b, 4);
    }
  }
  return array;
}

}  // namespace morphfit::render
