#pragma once

#include <string>
#include <vector>

namespace morphfit::pipeline {

// An output folder that appears complete or not at all: it is filled under a temporary sibling
// name and renamed into place by Commit(); if Commit() is never reached (an exception), the
// destructor removes the temporary folder.
class StagedFolder {
 public:
  // `own_entries`: the names the caller writes into the folder. With `overwrite`, an existing
  // `final_path` is replaced only if it is a folder holding nothing but such entries (or their
  // WriteFileAtomically temporaries, or sub-folders of that kind): an output folder of this kind,
  // not a user's folder or file given by mistake, which replacing would delete. Throws
  // morphfit::Error if `final_path` exists and may not be replaced, or if the temporary folder
  // cannot be created.
  StagedFolder(const std::string& final_path, bool overwrite, std::vector<std::string> own_entries);
  ~StagedFolder();
  StagedFolder(const StagedFolder&) = delete;
  StagedFolder& operator=(const StagedFolder&) = delete;

  // Path of `name` inside the temporary folder.
  std::string File(const std::string& name) const;
  // Renames the temporary folder to the final path (replacing an existing one when allowed).
  void Commit();

  // Why `path` may not be replaced (see the constructor), or "" if it may.
  static std::string WhyNotReplaceable(const std::string& path,
                                       const std::vector<std::string>& own_entries);

 private:
  std::string final_path_;
  std::string staging_path_;
  bool overwrite_;
  std::vector<std::string> own_entries_;
  bool committed_ = false;
};

}  // namespace morphfit::pipeline
