#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

namespace morphfit::batch {

inline constexpr const char* kRunFileName = "run.json";

// OUT/run.json: what a batch folder was made from. A rerun into the same folder must describe the
// same run (same fit settings, input and shard), otherwise its results would mix with results made
// differently.
struct RunRecord {
  std::map<std::string, std::string> fit;    // every setting that can change a fit's outcome
  std::map<std::string, std::string> input;  // manifest kind, paths, class and angle filters
  int shard_index = 0;
  int num_shards = 1;
  int num_jobs = 0;         // images (and failed manifest entries) of this shard
  std::string images_root;  // where the images' relative paths start (for the contact sheet)
  std::vector<std::string> merged_from;  // the shard folders of a merged folder, else empty
  // Not written to run.json: the value each fit setting takes when it is not given. A folder made
  // before a setting existed has no entry for it, and ran as that default does (a new setting's
  // default keeps the behaviour from before it), so it still resumes when the rerun keeps it.
  std::map<std::string, std::string> fit_defaults;

  // The differences that make a rerun a different run, one "key: old -> new" per line; empty
  // when `other` may resume this one. num_jobs is not compared: a folder may gain images, nor
  // are the `ignored_fit` settings, nor a fit setting this record lacks that `other` gives at
  // its default (other.fit_defaults).
  std::string DifferencesFrom(const RunRecord& other,
                              const std::set<std::string>& ignored_fit = {}) const;
};

// The fit settings of the batch-relative rule (--outlier_k, --outlier_min_batch,
// --outlier_statistics). They change no fit's own outcome, only the batch pass run over finished
// fits (batch_rule_pass.h), so a rerun that changes only them resumes the folder and re-decides.
const std::set<std::string>& BatchRuleSettings();

std::string RunRecordJson(const RunRecord& record);  // pretty JSON with a trailing newline
void WriteRunRecord(const std::string& path, const RunRecord& record);  // atomically
RunRecord ReadRunRecord(const std::string& path);  // throws morphfit::Error naming the file

}  // namespace morphfit::batch
