#include "morphfit/batch/contact_sheet.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "morphfit/batch/summary.h"
#include "morphfit/model/atomic_file.h"
#include "morphfit/model/error.h"

namespace morphfit::batch {

namespace fs = std::filesystem;

namespace {

const cv::Scalar kBackground(40, 40, 40);
const cv::Scalar kEmptyPanel(70, 70, 70);
const cv::Scalar kText(235, 235, 235);
const cv::Scalar kKeptColour(90, 200, 90);
const cv::Scalar kRejectedColour(80, 80, 230);
constexpr int kLabelWidth = 110;
constexpr int kCaptionHeight = 18;
constexpr int kGap = 8;

// An image scaled into a size x size square (aspect kept, centred), as 8-bit BGR.
cv::Mat Thumbnail(const std::string& path, int size) {
  cv::Mat panel(size, size, CV_8UC3, kEmptyPanel);
  if (path.empty() || !fs::is_regular_file(path)) return panel;
  cv::Mat image = cv::imread(path, cv::IMREAD_ANYDEPTH | cv::IMREAD_ANYCOLOR);
  if (image.empty()) return panel;
  if (image.depth() == CV_16U) image.convertTo(image, CV_8U, 1.0 / 257.0);
  if (image.channels() == 1) cv::cvtColor(image, image, cv::COLOR_GRAY2BGR);
  if (image.channels() == 4) cv::cvtColor(image, image, cv::COLOR_BGRA2BGR);
  const double scale = static_cast<double>(size) / std::max(image.cols, image.rows);
  cv::Mat scaled;
  cv::resize(image, scaled,
             cv::Size(std::max(1, static_cast<int>(image.cols * scale)),
                      std::max(1, static_cast<int>(image.rows * scale))),
             0, 0, cv::INTER_AREA);
  scaled.copyTo(panel(
      cv::Rect((size - scaled.cols) / 2, (size - scaled.rows) / 2, scaled.cols, scaled.rows)));
  return panel;
}

// Up to `count` rows spread evenly over `rows`.
std::vector<const ResultRow*> Spread(const std::vector<const ResultRow*>& rows, int count) {
  std::vector<const ResultRow*> picked;
  const size_t n = rows.size();
  const size_t wanted = std::min(n, static_cast<size_t>(count));
  for (size_t k = 0; k < wanted; ++k) picked.push_back(rows[(2 * k + 1) * n / (2 * wanted)]);
  return picked;
}

void Caption(cv::Mat& sheet, const std::string& text, cv::Point origin, const cv::Scalar& colour) {
  cv::putText(sheet, text, origin, cv::FONT_HERSHEY_SIMPLEX, 0.4, colour, 1, cv::LINE_AA);
}

}  // namespace

void WriteContactSheet(const std::string& path, const std::vector<ResultRow>& rows,
                       const std::string& images_root, const std::string& results_dir,
                       const ContactSheetOptions& options) {
  std::vector<const ResultRow*> sorted;
  for (const ResultRow& row : rows) sorted.push_back(&row);
  std::sort(sorted.begin(), sorted.end(),
            [](const ResultRow* a, const ResultRow* b) { return a->image < b->image; });
  std::map<std::string, std::vector<const ResultRow*>> kept, rejected;
  for (const ResultRow* row : sorted) {
    if (row->verdict == "kept") kept[row->expression_class].push_back(row);
    if (row->verdict == "rejected") rejected[row->expression_class].push_back(row);
  }
  std::vector<std::string> classes;
  for (const std::string& expression_class : Summarize(rows).classes) {
    if (kept.count(expression_class) || rejected.count(expression_class)) {
      classes.push_back(expression_class);
    }
  }

  // Columns for as many samples as some class has, not as many as asked: the sheet is allocated
  // whole, and a large request on a small run asked for hundreds of gigabytes.
  size_t most = 0;
  for (const std::string& expression_class : classes) {
    most = std::max({most, kept[expression_class].size(), rejected[expression_class].size()});
  }
  const int per_verdict = static_cast<int>(
      std::min(most, static_cast<size_t>(std::max(0, options.samples_per_verdict))));
  const int panel = options.panel_size;
  const int sample_width = 4 * panel + kGap;
  const int samples = 2 * per_verdict;
  const int row_height = kCaptionHeight + panel + kGap;
  const int width = kLabelWidth + samples * sample_width;
  const int height = kCaptionHeight + std::max<int>(1, classes.size()) * row_height;
  cv::Mat sheet(height, width, CV_8UC3, kBackground);
  Caption(sheet, "image | overlay | depth | normals", cv::Point(kLabelWidth, 13), kText);
  if (classes.empty()) Caption(sheet, "no fits", cv::Point(4, kCaptionHeight + 20), kText);

  for (size_t c = 0; c < classes.size(); ++c) {
    const int top = kCaptionHeight + static_cast<int>(c) * row_height;
    Caption(sheet, classes[c], cv::Point(4, top + kCaptionHeight + panel / 2), kText);
    std::vector<const ResultRow*> picked = Spread(kept[classes[c]], per_verdict);
    picked.resize(per_verdict, nullptr);
    for (const ResultRow* row : Spread(rejected[classes[c]], per_verdict)) {
      picked.push_back(row);
    }
    for (size_t s = 0; s < picked.size(); ++s) {
      const ResultRow* row = picked[s];
      if (!row) continue;
      const int left = kLabelWidth + static_cast<int>(s) * sample_width;
      const bool is_kept = row->verdict == "kept";
      std::string caption = row->verdict;
      if (!is_kept && !row->reasons.empty()) caption += ": " + row->reasons.front();
      caption += "  " + fs::path(row->image).filename().string();
      Caption(sheet, caption.substr(0, 60), cv::Point(left, top + 13),
              is_kept ? kKeptColour : kRejectedColour);
      const fs::path folder = fs::path(results_dir) / row->output;
      const std::string files[4] = {
          images_root.empty() ? std::string() : (fs::path(images_root) / row->image).string(),
          (folder / "overlay.png").string(), (folder / "depth.png").string(),
          (folder / "normals.png").string()};
      for (int p = 0; p < 4; ++p) {
        Thumbnail(files[p], panel)
            .copyTo(sheet(cv::Rect(left + p * panel, top + kCaptionHeight, panel, panel)));
      }
    }
  }
  std::vector<unsigned char> png;
  if (!cv::imencode(".png", sheet, png)) throw FileError(path, "cannot encode the contact sheet");
  WriteFileAtomically(path, std::string(png.begin(), png.end()));
}

}  // namespace morphfit::batch
