// morphfit-detect: finds faces and their 68 iBUG landmarks with dlib and writes them as 300-W
// .pts files, so that landmarks can be inspected or corrected before fitting.
//
//   morphfit-detect --image photo.jpg --out photo.pts
//   morphfit-detect --input_dir photos/ --out_dir landmarks/      (NAME.pts per image)
//
// With several faces the largest is written, or the one --face_index names, or all of them with
// --all_faces as NAME_0.pts, NAME_1.pts, ... (largest first). An existing .pts is never replaced
// without --overwrite (it may be annotated by hand): an error for --image, skipped in folder mode.
// Exit 0 on success, 1 when an image fails (folder mode goes on and lists the failures), 2 on bad
// flags.

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <gflags/gflags.h>

#include "app_support.h"
#include "detect_flags.h"
#include "morphfit/detect/face_detector.h"
#include "morphfit/detect/face_selection.h"
#include "morphfit/detect/image_reading.h"
#include "morphfit/model/error.h"
#include "morphfit/model/landmarks.h"

DEFINE_string(image, "", "Image to detect the face in (with --out).");
DEFINE_string(out, "", "Output .pts file for --image.");
DEFINE_string(input_dir, "", "Folder of images (jpg, jpeg, png, ppm, pgm, bmp, tif, tiff, webp).");
DEFINE_string(out_dir, "", "Output folder for --input_dir: NAME.pts per image NAME.ext.");
DEFINE_bool(overwrite, false,
            "Replace existing .pts files (else --image stops with an error and --input_dir skips "
            "the image: a landmark file there may be annotated by hand).");

