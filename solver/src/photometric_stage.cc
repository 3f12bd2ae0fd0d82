#include "morphfit/solver/photometric_stage.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <optional>
#include <vector>

#include <ceres/loss_function.h>
#include <ceres/manifold.h>
#include <ceres/normal_prior.h>
#include <ceres/problem.h>
#include <ceres/solver.h>
#include <Eigen/Geometry>
#include <opencv2/imgproc.hpp>

#include "morphfit/model/error.h"
#include "morphfit/render/rasterizer.h"
#include "morphfit/render/shading.h"
#include "morphfit/render/visibility.h"
#include "morphfit/solver/albedo_estimate.h"
#include "morphfit/solver/contour_correspondence.h"
#include "morphfit/solver/face_crop.h"
#include "morphfit/solver/focal_prior.h"
#include "morphfit/solver/landmark_cost.h"
#include "morphfit/solver/lighting_estimate.h"
#include "morphfit/solver/photometric_cost.h"
#include "morphfit/solver/robust_loss.h"

namespace morphfit::solver {

namespace {

// The parameter blocks Ceres works on, in the order the cost functions expect.
struct Parameters {
  double rotation[4];  // quaternion w x y z
  double translation[3];
  double focal;
  Eigen::VectorXd shape;
  Eigen::VectorXd expression;
  ShLighting lighting;

  void FromFit(const FitResult& fit, int ks, int ke) {
    const Eigen::Quaterniond q(fit.camera.rotation);
    rotation[0] = q.w();
    rotation[1] = q.x();
    rotation[2] = q.y();
    rotation[3] = q.z();
    for (int d = 0; d < 3; ++d) translation[d] = fit.camera.translation[d];
    focal = fit.camera.focal;
    shape = Eigen::VectorXd::Zero(ks);
    shape.head(std::min<Eigen::Index>(ks, fit.shape_coefficients.size())) =
        fit.shape_coefficients.head(std::min<Eigen::Index>(ks, fit.shape_coefficients.size()));
    expression = Eigen::VectorXd::Zero(ke);
    expression.head(std::min<Eigen::Index>(ke, fit.expression_coefficients.size())) =
        fit.expression_coefficients.head(
            std::min<Eigen::Index>(ke, fit.expression_coefficients.size()));
    lighting = fit.lighting;
  }
  void ToFit(FitResult& fit) const {
    ToFitCamera(fit.camera);
    fit.shape_coefficients = shape;
    fit.expression_coefficients = expression;
    fit.lighting = lighting;
  }
  Eigen::Matrix3d Rotation() const {
    return Eigen::Quaterniond(rotation[0], rotation[1], rotation[2], rotation[3])
        .normalized()
        .toRotationMatrix();
  }
  void ToFitCamera(render::Camera& camera) const {
    camera.rotation = Rotation();
    camera.translation = Eigen::Vector3d(translation[0], translation[1], translation[2]);
    camera.focal = focal;
  }
};

// Weight of a residual of size `r` under the robust loss, as iteratively reweighted least
// squares uses it (rho'(s)), so that the closed-form solves ignore outliers as Ceres does.
double RobustWeight(RobustLoss loss, double r, double scale) {
  switch (loss) {
    case RobustLoss::kNone:
      return 1.0;
    case RobustLoss::kHuber:
      return r <= scale ? 1.0 : scale / r;
    case RobustLoss::kCauchy:
      return 1.0 / (1.0 + (r * r) / (scale * scale));
  }
  return 1.0;
}

// iBUG 0-based landmark polygons whose inside is not skin: the eyes and the inner mouth.
const std::vector<std::vector<int>>& ExcludedRegions() {
  static const std::vector<std::vector<int>> regions = {
      {36, 37, 38, 39, 40, 41}, {42, 43, 44, 45, 46, 47}, {60, 61, 62, 63, 64, 65, 66, 67}};
  return regions;
}

// The samples of one render: surface points, the level pixels they were taken at, and the
// colours observed there.
struct SampleSet {
  std::vector<PhotoSample> samples;
  std::vector<Eigen::Vector2d> level_pixels;
  std::vector<Eigen::Vector3d> colours;  // observed at the pixel centre
};

class PhotometricStage {
 public:
  PhotometricStage(const model::MorphableModel& model, const cv::Mat& image,
                   const Landmarks& landmarks, const FitOptions& fit_options,
                   const PhotometricOptions& options, FitResult& fit)
      : model_(model),
        image_(image),
        landmarks_(landmarks),
        fit_options_(fit_options),
        options_(options),
        fit_(fit) {}

