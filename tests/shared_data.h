#pragma once

#include <filesystem>
#include <string>

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

// A fresh empty folder under the system temporary folder, removed by the caller if wanted.
inline std::string MakeTempDir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("morphfit_" + name + "_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
                    "_" + std::to_string(reinterpret_cast<uintptr_t>(&name)));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

}  // namespace morphfit::testing
