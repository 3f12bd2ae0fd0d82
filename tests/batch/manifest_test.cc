#include "morphfit/batch/manifest.h"

#include <filesystem>
#include <fstream>
#include <set>

#include <gtest/gtest.h>

#include "batch/fake_processor.h"
#include "morphfit/model/error.h"
#include "shared_data.h"

namespace morphfit::batch {
namespace {

using morphfit::testing::MakeTempDir;

const ImageJob* Find(const Manifest& manifest, const std::string& relative) {
  for (const ImageJob& job : manifest.jobs) {
    if (job.relative_path == relative) return &job;
  }
  return nullptr;
}

TEST(ManifestTest, AffectNetRowsClassesLandmarksAndErrors) {
  const std::string root = MakeTempDir("manifest_affectnet");
  const std::string csv = testing::WriteAffectNetDataset(root, 22);
  const Manifest manifest = ReadAffectNetManifest(csv, root + "/images", {});
  // Codes 8-10 (None, Uncertain, NoFace) are skipped by default: 2 each of 22 rows cycling 0-10.
  EXPECT_EQ(manifest.skipped_by_class, 6);
  ASSERT_EQ(manifest.jobs.size(), 22u - 6u + 2u);  // + the broken row + the corrupt image

  const ImageJob* first = Find(manifest, "0/img1000.png");
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->expression_class, "Neutral");
  EXPECT_FALSE(first->landmarks.has_value());  // empty field: detect
  EXPECT_EQ(first->output_relative, "0/img1000");
  EXPECT_EQ(first->image_path, root + "/images/0/img1000.png");
  const ImageJob* second = Find(manifest, "1/img1001.png");
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(second->expression_class, "Happy");
  ASSERT_TRUE(second->landmarks.has_value());
  EXPECT_DOUBLE_EQ((*second->landmarks)(1, 0), 8.0);  // 0-based, as in the row
  EXPECT_DOUBLE_EQ((*second->landmarks)(10, 1), 9.0);
  EXPECT_EQ(Find(manifest, "1/img1007.png")->expression_class, "Contempt");
  EXPECT_EQ(Find(manifest, "0/img1006.png")->expression_class, "Anger");

  // The broken row (line 24: header + 22 rows + 1) is a job that names its line.
  const ImageJob* broken = Find(manifest, "manifest.csv:line 24");
  ASSERT_NE(broken, nullptr);
  EXPECT_NE(broken->manifest_error.find("line 24"), std::string::npos) << broken->manifest_error;
  EXPECT_NE(broken->manifest_error.find("expected 9 fields"), std::string::npos);

  // Sorted by relative path.
  for (size_t i = 1; i < manifest.jobs.size(); ++i) {
    EXPECT_LT(manifest.jobs[i - 1].relative_path, manifest.jobs[i].relative_path);
  }

  // A wrong --images_root is one error, not a failure per row; one image present is enough.
  try {
    ReadAffectNetManifest(csv, root, {});
    ADD_FAILURE() << "a root without any listed image gave a manifest";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(root + ": none of the first "), std::string::npos)
        << e.what();
  }
  const std::string sparse = MakeTempDir("manifest_affectnet_one");
  std::filesystem::create_directories(sparse + "/1");
  std::filesystem::copy_file(root + "/images/1/img1001.png", sparse + "/1/img1001.png");
  EXPECT_EQ(ReadAffectNetManifest(csv, sparse, {}).jobs.size(), manifest.jobs.size());
}

