#include "morphfit/render/shading.h"

#include <cmath>
#include <random>

#include <ceres/jet.h>
#include <gtest/gtest.h>

#include "render/test_meshes.h"

namespace morphfit::render {
namespace {

Eigen::Vector3d RandomUnit(std::mt19937& rng) {
  std::normal_distribution<double> g;
  return Eigen::Vector3d(g(rng), g(rng), g(rng)).normalized();
}

// By the addition theorem, sum_m Y_lm(w) Y_lm(n) = (2l + 1) / (4 pi) P_l(n . w), so a directional
// light's second-order Lambertian radiance is sum_l A_l / pi (2l + 1) / (4 pi) P_l(cos) * pi:
// a check of all nine constants at once.
TEST(ShadingTest, DirectionalLightMatchesTheLegendreExpansion) {
  std::mt19937 rng(9);
  for (int i = 0; i < 200; ++i) {
    const Eigen::Vector3d n = RandomUnit(rng), w = RandomUnit(rng);
    const double c = n.dot(w);
    const double expected =
        (M_PI * 1 + (2 * M_PI / 3) * 3 * c + (M_PI / 4) * 5 * 0.5 * (3 * c * c - 1)) / (4 * M_PI);
    const Eigen::Vector3d rgb = ShadeLambertian(n, Eigen::Vector3d(1, 0.5, 2),
                                                DirectionalLight(w, Eigen::Vector3d::Ones()));
    EXPECT_NEAR(rgb[0], expected, 1e-6);
    EXPECT_NEAR(rgb[1], 0.5 * expected, 1e-6);
    EXPECT_NEAR(rgb[2], 2 * expected, 1e-6);
    // And it approximates the clamped cosine (the known second-order error is below 0.1).
    EXPECT_NEAR(expected, std::max(c, 0.0), 0.1);
  }
}

TEST(ShadingTest, AmbientLightGivesTheAlbedoTimesTheIntensity) {
  std::mt19937 rng(2);
  const ShLighting ambient = AmbientLight(Eigen::Vector3d(0.5, 1.0, 2.0));
  for (int i = 0; i < 20; ++i) {
    const Eigen::Vector3d rgb =
        ShadeLambertian(RandomUnit(rng), Eigen::Vector3d(0.2, 0.4, 0.8), ambient);
    EXPECT_TRUE(rgb.isApprox(Eigen::Vector3d(0.1, 0.4, 1.6), 1e-12));
  }
}

TEST(ShadingTest, BasisWorksOnJetsWithTheRightDerivative) {
  using Jet = ceres::Jet<double, 3>;
  const Eigen::Vector3d n = Eigen::Vector3d(0.3, -0.5, 0.8).normalized();
  Jet basis[kNumShCoefficients];
  ShBasis(Jet(n.x(), 0), Jet(n.y(), 1), Jet(n.z(), 2), basis);
  const double h = 1e-6;
  for (int axis = 0; axis < 3; ++axis) {
    double plus[kNumShCoefficients], minus[kNumShCoefficients];
    Eigen::Vector3d np = n, nm = n;
    np[axis] += h;
    nm[axis] -= h;
    ShBasis(np.x(), np.y(), np.z(), plus);
    ShBasis(nm.x(), nm.y(), nm.z(), minus);
    for (int k = 0; k < kNumShCoefficients; ++k) {
      EXPECT_NEAR(basis[k].v[axis], (plus[k] - minus[k]) / (2 * h), 1e-8);
    }
  }
}

TEST(ShadingTest, ShadeFrameInterpolatesAlbedoOverCoveredPixels) {
  const Camera camera = Camera::ForImage(64, 64, 120.0);
  const testing::TestMesh sphere = testing::MakeSphere({0, 0, 200}, 40, 12, 24);
  Frame frame;
  Rasterizer().Render(sphere.View(), camera, frame);
  Eigen::Matrix3Xd albedo(3, sphere.vertices.cols());
  albedo.colwise() = Eigen::Vector3d(0.2, 0.4, 0.6);
  const cv::Mat shaded =
      ShadeFrame(frame, sphere.triangles, albedo, AmbientLight(Eigen::Vector3d::Ones()));
  ASSERT_EQ(shaded.type(), CV_32FC3);
  for (int y = 0; y < 64; ++y) {
    for (int x = 0; x < 64; ++x) {
      const cv::Vec3f bgr = shaded.at<cv::Vec3f>(y, x);
      if (frame.Covered(x, y)) {
        EXPECT_NEAR(bgr[0], 0.6, 1e-5);
        EXPECT_NEAR(bgr[2], 0.2, 1e-5);
      } else {
        EXPECT_EQ(bgr, cv::Vec3f(0, 0, 0));
      }
    }
  }
}

}  // namespace
}  // namespace morphfit::render
