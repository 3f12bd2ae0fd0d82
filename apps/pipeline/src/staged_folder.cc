#include "staged_folder.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <system_error>
#include <utility>

#include "morphfit/model/error.h"

namespace morphfit::pipeline {

namespace fs = std::filesystem;

namespace {
// Unique among processes (pid), threads and calls (this object's address and the clock).
std::string UniqueSuffix(const void* owner) {
  const auto ticks = std::chrono::steady_clock::now().time_since_epoch().count();
  return std::to_string(::getpid()) + "." + std::to_string(reinterpret_cast<uintptr_t>(owner)) +
         "." + std::to_string(ticks);
}

fs::path Sibling(const fs::path& path, const std::string& tag, const std::string& suffix) {
  return path.parent_path() / ("." + path.filename().string() + "." + tag + "." + suffix);
}
}  // namespace

std::string StagedFolder::WhyNotReplaceable(const std::string& path,
                                            const std::vector<std::string>& own_entries) {
  std::error_code error;
  if (!fs::is_directory(fs::symlink_status(path, error))) {
    return "exists and is not a folder; not replacing it";
  }
  for (const fs::directory_entry& entry : fs::directory_iterator(path, error)) {
    const std::string name = entry.path().filename().string();
    // A sub-folder counts when it is such a folder itself: morphfit-fit --all_faces's face_N.
    const bool own =
        std::any_of(own_entries.begin(), own_entries.end(),
                    [&](const auto& known) {
                      return name == known || name.rfind(known + ".tmp.", 0) == 0;
                    }) ||
        (entry.is_directory() && WhyNotReplaceable(entry.path().string(), own_entries).empty());
    if (!own) {
      return "exists and holds '" + name +
             "', which morphfit does not write: not an output folder of morphfit, so not "
             "replacing it";
    }
  }
  if (error) return "cannot list it: " + error.message();
  return "";
}

StagedFolder::StagedFolder(const std::string& final_path, bool overwrite,
                           std::vector<std::string> own_entries)
    : final_path_(fs::path(final_path).lexically_normal().string()),
      overwrite_(overwrite),
      own_entries_(std::move(own_entries)) {
  fs::path target(final_path_);
  if (target.filename().empty()) target = target.parent_path();  // "out/" -> "out"
  final_path_ = target.string();
  if (fs::exists(fs::symlink_status(target))) {
    if (!overwrite_) {
      throw FileError(final_path_, "output folder exists (pass overwrite to replace it)");
    }
    const std::string why = WhyNotReplaceable(final_path_, own_entries_);
    if (!why.empty()) throw FileError(final_path_, why);
  }
  std::error_code error;
  if (!target.parent_path().empty()) fs::create_directories(target.parent_path(), error);
  staging_path_ = Sibling(target, "tmp", UniqueSuffix(this)).string();
  if (error || !fs::create_directory(staging_path_, error) || error) {
    throw FileError(staging_path_, "cannot create the temporary output folder: " + error.message());
  }
}

StagedFolder::~StagedFolder() {
  if (committed_) return;
  std::error_code ignored;
  fs::remove_all(staging_path_, ignored);
}

std::string StagedFolder::File(const std::string& name) const {
  return (fs::path(staging_path_) / name).string();
}

void StagedFolder::Commit() {
  std::error_code error;
  const fs::path target(final_path_);
  fs::path replaced;
  if (fs::exists(fs::symlink_status(target))) {
    if (!overwrite_) throw FileError(final_path_, "output folder appeared while fitting");
    const std::string why = WhyNotReplaceable(final_path_, own_entries_);
    if (!why.empty()) throw FileError(final_path_, why);
    replaced = Sibling(target, "old", UniqueSuffix(this));
    fs::rename(target, replaced, error);
    if (error)
      throw FileError(final_path_, "cannot move the old output folder: " + error.message());
  }
  fs::rename(staging_path_, target, error);
  if (error)
    throw FileError(final_path_, "cannot rename the output folder into place: " + error.message());
  committed_ = true;
  if (!replaced.empty()) fs::remove_all(replaced, error);
}

}  // namespace morphfit::pipeline
