#include "morphfit/batch/progress.h"

#include <cmath>

namespace morphfit::batch {

namespace {
std::string Duration(double seconds) {
  const long total = std::lround(seconds);
  char buffer[32];
  if (total >= 3600) {
    std::snprintf(buffer, sizeof(buffer), "%ld:%02ld:%02ld", total / 3600, total / 60 % 60,
                  total % 60);
  } else {
    std::snprintf(buffer, sizeof(buffer), "%ld:%02ld", total / 60, total % 60);
  }
  return buffer;
}
}  // namespace

ProgressReporter::ProgressReporter(const ProgressOptions& options) : options_(options) {}

void ProgressReporter::Start(int total, int kept, int rejected, int failed) {
  std::lock_guard<std::mutex> lock(mutex_);
  total_ = total;
  kept_ = kept;
  rejected_ = rejected;
  failed_ = failed;
  resumed_ = kept + rejected + failed;
  start_ = last_print_ = std::chrono::steady_clock::now();
  if (!options_.quiet && resumed_ > 0) {
    std::fprintf(options_.stream, "resuming: %d of %d images already done\n", resumed_, total_);
  }
}

void ProgressReporter::Record(const std::string& verdict) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (verdict == "kept") {
    ++kept_;
  } else if (verdict == "rejected") {
    ++rejected_;
  } else {
    ++failed_;
  }
  const auto now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(now - last_print_).count();
  if (since >=
      (options_.terminal ? options_.bar_interval_seconds : options_.plain_interval_seconds)) {
    last_print_ = now;
    Print(false);
  }
}

void ProgressReporter::Finish() {
  std::lock_guard<std::mutex> lock(mutex_);
  Print(true);
}

std::string ProgressReporter::StatusText() const {
  const int done = kept_ + rejected_ + failed_;
  const int processed = done - resumed_;
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = elapsed > 0 ? processed / elapsed : 0.0;
  char buffer[256];
  std::snprintf(buffer, sizeof(buffer), "%d/%d kept %d rejected %d failed %d | %.1f img/s | ", done,
                total_, kept_, rejected_, failed_, rate);
  std::string text = buffer;
  if (done >= total_) {
    text += "done in " + Duration(elapsed);
  } else {
    text += rate > 0 ? "ETA " + Duration((total_ - done) / rate) : std::string("ETA --");
  }
  return text;
}

void ProgressReporter::Print(bool final_line) {
  if (options_.quiet) return;
  if (options_.terminal) {
    constexpr int kWidth = 30;
    const int done = kept_ + rejected_ + failed_;
    const int filled = total_ > 0 ? kWidth * done / total_ : kWidth;
    const std::string bar = std::string(filled, '#') + std::string(kWidth - filled, '.');
    // \r and erase-to-end-of-line redraw the bar in place.
    std::fprintf(options_.stream, "\r[%s] %s\033[K%s", bar.c_str(), StatusText().c_str(),
                 final_line ? "\n" : "");
  } else {
    std::fprintf(options_.stream, "progress: %s\n", StatusText().c_str());
  }
  std::fflush(options_.stream);
}

}  // namespace morphfit::batch
