#pragma once

#include <string>

namespace morphfit::batch {

// An exclusive lock on a batch folder (flock on FOLDER/run.lock, which it creates), held from
// construction to destruction and released by the kernel even after kill -9. A batch run holds
// its output folder; a merge holds its output folder and every shard it reads, so that neither
// writes while the other does.
class FolderLock {
 public:
  // Throws morphfit::FileError naming the folder when the lock file cannot be opened or another
  // process holds the lock.
  explicit FolderLock(const std::string& folder);
  ~FolderLock();
  FolderLock(FolderLock&& other) noexcept;
  FolderLock& operator=(FolderLock&& other) noexcept;
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace morphfit::batch
