#pragma once

#include <vector>

#include <Eigen/Core>

#include "morphfit/render/shading.h"

namespace morphfit::solver {

using render::ShLighting;  // SH coefficient k of channel c at (k, c)
using ShVector = Eigen::Matrix<double, 9, 1>;

// What the photometric stage knows about one surface sample when it solves a linear part.
struct ShadingObservation {
  ShVector sh;             // SH basis of the sample's normal
  Eigen::Vector3d colour;  // observed RGB
  double weight = 1.0;     // data weight (e.g. robust IRLS weight)
};

// Closed-form SH lighting given albedo: per channel c, minimises
//   sum_s w_s (colour_sc - albedo_sc * sh_s . L_c)^2 + prior_weight * sum_{k >= 1} L_kc^2.
// `albedo` has one RGB entry per observation. The constant (band 0) term is not penalised, so
// the overall brightness is free.
ShLighting SolveLighting(const std::vector<ShadingObservation>& observations,
                         const std::vector<Eigen::Vector3d>& albedo, double prior_weight);

}  // namespace morphfit::solver
