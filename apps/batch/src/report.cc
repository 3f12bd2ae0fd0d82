#include "morphfit/batch/report.h"

#include <filesystem>

#include "morphfit/batch/summary.h"
#include "morphfit/model/atomic_file.h"

namespace morphfit::batch {

std::string WriteBatchReport(const std::string& results_dir, const std::vector<ResultRow>& rows,
                             const std::string& images_root, const std::string& title,
                             const ContactSheetOptions& contact_sheet,
                             const std::string& batch_rule_section) {
  const std::filesystem::path dir(results_dir);
  const std::string markdown = SummaryMarkdown(Summarize(rows), title) + batch_rule_section;
  WriteFileAtomically((dir / "summary.md").string(), markdown);
  WriteContactSheet((dir / "contact_sheet.png").string(), rows, images_root, results_dir,
                    contact_sheet);
  return markdown;
}

}  // namespace morphfit::batch
