#include "morphfit/batch/run_record.h"

#include <fstream>

#include <nlohmann/json.hpp>

#include "morphfit/model/atomic_file.h"
#include "morphfit/model/error.h"

namespace morphfit::batch {

namespace {
// `absent_means`: the value a key missing from old_values stands for.
void CompareMaps(const std::string& section, const std::map<std::string, std::string>& old_values,
                 const std::map<std::string, std::string>& new_values,
                 const std::set<std::string>& ignored,
                 const std::map<std::string, std::string>& absent_means, std::string& differences) {
  auto value_or_unset = [](const std::map<std::string, std::string>& values,
                           const std::string& key) {
    const auto found = values.find(key);
    return found == values.end() ? std::string("(unset)") : "'" + found->second + "'";
  };
  std::map<std::string, bool> keys;
  for (const auto& [key, value] : old_values) keys[key] = true;
  for (const auto& [key, value] : new_values) keys[key] = true;
  for (const auto& [key, unused] : keys) {
    if (ignored.count(key)) continue;
    const auto assumed = absent_means.find(key);
    const auto given = new_values.find(key);
    if (!old_values.count(key) && assumed != absent_means.end() && given != new_values.end() &&
        assumed->second == given->second) {
      continue;
    }
    const std::string before = value_or_unset(old_values, key);
    const std::string after = value_or_unset(new_values, key);
    if (before != after) differences += section + "." + key + ": " + before + " -> " + after + "\n";
  }
}
}  // namespace

const std::set<std::string>& BatchRuleSettings() {
  static const std::set<std::string> settings = {"outlier_k", "outlier_min_batch",
                                                 "outlier_statistics"};
  return settings;
}

std::string RunRecord::DifferencesFrom(const RunRecord& other,
                                       const std::set<std::string>& ignored_fit) const {
  std::string differences;
  CompareMaps("fit", fit, other.fit, ignored_fit, other.fit_defaults, differences);
  CompareMaps("input", input, other.input, {}, {}, differences);
  if (shard_index != other.shard_index || num_shards != other.num_shards) {
    differences += "shard: " + std::to_string(shard_index) + "/" + std::to_string(num_shards) +
                   " -> " + std::to_string(other.shard_index) + "/" +
                   std::to_string(other.num_shards) + "\n";
  }
  return differences;
}

std::string RunRecordJson(const RunRecord& record) {
  nlohmann::ordered_json json;
  json["program"] = "morphfit-batch";
  json["fit"] = record.fit;
  json["input"] = record.input;
  json["images_root"] = record.images_root;
  json["shard"] = {{"index", record.shard_index}, {"count", record.num_shards}};
  json["num_jobs"] = record.num_jobs;
  if (!record.merged_from.empty()) json["merged_from"] = record.merged_from;
  return json.dump(2) + "\n";
}

void WriteRunRecord(const std::string& path, const RunRecord& record) {
  WriteFileAtomically(path, RunRecordJson(record));
}

RunRecord ReadRunRecord(const std::string& path) {
  std::ifstream stream(path);
  if (!stream) throw FileError(path, "cannot open the run record");
  try {
    const nlohmann::json json = nlohmann::json::parse(stream);
    RunRecord record;
    record.fit = json.at("fit").get<std::map<std::string, std::string>>();
    record.input = json.at("input").get<std::map<std::string, std::string>>();
    record.images_root = json.at("images_root").get<std::string>();
    record.shard_index = json.at("shard").at("index").get<int>();
    record.num_shards = json.at("shard").at("count").get<int>();
    record.num_jobs = json.at("num_jobs").get<int>();
    if (json.contains("merged_from")) {
      record.merged_from = json.at("merged_from").get<std::vector<std::string>>();
    }
    return record;
  } catch (const nlohmann::json::exception& e) {
    throw FileError(path, std::string("not a morphfit-batch run record: ") + e.what());
  }
}

}  // namespace morphfit::batch