TEST(ManifestTest, AffectNetClassFilterAndBadFields) {
  const std::string root = MakeTempDir("manifest_affectnet_bad");
  std::ofstream(root + "/m.csv")
      << "subDirectory_filePath,face_x,face_y,face_width,face_height,facial_landmarks,expression,"
         "valence,arousal\n"
      << "a/1.jpg,0,0,1,1,,1,0,0\n"
      << "a/2.jpg,0,0,1,1,,12,0,0\n"
      << "a/3.jpg,0,0,1,1,1;2;3,1,0,0\n"
      << "../4.jpg,0,0,1,1,,0,0,0\n"
      << "a/1.jpg,0,0,1,1,,1,0,0\n"
      << "a/5.jpg,0,0,1,1,,8,0,0\n"
      << "a/6.jpg,0,0,1,1,,0,0,0\n";
  std::filesystem::create_directories(root + "/a");
  std::ofstream(root + "/a/1.jpg") << "";  // present, so that the images root is taken as right
  const Manifest manifest =
      ReadAffectNetManifest(root + "/m.csv", root, {ClassFilter::Parse("happy,None"), {}});
  EXPECT_EQ(manifest.skipped_by_class, 1);  // a/6.jpg, Neutral
  std::map<std::string, std::string> errors;
  for (const ImageJob& job : manifest.jobs) errors[job.relative_path] = job.manifest_error;
  ASSERT_EQ(errors.size(), 6u);
  EXPECT_EQ(errors["a/1.jpg"], "");
  EXPECT_EQ(errors["a/5.jpg"], "");  // None was asked for
  EXPECT_NE(errors["m.csv:line 3"].find("expression '12'"), std::string::npos);
  EXPECT_NE(errors["m.csv:line 4"].find("facial_landmarks"), std::string::npos);
  EXPECT_NE(errors["m.csv:line 5"].find("without '..'"), std::string::npos);
  EXPECT_NE(errors["m.csv:line 6"].find("already listed on"), std::string::npos);
  EXPECT_THROW(ClassFilter::Parse("Happy,Grumpy"), Error);
}

TEST(ManifestTest, AffectNetHeaderWithoutNeededColumnIsAnError) {
  const std::string root = MakeTempDir("manifest_affectnet_header");
  std::ofstream(root + "/m.csv") << "path,expression\na.jpg,1\n";
  EXPECT_THROW(ReadAffectNetManifest(root + "/m.csv", root, {}), Error);
  EXPECT_THROW(ReadAffectNetManifest(root + "/missing.csv", root, {}), Error);
}

TEST(ManifestTest, RafdNamesAnglesAndBadNames) {
  const std::string root = MakeTempDir("manifest_rafd");
  int index = 0;
  for (const char* angle : {"000", "045", "090", "135", "180"}) {
    for (const char* expression : {"angry", "surprised", "contemptuous"}) {
      testing::WriteTestImage(
          root + "/Rafd" + angle + "_01_Caucasian_female_" + expression + "_frontal.jpg", index++);
    }
  }
  testing::WriteTestImage(root + "/Rafd090_02_Moroccan_male_bored_left.jpg", index++);
  testing::WriteTestImage(root + "/holiday.jpg", index++);
  std::ofstream(root + "/Rafd090_01_Caucasian_female_angry_frontal.pts") << "not read here";

  const Manifest manifest = ReadRafdManifest(root, {});
  EXPECT_EQ(manifest.skipped_by_angle, 6);  // 000 and 180
  ASSERT_EQ(manifest.jobs.size(), 9u + 2u);
  const ImageJob* frontal = Find(manifest, "Rafd090_01_Caucasian_female_angry_frontal.jpg");
  ASSERT_NE(frontal, nullptr);
  EXPECT_EQ(frontal->expression_class, "Anger");
  EXPECT_EQ(frontal->landmarks_path, root + "/Rafd090_01_Caucasian_female_angry_frontal.pts");
  EXPECT_EQ(
      Find(manifest, "Rafd045_01_Caucasian_female_contemptuous_frontal.jpg")->expression_class,
      "Contempt");
  EXPECT_NE(Find(manifest, "Rafd090_02_Moroccan_male_bored_left.jpg")->manifest_error.find("bored"),
            std::string::npos);
  EXPECT_NE(Find(manifest, "holiday.jpg")->manifest_error.find("not a RaFD name"),
            std::string::npos);

  ManifestOptions only_frontal_surprise{ClassFilter::Parse("Surprise"), {90}};
  const Manifest filtered = ReadRafdManifest(root, only_frontal_surprise);
  ASSERT_EQ(filtered.jobs.size(), 1u + 2u);
  EXPECT_EQ(filtered.skipped_by_class, 2);
}

