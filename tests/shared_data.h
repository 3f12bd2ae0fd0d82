#pragma once

#include <filesystem>
#include <string>

#include <unistd.h>

#include <gtest/gtest.h>

namespace morphfit::testing {

// The shared folder (models/, samples/) next to the source tree. Tests that need it call
// RequireSharedPath, which fails the test with a message saying what is missing.
inline std::string SharedPath(const std::string& relative) {
  return std::string(MORPHFIT_SHARED_DIR) + "/" + relative;
}

inline std::string RequireSharedPath(const std::string& relative) {
  const std::string path = SharedPath(relative);
  if (!std::filesystem::exists(path)) {
    ADD_FAILURE() << "Missing shared test data: " << path
                  << ". Tests need ../shared (models/sfm and samples) beside the source tree, or "
                     "configure with -DMORPHFIT_SHARED_DIR=<folder>.";
  }
  return path;
}

// A fresh empty folder under the system temporary folder, removed by the caller if wanted. The
// process id keeps tests that CTest runs in parallel processes apart.
inline std::string MakeTempDir(const std::string& name) {
  static int counter = 0;
  const auto dir =
      std::filesystem::temp_directory_path() /
      ("morphfit_" + name + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

}  // namespace morphfit::testing
