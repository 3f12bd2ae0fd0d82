#include "morphfit/batch/merge.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include "morphfit/model/error.h"

namespace morphfit::batch {

namespace fs = std::filesystem;

MergedRun MergeShards(const std::vector<std::string>& shard_dirs, const std::string& out_dir) {
  if (shard_dirs.empty()) throw Error("--merge: no shard folders given");
  std::error_code error;
  fs::create_directories(out_dir, error);
  if (error) throw FileError(out_dir, "cannot create the merge folder: " + error.message());
  const fs::path out = fs::weakly_canonical(out_dir);
  for (const std::string& dir : shard_dirs) {
    if (fs::weakly_canonical(dir) == out) {
      throw FileError(out_dir, "is also one of the shard folders; merge into another folder");
    }
  }

  MergedRun merged;
  merged.locks.emplace_back(out_dir);
  const fs::path out_record = out / kRunFileName;
  if (fs::exists(out_record) && ReadRunRecord(out_record.string()).merged_from.empty()) {
    throw FileError(out_record.string(),
                    "holds a batch run, not a merge; merging here would replace its results, "
                    "choose another folder");
  }
  std::map<int, std::string> shard_folder;         // shard index -> folder
  std::map<std::string, std::string> image_shard;  // image -> folder
  for (const std::string& dir : shard_dirs) {
    const RunRecord record = ReadRunRecord((fs::path(dir) / kRunFileName).string());
    merged.locks.emplace_back(dir);
    if (!record.merged_from.empty()) throw FileError(dir, "is a merged folder, not a shard");
    if (shard_folder.empty()) {
      merged.record = record;
    } else {
      RunRecord same_shard = record;
      same_shard.shard_index = merged.record.shard_index;
      const std::string differences = merged.record.DifferencesFrom(same_shard);
      if (!differences.empty()) {
        throw FileError(dir, "made with other settings than " + shard_folder.begin()->second +
                                 ":\n" + differences);
      }
    }
    const auto [it, inserted] = shard_folder.emplace(record.shard_index, dir);
    if (!inserted) {
      throw FileError(dir, "holds shard " + std::to_string(record.shard_index) + ", as " +
                               it->second + " does");
    }
    const std::vector<ResultRow> rows =
        ReadResultsTable((fs::path(dir) / kResultsFileName).string());
    if (static_cast<int>(rows.size()) != record.num_jobs) {
      throw FileError(dir, "unfinished shard: " + std::to_string(rows.size()) + " of " +
                               std::to_string(record.num_jobs) +
                               " images done (rerun its command to finish it)");
    }
    const fs::path relative_shard = fs::relative(fs::weakly_canonical(dir), out);
    for (ResultRow row : rows) {
      const auto [owner, fresh] = image_shard.emplace(row.image, dir);
      if (!fresh) {
        throw FileError(dir, "image " + row.image + " is also in shard folder " + owner->second);
      }
      if (!row.output.empty()) row.output = (relative_shard / row.output).generic_string();
      merged.rows.push_back(std::move(row));
    }
    merged.record.merged_from.push_back(fs::weakly_canonical(dir).string());
  }
  std::string missing;
  for (int index = 0; index < merged.record.num_shards; ++index) {
    if (!shard_folder.count(index))
      missing += (missing.empty() ? "" : ", ") + std::to_string(index);
  }
  if (!missing.empty()) {
    throw Error("--merge: shard(s) " + missing + " of " + std::to_string(merged.record.num_shards) +
                " are not among the folders given");
  }
  std::sort(merged.rows.begin(), merged.rows.end(),
            [](const ResultRow& a, const ResultRow& b) { return a.image < b.image; });
  merged.record.shard_index = 0;
  merged.record.num_shards = 1;
  merged.record.num_jobs = static_cast<int>(merged.rows.size());
  WriteResultsTable((out / kResultsFileName).string(), merged.rows);
  WriteRunRecord((out / kRunFileName).string(), merged.record);
  return merged;
}

}  // namespace morphfit::batch
