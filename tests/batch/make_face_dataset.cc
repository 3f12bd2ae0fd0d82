// Writes a labelled dataset of synthetic face renders for the batch tests and the benchmark:
//
//   make_face_dataset --out DIR --count N [--format affectnet|rafd|folder] [--size 400] [--seed 1]
//
// Each image is a random face of the model (shape, expression, pose: solver::MakeSyntheticFace)
// rendered with a skin albedo under a random directional light over a noisy background, with its
// 68 landmarks (projections plus noise). affectnet: DIR/images/<n % 10>/face_<n>.png and
// DIR/manifest.csv (landmarks in the row, expression cycling over the eight classes); rafd:
// DIR/Rafd090_<id>_Caucasian_female_<expression>_frontal.png with sibling .pts; folder:
// DIR/<class>/face_<n>.png with sibling .pts. Deterministic for a seed.

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include <gflags/gflags.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "morphfit/model/atomic_file.h"
#include "morphfit/model/error.h"
#include "morphfit/model/landmarks.h"
#include "morphfit/model/model_io.h"
#include "morphfit/render/rasterizer.h"
#include "morphfit/render/shading.h"
#include "morphfit/solver/synthetic_face.h"

DEFINE_string(out, "", "Output folder");
DEFINE_int32(count, 20, "Number of images");
DEFINE_string(format, "affectnet", "affectnet, rafd or folder");
DEFINE_int32(size, 400, "Image width and height, pixels");
DEFINE_uint64(seed, 1, "Random seed");
DEFINE_string(model_dir, "", "Model folder (default: found as morphfit's apps find it)");
DEFINE_double(landmark_noise, 1.0, "Landmark noise, pixels (Gaussian, per coordinate)");

namespace fs = std::filesystem;
using namespace morphfit;

namespace {

const char* const kRafdWords[8] = {"angry", "contemptuous", "disgusted", "fearful",
                                   "happy", "neutral",      "sad",       "surprised"};
// AffectNet codes of the same eight classes, in the same order.
const int kAffectNetCodes[8] = {6, 7, 5, 4, 1, 0, 2, 3};

// The SFM maps no vertex to the inner mouth corners (iBUG 61 and 65): place them just inside the
// outer corners, between the lips.
void FillUnmappedLandmarks(Landmarks& landmarks) {
  landmarks.row(60) = 0.8 * landmarks.row(48) + 0.1 * (landmarks.row(61) + landmarks.row(67));
  landmarks.row(64) = 0.8 * landmarks.row(54) + 0.1 * (landmarks.row(63) + landmarks.row(65));
}

cv::Mat RenderFace(const model::MorphableModel& model, const solver::SyntheticFace& face,
                   std::mt19937_64& random) {
  const Eigen::Matrix3Xd vertices =
      model.InstanceVertices(face.shape_coefficients, face.expression_coefficients);
  const render::Frame frame = render::RenderModelSpaceMesh(vertices, model.triangles, face.camera);
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  const Eigen::Vector3d skin(0.55 + 0.1 * unit(random), 0.42 + 0.08 * unit(random),
                             0.35 + 0.08 * unit(random));  // r g b
  Eigen::Matrix3Xd albedo(3, model.num_vertices());
  albedo.colwise() = skin;
  const Eigen::Vector3d light_direction =
      Eigen::Vector3d(0.5 * unit(random), 0.5 * unit(random), -1.0).normalized();
  const render::ShLighting lighting =
      render::AmbientLight(Eigen::Vector3d::Constant(0.5)) +
      render::DirectionalLight(light_direction, Eigen::Vector3d::Constant(0.9));
  const cv::Mat shaded = render::ShadeFrame(frame, model.triangles, albedo, lighting);

  cv::Mat image(frame.height, frame.width, CV_8UC3);
  cv::randu(image, cv::Scalar::all(40), cv::Scalar::all(160));
  cv::GaussianBlur(image, image, cv::Size(0, 0), 3.0);
  for (int y = 0; y < frame.height; ++y) {
    for (int x = 0; x < frame.width; ++x) {
      if (!frame.Covered(x, y)) continue;
      const cv::Vec3f value = shaded.at<cv::Vec3f>(y, x);
      for (int c = 0; c < 3; ++c) {
        image.at<cv::Vec3b>(y, x)[c] = cv::saturate_cast<uchar>(255.0 * value[c]);
      }
    }
  }
  return image;
}

void WriteImage(const std::string& path, const cv::Mat& image) {
  fs::create_directories(fs::path(path).parent_path());
  std::vector<unsigned char> png;
  if (!cv::imencode(".png", image, png)) throw FileError(path, "cannot encode");
  WriteFileAtomically(path, std::string(png.begin(), png.end()));
}

int Run() {
  if (FLAGS_out.empty()) throw Error("--out is required");
  if (FLAGS_format != "affectnet" && FLAGS_format != "rafd" && FLAGS_format != "folder") {
    throw Error("--format must be affectnet, rafd or folder");
  }
  const model::MorphableModel model =
      model::LoadModelDirectory(model::FindModelDirectory(FLAGS_model_dir));
  solver::SyntheticFaceOptions options;
  options.width = options.height = FLAGS_size;
  options.max_abs_yaw_deg = 30.0;
  options.max_abs_coefficient = 1.5;
  options.min_distance_mm = 450.0;  // the face fills about half the image
  options.max_distance_mm = 600.0;
  options.landmark_noise_px = FLAGS_landmark_noise;
  std::mt19937_64 random(FLAGS_seed);
  std::string csv =
      "subDirectory_filePath,face_x,face_y,face_width,face_height,facial_landmarks,expression,"
      "valence,arousal\n";
  for (int n = 0; n < FLAGS_count; ++n) {
    const solver::SyntheticFace face =
        solver::MakeSyntheticFace(model, options, FLAGS_seed * 100003 + n);
    Landmarks landmarks = face.landmarks;
    FillUnmappedLandmarks(landmarks);
    const cv::Mat image = RenderFace(model, face, random);
    const int expression = n % 8;
    char name[64];
    if (FLAGS_format == "affectnet") {
      std::snprintf(name, sizeof(name), "%d/face_%05d.png", n % 10, n);
      WriteImage(FLAGS_out + "/images/" + name, image);
      std::string field;
      for (int i = 0; i < 68; ++i) {
        char point[64];
        std::snprintf(point, sizeof(point), "%s%.2f;%.2f", i ? ";" : "", landmarks(i, 0),
                      landmarks(i, 1));
        field += point;
      }
      csv += std::string(name) + ",0,0," + std::to_string(FLAGS_size) + "," +
             std::to_string(FLAGS_size) + "," + field + "," +
             std::to_string(kAffectNetCodes[expression]) + ",0.0,0.0\n";
      continue;
    }
    std::string stem;
    if (FLAGS_format == "rafd") {
      std::snprintf(name, sizeof(name), "Rafd090_%02d_Caucasian_female_%s_frontal", n / 8 + 1,
                    kRafdWords[expression]);
      stem = FLAGS_out + "/" + name;
    } else {
      std::snprintf(name, sizeof(name), "%s/face_%05d", kRafdWords[expression], n);
      stem = FLAGS_out + "/" + name;
    }
    WriteImage(stem + ".png", image);
    WritePts(stem + ".pts", landmarks);
  }
  if (FLAGS_format == "affectnet") WriteFileAtomically(FLAGS_out + "/manifest.csv", csv);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  gflags::SetUsageMessage("Writes a dataset of synthetic face renders (see the file header).");
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  try {
    return Run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "make_face_dataset: %s\n", e.what());
    return 1;
  }
}
