// morphfit-batch: turns a labelled face dataset into an RGB-D dataset (issue 8).
//
//   morphfit-batch --manifest FILE.csv --images_root DIR --out OUT   (AffectNet-style CSV)
//   morphfit-batch --rafd_dir DIR --out OUT                          (RaFD file names)
//   morphfit-batch --input DIR --out OUT                             (a folder, .pts or detection)
//   ... --shard_index i --num_shards n                                 (one shard of many)
//   morphfit-batch --merge OUT1,OUT2,... --out DIR                     (combine the shards)
//
// With --outlier_k > 0 a second pass over the finished fits rejects the batch's robust outliers
// (batch_rule_pass.h): at the end of an unsharded run, or at --merge for a sharded one.
//
// Rerunning the same command resumes; see README "Building a dataset".

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include <gflags/gflags.h>
#include <glog/logging.h>

#include "app_support.h"
#include "detect_flags.h"
#include "fit_flags.h"
#include "morphfit/batch/batch_rule_pass.h"
#include "morphfit/batch/batch_runner.h"
#include "morphfit/batch/manifest.h"
#include "morphfit/batch/merge.h"
#include "morphfit/batch/pipeline_processor.h"
#include "morphfit/batch/report.h"
#include "morphfit/detect/concurrent_landmark_detector.h"
#include "morphfit/model/error.h"
#include "morphfit/model/model_io.h"
#include "quality_flags.h"

DEFINE_string(
    input, "",
    "Folder of images (recursive); each may have a sibling .pts, else landmarks are detected");
DEFINE_string(manifest, "", "AffectNet-style CSV manifest (needs --images_root)");
DEFINE_string(images_root, "",
              "Folder the manifest's subDirectory_filePath entries are relative to");
DEFINE_string(rafd_dir, "", "Folder of RaFD images (expression from the file name)");
DEFINE_string(out, "",
              "Output folder (per-image folders, results.csv, summary.md, contact_sheet.png)");
DEFINE_int32(threads, 0, "Worker threads; 0 = one per core");
DEFINE_int32(shard_index, 0, "Which shard of the sorted manifest this run does (0-based)");
DEFINE_int32(num_shards, 1, "How many shards the manifest is split into (round-robin)");
DEFINE_bool(overwrite, false, "Redo a folder whose run.json records other settings");
DEFINE_bool(retry_failed, false, "Redo images an earlier run recorded as failed");
DEFINE_string(classes, "",
              "Expression classes to process, e.g. Happy,Sadness (default: all but AffectNet's "
              "None, Uncertain, NoFace)");
DEFINE_string(rafd_angles, "45,90,135", "RaFD camera angles to process (0, 45, 90, 135, 180)");
DEFINE_string(merge, "",
              "Shard output folders to combine into --out: comma-separated, or @FILE with one "
              "folder per line");
DEFINE_bool(count_only, false, "Print the number of images of the (sharded) manifest and exit");
DEFINE_bool(quiet, false, "No progress and no summary on the terminal");
DEFINE_double(progress_interval, 10.0,
              "Seconds between progress lines when stderr is not a terminal");
DEFINE_string(
    model_dir, "",
    "Model folder (default: $MORPHFIT_MODEL_DIR, then data/models/sfm and ../shared/models/sfm)");
DEFINE_int32(contact_sheet_samples, 2,
             "Kept and rejected samples per class on the contact sheet (0-20)");

namespace fs = std::filesystem;
using namespace morphfit;

namespace {

// 20 kept and 20 rejected samples of 4 panels per class make a sheet about 18,500 pixels wide.
constexpr int kMaxContactSheetSamples = 20;

class FlagError : public Error {
 public:
  using Error::Error;
};

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> items;
  std::istringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    if (!item.empty()) items.push_back(item);
  }
  return items;
}

// --merge: "a,b,c" or "@list.txt" (one folder per line; a thousand shard paths can exceed the
// length the kernel allows for one argument).
std::vector<std::string> ShardFolders(const std::string& flag) {
  if (flag.empty() || flag[0] != '@') return SplitList(flag);
  std::ifstream stream(flag.substr(1));
  if (!stream) throw FileError(flag.substr(1), "cannot open the --merge list");
  std::vector<std::string> folders;
  std::string line;
  while (std::getline(stream, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) folders.push_back(line);
  }
  return folders;
}

