#include "morphfit/pipeline/fit_json.h"

#include <cmath>

#include <nlohmann/json.hpp>

#include "morphfit/render/camera.h"
#include "morphfit/solver/quality_json.h"

namespace morphfit::pipeline {

namespace {

using Json = nlohmann::ordered_json;

constexpr double kDegree = M_PI / 180.0;

Json Vector(const Eigen::VectorXd& values) {
  return Json(std::vector<double>(values.data(), values.data() + values.size()));
}

Json Matrix(const Eigen::MatrixXd& matrix) {
  Json rows = Json::array();
  for (Eigen::Index r = 0; r < matrix.rows(); ++r)
    rows.push_back(Vector(matrix.row(r).transpose()));
  return rows;
}

Json CameraJson(const render::Camera& camera) {
  const Eigen::Vector3d pose = render::YawPitchRollFromRotation(camera.rotation) / kDegree;
  return Json{{"width", camera.width},
              {"height", camera.height},
              {"focal_px", camera.focal},
              {"fov_deg", camera.HorizontalFov() / kDegree},
              {"principal_point", Vector(camera.principal_point)},
              {"rotation", Matrix(camera.rotation)},
              {"translation_mm", Vector(camera.translation)},
              {"yaw_pitch_roll_deg", Vector(pose)}};
}

Json StageJson(const solver::StageStatistics& stage) {
  Json json{{"name", stage.name},
            {"landmark_rms_px", stage.landmark_rms_px},
            {"landmark_max_px", stage.landmark_max_px},
            {"landmark_rms_nme", stage.landmark_rms_nme},
            {"iterations", stage.iterations},
            {"outer_iterations", stage.outer_iterations},
            {"termination", stage.termination},
            {"initial_cost", stage.initial_cost},
            {"final_cost", stage.final_cost},
            {"seconds", stage.seconds}};
  if (stage.name == "photometric") {
    json["photo_rms"] = stage.photo_rms;
    json["photo_median_abs"] = stage.photo_median_abs;
    json["photo_inlier_fraction"] = stage.photo_inlier_fraction;
    json["photo_samples"] = stage.photo_samples;
  }
  return json;
}

Json FitOptionsJson(const solver::FitOptions& o) {
  return Json{{"fov_deg", o.fov_deg},
              {"landmark_weight", o.landmark_weight},
              {"shape_prior_weight", o.shape_prior_weight},
              {"expression_prior_weight", o.expression_prior_weight},
              {"focal_prior_weight", o.focal_prior_weight},
              {"optimize_focal", o.optimize_focal},
              {"nonnegative_blendshapes", o.nonnegative_blendshapes},
              {"robust_loss", solver::RobustLossName(o.robust_loss)},
              {"robust_scale", o.robust_scale},
              {"shape_components", o.shape_components},
              {"expression_components", o.expression_components},
              {"max_iterations", o.max_iterations},
              {"contour_iterations", o.contour_iterations},
              {"contour_side_yaw_deg", o.contour_side_yaw_deg},
              {"far_contour_to_silhouette", o.far_contour_to_silhouette},
              {"function_tolerance", o.function_tolerance},
              {"parameter_tolerance", o.parameter_tolerance}};
}

}  // namespace

std::string FitJson(const model::MorphableModel& model, const ImageInput& input,
                    const ImageResult& result, const PipelineOptions& options,
                    const render::DepthRange& depth_range) {
  const solver::FitResult& fit = result.fit;
  Json landmark_vertices = Json::array(), landmark_in_fit = Json::array();
  for (int i = 0; i < 68; ++i) {
    landmark_vertices.push_back(fit.landmark_vertices[i]);
    landmark_in_fit.push_back(fit.landmark_in_fit[i]);
  }
  bool has_photometric = false;
  Json stages = Json::array();
  for (const solver::StageStatistics& stage : fit.stages) {
    stages.push_back(StageJson(stage));
    has_photometric = has_photometric || stage.name == "photometric";
  }
  Json json;
  json["program"] = {{"name", "morphfit"}, {"version", ProgramVersion()}};
  json["model"] = {{"name", model.name},
                   {"source", model.source},
                   {"num_vertices", model.num_vertices()},
                   {"shape_components", model.shape.num_components()},
                   {"expression_components", model.expression.num_components()},
                   {"expression_kind", model.expression.is_pca ? "pca" : "blendshapes"}};
  json["input"] = {{"image", input.image_path},
                   {"landmarks", input.landmarks_origin},
                   {"width", result.width},
                   {"height", result.height}};
  json["camera"] = CameraJson(fit.camera);
  json["shape_coefficients"] = Vector(fit.shape_coefficients);
  json["expression_coefficients"] = Vector(fit.expression_coefficients);
  json["expression_names"] = model.expression.names;
  json["lighting_sh"] = has_photometric ? Matrix(fit.lighting) : Json(nullptr);
  json["landmarks"] = {{"vertices", landmark_vertices}, {"in_fit", landmark_in_fit}};
  json["stages"] = stages;
  json["depth_png_range_mm"] = {{"z_near", depth_range.z_near}, {"z_far", depth_range.z_far}};
  json["options"] = FitOptionsJson(options.fit);
  json["options"]["stages"] = FitStagesName(options.stages);
  if (options.stages == FitStages::kPhotometric) {
    const solver::PhotometricOptions& p = options.photometric;
    json["photometric_options"] = {
        {"photo_weight", p.photo_weight},
        {"photo_samples", p.samples},
        {"albedo_samples", p.albedo_samples},
        {"albedo_prior_weight", p.albedo_prior_weight},
        {"albedo_smoothness_weight", p.albedo_smoothness_weight},
        {"initial_albedo_smoothness_scale", p.initial_albedo_smoothness_scale},
        {"update_contour_landmarks", p.update_contour_landmarks},
        {"refine_lighting_in_solve", p.refine_lighting_in_solve},
        {"albedo_symmetry_weight", p.albedo_symmetry_weight},
        {"light_prior_weight", p.light_prior_weight},
        {"robust_loss", solver::RobustLossName(p.robust_loss)},
        {"robust_scale", p.robust_scale},
        {"pyramid_levels", p.pyramid_levels},
        {"face_size", p.face_size},
        {"outer_iterations_per_level", p.outer_iterations_per_level},
        {"max_iterations", p.max_iterations},
        {"exclude_eyes_and_mouth", p.exclude_eyes_and_mouth}};
  }
  json["timings_seconds"] = {{"read", result.timings.read},
                             {"fit", result.timings.fit},
                             {"render", result.timings.render},
                             {"write", result.timings.write},
                             {"total_before_fit_json", result.timings.total}};
  solver::RecordQuality(result.statistics, options.quality, result.quality, json);
  return json.dump(2) + "\n";
}

}  // namespace morphfit::pipeline