namespace {

namespace fs = std::filesystem;
using morphfit::apps::ExitBadFlags;

// A landmark file that exists, and --overwrite is not given.
class ExistingOutput : public morphfit::Error {
 public:
  explicit ExistingOutput(const std::string& path)
      : Error(path + ": exists; --overwrite replaces it") {}
};

// An existing file among `paths` that --overwrite would be needed to replace, or "".
std::string ExistingWithoutOverwrite(const std::vector<fs::path>& paths) {
  if (FLAGS_overwrite) return "";
  for (const fs::path& path : paths) {
    if (fs::exists(path)) return path.string();
  }
  return "";
}

// The file face `index` of an --all_faces run goes to: out_INDEX.pts.
fs::path NumberedPath(const fs::path& out, size_t index) {
  fs::path numbered = out;
  numbered.replace_filename(out.stem().string() + "_" + std::to_string(index) +
                            out.extension().string());
  return numbered;
}

// Writes the selected faces of one image: `out` itself for one face, or out_0.pts, out_1.pts, ...
// with --all_faces. Returns the number of faces written; throws ExistingOutput naming a file that
// exists (without --overwrite) before writing any.
int DetectOne(morphfit::detect::FaceDetector& detector,
              const morphfit::detect::FaceSelection& selection, const cv::Mat& image,
              const std::string& image_path, const fs::path& out) {
  const auto faces =
      morphfit::detect::SelectFaces(detector.Detect(image, image_path), selection, image_path);
  std::vector<fs::path> paths = {out};
  if (selection.mode == morphfit::detect::FaceSelection::Mode::kAll) {
    paths.clear();
    for (size_t i = 0; i < faces.size(); ++i) paths.push_back(NumberedPath(out, i));
  }
  const std::string existing = ExistingWithoutOverwrite(paths);
  if (!existing.empty()) {
    throw ExistingOutput(existing);
  }
  if (out.has_parent_path()) fs::create_directories(out.parent_path());
  for (size_t i = 0; i < paths.size(); ++i) {
    morphfit::WritePts(paths[i].string(), faces[i].landmarks);
  }
  return static_cast<int>(paths.size());
}

void CheckModeFlags() {
  const bool single = !FLAGS_image.empty() || !FLAGS_out.empty();
  const bool folder = !FLAGS_input_dir.empty() || !FLAGS_out_dir.empty();
  if (single == folder) ExitBadFlags("give either --image and --out, or --input_dir and --out_dir");
  if (single && (FLAGS_image.empty() || FLAGS_out.empty())) {
    ExitBadFlags("--image and --out go together");
  }
  if (folder && (FLAGS_input_dir.empty() || FLAGS_out_dir.empty())) {
    ExitBadFlags("--input_dir and --out_dir go together");
  }
}

int RunFolder(const morphfit::detect::DetectorOptions& options,
              const morphfit::detect::FaceSelection& selection) {
  if (!fs::is_directory(FLAGS_input_dir)) {
    throw morphfit::FileError(FLAGS_input_dir, "not a folder");
  }
  std::vector<fs::path> images;
  for (const auto& entry : fs::directory_iterator(FLAGS_input_dir)) {
    if (entry.is_regular_file() && morphfit::detect::IsImageFile(entry.path().string()))
      images.push_back(entry.path());
  }
  std::sort(images.begin(), images.end());
  if (images.empty()) throw morphfit::FileError(FLAGS_input_dir, "holds no images");
  morphfit::detect::FaceDetector detector(options);

  std::vector<std::string> failed;
  size_t skipped = 0;
  for (const fs::path& image : images) {
    const fs::path out = fs::path(FLAGS_out_dir) / (image.stem().string() + ".pts");
    try {
      // Checked before detection too, which costs far more than the check (--all_faces's numbered
      // files only once the faces are counted).
      if (selection.mode != morphfit::detect::FaceSelection::Mode::kAll &&
          !ExistingWithoutOverwrite({out}).empty()) {
        throw ExistingOutput(out.string());
      }
      const int written =
          DetectOne(detector, selection, morphfit::detect::ReadColorImage(image.string()),
                    image.string(), out);
      std::printf("%s: %d face(s) written\n", image.string().c_str(), written);
    } catch (const ExistingOutput& e) {
      std::printf("%s: skipped, %s\n", image.string().c_str(), e.what());
      ++skipped;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "morphfit-detect: %s\n", e.what());
      failed.push_back(image.filename().string());
    }
  }
  std::printf("%zu image(s), %zu skipped, %zu failed\n", images.size(), skipped, failed.size());
  if (failed.empty()) return 0;
  std::string list;
  for (const std::string& name : failed) list += (list.empty() ? "" : ", ") + name;
  std::fprintf(stderr, "morphfit-detect: %zu of %zu image(s) failed: %s\n", failed.size(),
               images.size(), list.c_str());
  return morphfit::apps::kExitBadInput;
}

}  // namespace

int main(int argc, char** argv) {
  morphfit::apps::ParseFlags(
      &argc, &argv,
      "morphfit-detect: finds faces and their 68 iBUG landmarks (dlib) and writes 300-W .pts "
      "files.\n"
      "  morphfit-detect --image FILE --out FILE.pts\n"
      "  morphfit-detect --input_dir DIR --out_dir DIR");
  CheckModeFlags();
  morphfit::detect::DetectorOptions options;
  morphfit::detect::FaceSelection selection;
  try {
    options = morphfit::apps::DetectorOptionsFromFlags();
    selection = morphfit::apps::FaceSelectionFromFlags();
  } catch (const morphfit::Error& e) {
    ExitBadFlags(e.what());
  }

  return morphfit::apps::RunApp([&options, &selection] {
    if (!FLAGS_input_dir.empty()) return RunFolder(options, selection);
    // The image is read first: a bad path fails before the second-long predictor load.
    const cv::Mat image = morphfit::detect::ReadColorImage(FLAGS_image);
    morphfit::detect::FaceDetector detector(options);
    const int written = DetectOne(detector, selection, image, FLAGS_image, FLAGS_out);
    std::printf("%s: %d face(s) written\n", FLAGS_image.c_str(), written);
    return morphfit::apps::kExitOk;
  });
}