std::string Absolute(const std::string& path) {
  return fs::absolute(path).lexically_normal().string();
}

std::set<int> ParseAngles(const std::string& text) {
  std::set<int> angles;
  for (const std::string& item : SplitList(text)) {
    int angle = -1;
    try {
      angle = std::stoi(item);
    } catch (const std::exception&) {
    }
    if (angle != 0 && angle != 45 && angle != 90 && angle != 135 && angle != 180) {
      throw FlagError("--rafd_angles: '" + item + "' is not one of 0, 45, 90, 135, 180");
    }
    angles.insert(angle);
  }
  return angles;
}

// Every flag that can change a fit's outcome: all flags of fit_flags.cc and quality_flags.cc, and
// those of detect_flags.cc, which decide the landmarks of images without a .pts (but
// --face_index and --all_faces, which a batch refuses), so that a flag added there is recorded in
// run.json (and checked on resume) without touching this file.
// The fit settings' values into record.fit and their defaults into record.fit_defaults.
void RecordFitSettings(batch::RunRecord& record) {
  std::vector<gflags::CommandLineFlagInfo> flags;
  gflags::GetAllFlags(&flags);
  for (const auto& flag : flags) {
    const std::string file = fs::path(flag.filename).filename().string();
    const bool face_selection = flag.name == "face_index" || flag.name == "all_faces";
    if (file == "fit_flags.cc" || file == "quality_flags.cc" ||
        (file == "detect_flags.cc" && !face_selection)) {
      record.fit[flag.name] = flag.current_value;
      record.fit_defaults[flag.name] = flag.default_value;
    }
  }
}

// --out may lie inside a scanned folder (the scan skips morphfit's output folders) but not be it:
// the summary and contact sheet at its top would be read back as photos.
void CheckOutsideScannedFolder(const std::string& folder, const std::string& flag) {
  if (!FLAGS_out.empty() && fs::weakly_canonical(FLAGS_out) == fs::weakly_canonical(folder)) {
    throw FlagError("--out is the " + flag +
                    " folder itself; give it a folder of its own (it may "
                    "lie inside " +
                    flag + ")");
  }
}

// The manifest and the run record of the input flags.
batch::Manifest ReadManifest(batch::RunRecord& record) {
  const int inputs = !FLAGS_input.empty() + !FLAGS_manifest.empty() + !FLAGS_rafd_dir.empty();
  if (inputs != 1) throw FlagError("give exactly one of --input, --manifest or --rafd_dir");
  batch::ManifestOptions options;
  try {
    options.classes = batch::ClassFilter::Parse(FLAGS_classes);
  } catch (const Error& e) {
    throw FlagError(e.what());
  }
  options.rafd_angles = ParseAngles(FLAGS_rafd_angles);
  record.input["classes"] = FLAGS_classes;
  batch::Manifest manifest;
  if (!FLAGS_manifest.empty()) {
    if (FLAGS_images_root.empty()) throw FlagError("--manifest needs --images_root");
    record.input["kind"] = "affectnet";
    record.input["manifest"] = Absolute(FLAGS_manifest);
    record.images_root = Absolute(FLAGS_images_root);
    manifest = batch::ReadAffectNetManifest(FLAGS_manifest, FLAGS_images_root, options);
  } else if (!FLAGS_rafd_dir.empty()) {
    CheckOutsideScannedFolder(FLAGS_rafd_dir, "--rafd_dir");
    record.input["kind"] = "rafd";
    record.input["rafd_angles"] = FLAGS_rafd_angles;
    record.images_root = Absolute(FLAGS_rafd_dir);
    manifest = batch::ReadRafdManifest(FLAGS_rafd_dir, options);
  } else {
    CheckOutsideScannedFolder(FLAGS_input, "--input");
    record.input["kind"] = "folder";
    record.images_root = Absolute(FLAGS_input);
    manifest = batch::ReadFolderManifest(FLAGS_input, options);
  }
  record.input["images_root"] = record.images_root;
  LOG(INFO) << manifest.jobs.size() << " images in the manifest; " << manifest.skipped_by_class
            << " skipped by class, " << manifest.skipped_by_angle << " by angle";
  return manifest;
}

