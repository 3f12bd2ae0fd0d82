#pragma once

#include <stdexcept>
#include <string>

namespace morphfit {

// The one error type of the project. Every message names the file or input at fault and the
// problem, so that an app can print it as one line and a batch can record it per image.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Convenience for the common "<file>: <problem>" form.
inline Error FileError(const std::string& path, const std::string& problem) {
  return Error(path + ": " + problem);
}

}  // namespace morphfit
