#include "morphfit/render/map_io.h"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include "morphfit/model/atomic_file.h"
#include "morphfit/model/error.h"
#include "morphfit/render/npy.h"
#include "render/test_meshes.h"
#include "shared_data.h"

namespace morphfit::render {
namespace {

Frame SphereFrame() {
  const Camera camera = Camera::ForImage(120, 90, 200.0);
  const testing::TestMesh sphere = testing::MakeSphere({5, -3, 300}, 60, 24, 48);
  Frame frame;
  Rasterizer().Render(sphere.View(), camera, frame);
  return frame;
}

template <typename A, typename B>
bool SameBits(const A& a, const B& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

TEST(NpyTest, RoundTripIsBitExact) {
  const std::string dir = testing::MakeTempDir("npy");
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> value(-1e6F, 1e6F);
  for (const std::vector<size_t>& shape :
       std::vector<std::vector<size_t>>{{7}, {3, 5}, {4, 6, 3}, {1, 1}, {0, 4}, {2, 3, 4, 5}}) {
    NpyArray array;
    array.shape = shape;
    size_t n = 1;
    for (size_t d : shape) n *= d;
    for (size_t i = 0; i < n; ++i) array.data.push_back(value(rng));
    if (n > 2) {
      array.data[0] = std::nanf("");
      array.data[1] = -0.0F;
      array.data[2] = std::numeric_limits<float>::denorm_min();
    }
    const std::string path = dir + "/a.npy";
    WriteNpy(path, array);
    const NpyArray read = ReadNpy(path);
    EXPECT_EQ(read.shape, shape);
    EXPECT_TRUE(SameBits(read.data, array.data));
    // NumPy's layout: magic, version 1.0, header padded so the data starts at a multiple of 64.
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(bytes.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
    const size_t header =
        static_cast<unsigned char>(bytes[8]) | static_cast<unsigned char>(bytes[9]) << 8;
    EXPECT_EQ((10 + header) % 64, 0U);
    EXPECT_EQ(bytes[10 + header - 1], '\n');
    EXPECT_EQ(bytes.size(), 10 + header + 4 * n);
  }
  // The header of a 2-D array as NumPy writes it.
  WriteNpy(dir + "/b.npy", {2, 3}, std::vector<float>(6, 1.0F).data());
  std::ifstream in(dir + "/b.npy", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(bytes.find("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"),
            std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(NpyTest, RejectsOtherContent) {
  const std::string dir = testing::MakeTempDir("npy_bad");
  WriteFileAtomically(dir + "/text.npy", std::string("hello"));
  EXPECT_THROW(ReadNpy(dir + "/text.npy"), Error);
  EXPECT_THROW(ReadNpy(dir + "/missing.npy"), Error);
  // float64 instead of float32.
  std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }";
  header.append((64 - (10 + header.size() + 1) % 64) % 64, ' ');
  header.push_back('\n');
  std::string f8 = std::string("\x93NUMPY\x01\x00", 8) + char(header.size()) + char(0) + header +
                   std::string(8, '\0');
  WriteFileAtomically(dir + "/f8.npy", f8);
  EXPECT_THROW(ReadNpy(dir + "/f8.npy"), Error);
  // Truncated data.
  WriteNpy(dir + "/ok.npy", {4}, std::vector<float>(4, 2.0F).data());
  std::filesystem::resize_file(dir + "/ok.npy", std::filesystem::file_size(dir + "/ok.npy") - 3);
  EXPECT_THROW(ReadNpy(dir + "/ok.npy"), Error);
  std::filesystem::remove_all(dir);
}

TEST(MapIoTest, MapsRoundTrip) {
  const Frame frame = SphereFrame();
  ASSERT_GT(frame.CountCovered(), 1000);
  const std::string dir = testing::MakeTempDir("maps");
  const DepthRange range = CoveredDepthRange(frame);
  EXPECT_GT(range.z_far, range.z_near);
  WriteDepthNpy(dir + "/depth.npy", frame);
  WriteDepthPng(dir + "/depth.png", frame, range);
  WriteNormalsNpy(dir + "/normals.npy", frame);
  WriteNormalsPng(dir + "/normals.png", frame);
  WriteMaskPng(dir + "/mask.png", frame);

  const NpyArray depth = ReadNpy(dir + "/depth.npy");
  EXPECT_EQ(depth.shape, (std::vector<size_t>{90, 120}));
  EXPECT_TRUE(SameBits(depth.data, frame.depth));
  const NpyArray normals = ReadNpy(dir + "/normals.npy");
  EXPECT_EQ(normals.shape, (std::vector<size_t>{90, 120, 3}));
  EXPECT_TRUE(SameBits(normals.data, ViewerNormals(frame)));

  const cv::Mat depth_png = cv::imread(dir + "/depth.png", cv::IMREAD_UNCHANGED);
  const cv::Mat normals_png = cv::imread(dir + "/normals.png", cv::IMREAD_UNCHANGED);
  const cv::Mat mask_png = cv::imread(dir + "/mask.png", cv::IMREAD_UNCHANGED);
  ASSERT_EQ(depth_png.type(), CV_16UC1);
  ASSERT_EQ(normals_png.type(), CV_8UC3);
  ASSERT_EQ(mask_png.type(), CV_8UC1);
  const double span = range.z_far - range.z_near;
  int brightest = 0, darkest = 65535;
  for (int y = 0; y < frame.height; ++y) {
    for (int x = 0; x < frame.width; ++x) {
      const int i = frame.Index(x, y);
      const uint16_t level = depth_png.at<uint16_t>(y, x);
      const cv::Vec3b rgb = normals_png.at<cv::Vec3b>(y, x);
      if (!frame.Covered(i)) {
        EXPECT_EQ(level, 0);
        EXPECT_EQ(rgb, cv::Vec3b(0, 0, 0));
        EXPECT_EQ(mask_png.at<uint8_t>(y, x), 0);
        continue;
      }
      EXPECT_EQ(mask_png.at<uint8_t>(y, x), 255);
      brightest = std::max<int>(brightest, level);
      darkest = std::min<int>(darkest, level);
      // Invert 1 + 65534 (z_far - z) / (z_far - z_near): within half a level.
      const double z = range.z_far - (level - 1.0) / 65534.0 * span;
      EXPECT_NEAR(z, frame.depth[i], 0.5 / 65534.0 * span + 1e-4);
      // Viewer frame: x right, y up, z towards the camera; file channels r g b (OpenCV: b g r).
      const Eigen::Vector3f n(frame.normal[0][i], -frame.normal[1][i], -frame.normal[2][i]);
      for (int c = 0; c < 3; ++c) {
        EXPECT_NEAR(rgb[2 - c] / 255.0 * 2 - 1, n[c], 1.0 / 255 + 1e-6);
      }
    }
  }
  EXPECT_EQ(brightest, 65535);  // the nearest pixel
  EXPECT_EQ(darkest, 1);        // the farthest covered pixel
  std::filesystem::remove_all(dir);
}

// A sphere in front of the camera: normals facing the viewer are blue-ish, the right side red.
TEST(MapIoTest, ViewerNormalsPointAtTheViewer) {
  const Frame frame = SphereFrame();
  const cv::Mat normals = NormalsImageBgr8(frame);
  // Centre of the sphere's disc: n ~ (0, 0, 1) in the viewer frame.
  const Eigen::Vector2d centre = frame.camera.Project({5, -3, 240});
  const cv::Vec3b middle = normals.at<cv::Vec3b>(static_cast<int>(std::lround(centre.y())),
                                                 static_cast<int>(std::lround(centre.x())));
  EXPECT_GT(middle[0], 240);  // blue: z towards the viewer
  // Right and top edges of the disc: +x (red) and +y (green) dominate.
  const Eigen::Vector2d right = frame.camera.Project({5 + 55, -3, 300});
  const Eigen::Vector2d top = frame.camera.Project({5, -3 - 55, 300});
  EXPECT_GT(normals.at<cv::Vec3b>(std::lround(right.y()), std::lround(right.x()))[2], 220);
  EXPECT_GT(normals.at<cv::Vec3b>(std::lround(top.y()), std::lround(top.x()))[1], 220);
}

TEST(MapIoTest, OverlayBlendsOnlyCoveredPixelsAndDrawsPoints) {
  const Frame frame = SphereFrame();
  const cv::Mat image(frame.height, frame.width, CV_8UC3, cv::Scalar(10, 20, 30));
  const cv::Mat shaded(frame.height, frame.width, CV_32FC3, cv::Scalar(1.0, 1.0, 1.0));
  Eigen::Matrix<double, Eigen::Dynamic, 2> points(2, 2);
  points << 5, 5, std::nan(""), 3;
  OverlayOptions options;
  options.opacity = 0.5;
  const cv::Mat overlay = MakeOverlay(image, frame, shaded, points, options);
  const Eigen::Vector2d centre = frame.camera.Project({5, -3, 240});
  const cv::Vec3b blended = overlay.at<cv::Vec3b>(std::lround(centre.y()), std::lround(centre.x()));
  for (int c = 0; c < 3; ++c) EXPECT_NEAR(blended[c], (10 * (c + 1) + 255) / 2.0, 0.51);
  EXPECT_EQ(overlay.at<cv::Vec3b>(80, 110), cv::Vec3b(10, 20, 30));  // background untouched
  EXPECT_EQ(overlay.at<cv::Vec3b>(5, 5), cv::Vec3b(0, 255, 0));      // landmark
  EXPECT_THROW(MakeOverlay(cv::Mat(3, 3, CV_8UC3), frame, shaded, points), Error);
}

}  // namespace
}  // namespace morphfit::render