void PrintSummary(const std::string& markdown) {
  if (!FLAGS_quiet) std::cout << markdown << std::flush;
}

solver::QualityRule QualityRuleOrFlagError() {
  try {
    return apps::QualityRuleFromFlags();
  } catch (const Error& e) {
    throw FlagError(e.what());
  }
}

// The batch rule of a merge: the shards' (run.json), or the flags given to --merge, which lets
// a finished dataset be re-decided with another k without refitting.
solver::QualityRule MergeBatchRule(batch::RunRecord& record) {
  for (const std::string& name : batch::BatchRuleSettings()) {
    const auto recorded = record.fit.find(name);
    if (recorded != record.fit.end() &&
        gflags::GetCommandLineFlagInfoOrDie(name.c_str()).is_default &&
        gflags::SetCommandLineOption(name.c_str(), recorded->second.c_str()).empty()) {
      throw Error("the shards' run.json records --" + name + "=" + recorded->second +
                  ", which is not a valid value");
    }
    record.fit[name] = gflags::GetCommandLineFlagInfoOrDie(name.c_str()).current_value;
  }
  return QualityRuleOrFlagError();
}

// The second pass over a complete table (batch_rule_pass.h); returns the summary's section.
std::string RunBatchRulePass(const solver::QualityRule& rule, std::vector<batch::ResultRow>& rows) {
  const batch::BatchRuleOutcome outcome = batch::ApplyBatchRule(FLAGS_out, rule, rows);
  LOG(INFO) << "batch rule: k=" << outcome.outlier_k << " over " << outcome.fits << " fits, "
            << outcome.rejected << " rejected by it, " << outcome.rewritten
            << " fit.json rewritten";
  return batch::BatchRuleMarkdown(outcome);
}

int Merge() {
  if (FLAGS_out.empty()) throw FlagError("--merge needs --out");
  QualityRuleOrFlagError();  // bad batch-rule flags given to --merge: exit 2 before writing
  batch::MergedRun merged = batch::MergeShards(ShardFolders(FLAGS_merge), FLAGS_out);
  // The batch rule runs here, over the whole dataset, never per shard.
  const solver::QualityRule rule = MergeBatchRule(merged.record);
  batch::WriteRunRecord((fs::path(FLAGS_out) / batch::kRunFileName).string(), merged.record);
  const std::string batch_rule_section = RunBatchRulePass(rule, merged.rows);
  PrintSummary(batch::WriteBatchReport(
      FLAGS_out, merged.rows, merged.record.images_root,
      "morphfit-batch: " + std::to_string(merged.rows.size()) + " images from " +
          std::to_string(merged.record.merged_from.size()) + " shards",
      {FLAGS_contact_sheet_samples, 112}, batch_rule_section));
  return 0;
}