  StageStatistics Run();

 private:
  void RenderLevel(const CropLevel& level, render::Frame& frame);
  // Where samples may be taken: covered pixels away from the silhouette, minus eyes and inner
  // mouth (CV_8U, 255 inside).
  cv::Mat FaceRegion(const CropLevel& level, const render::Frame& frame) const;
  // At most `count` samples, evenly spread over `region`.
  SampleSet SelectSamples(const CropLevel& level, const render::Frame& frame, const cv::Mat& region,
                          int count) const;
  // SH basis of the samples' normals at the current parameters, as PhotometricCost has them;
  // weighted by the robust weights of the current sample set when `robust` (`set` is that set).
  std::vector<ShadingObservation> Observe(const SampleSet& set, bool robust = true) const;
  // For a new sample set: the samples' albedo from the current estimate (and, the first time,
  // lighting in closed form), robust weights from the residuals, then albedo and lighting.
  void PrepareSamples(SampleSet& set, const ImageInterpolator& interpolator, const CropLevel& level,
                      bool first);
  void UpdateAlbedoAndLighting(SampleSet& set);
  Eigen::Vector3d SampleAlbedo(const PhotoSample& s) const;
  ceres::Solver::Summary Solve(const SampleSet& set, const CropLevel& level,
                               const ImageInterpolator& interpolator);
  // RMS over r, g, b of each sample's colour residual at the current parameters.
  std::vector<double> SampleResiduals(const SampleSet& set, const CropLevel& level,
                                      const ImageInterpolator& interpolator) const;
  void UpdateRobustWeights(const std::vector<double>& residuals);
  void FinishStatistics(const SampleSet& set, const CropLevel& level,
                        const ImageInterpolator& interpolator, StageStatistics& stats);

  const model::MorphableModel& model_;
  const cv::Mat& image_;
  const Landmarks& landmarks_;
  const FitOptions& fit_options_;
  const PhotometricOptions& options_;
  FitResult& fit_;

