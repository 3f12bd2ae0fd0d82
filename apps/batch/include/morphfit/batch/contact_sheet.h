#pragma once

#include <string>
#include <vector>

#include "morphfit/batch/results_table.h"

namespace morphfit::batch {

struct ContactSheetOptions {
  int samples_per_verdict = 2;  // kept and rejected samples per class
  int panel_size = 112;         // pixels; every panel is a square thumbnail
};

// A PNG with one row per class: sample kept and rejected fits, each shown as image, overlay,
// depth and normals. Samples are spread evenly over the class's rows in image order, so the
// sheet does not depend on the run. `images_root` / row.image is the input image and
// `results_dir` / row.output the per-image folder; a missing file shows as an empty panel.
// Written atomically; throws morphfit::Error when it cannot be written.
void WriteContactSheet(const std::string& path, const std::vector<ResultRow>& rows,
                       const std::string& images_root, const std::string& results_dir,
                       const ContactSheetOptions& options = {});

}  // namespace morphfit::batch