int Run() {
  if (FLAGS_contact_sheet_samples < 0 || FLAGS_contact_sheet_samples > kMaxContactSheetSamples) {
    throw FlagError("--contact_sheet_samples must be in 0.." +
                    std::to_string(kMaxContactSheetSamples) +
                    " (a wider sheet is too large to open)");
  }
  if (!FLAGS_merge.empty()) return Merge();
  if (FLAGS_num_shards < 1 || FLAGS_num_shards > 100000 || FLAGS_shard_index < 0 ||
      FLAGS_shard_index >= FLAGS_num_shards) {
    throw FlagError("need 0 <= --shard_index < --num_shards");
  }
  if (FLAGS_threads < 0) throw FlagError("--threads must be 0 (all cores) or positive");
  batch::RunRecord record;
  const batch::Manifest manifest = ReadManifest(record);
  const std::vector<batch::ImageJob> jobs =
      batch::SelectShard(manifest.jobs, FLAGS_shard_index, FLAGS_num_shards);
  if (FLAGS_count_only) {
    std::cout << jobs.size() << "\n";
    return 0;
  }
  if (FLAGS_out.empty()) throw FlagError("--out is required");

  pipeline::PipelineOptions pipeline_options;
  try {
    // The same options as morphfit-fit, so that a batch image fits like a single one.
    pipeline_options.fit = apps::FitOptionsFromFlags();
    pipeline_options.stages = pipeline::ParseFitStages(apps::FitStagesFlag());
    pipeline_options.photometric = apps::PhotometricOptionsFromFlags();
    pipeline_options.quality = apps::QualityRuleFromFlags();
    pipeline_options.Validate();
  } catch (const Error& e) {
    throw FlagError(e.what());
  }
  // The model is loaded once and shared read-only by all workers.
  const std::string model_dir = model::FindModelDirectory(FLAGS_model_dir);
  const model::MorphableModel model = model::LoadModelDirectory(model_dir);
  // Images without landmarks get those of their largest detected face.
  if (apps::FaceSelectionFlagsGiven()) {
    throw FlagError(
        "--face_index and --all_faces are for morphfit-fit; a batch fits the largest face");
  }
  detect::ConcurrentLandmarkDetector detector(apps::DetectorOptionsFromFlags());
  const batch::PipelineProcessor processor(
      model, pipeline_options,
      [&detector](const cv::Mat& image, const std::string& path) { return detector(image, path); });
  RecordFitSettings(record);
  record.fit["model"] = model.name + " (" + Absolute(model_dir) + ")";
  record.shard_index = FLAGS_shard_index;
  record.num_shards = FLAGS_num_shards;
  record.num_jobs = static_cast<int>(jobs.size());

  batch::OutputFolder folder(FLAGS_out, record, FLAGS_overwrite);
  if (!folder.batch_rule_changes().empty() && !FLAGS_quiet) {
    std::fprintf(stderr,
                 "batch rule changed since the last run; the finished fits are re-decided, "
                 "not refitted:\n%s",
                 folder.batch_rule_changes().c_str());
  }
  batch::ProgressOptions progress_options;
  progress_options.quiet = FLAGS_quiet;
  progress_options.terminal = ::isatty(STDERR_FILENO) == 1;
  progress_options.plain_interval_seconds = FLAGS_progress_interval;
  batch::ProgressReporter progress(progress_options);
  batch::BatchOptions options;
  options.threads = FLAGS_threads;
  options.retry_failed = FLAGS_retry_failed;
  batch::BatchResult result = batch::RunBatch(jobs, processor, folder, options, &progress);
  // The batch-relative rule needs the whole dataset: a shard leaves it to --merge.
  const std::string batch_rule_section =
      FLAGS_num_shards > 1 ? batch::BatchRuleDeferredMarkdown(pipeline_options.quality.outlier_k)
                           : RunBatchRulePass(pipeline_options.quality, result.rows);

  std::string title = "morphfit-batch: " + std::to_string(jobs.size()) + " images";
  if (FLAGS_num_shards > 1) {
    title += " (shard " + std::to_string(FLAGS_shard_index) + " of " +
             std::to_string(FLAGS_num_shards) + ")";
  }
  PrintSummary(batch::WriteBatchReport(FLAGS_out, result.rows, record.images_root, title,
                                       {FLAGS_contact_sheet_samples, 112}, batch_rule_section));
  if (!FLAGS_quiet) {
    std::printf("\nthis run: %d images in %.1f s (%.2f images/s) on %d threads; %d resumed\n",
                result.processed, result.seconds,
                result.seconds > 0 ? result.processed / result.seconds : 0.0, result.threads,
                result.resumed);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  apps::ParseFlags(
      &argc, &argv,
      "morphfit-batch: fits every image of a dataset and writes depth, normals, masks, fits and a "
      "kept/rejected decision per image, with a summary. Rerun the same command to resume.\n"
      "  morphfit-batch --manifest FILE.csv --images_root DIR --out OUT\n"
      "  morphfit-batch --rafd_dir DIR --out OUT\n"
      "  morphfit-batch --input DIR --out OUT\n"
      "  ... --shard_index I --num_shards N          one shard of many\n"
      "  morphfit-batch --merge OUT1,OUT2,... --out DIR   combine the shards");
  google::InitGoogleLogging(argv[0]);
  try {
    return Run();
  } catch (const FlagError& e) {
    apps::ExitBadFlags(e.what());
  } catch (const batch::RunMismatchError& e) {
    apps::ExitBadFlags(e.what());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "morphfit-batch: %s\n", e.what());
    return apps::kExitBadInput;
  }
}