TEST(ManifestTest, FolderClassesSiblingLandmarksAndCollisions) {
  const std::string root = MakeTempDir("manifest_folder");
  testing::WriteTestImage(root + "/happy/a.png", 0);
  testing::WriteTestImage(root + "/happy/a.jpg", 1);  // same output folder as a.png
  testing::WriteTestImage(root + "/misc/deep/b.png", 2);
  std::ofstream(root + "/misc/deep/b.pts") << "x";
  std::ofstream(root + "/misc/notes.txt") << "not an image";
  const Manifest manifest = ReadFolderManifest(root, {});
  ASSERT_EQ(manifest.jobs.size(), 3u);
  EXPECT_EQ(manifest.jobs[0].relative_path, "happy/a.jpg");
  EXPECT_EQ(manifest.jobs[0].expression_class, "Happy");
  EXPECT_EQ(manifest.jobs[0].manifest_error, "");
  EXPECT_NE(manifest.jobs[1].manifest_error.find("already used by happy/a.jpg"), std::string::npos);
  EXPECT_EQ(manifest.jobs[2].expression_class, kUnlabelledClass);
  EXPECT_EQ(manifest.jobs[2].output_relative, "misc/deep/b");
  EXPECT_EQ(manifest.jobs[2].landmarks_path, root + "/misc/deep/b.pts");
  EXPECT_TRUE(manifest.jobs[0].landmarks_path.empty());
  EXPECT_THROW(ReadFolderManifest(root + "/nowhere", {}), Error);
  std::filesystem::create_directories(root + "/empty/sub");
  try {
    ReadFolderManifest(root + "/empty", {});
    ADD_FAILURE() << "a folder without images gave a manifest";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(root + "/empty: holds no images"), std::string::npos)
        << e.what();
  }
  std::filesystem::remove_all(root + "/empty");

  // An output folder inside another image's: the outer one fails, as its redo would replace both.
  testing::WriteTestImage(root + "/misc/deep.png", 3);
  const Manifest nested = ReadFolderManifest(root, {});
  ASSERT_EQ(nested.jobs.size(), 4u);
  EXPECT_EQ(nested.jobs[2].relative_path, "misc/deep.png");
  EXPECT_NE(nested.jobs[2].manifest_error.find("would hold the outputs of misc/deep/b.png"),
            std::string::npos)
      << nested.jobs[2].manifest_error;
  EXPECT_EQ(nested.jobs[3].manifest_error, "");

  // Folders of morphfit's outputs inside the dataset (a batch --out, a morphfit-fit --out) hold
  // maps, not photos; a fit.json or run.json of something else is no reason to skip.
  testing::WriteTestImage(root + "/out/happy/a/depth.png", 4);
  testing::WriteTestImage(root + "/out/contact_sheet.png", 5);
  std::ofstream(root + "/out/run.json") << R"({"program": "morphfit-batch", "fit": {}})";
  testing::WriteTestImage(root + "/single/overlay.png", 6);
  std::ofstream(root + "/single/fit.json") << R"({"program": {"name": "morphfit"}})";
  testing::WriteTestImage(root + "/other/c.png", 7);
  std::ofstream(root + "/other/run.json") << R"({"program": "something else"})";
  const Manifest with_outputs = ReadFolderManifest(root, {});
  ASSERT_EQ(with_outputs.jobs.size(), 5u);
  EXPECT_EQ(with_outputs.jobs[4].relative_path, "other/c.png");

  // Links to folders are followed, but not one back to a folder being listed (it would loop).
  std::filesystem::create_directory_symlink(root, root + "/other/loop");
  std::filesystem::create_directory_symlink(root + "/misc/deep", root + "/linked");
  const Manifest with_links = ReadFolderManifest(root, {});
  std::vector<std::string> paths;
  for (const ImageJob& job : with_links.jobs) paths.push_back(job.relative_path);
  EXPECT_EQ(paths, (std::vector<std::string>{"happy/a.jpg", "happy/a.png", "linked/b.png",
                                             "misc/deep.png", "misc/deep/b.png", "other/c.png"}));
}

TEST(ManifestTest, ShardsPartitionTheJobs) {
  std::vector<ImageJob> jobs(23);
  for (size_t i = 0; i < jobs.size(); ++i) jobs[i].relative_path = "img" + std::to_string(100 + i);
  std::multiset<std::string> seen;
  for (int index = 0; index < 4; ++index) {
    const std::vector<ImageJob> shard = SelectShard(jobs, index, 4);
    EXPECT_GE(shard.size(), 5u);
    EXPECT_LE(shard.size(), 6u);
    for (const ImageJob& job : shard) seen.insert(job.relative_path);
  }
  EXPECT_EQ(seen.size(), jobs.size());
  for (const ImageJob& job : jobs) EXPECT_EQ(seen.count(job.relative_path), 1u);
  EXPECT_THROW(SelectShard(jobs, 4, 4), Error);
  EXPECT_THROW(SelectShard(jobs, 0, 0), Error);
}

}  // namespace
}  // namespace morphfit::batch
