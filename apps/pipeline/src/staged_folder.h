#pragma once

#include <string>

namespace morphfit::pipeline {

// An output folder that appears complete or not at all: it is filled under a temporary sibling
// name and renamed into place by Commit(); if Commit() is never reached (an exception), the
// destructor removes the temporary folder.
class StagedFolder {
 public:
  // Throws morphfit::Error if `final_path` exists and `overwrite` is false, or if the temporary
  // folder cannot be created.
  StagedFolder(const std::string& final_path, bool overwrite);
  ~StagedFolder();
  StagedFolder(const StagedFolder&) = delete;
  StagedFolder& operator=(const StagedFolder&) = delete;

  // Path of `name` inside the temporary folder.
  std::string File(const std::string& name) const;
  // Renames the temporary folder to the final path (replacing an existing one when allowed).
  void Commit();

 private:
  std::string final_path_;
  std::string staging_path_;
  bool overwrite_;
  bool committed_ = false;
};

}  // namespace morphfit::pipeline
