#pragma once

#include <string>
#include <vector>

#include "morphfit/batch/folder_lock.h"
#include "morphfit/batch/results_table.h"
#include "morphfit/batch/run_record.h"

namespace morphfit::batch {

struct MergedRun {
  RunRecord record;             // the shards' settings, shard 0 of 1, merged_from set
  std::vector<ResultRow> rows;  // all shards' rows, sorted by image; output relative to out_dir
  // out_dir and every shard folder, locked while this lives: the batch rule pass that follows a
  // merge rewrites the shards' fit.json files.
  std::vector<FolderLock> locks;
};

// Combines the results of the shards of one run. The per-image folders stay where the shards
// wrote them (nothing is copied: a dataset's maps are many gigabytes); `out_dir`/results.csv
// points at them with output paths relative to `out_dir`, and `out_dir`/run.json lists the shards.
//
// Throws morphfit::Error naming the shard folder when shards disagree in settings, input or shard
// count, a shard index is repeated or missing, a shard is unfinished (fewer rows than its jobs),
// one image appears in two shards, or another process holds the folder; and naming out_dir when it
// is one of the shards or holds a batch run (not an earlier merge), whose results it would replace.
MergedRun MergeShards(const std::vector<std::string>& shard_dirs, const std::string& out_dir);

}  // namespace morphfit::batch
