#pragma once

#include <string>
#include <vector>

#include "morphfit/batch/results_table.h"
#include "morphfit/batch/run_record.h"

namespace morphfit::batch {

struct MergedRun {
  RunRecord record;             // the shards' settings, shard 0 of 1, merged_from set
  std::vector<ResultRow> rows;  // all shards' rows, sorted by image; output relative to out_dir
};

// Combines the results of the shards of one run. The per-image folders stay where the shards
// wrote them (nothing is copied: a dataset's maps are many gigabytes); `out_dir`/results.csv
// points at them with output paths relative to `out_dir`, and `out_dir`/run.json lists the shards.
//
// Throws morphfit::Error naming the shard folder when shards disagree in settings, input or shard
// count, a shard index is repeated or missing, a shard is unfinished (fewer rows than its jobs)
// or one image appears in two shards.
MergedRun MergeShards(const std::vector<std::string>& shard_dirs, const std::string& out_dir);

}  // namespace morphfit::batch
