#include "morphfit/solver/photometric_options.h"

#include <cmath>

#include "morphfit/model/error.h"

namespace morphfit::solver {

void PhotometricOptions::Validate() const {
  auto require = [](bool ok, const std::string& what) {
    if (!ok) throw Error("photometric options: " + what);
  };
  auto non_negative = [&](double value, const std::string& name) {
    require(std::isfinite(value) && value >= 0, name + " must be finite and >= 0");
  };
  non_negative(photo_weight, "photo_weight");
  non_negative(albedo_prior_weight, "albedo_prior_weight");
  non_negative(albedo_smoothness_weight, "albedo_smoothness_weight");
  non_negative(albedo_symmetry_weight, "albedo_symmetry_weight");
  non_negative(light_prior_weight, "light_prior_weight");
  non_negative(prior_scale, "prior_scale");
  require(std::isfinite(initial_albedo_smoothness_scale) && initial_albedo_smoothness_scale >= 1,
          "initial_albedo_smoothness_scale must be >= 1");
  non_negative(silhouette_margin_px, "silhouette_margin_px");
  require(samples >= 30 && samples <= 1000000, "photo_samples must be in [30, 1000000]");
  require(albedo_samples == 0 || (albedo_samples >= samples && albedo_samples <= 1000000),
          "albedo_samples must be 0 or in [photo_samples, 1000000]");
  require(std::isfinite(robust_scale) && robust_scale > 0, "robust_scale must be > 0");
  require(pyramid_levels >= 1 && pyramid_levels <= 6, "pyramid_levels must be in [1, 6]");
  require(std::isfinite(face_size) && face_size >= 32, "face_size must be >= 32 pixels");
  require(outer_iterations_per_level >= 1, "outer_iterations_per_level must be >= 1");
  require(max_iterations >= 1, "max_iterations must be >= 1");
  require(min_view_cosine >= 0 && min_view_cosine < 1, "min_view_cosine must be in [0, 1)");
  require(
      albedo_prior_weight > 0 || albedo_smoothness_weight > 0,
      "albedo_prior_weight or albedo_smoothness_weight must be > 0 (albedo is underdetermined)");
}

}  // namespace morphfit::solver
