#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "morphfit/model/error.h"
#include "morphfit/model/model_io.h"
#include "shared_data.h"

namespace morphfit::model {
namespace {

namespace fs = std::filesystem;

std::string ErrorOf(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& error) {
    return error.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

class ModelDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = testing::MakeTempDir("model_dir");
    flag_ = MakeModelDir("flag");
    env_ = MakeModelDir("env");
    default_ = MakeModelDir("default");
    empty_ = root_ + "/empty";
    fs::create_directories(empty_);
  }
  void TearDown() override { fs::remove_all(root_); }
  // Discovery only looks for the file name, so an empty file stands in for the model.
  std::string MakeModelDir(const std::string& name) const {
    const std::string dir = root_ + "/" + name;
    fs::create_directories(dir);
    std::ofstream(dir + "/sfm_shape_3448.bin");
    return dir;
  }
  std::string root_, flag_, env_, default_, empty_;
};

TEST_F(ModelDirectoryTest, FlagComesFirstThenEnvironmentThenDefaultsInOrder) {
  const std::vector<std::string> defaults = {root_ + "/missing", empty_, default_};
  EXPECT_EQ(FindModelDirectory(flag_, env_, defaults), flag_);
  EXPECT_EQ(FindModelDirectory("", env_, defaults), env_);
  EXPECT_EQ(FindModelDirectory("", "", defaults), fs::weakly_canonical(default_).string());
  const std::string second = MakeModelDir("second");
  EXPECT_EQ(FindModelDirectory("", "", {second, default_}), fs::weakly_canonical(second).string());
}

TEST_F(ModelDirectoryTest, AWrongFlagOrEnvironmentIsAnErrorNotAFallThrough) {
  const std::string flag_error = ErrorOf([&] { FindModelDirectory(empty_, env_, {default_}); });
  EXPECT_NE(flag_error.find(empty_), std::string::npos) << flag_error;
  EXPECT_NE(flag_error.find("--model_dir"), std::string::npos) << flag_error;
  EXPECT_NE(flag_error.find("scripts/get_models.sh"), std::string::npos) << flag_error;
  const std::string env_error = ErrorOf([&] { FindModelDirectory("", empty_, {default_}); });
  EXPECT_NE(env_error.find("MORPHFIT_MODEL_DIR"), std::string::npos) << env_error;
  EXPECT_NE(env_error.find(empty_), std::string::npos) << env_error;
}

TEST_F(ModelDirectoryTest, NothingFoundListsEveryPlaceAndHowToGetTheModel) {
  const std::string error = ErrorOf([&] {
    FindModelDirectory("", "", {root_ + "/missing", empty_});
  });
  EXPECT_NE(error.find("no morphable model found"), std::string::npos) << error;
  EXPECT_NE(error.find(root_ + "/missing"), std::string::npos) << error;
  EXPECT_NE(error.find(empty_), std::string::npos) << error;
  EXPECT_NE(error.find("scripts/get_models.sh"), std::string::npos) << error;
  EXPECT_NE(error.find("MORPHFIT_MODEL_DIR"), std::string::npos) << error;
}

TEST_F(ModelDirectoryTest, DefaultsAreProjectDataThenSharedThenInstalled) {
  const std::vector<std::string> defaults = DefaultModelDirectories();
  ASSERT_GE(defaults.size(), 4u);
  EXPECT_EQ(defaults[0], "data/models/sfm");
  EXPECT_EQ(defaults[1], "../shared/models/sfm");
  EXPECT_NE(defaults[2].find("data/models/sfm"), std::string::npos);
  EXPECT_NE(defaults[3].find("../shared/models/sfm"), std::string::npos);
  EXPECT_NE(defaults.back().find("share/morphfit/models/sfm"), std::string::npos);
}

TEST_F(ModelDirectoryTest, ProcessEnvironmentAndWorkingDirectoryAreHonoured) {
  const char* saved = std::getenv("MORPHFIT_MODEL_DIR");
  const std::string saved_value = saved == nullptr ? "" : saved;
  const fs::path saved_cwd = fs::current_path();

  setenv("MORPHFIT_MODEL_DIR", env_.c_str(), 1);
  EXPECT_EQ(FindModelDirectory(""), env_);
  EXPECT_EQ(FindModelDirectory(flag_), flag_);

  unsetenv("MORPHFIT_MODEL_DIR");
  fs::create_directories(root_ + "/project/data/models");
  fs::rename(default_, root_ + "/project/data/models/sfm");
  fs::current_path(root_ + "/project");
  EXPECT_EQ(FindModelDirectory(""),
            fs::weakly_canonical(root_ + "/project/data/models/sfm").string());

  fs::current_path(saved_cwd);
  if (saved != nullptr) setenv("MORPHFIT_MODEL_DIR", saved_value.c_str(), 1);
}

TEST(LoadModelDirectory, SharedSfmFolderIsFoundByFlag) {
  const std::string dir = testing::RequireSharedPath("models/sfm");
  EXPECT_EQ(FindModelDirectory(dir), dir);
  EXPECT_EQ(LoadModelDirectory(dir).source, dir);
}

}  // namespace
}  // namespace morphfit::model
