#include "morphfit/batch/manifest.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>

#include <nlohmann/json.hpp>

#include "morphfit/batch/csv.h"
#include "morphfit/detect/image_reading.h"
#include "morphfit/model/error.h"

namespace morphfit::batch {

namespace fs = std::filesystem;

namespace {

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string WithoutExtension(const std::string& relative) {
  return fs::path(relative).replace_extension().generic_string();
}

// A relative path that stays inside the dataset and the output folder.
bool IsSafeRelativePath(const std::string& relative) {
  const fs::path path(relative);
  if (relative.empty() || path.is_absolute() || path.has_root_name()) return false;
  for (const auto& part : path) {
    if (part == "..") return false;
  }
  return true;
}

ImageJob ImageFileJob(const fs::path& root, const fs::path& file) {
  ImageJob job;
  job.image_path = file.string();
  // Lexically: fs::relative resolves symbolic links, so an image in a linked folder came out as
  // "../real/x.jpg" and its outputs went outside OUT, into the linked folder.
  job.relative_path = file.lexically_relative(root).generic_string();
  job.output_relative = WithoutExtension(job.relative_path);
  job.source = job.image_path;
  fs::path pts = file;
  pts.replace_extension(".pts");
  if (fs::is_regular_file(pts)) job.landmarks_path = pts.string();
  return job;
}

// Whether `dir` holds morphfit's outputs: a batch folder (run.json of morphfit-batch) or one fit's
// (fit.json of morphfit). Their PNGs (depth, normals, mask, overlay, contact sheet) are not
// photos.
bool IsMorphfitOutput(const fs::path& dir) {
  for (const char* name : {"run.json", "fit.json"}) {
    const fs::path record = dir / name;
    if (!fs::is_regular_file(record)) continue;
    std::ifstream stream(record);
    const nlohmann::json json = nlohmann::json::parse(stream, nullptr, /*allow_exceptions=*/false);
    if (!json.is_object() || !json.contains("program")) continue;
    const nlohmann::json& program = json["program"];
    if (program == "morphfit-batch" ||
        (program.is_object() && program.value("name", "") == "morphfit"))
      return true;
  }
  return false;
}

// The image files under `root`, skipping folders of morphfit's outputs (an --out inside the
// dataset would otherwise feed its depth and normal maps back in as photos on the next run).
// Symbolic links to folders are followed (datasets are often assembled from links), except one
// back to a folder being listed, which would loop until the path grew too long.
std::vector<fs::path> ImageFilesUnder(const std::string& root) {
  if (!fs::is_directory(root)) throw FileError(root, "is not a folder");
  std::vector<fs::path> files;
  std::vector<fs::path> chain = {fs::canonical(root)};  // the listed folders, root to current
  try {
    for (auto it = fs::recursive_directory_iterator(
             root, fs::directory_options::follow_directory_symlink);
         it != fs::recursive_directory_iterator(); ++it) {
      if (it->is_directory()) {
        chain.resize(static_cast<size_t>(it.depth()) + 1);
        const fs::path real = fs::canonical(it->path());
        if (std::find(chain.begin(), chain.end(), real) != chain.end() ||
            IsMorphfitOutput(it->path())) {
          it.disable_recursion_pending();
        } else {
          chain.push_back(real);
        }
      } else if (it->is_regular_file() && detect::IsImageFile(it->path().string())) {
        files.push_back(it->path());
      }
    }
  } catch (const fs::filesystem_error& e) {
    throw FileError(e.path1().string(), "cannot list the folder: " + e.code().message());
  }
  // Most likely a wrong path; a batch of nothing would end "0 images" and exit 0.
  if (files.empty()) {
    throw FileError(root,
                    "holds no images (jpg, jpeg, png, ppm, pgm, bmp, tif, tiff, webp; searched "
                    "recursively, outside morphfit's output folders)");
  }
  return files;
}

// Sorts by relative path and turns every job whose output folder another job already claims into
// a failure, so that no two images ever write into one folder.
void Finish(Manifest& manifest) {
  auto& jobs = manifest.jobs;
  std::sort(jobs.begin(), jobs.end(),
            [](const ImageJob& a, const ImageJob& b) { return a.relative_path < b.relative_path; });
  std::map<std::string, std::string> owner;  // output folder -> relative path of its image
  for (ImageJob& job : jobs) {
    if (!job.manifest_error.empty()) continue;
    const auto [it, inserted] = owner.emplace(job.output_relative, job.relative_path);
    if (!inserted) {
      job.manifest_error = job.source + ": its output folder '" + job.output_relative +
                           "' is already used by " + it->second;
    }
  }
  // An output folder inside another's would go when that one is replaced (a redo replaces the
  // whole folder): the outer image fails instead.
  std::map<std::string, std::string> ancestors;  // folder -> an image whose output is inside
  for (const auto& [folder, image] : owner) {
    for (fs::path up = fs::path(folder).parent_path(); !up.empty(); up = up.parent_path()) {
      ancestors.emplace(up.generic_string(), image);
    }
  }
  for (ImageJob& job : jobs) {
    const auto inner = ancestors.find(job.output_relative);
    if (job.manifest_error.empty() && inner != ancestors.end()) {
      job.manifest_error = job.source + ": its output folder '" + job.output_relative +
                           "' would hold the outputs of " + inner->second;
    }
  }
}

void AddUnlessFiltered(ImageJob job, const ClassFilter& classes, Manifest& manifest) {
  if (classes.Accepts(job.expression_class)) {
    manifest.jobs.push_back(std::move(job));
  } else {
    ++manifest.skipped_by_class;
  }
}

}  // namespace

Manifest ReadFolderManifest(const std::string& root, const ManifestOptions& options) {
  Manifest manifest;
  for (const fs::path& file : ImageFilesUnder(root)) {
    ImageJob job = ImageFileJob(root, file);
    const auto folder_class = CanonicalClass(file.parent_path().filename().string());
    job.expression_class = folder_class ? *folder_class : kUnlabelledClass;
    AddUnlessFiltered(std::move(job), options.classes, manifest);
  }
  Finish(manifest);
  return manifest;
}

namespace {

// A wrong --images_root would turn every row into an "image file not found" failure, after a
// whole dataset's worth of them; when none of the first listed images exists, that is the error.
// (A few stats: cheap even on a network file system.)
void CheckImagesRoot(const Manifest& manifest, const std::string& images_root) {
  constexpr int kChecked = 100;
  int checked = 0;
  std::string first;
  for (const ImageJob& job : manifest.jobs) {
    if (!job.manifest_error.empty()) continue;
    if (fs::exists(job.image_path)) return;
    if (first.empty()) first = job.image_path;
    if (++checked == kChecked) break;
  }
  if (checked == 0) return;
  throw FileError(images_root, "none of the first " + std::to_string(checked) +
                                   " images the manifest lists exists here (the first: " + first +
                                   "); is --images_root right?");
}

}  // namespace

Manifest ReadAffectNetManifest(const std::string& csv_path, const std::string& images_root,
                               const ManifestOptions& options) {
  std::ifstream stream(csv_path);
  if (!stream) throw FileError(csv_path, "cannot open the manifest");
  const std::string name = fs::path(csv_path).filename().string();
  std::string line;
  std::vector<std::string> fields;
  if (!std::getline(stream, line) || !SplitCsvLine(line, fields)) {
    throw FileError(csv_path, "no header line (expected subDirectory_filePath,...,expression,...)");
  }
  std::map<std::string, size_t> column;
  for (size_t i = 0; i < fields.size(); ++i) {
    std::string key = fields[i];
    key.erase(0, key.find_first_not_of(" \t\xEF\xBB\xBF"));  // spaces and a UTF-8 byte-order mark
    key.erase(key.find_last_not_of(" \t") + 1);
    column[key] = i;
  }
  for (const char* needed : {"subDirectory_filePath", "facial_landmarks", "expression"}) {
    if (!column.count(needed)) {
      throw FileError(csv_path, std::string("header has no column '") + needed + "'");
    }
  }
  const size_t path_column = column["subDirectory_filePath"];
  const size_t landmark_column = column["facial_landmarks"];
  const size_t expression_column = column["expression"];
  const size_t header_fields = fields.size();

  Manifest manifest;
  int line_number = 1;
  while (std::getline(stream, line)) {
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    ImageJob job;
    job.source = csv_path + " line " + std::to_string(line_number);
    auto fail = [&](const std::string& problem) {
      job.relative_path = name + ":line " + std::to_string(line_number);
      job.output_relative.clear();
      if (job.expression_class.empty()) job.expression_class = kUnlabelledClass;
      job.manifest_error = job.source + ": " + problem;
      manifest.jobs.push_back(job);
    };
    if (!SplitCsvLine(line, fields)) {
      fail("unterminated quoted field");
      continue;
    }
    if (fields.size() != header_fields) {
      fail("expected " + std::to_string(header_fields) + " fields like the header, got " +
           std::to_string(fields.size()));
      continue;
    }
    const std::string relative = fields[path_column];
    if (!IsSafeRelativePath(relative)) {
      fail("image path '" + relative + "' must be relative to --images_root, without '..'");
      continue;
    }
    std::optional<std::string> expression_class;
    try {
      size_t used = 0;
      const int code = std::stoi(fields[expression_column], &used);
      if (used == fields[expression_column].size()) expression_class = AffectNetClass(code);
    } catch (const std::exception&) {
    }
    if (!expression_class) {
      fail("expression '" + fields[expression_column] + "' is not a code 0-10");
      continue;
    }
    if (!options.classes.Accepts(*expression_class)) {
      ++manifest.skipped_by_class;
      continue;
    }
    job.expression_class = *expression_class;
    try {
      const std::string& landmarks = fields[landmark_column];
      if (landmarks.find_first_not_of(" \t") != std::string::npos) {
        job.landmarks = ParseLandmarkList(landmarks, job.source);
      }
    } catch (const std::exception& e) {
      fail(std::string("facial_landmarks: ") + e.what());
      continue;
    }
    job.relative_path = relative;
    job.output_relative = WithoutExtension(relative);
    job.image_path = (fs::path(images_root) / relative).string();
    manifest.jobs.push_back(std::move(job));
  }
  // A second row for an image already listed is an error of its own row.
  std::map<std::string, std::string> first_row;
  for (ImageJob& job : manifest.jobs) {
    if (!job.manifest_error.empty()) continue;
    const auto [it, inserted] = first_row.emplace(job.relative_path, job.source);
    if (!inserted) {
      job.manifest_error =
          job.source + ": image '" + job.relative_path + "' is already listed on " + it->second;
      const std::string line_tag = job.source.substr(job.source.rfind(" line ") + 6);
      job.relative_path = name + ":line " + line_tag;
      job.output_relative.clear();
    }
  }
  CheckImagesRoot(manifest, images_root);
  Finish(manifest);
  return manifest;
}

Manifest ReadRafdManifest(const std::string& root, const ManifestOptions& options) {
  static const std::regex rafd_name(
      R"(Rafd(\d{3})_(\d+)_([A-Za-z]+)_([A-Za-z]+)_([A-Za-z]+)_([A-Za-z]+))", std::regex::icase);
  Manifest manifest;
  for (const fs::path& file : ImageFilesUnder(root)) {
    ImageJob job = ImageFileJob(root, file);
    job.expression_class = kUnlabelledClass;  // until the name says otherwise
    std::smatch match;
    const std::string stem = file.stem().string();
    if (!std::regex_match(stem, match, rafd_name)) {
      job.manifest_error = job.image_path +
                           ": not a RaFD name Rafd<angle>_<id>_<ethnicity>_<gender>_<expression>_"
                           "<gaze>";
      manifest.jobs.push_back(std::move(job));
      continue;
    }
    const auto expression_class = RafdClass(Lower(match[5].str()));
    if (!expression_class) {
      job.manifest_error = job.image_path + ": unknown RaFD expression '" + match[5].str() + "'";
      manifest.jobs.push_back(std::move(job));
      continue;
    }
    job.expression_class = *expression_class;
    if (!options.rafd_angles.count(std::stoi(match[1].str()))) {
      ++manifest.skipped_by_angle;
      continue;
    }
    AddUnlessFiltered(std::move(job), options.classes, manifest);
  }
  Finish(manifest);
  return manifest;
}

std::vector<ImageJob> SelectShard(const std::vector<ImageJob>& jobs, int index, int count) {
  if (count < 1 || index < 0 || index >= count) {
    throw Error("shard " + std::to_string(index) + " of " + std::to_string(count) +
                ": need 0 <= shard_index < num_shards");
  }
  std::vector<ImageJob> shard;
  for (size_t i = static_cast<size_t>(index); i < jobs.size(); i += static_cast<size_t>(count)) {
    shard.push_back(jobs[i]);
  }
  return shard;
}

}  // namespace morphfit::batch
