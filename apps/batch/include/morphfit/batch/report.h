#pragma once

#include <string>
#include <vector>

#include "morphfit/batch/contact_sheet.h"
#include "morphfit/batch/results_table.h"

namespace morphfit::batch {

// Writes `results_dir`/summary.md and `results_dir`/contact_sheet.png for a complete results
// table and returns the summary's Markdown (the app prints it on stdout). `batch_rule_section`
// (batch_rule_pass.h) is appended to the summary.
std::string WriteBatchReport(const std::string& results_dir, const std::vector<ResultRow>& rows,
                             const std::string& images_root, const std::string& title,
                             const ContactSheetOptions& contact_sheet = {},
                             const std::string& batch_rule_section = "");

}  // namespace morphfit::batch