  Parameters parameters_;
  Eigen::Matrix3Xd vertex_albedo_;  // per vertex, models without albedo PCA
  Eigen::VectorXd albedo_coefficients_;
  std::optional<VertexAlbedoSolver> albedo_solver_;
  std::vector<double> robust_weights_;  // per sample of the current set
  SampleSet albedo_set_;                // denser samples for the albedo (options_.albedo_samples)
  double pixels_per_mm_ = 1.0;          // face scale at the start of the stage, as stage 2 uses it
  double prior_focal_ = 1.0;
  double albedo_smoothness_scale_ = 1.0;  // this outer iteration's (see PhotometricOptions)
  render::Rasterizer rasterizer_;
  Eigen::Matrix3Xd model_vertices_, camera_vertices_, camera_normals_;
};

void PhotometricStage::RenderLevel(const CropLevel& level, render::Frame& frame) {
  render::Camera full = fit_.camera;
  parameters_.ToFitCamera(full);
  const render::Camera camera = level.LevelCamera(full);
  model_vertices_ = model_.InstanceVertices(parameters_.shape, parameters_.expression);
  render::TransformToCamera(camera, model_vertices_, camera_vertices_);
  render::RotateNormals(camera, model::VertexNormals(model_vertices_, model_.triangles),
                        camera_normals_);
  render::CameraSpaceMesh mesh;
  mesh.vertices = &camera_vertices_;
  mesh.triangles = &model_.triangles;
  mesh.normals = &camera_normals_;
  rasterizer_.Render(mesh, camera, frame);
}

cv::Mat PhotometricStage::FaceRegion(const CropLevel& level, const render::Frame& frame) const {
  cv::Mat region(frame.height, frame.width, CV_8U);
  for (int y = 0; y < frame.height; ++y) {
    auto* row = region.ptr<uint8_t>(y);
    for (int x = 0; x < frame.width; ++x) row[x] = frame.Covered(x, y) ? 255 : 0;
  }
  const int margin = static_cast<int>(std::ceil(options_.silhouette_margin_px));
  if (margin > 0) {
    cv::erode(
        region, region,
        cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(2 * margin + 1, 2 * margin + 1)));
  }
  if (options_.exclude_eyes_and_mouth) {
    // Use the fitted landmarks where the model maps them, the observed ones otherwise.
    for (const std::vector<int>& polygon : ExcludedRegions()) {
      std::vector<cv::Point> points;
      for (int l : polygon) {
        const Eigen::Vector2d p = level.FromFull(landmarks_.row(l).transpose());
        points.emplace_back(static_cast<int>(std::lround(p.x())),
                            static_cast<int>(std::lround(p.y())));
      }
      cv::fillConvexPoly(region, points, cv::Scalar(0));
      cv::polylines(region, points, true, cv::Scalar(0), 2);
    }
  }
  return region;
}

SampleSet PhotometricStage::SelectSamples(const CropLevel& level, const render::Frame& frame,
                                          const cv::Mat& region, int count) const {
  const int candidates = cv::countNonZero(region);
  render::SampleOptions sample_options;
  sample_options.stride =
      std::max(1, static_cast<int>(std::floor(std::sqrt(candidates / (1.0 * count)))));
  sample_options.min_facing = options_.min_view_cosine;
  std::vector<render::SurfaceSample> visible = render::VisibleSamples(frame, sample_options);
  visible.erase(std::remove_if(visible.begin(), visible.end(),
                               [&](const render::SurfaceSample& s) {
                                 return region.at<uint8_t>(s.y, s.x) == 0;
                               }),
                visible.end());
  if (static_cast<int>(visible.size()) > count) {
    // Evenly spaced subset (deterministic), as render::VisibleSamples does.
    const size_t total = visible.size();
    for (int k = 0; k < count; ++k) {
      visible[k] = visible[static_cast<size_t>(k) * total / count];
    }
    visible.resize(count);
  }
  SampleSet set;
  for (const render::SurfaceSample& s : visible) {
    PhotoSample sample;
    const Eigen::Vector3i& tri = model_.triangles[s.triangle];
    sample.vertices = {tri[0], tri[1], tri[2]};
    sample.barycentric = s.barycentric.cast<double>();
    const Eigen::Vector3d face_normal =
        (camera_vertices_.col(tri[1]) - camera_vertices_.col(tri[0]))
            .cross(camera_vertices_.col(tri[2]) - camera_vertices_.col(tri[0]))
            .normalized();
    const int pixel = frame.Index(s.x, s.y);
    sample.normal_offset = frame.Normal(pixel).cast<double>().normalized() - face_normal;
    set.samples.push_back(sample);
    set.level_pixels.emplace_back(s.x, s.y);
    const cv::Vec3f& c = level.image.at<cv::Vec3f>(s.y, s.x);
    set.colours.emplace_back(c[0], c[1], c[2]);
  }
  return set;
}

std::vector<ShadingObservation> PhotometricStage::Observe(const SampleSet& set, bool robust) const {
  // Camera-space face normals at the current parameters (rotation applied to model space).
  const Eigen::Matrix3d rotation = parameters_.Rotation();
  const Eigen::Matrix3Xd vertices =
      model_.InstanceVertices(parameters_.shape, parameters_.expression);
  std::vector<ShadingObservation> observations(set.samples.size());
  for (size_t s = 0; s < set.samples.size(); ++s) {
    const auto& v = set.samples[s].vertices;
    const Eigen::Vector3d face_normal =
        rotation * (vertices.col(v[1]) - vertices.col(v[0]))
                       .cross(vertices.col(v[2]) - vertices.col(v[0]))
                       .normalized();
    // As PhotometricCost shades it.
    observations[s].sh =
        ShBasisForCameraNormal((face_normal + set.samples[s].normal_offset).normalized());
    observations[s].colour = set.colours[s];
    observations[s].weight = !robust || robust_weights_.empty() ? 1.0 : robust_weights_[s];
  }
  return observations;
}

Eigen::Vector3d PhotometricStage::SampleAlbedo(const PhotoSample& s) const {
  Eigen::Vector3d albedo = Eigen::Vector3d::Zero();
  for (int i = 0; i < 3; ++i) {
    const int v = s.vertices[i];
    if (model_.albedo) {
      Eigen::Vector3d a = model_.albedo->mean.segment<3>(3 * v);
      const int k = model_.albedo->basis.num_components();
      if (k > 0) {
        a += Eigen::Map<const model::RowMatrixXd>(model_.albedo->basis.VertexRows(v), 3, k) *
             albedo_coefficients_;
      }
      albedo += s.barycentric[i] * a;
    } else {
      albedo += s.barycentric[i] * vertex_albedo_.col(v);
    }
  }
  return albedo;
}

void PhotometricStage::UpdateAlbedoAndLighting(SampleSet& set) {
  std::vector<ShadingObservation> observations = Observe(set);
  auto current_albedo = [&]() {
    std::vector<Eigen::Vector3d> albedo(set.samples.size());
    for (size_t s = 0; s < set.samples.size(); ++s) albedo[s] = SampleAlbedo(set.samples[s]);
    return albedo;
  };
  // The ridge is relative to the mean data term (see PhotometricOptions).
  const double light_prior = options_.light_prior_weight * observations.size();
  // Albedo given lighting, then lighting given albedo: both linear, both cheap.
  // From the denser albedo set when there is one (unweighted: an outlier there only moves the
  // albedo near it), else from the samples themselves.
  const bool dense = !albedo_set_.samples.empty();
  const SampleSet& albedo_set = dense ? albedo_set_ : set;
  const std::vector<ShadingObservation> albedo_shading =
      dense ? Observe(albedo_set, /*robust=*/false) : observations;
  std::vector<AlbedoObservation> albedo_observations(albedo_set.samples.size());
  for (size_t s = 0; s < albedo_set.samples.size(); ++s) {
    AlbedoObservation& o = albedo_observations[s];
    o.vertices = albedo_set.samples[s].vertices;
    o.barycentric = albedo_set.samples[s].barycentric;
    o.shading = parameters_.lighting.transpose() * albedo_shading[s].sh;
    o.colour = albedo_set.colours[s];
    o.weight = albedo_shading[s].weight;
  }
  if (model_.albedo) {
    albedo_coefficients_ =
        SolveAlbedoCoefficients(*model_.albedo, albedo_observations, options_.albedo_prior_weight);
  } else {
    vertex_albedo_ = albedo_solver_->Solve(albedo_observations, albedo_smoothness_scale_);
  }
  const std::vector<Eigen::Vector3d> albedo = current_albedo();
  parameters_.lighting = SolveLighting(observations, albedo, light_prior);
  for (size_t s = 0; s < set.samples.size(); ++s) set.samples[s].albedo = albedo[s];
}

void PhotometricStage::PrepareSamples(SampleSet& set, const ImageInterpolator& interpolator,
                                      const CropLevel& level, bool first) {
  for (PhotoSample& sample : set.samples) sample.albedo = SampleAlbedo(sample);
  robust_weights_.clear();
  if (first) {
    std::vector<Eigen::Vector3d> albedo(set.samples.size());
    for (size_t s = 0; s < set.samples.size(); ++s) albedo[s] = set.samples[s].albedo;
    parameters_.lighting =
        SolveLighting(Observe(set), albedo, options_.light_prior_weight * set.samples.size());
  }
  UpdateRobustWeights(SampleResiduals(set, level, interpolator));
  UpdateAlbedoAndLighting(set);
}

ceres::Solver::Summary PhotometricStage::Solve(const SampleSet& set, const CropLevel& level,
                                               const ImageInterpolator& interpolator) {
  ceres::Problem::Options problem_options;
  problem_options.cost_function_ownership = ceres::TAKE_OWNERSHIP;
  problem_options.loss_function_ownership = ceres::DO_NOT_TAKE_OWNERSHIP;
  problem_options.manifold_ownership = ceres::DO_NOT_TAKE_OWNERSHIP;
  ceres::Problem problem(problem_options);
  ceres::QuaternionManifold quaternion_manifold;

  const bool has_expression = !model_.expression.empty();
  std::vector<double*> blocks = {parameters_.rotation, parameters_.translation, &parameters_.focal,
                                 parameters_.shape.data()};
  if (has_expression) blocks.push_back(parameters_.expression.data());
  std::vector<double*> photo_blocks = blocks;
  photo_blocks.push_back(parameters_.lighting.data());

  const double n = static_cast<double>(std::max<size_t>(1, set.samples.size()));
  const double photo_weight = options_.photo_weight / std::sqrt(n);
  const std::unique_ptr<ceres::LossFunction> loss =
      MakeLossFunction(options_.robust_loss, photo_weight * options_.robust_scale);
  LevelProjection projection;
  projection.level_scale = level.scale;
  projection.level_principal_point = level.FromFull(fit_.camera.principal_point);
  for (const PhotoSample& sample : set.samples) {
    problem.AddResidualBlock(
        new PhotometricCost(model_, sample, interpolator, projection, photo_weight), loss.get(),
        photo_blocks);
  }

  // The landmark term and priors of stage 2, with its weights and units (mm on the face).
  const int ks = static_cast<int>(parameters_.shape.size());
  const int ke = static_cast<int>(parameters_.expression.size());
  const std::unique_ptr<ceres::LossFunction> landmark_loss =
      MakeLossFunction(fit_options_.robust_loss,
                       fit_options_.robust_scale * std::sqrt(fit_options_.landmark_weight));
  const double landmark_scale = std::sqrt(fit_options_.landmark_weight) / pixels_per_mm_;
  for (int l = 0; l < model::kNumIbugLandmarks; ++l) {
    if (!fit_.landmark_in_fit[l]) continue;
    const int v = fit_.landmark_vertices[l];
    problem.AddResidualBlock(
        LandmarkCost::Create(model_.mean.segment<3>(3 * v), model_.shape, ks, model_.expression, ke,
                             v, landmarks_.row(l).transpose(), fit_.camera.principal_point,
                             landmark_scale),
        landmark_loss.get(), blocks);
  }
  const double shape_prior = options_.prior_scale * fit_options_.shape_prior_weight;
  const double expression_prior = options_.prior_scale * fit_options_.expression_prior_weight;
  if (shape_prior > 0) {
    problem.AddResidualBlock(CoefficientPriorCost::Create(ks, shape_prior), nullptr,
                             parameters_.shape.data());
  }
  if (has_expression && expression_prior > 0) {
    problem.AddResidualBlock(CoefficientPriorCost::Create(ke, expression_prior), nullptr,
                             parameters_.expression.data());
  }
  if (!options_.refine_lighting_in_solve) {
    // Held at the closed-form estimate PrepareSamples made (see PhotometricOptions).
    problem.SetParameterBlockConstant(parameters_.lighting.data());
  } else if (options_.light_prior_weight > 0) {
    // The lighting ridge, relative to the mean photometric term as in the closed-form solve.
    Eigen::MatrixXd select = Eigen::MatrixXd::Zero(24, 27);
    for (int c = 0, row = 0; c < 3; ++c) {
      for (int k = 1; k < 9; ++k) select(row++, 9 * c + k) = 1.0;
    }
    problem.AddResidualBlock(
        new ceres::NormalPrior(
            options_.photo_weight * std::sqrt(options_.light_prior_weight) * select,
            Eigen::VectorXd::Zero(27)),
        nullptr, parameters_.lighting.data());
  }
  // Blendshape weights stay >= 0 as in stage 2: those at zero are held there.
  std::unique_ptr<ceres::SubsetManifold> held_manifold;
  if (has_expression && !model_.expression.is_pca && fit_options_.nonnegative_blendshapes) {
    std::vector<int> held;
    for (int k = 0; k < ke; ++k) {
      if (parameters_.expression[k] <= 0) {
        parameters_.expression[k] = 0;
        held.push_back(k);
      }
    }
    if (static_cast<int>(held.size()) == ke) {
      problem.SetParameterBlockConstant(parameters_.expression.data());
    } else if (!held.empty()) {
      held_manifold = std::make_unique<ceres::SubsetManifold>(ke, held);
      problem.SetManifold(parameters_.expression.data(), held_manifold.get());
    }
  }
  if (fit_options_.optimize_focal) {
    if (fit_options_.focal_prior_weight > 0) {
      problem.AddResidualBlock(
          FocalPriorCost::Create(prior_focal_, fit_options_.focal_prior_weight), nullptr,
          &parameters_.focal);
    }
  } else {
    problem.SetParameterBlockConstant(&parameters_.focal);
  }

  problem.SetManifold(parameters_.rotation, &quaternion_manifold);

  ceres::Solver::Options solver_options;
  solver_options.linear_solver_type = ceres::DENSE_NORMAL_CHOLESKY;
  solver_options.max_num_iterations = options_.max_iterations;
  solver_options.num_threads = 1;
  solver_options.logging_type = ceres::SILENT;
  ceres::Solver::Summary summary;
  ceres::Solve(solver_options, &problem, &summary);
  return summary;
}

std::vector<double> PhotometricStage::SampleResiduals(const SampleSet& set, const CropLevel& level,
                                                      const ImageInterpolator& interpolator) const {
  LevelProjection projection;
  projection.level_scale = level.scale;
  projection.level_principal_point = level.FromFull(fit_.camera.principal_point);
  std::vector<const double*> blocks = {parameters_.rotation, parameters_.translation,
                                       &parameters_.focal, parameters_.shape.data()};
  if (!model_.expression.empty()) blocks.push_back(parameters_.expression.data());
  blocks.push_back(parameters_.lighting.data());
  std::vector<double> residuals(set.samples.size());
  for (size_t s = 0; s < set.samples.size(); ++s) {
    const PhotometricCost cost(model_, set.samples[s], interpolator, projection, 1.0);
    double r[3];
    residuals[s] = cost.Evaluate(blocks.data(), r, nullptr)
                       ? std::sqrt((r[0] * r[0] + r[1] * r[1] + r[2] * r[2]) / 3.0)
                       : std::numeric_limits<double>::infinity();
  }
  return residuals;
}

void PhotometricStage::UpdateRobustWeights(const std::vector<double>& residuals) {
  robust_weights_.resize(residuals.size());
  for (size_t s = 0; s < residuals.size(); ++s) {
    // Ceres applies the loss to the squared norm over 3 channels; the per-channel RMS times
    // sqrt(3) is that norm.
    robust_weights_[s] = std::isfinite(residuals[s])
                             ? RobustWeight(options_.robust_loss, std::sqrt(3.0) * residuals[s],
                                            options_.robust_scale)
                             : 0.0;
  }
}

void PhotometricStage::FinishStatistics(const SampleSet& set, const CropLevel& level,
                                        const ImageInterpolator& interpolator,
                                        StageStatistics& stats) {
  const std::vector<double> residuals = SampleResiduals(set, level, interpolator);
  fit_.photo_samples.clear();
  double sum_squares = 0;
  int inliers = 0;
  std::vector<double> finite;
  for (size_t s = 0; s < residuals.size(); ++s) {
    const double r = residuals[s];
    const bool inlier = std::isfinite(r) && std::sqrt(3.0) * r <= options_.robust_scale;
    inliers += inlier;
    if (std::isfinite(r)) {
      sum_squares += r * r;
      finite.push_back(r);
    }
    PhotometricSampleRecord record;
    record.pixel = level.ToFull(set.level_pixels[s]).cast<float>();
    record.residual = static_cast<float>(r);
    record.inlier = inlier;
    fit_.photo_samples.push_back(record);
  }
  const size_t n = residuals.size();
  stats.photo_samples = static_cast<int>(n);
  stats.photo_rms = finite.empty() ? 0.0 : std::sqrt(sum_squares / finite.size());
  if (!finite.empty()) {
    std::nth_element(finite.begin(), finite.begin() + finite.size() / 2, finite.end());
    stats.photo_median_abs = finite[finite.size() / 2];
  }
  stats.photo_inlier_fraction = n == 0 ? 0.0 : static_cast<double>(inliers) / n;

  // Landmark statistics over the mapped landmarks, at the final parameters.
  render::Camera camera = fit_.camera;
  parameters_.ToFitCamera(camera);
  double landmark_sum = 0, landmark_max = 0;
  int used = 0;
  for (int l = 0; l < model::kNumIbugLandmarks; ++l) {
    const int v = fit_.landmark_vertices[l];
    if (v < 0) {
      fit_.fitted_landmarks.row(l) = landmarks_.row(l);
      continue;
    }
    const Eigen::Vector2d p =
        camera.ProjectModelPoint(model_.Vertex(v, parameters_.shape, parameters_.expression));
    fit_.fitted_landmarks.row(l) = p.transpose();
    const double e = (p - landmarks_.row(l).transpose()).norm();
    landmark_sum += e * e;
    landmark_max = std::max(landmark_max, e);
    ++used;
  }
  stats.landmark_rms_px = used > 0 ? std::sqrt(landmark_sum / used) : 0.0;
  stats.landmark_max_px = landmark_max;
  const double eyes = OuterEyeCornerDistance(landmarks_);
  stats.landmark_rms_nme = eyes > 0 ? stats.landmark_rms_px / eyes : 0.0;
}

StageStatistics PhotometricStage::Run() {
  const auto start = std::chrono::steady_clock::now();
  options_.Validate();
  fit_options_.Validate();
  if (image_.empty()) throw Error("photometric stage: empty image");
  const int ks = model_.shape.num_components();
  const int ke = model_.expression.num_components();
  parameters_.FromFit(fit_, ks, ke);

  // The face box: the current mesh projected into the full image.
  render::Camera camera = fit_.camera;
  parameters_.ToFitCamera(camera);
  const Eigen::Matrix3Xd vertices =
      model_.InstanceVertices(parameters_.shape, parameters_.expression);
  Eigen::Vector4d box(1e300, 1e300, -1e300, -1e300);
  for (int v = 0; v < vertices.cols(); ++v) {
    const Eigen::Vector3d p = camera.ToCamera(vertices.col(v));
    if (!(p.z() > 0)) continue;
    const Eigen::Vector2d q = camera.Project(p);
    box.head<2>() = box.head<2>().cwiseMin(q);
    box.tail<2>() = box.tail<2>().cwiseMax(q);
  }
  box[0] = std::max(box[0], 0.0);
  box[1] = std::max(box[1], 0.0);
  box[2] = std::min(box[2], image_.cols - 1.0);
  box[3] = std::min(box[3], image_.rows - 1.0);
  if (!(box[2] > box[0] && box[3] > box[1])) {
    throw Error("photometric stage: the fitted face does not project into the image");
  }
  const std::vector<CropLevel> pyramid =
      BuildFacePyramid(image_, box, options_.face_size, options_.pyramid_levels);
  pixels_per_mm_ = fit_.camera.focal / fit_.camera.translation.z();
  prior_focal_ = render::FocalFromFov(fit_options_.fov_deg * M_PI / 180.0, fit_.camera.width);

  if (model_.albedo) {
    albedo_coefficients_ = Eigen::VectorXd::Zero(model_.albedo->basis.num_components());
  } else {
    AlbedoWeights weights;
    weights.prior = options_.albedo_prior_weight;
    weights.smoothness = options_.albedo_smoothness_weight;
    weights.symmetry = options_.albedo_symmetry_weight;
    albedo_solver_.emplace(model_, weights);
    vertex_albedo_ = weights.reference.replicate(1, model_.num_vertices());
  }

  StageStatistics stats;
  stats.name = "photometric";
  bool first = true;
  render::Frame frame;
  SampleSet set;
  const CropLevel* last_level = nullptr;
  // Grids and interpolators per level, at stable addresses (the cost functions point to them).
  std::vector<std::unique_ptr<ImageGrid>> grids;
  std::vector<std::unique_ptr<ImageInterpolator>> interpolators;
  for (const CropLevel& level : pyramid) {
    grids.push_back(std::make_unique<ImageGrid>(level.image.ptr<float>(), 0, level.image.rows, 0,
                                                level.image.cols));
    interpolators.push_back(std::make_unique<ImageInterpolator>(*grids.back()));
  }
  const ImageInterpolator* interpolator = nullptr;
  const int total_outer = options_.pyramid_levels * options_.outer_iterations_per_level;
  int outer_index = 0;
  for (int l = options_.pyramid_levels - 1; l >= 0; --l) {
    const CropLevel& level = pyramid[l];
    for (int outer = 0; outer < options_.outer_iterations_per_level; ++outer, ++outer_index) {
      albedo_smoothness_scale_ =
          total_outer > 1 ? std::pow(options_.initial_albedo_smoothness_scale,
                                     1.0 - static_cast<double>(outer_index) / (total_outer - 1))
                          : 1.0;
      if (outer_index > 0 && options_.update_contour_landmarks) {
        // The jaw's annotated points lie on the silhouette, which slides over the mesh as pose and
        // shape change: rematch them as stage 2 does between its solves.
        parameters_.ToFit(fit_);
        UpdateLandmarkCorrespondences(model_, landmarks_, fit_options_, fit_);
      }
      RenderLevel(level, frame);
      const cv::Mat region = FaceRegion(level, frame);
      SampleSet level_set = SelectSamples(level, frame, region, options_.samples);
      if (level_set.samples.size() < 30) break;  // too small at this level: go finer
      albedo_set_ = options_.albedo_samples > options_.samples
                        ? SelectSamples(level, frame, region, options_.albedo_samples)
                        : SampleSet();
      PrepareSamples(level_set, *interpolators[l], level, first);
      const ceres::Solver::Summary summary = Solve(level_set, level, *interpolators[l]);
      if (first) stats.initial_cost = summary.initial_cost;
      stats.final_cost = summary.final_cost;
      stats.iterations += static_cast<int>(summary.iterations.size()) - 1;
      stats.termination = ceres::TerminationTypeToString(summary.termination_type);
      ++stats.outer_iterations;
      first = false;
      set = std::move(level_set);
      last_level = &level;
      interpolator = interpolators[l].get();
    }
  }
  if (last_level == nullptr) {
    throw Error("photometric stage: fewer than 30 visible face samples at every pyramid level");
  }
  // Albedo and lighting consistent with the final geometry, then the statistics (with the
  // contour landmarks matched to the final pose).
  albedo_smoothness_scale_ = 1.0;
  if (options_.update_contour_landmarks) {
    parameters_.ToFit(fit_);
    UpdateLandmarkCorrespondences(model_, landmarks_, fit_options_, fit_);
  }
  UpdateRobustWeights(SampleResiduals(set, *last_level, *interpolator));
  UpdateAlbedoAndLighting(set);
  FinishStatistics(set, *last_level, *interpolator, stats);

  parameters_.ToFit(fit_);
  if (model_.albedo) {
    fit_.albedo_coefficients = albedo_coefficients_;
    fit_.vertex_albedo.resize(3, 0);
  } else {
    fit_.vertex_albedo = vertex_albedo_.cwiseMax(0.0).cwiseMin(1.0);
  }
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return stats;
}

}  // namespace

StageStatistics RunPhotometricStage(const model::MorphableModel& model, const cv::Mat& image,
                                    const Landmarks& landmarks, const FitOptions& fit_options,
                                    const PhotometricOptions& options, FitResult& fit) {
  PhotometricStage stage(model, image, landmarks, fit_options, options, fit);
  StageStatistics stats = stage.Run();
  fit.stages.push_back(stats);
  return stats;
}

}  // namespace morphfit::solver
