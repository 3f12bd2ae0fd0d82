#pragma once

#include <set>
#include <string>
#include <vector>

#include "morphfit/batch/expression_class.h"
#include "morphfit/batch/image_job.h"

namespace morphfit::batch {

struct ManifestOptions {
  ClassFilter classes;
  // RaFD camera angles to keep (0, 45, 90, 135, 180); 90 is frontal.
  std::set<int> rafd_angles = {45, 90, 135};
};

// The jobs of a dataset, sorted by relative path (the order is the same on every machine and run,
// which sharding relies on). Entries the manifest cannot describe (a malformed CSV row, a file
// name that is not a RaFD name, two images sharing one output folder) are jobs with
// `manifest_error` set, so that they are recorded as failures while the rest of the batch runs.
struct Manifest {
  std::vector<ImageJob> jobs;
  int skipped_by_class = 0;  // left out by ManifestOptions::classes
  int skipped_by_angle = 0;  // left out by ManifestOptions::rafd_angles
};

// Every image under `root` (recursive), with the sibling "<stem>.pts" when it exists (otherwise
// the pipeline detects landmarks). The class is the name of the image's folder when that names an
// expression class ("happy/x.jpg"), Unlabelled otherwise.
Manifest ReadFolderManifest(const std::string& root, const ManifestOptions& options);

// AffectNet-style CSV (header subDirectory_filePath, face_x, face_y, face_width, face_height,
// facial_landmarks, expression, valence, arousal; landmarks "x1;y1;..." 0-based). Image paths are
// relative to `images_root`. An empty landmark field means: detect. Throws morphfit::Error when
// the file cannot be read or its header lacks a needed column.
Manifest ReadAffectNetManifest(const std::string& csv_path, const std::string& images_root,
                               const ManifestOptions& options);

// RaFD images under `root`: Rafd<angle>_<id>_<ethnicity>_<gender>_<expression>_<gaze>.<ext>, with
// sibling .pts when present.
Manifest ReadRafdManifest(const std::string& root, const ManifestOptions& options);

// Shard `index` of `count`: the jobs whose position in the sorted list is index modulo count.
// Round-robin over the sorted list balances the shards and depends only on the manifest.
std::vector<ImageJob> SelectShard(const std::vector<ImageJob>& jobs, int index, int count);

}  // namespace morphfit::batch
