#pragma once

// Does the image look like a lit surface of the fitted shape? A fit-independent photometric
// check for every fit, also those without a photometric stage: second-order SH lighting with one
// constant albedo per channel is fitted in closed form (robustly reweighted) to the image over
// the fitted face's pixels, and the residuals are returned. A fit placed on background, on
// another face or on a non-face leaves large residuals; a correct one leaves only the albedo's
// variation and the image noise.

#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

#include "morphfit/render/frame.h"

namespace morphfit::solver {

struct ShadingResidualOptions {
  int target_samples = 2000;       // covered pixels used, on a regular grid
  double inlier_threshold = 0.1;   // |residual| (intensity in [0, 1]) of an inlier
  int reweighting_iterations = 3;  // Huber IRLS passes after the least-squares start
  double huber_scale = 0.05;
  void Validate() const;
};

struct ShadingResiduals {
  std::vector<double> residuals;      // 3 per sample (r, g, b), intensity units
  std::vector<std::uint8_t> inliers;  // the same length
};

// `image` is the photo (CV_8UC3 BGR or CV_8UC1), `frame` the fit rendered at its size with
// normals. Empty when fewer than 20 pixels are covered.
ShadingResiduals ComputeShadingResiduals(const cv::Mat& image, const render::Frame& frame,
                                         const ShadingResidualOptions& options = {});

}  // namespace morphfit::solver
