#pragma once

// Test doubles for the batch tests: a small generated dataset and a stand-in for the per-image
// pipeline that reads the image, decides deterministically from its content and writes a
// fit.json and a map, so that the batch machinery can be tested apart from the fit.

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "morphfit/batch/image_job.h"
#include "morphfit/model/atomic_file.h"
#include "morphfit/model/error.h"

namespace morphfit::batch::testing {

// A 48 x 48 image whose blue channel is uniform and encodes `index`; dark ones (index % 4 == 3)
// are those the fake pipeline rejects.
inline void WriteTestImage(const std::string& path, int index) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  const int level = index % 4 == 3 ? 30 : 100 + (index * 7) % 150;
  cv::Mat image(48, 48, CV_8UC3, cv::Scalar(level, level, level));
  cv::circle(image, cv::Point(24, 24), 10 + index % 10, cv::Scalar(level, 255 - level, 128), -1);
  cv::imwrite(path, image);
}

// "x1;y1;..." for 68 distinct points inside a 48 x 48 image.
inline std::string TestLandmarkField() {
  std::string field;
  for (int i = 0; i < 68; ++i) {
    field +=
        (i ? ";" : "") + std::to_string(4 + (i % 10) * 4) + ";" + std::to_string(4 + (i / 10) * 5);
  }
  return field;
}

struct FakeProcessor {
  double sleep_seconds = 0;
  std::atomic<int>* calls = nullptr;

  ImageOutcome operator()(const ImageJob& job, const std::string& output_dir) const {
    if (calls) ++*calls;
    const cv::Mat image = cv::imread(job.image_path, cv::IMREAD_COLOR);
    if (image.empty()) throw FileError(job.image_path, "cannot read the image");
    if (sleep_seconds > 0) {
      std::this_thread::sleep_for(std::chrono::duration<double>(sleep_seconds));
    }
    const double mean = cv::mean(image)[0];
    ImageOutcome outcome;
    outcome.verdict = mean < 60 ? "rejected" : "kept";
    if (mean < 60) outcome.reasons = {"too_dark"};
    if (mean < 60 && job.landmarks) outcome.reasons.push_back("landmark_nme");
    outcome.statistics["face_size_px"] = mean;
    outcome.statistics["landmark_nme"] = job.landmarks ? 0.01 : 0.02;
    cv::Mat depth;
    cv::cvtColor(image, depth, cv::COLOR_BGR2GRAY);
    depth.convertTo(depth, CV_16U, 257.0);
    std::vector<unsigned char> png;
    cv::imencode(".png", depth, png);
    const std::filesystem::path dir(output_dir);
    std::filesystem::create_directories(dir);
    WriteFileAtomically((dir / "depth.png").string(), std::string(png.begin(), png.end()));
    WriteFileAtomically(
        (dir / "fit.json").string(),
        "{\"verdict\": \"" + outcome.verdict + "\", \"mean\": " + std::to_string(mean) + "}\n");
    return outcome;
  }
};

// An AffectNet-style dataset: `count` images under root/images/<folder>/, the CSV at root/
// manifest.csv with classes cycling over the 11 codes (so 8-10 appear), one malformed row and
// one corrupt image. Returns the CSV path.
inline std::string WriteAffectNetDataset(const std::string& root, int count) {
  std::string csv =
      "subDirectory_filePath,face_x,face_y,face_width,face_height,facial_landmarks,expression,"
      "valence,arousal\n";
  for (int i = 0; i < count; ++i) {
    const std::string relative = std::to_string(i % 3) + "/img" + std::to_string(1000 + i) + ".png";
    WriteTestImage(root + "/images/" + relative, i);
    csv += relative + ",0,0,48,48," + (i % 2 ? TestLandmarkField() : std::string()) + "," +
           std::to_string(i % 11) + ",0.1,-0.2\n";
  }
  csv += "broken_row_without_fields\n";
  std::filesystem::create_directories(root + "/images/9");
  std::ofstream(root + "/images/9/corrupt.png") << "this is not a PNG";
  csv += "9/corrupt.png,0,0,48,48,," + std::to_string(1) + ",0,0\n";
  std::ofstream(root + "/manifest.csv") << csv;
  return root + "/manifest.csv";
}

}  // namespace morphfit::batch::testing
