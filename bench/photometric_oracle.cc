// Diagnostic: the photometric term alone, started from the TRUE parameters of synthetic scenes,
// with oracle albedo (the scene's own per-vertex albedo) and the lighting solved in closed form
// at the truth. Isolates the data term from the albedo / lighting estimation of the stage: if
// the geometry drifts here, the residual model itself disagrees with the image formation.
//
//   photometric_oracle [cases=10] [first_seed=1000] [name value]...
//   names: noise, albedo_variation (scene); free_lighting, prior (shape prior weight),
//          landmarks (weight of the noisy-landmark term, 0 = none), iterations, samples,
//          face_size, photo_weight, focal (0 = held), pose (0 = held), level (pyramid level,
//          0 = finest), margin (silhouette band, px), blur (Gaussian sigma on the level image);
//          estimate_albedo N: replace the true albedo by the stage's regularised per-vertex
//          estimate at the true geometry (N albedo/lighting rounds; a_smooth, a_sym, a_prior set
//          its weights); information 1: print the photometric Gauss-Newton information on the
//          shape with albedo and lighting known, the lighting profiled out, and both profiled out.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include <ceres/manifold.h>
#include <ceres/problem.h>
#include <ceres/solver.h>
#include <Eigen/Eigenvalues>
#include <Eigen/Geometry>
#include <Eigen/SparseCholesky>
#include <Eigen/SparseCore>
#include <opencv2/imgproc.hpp>

#include "morphfit/model/model_io.h"
#include "morphfit/render/rasterizer.h"
#include "morphfit/render/visibility.h"
#include "morphfit/solver/albedo_estimate.h"
#include "morphfit/solver/face_crop.h"
#include "morphfit/solver/landmark_cost.h"
#include "morphfit/solver/lighting_estimate.h"
#include "morphfit/solver/photometric_cost.h"
#include "morphfit/synth/synthetic_scene.h"
#include "morphfit/synth/truth_comparison.h"
#include "synthetic_bench_options.h"

namespace {

using namespace morphfit;

double Option(const std::map<std::string, double>& options, const std::string& name,
              double fallback) {
  const auto it = options.find(name);
  return it == options.end() ? fallback : it->second;
}

}  // namespace

int main(int argc, char** argv) {
  const int cases = argc > 1 ? std::atoi(argv[1]) : 10;
  const int first_seed = argc > 2 ? std::atoi(argv[2]) : 1000;
  std::map<std::string, double> options;
  for (int i = 3; i + 1 < argc; i += 2) options[argv[i]] = std::atof(argv[i + 1]);
  const model::MorphableModel model =
      model::LoadModelDirectory(model::FindModelDirectory(MORPHFIT_SHARED_DIR "/models/sfm"));
  synth::SceneOptions scene_options = bench::SyntheticBenchScene();
  scene_options.image_noise = Option(options, "noise", scene_options.image_noise);
  scene_options.albedo_variation =
      Option(options, "albedo_variation", scene_options.albedo_variation);
  const bool free_lighting = Option(options, "free_lighting", 0) != 0;
  const double prior = Option(options, "prior", 0);
  const int iterations = static_cast<int>(Option(options, "iterations", 50));
  const int num_samples = static_cast<int>(Option(options, "samples", 500));
  const double face_size = Option(options, "face_size", 256);
  const double photo_weight = Option(options, "photo_weight", 200);
  const bool free_focal = Option(options, "focal", 1) != 0;
  const bool free_pose = Option(options, "pose", 1) != 0;
  const int level_index = static_cast<int>(Option(options, "level", 0));
  const double landmark_weight = Option(options, "landmarks", 0);
  const double margin_px = Option(options, "margin", 2);

  std::vector<double> drifts;
  for (int c = 0; c < cases; ++c) {
    const int seed = first_seed + c;
    const synth::SyntheticScene scene =
        synth::MakeSyntheticScene(model, scene_options, synth::Corruption::kNone, seed);
    const render::Camera& truth_camera = scene.face.camera;
    const Eigen::Matrix3Xd truth_vertices =
        model.InstanceVertices(scene.face.shape_coefficients, scene.face.expression_coefficients);
    Eigen::Vector4d box(1e300, 1e300, -1e300, -1e300);
    for (int v = 0; v < truth_vertices.cols(); ++v) {
      const Eigen::Vector2d q = truth_camera.ProjectModelPoint(truth_vertices.col(v));
      box.head<2>() = box.head<2>().cwiseMin(q);
      box.tail<2>() = box.tail<2>().cwiseMax(q);
    }
    box[0] = std::max(box[0], 0.0);
    box[1] = std::max(box[1], 0.0);
    box[2] = std::min(box[2], scene.image.cols - 1.0);
    box[3] = std::min(box[3], scene.image.rows - 1.0);
    const std::vector<solver::CropLevel> pyramid =
        solver::BuildFacePyramid(scene.image, box, face_size, level_index + 1);
    solver::CropLevel level = pyramid[level_index];
    const double blur = Option(options, "blur", 0);
    if (blur > 0) {
      cv::Mat blurred;
      cv::GaussianBlur(level.image, blurred, cv::Size(), blur);
      level.image = blurred;
    }
    const render::Camera level_camera = level.LevelCamera(truth_camera);
    const render::Frame frame =
        render::RenderModelSpaceMesh(truth_vertices, model.triangles, level_camera);
    cv::Mat region(frame.height, frame.width, CV_8U);
    for (int y = 0; y < frame.height; ++y)
      for (int x = 0; x < frame.width; ++x)
        region.at<uint8_t>(y, x) = frame.Covered(x, y) ? 255 : 0;
    const int margin = static_cast<int>(std::ceil(margin_px));
    if (margin > 0) {
      cv::erode(
          region, region,
          cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(2 * margin + 1, 2 * margin + 1)));
    }
    render::SampleOptions sample_options;
    sample_options.stride = std::max(
        1, static_cast<int>(std::floor(std::sqrt(cv::countNonZero(region) / (1.0 * num_samples)))));
    sample_options.min_facing = 0.2;
    std::vector<render::SurfaceSample> visible = render::VisibleSamples(frame, sample_options);
    visible.erase(std::remove_if(visible.begin(), visible.end(),
                                 [&](const render::SurfaceSample& s) {
                                   return region.at<uint8_t>(s.y, s.x) == 0;
                                 }),
                  visible.end());

    Eigen::Matrix3Xd camera_vertices;
    render::TransformToCamera(level_camera, truth_vertices, camera_vertices);
    std::vector<solver::PhotoSample> samples;
    std::vector<solver::ShadingObservation> observations;
    std::vector<Eigen::Vector3d> albedo;
    for (const render::SurfaceSample& s : visible) {
      solver::PhotoSample sample;
      const Eigen::Vector3i& tri = model.triangles[s.triangle];
      sample.vertices = {tri[0], tri[1], tri[2]};
      sample.barycentric = s.barycentric.cast<double>();
      const Eigen::Vector3d face_normal =
          (camera_vertices.col(tri[1]) - camera_vertices.col(tri[0]))
              .cross(camera_vertices.col(tri[2]) - camera_vertices.col(tri[0]))
              .normalized();
      const Eigen::Vector3d normal =
          frame.Normal(frame.Index(s.x, s.y)).cast<double>().normalized();
      sample.normal_offset = normal - face_normal;
      sample.albedo = Eigen::Vector3d::Zero();
      for (int i = 0; i < 3; ++i)
        sample.albedo += sample.barycentric[i] * scene.vertex_albedo.col(tri[i]);
      samples.push_back(sample);
      solver::ShadingObservation o;
      o.sh = solver::ShBasisForCameraNormal(normal);
      const cv::Vec3f& colour = level.image.at<cv::Vec3f>(s.y, s.x);
      o.colour = Eigen::Vector3d(colour[0], colour[1], colour[2]);
      observations.push_back(o);
      albedo.push_back(sample.albedo);
    }
    solver::ShLighting lighting = solver::SolveLighting(observations, albedo, 0.0);
    // Optionally the stage's own albedo estimate at the true geometry, alternated with the lighting
    // from the reference albedo, in place of the true one.
    const int estimate_rounds = static_cast<int>(Option(options, "estimate_albedo", 0));
    double albedo_error = 0;
    if (estimate_rounds > 0) {
      solver::AlbedoWeights weights;
      weights.prior = Option(options, "a_prior", 0.02);
      weights.smoothness = Option(options, "a_smooth", 0.1);
      weights.symmetry = Option(options, "a_sym", 0.5);
      const solver::VertexAlbedoSolver albedo_solver(model, weights);
      for (auto& a : albedo) a = weights.reference;
      lighting = solver::SolveLighting(observations, albedo, 1e-4 * samples.size());
      Eigen::Matrix3Xd vertex_albedo;
      for (int round = 0; round < estimate_rounds; ++round) {
        std::vector<solver::AlbedoObservation> albedo_observations(samples.size());
        for (size_t k = 0; k < samples.size(); ++k) {
          auto& o = albedo_observations[k];
          o.vertices = samples[k].vertices;
          o.barycentric = samples[k].barycentric;
          o.shading = lighting.transpose() * observations[k].sh;
          o.colour = observations[k].colour;
        }
        vertex_albedo = albedo_solver.Solve(albedo_observations, 1.0);
        for (size_t k = 0; k < samples.size(); ++k) {
          albedo[k].setZero();
          for (int i = 0; i < 3; ++i)
            albedo[k] += samples[k].barycentric[i] * vertex_albedo.col(samples[k].vertices[i]);
        }
        lighting = solver::SolveLighting(observations, albedo, 1e-4 * samples.size());
      }
      // RMS log ratio to the true albedo after the best global scale per channel (the scale is
      // unobservable).
      for (size_t k = 0; k < samples.size(); ++k) samples[k].albedo = albedo[k];
      Eigen::Vector3d mean_log = Eigen::Vector3d::Zero();
      std::vector<Eigen::Vector3d> logs;
      for (size_t k = 0; k < samples.size(); ++k) {
        Eigen::Vector3d truth_albedo = Eigen::Vector3d::Zero();
        for (int i = 0; i < 3; ++i)
          truth_albedo +=
              samples[k].barycentric[i] * scene.vertex_albedo.col(samples[k].vertices[i]);
        logs.push_back(albedo[k].cwiseQuotient(truth_albedo).array().log().matrix());
        mean_log += logs.back();
      }
      mean_log /= samples.size();
      double sum = 0;
      for (const auto& l : logs) sum += (l - mean_log).squaredNorm();
      albedo_error = std::sqrt(sum / (3 * logs.size()));
    }

    // Parameters at the truth.
    const Eigen::Quaterniond q(truth_camera.rotation);
    double rotation[4] = {q.w(), q.x(), q.y(), q.z()};
    double translation[3] = {truth_camera.translation[0], truth_camera.translation[1],
                             truth_camera.translation[2]};
    double focal = truth_camera.focal;
    Eigen::VectorXd shape = scene.face.shape_coefficients;
    Eigen::VectorXd expression = scene.face.expression_coefficients;

    solver::ImageGrid grid(level.image.ptr<float>(), 0, level.image.rows, 0, level.image.cols);
    solver::ImageInterpolator interpolator(grid);
    solver::LevelProjection projection;
    projection.level_scale = level.scale;
    projection.level_principal_point = level.FromFull(truth_camera.principal_point);

    if (Option(options, "information", 0) != 0) {
      // Gauss-Newton information of the photometric term (unit weights) on the shape
      // coefficients: with albedo and lighting known, with the lighting profiled out, and with
      // the per-vertex albedo (under the stage's regulariser) and the lighting profiled out.
      const int ks = static_cast<int>(shape.size());
      const int n = model.num_vertices();
      const int g = ks + 27;
      Eigen::MatrixXd jg = Eigen::MatrixXd::Zero(3 * samples.size(), g);
      std::vector<Eigen::Triplet<double>> ja[3];
      const double* parameter_blocks[6] = {rotation,     translation,       &focal,
                                           shape.data(), expression.data(), lighting.data()};
      for (size_t k = 0; k < samples.size(); ++k) {
        const solver::PhotometricCost cost(model, samples[k], interpolator, projection, 1.0);
        double r[3];
        std::vector<double> j0(12), j1(9), j2(3), j3(3 * ks), j4(3 * expression.size()), j5(81);
        double* jacobians[6] = {j0.data(), j1.data(), j2.data(), j3.data(), j4.data(), j5.data()};
        cost.Evaluate(parameter_blocks, r, jacobians);
        for (int c = 0; c < 3; ++c) {
          for (int q = 0; q < ks; ++q) jg(3 * k + c, q) = j3[c * ks + q];
          for (int q = 0; q < 27; ++q) jg(3 * k + c, ks + q) = j5[c * 27 + q];
          // d r / d vertex albedo: -b_i * shading (shading = prediction / sample albedo).
          double shading = 0;
          const Eigen::Matrix<double, 9, 1> sh = observations[k].sh;
          for (int q = 0; q < 9; ++q) shading += lighting(q, c) * sh[q];
          for (int i = 0; i < 3; ++i)
            ja[c].emplace_back(static_cast<int>(k), samples[k].vertices[i],
                               -samples[k].barycentric[i] * shading);
        }
      }
      // The stage's albedo regulariser (per channel).
      const double a_smooth = Option(options, "a_smooth", 0.1),
                   a_sym = Option(options, "a_sym", 0.5),
                   a_prior = Option(options, "a_prior", 0.02);
      std::vector<Eigen::Triplet<double>> rt;
      for (const auto& [a, b] : solver::MeshEdges(model.triangles)) {
        rt.emplace_back(a, a, a_smooth);
        rt.emplace_back(b, b, a_smooth);
        rt.emplace_back(a, b, -a_smooth);
        rt.emplace_back(b, a, -a_smooth);
      }
      for (int v = 0; v < n; ++v) {
        const int m = model.symmetry.empty() ? v : model.symmetry[v];
        if (m > v && m < n) {
          rt.emplace_back(v, v, a_sym);
          rt.emplace_back(m, m, a_sym);
          rt.emplace_back(v, m, -a_sym);
          rt.emplace_back(m, v, -a_sym);
        }
        rt.emplace_back(v, v, a_prior);
      }
      Eigen::SparseMatrix<double> reg(n, n);
      reg.setFromTriplets(rt.begin(), rt.end());
      const Eigen::MatrixXd h_known = jg.transpose() * jg;
      Eigen::MatrixXd h_profiled = h_known;
      for (int c = 0; c < 3; ++c) {
        Eigen::SparseMatrix<double> a(static_cast<int>(samples.size()), n);
        a.setFromTriplets(ja[c].begin(), ja[c].end());
        Eigen::MatrixXd jgc(samples.size(), g);
        for (size_t k = 0; k < samples.size(); ++k) jgc.row(k) = jg.row(3 * k + c);
        const Eigen::SparseMatrix<double> haa =
            Eigen::SparseMatrix<double>(a.transpose() * a) + reg;
        Eigen::SimplicialLDLT<Eigen::SparseMatrix<double>> ldlt(haa);
        const Eigen::MatrixXd hag = a.transpose() * jgc;
        h_profiled -= hag.transpose() * ldlt.solve(hag);
      }
      auto shape_schur = [&](const Eigen::MatrixXd& h) {  // lighting profiled out
        const Eigen::MatrixXd hll =
            h.bottomRightCorner(27, 27) + 1e-9 * Eigen::MatrixXd::Identity(27, 27);
        return Eigen::MatrixXd(h.topLeftCorner(ks, ks) -
                               h.topRightCorner(ks, 27) *
                                   hll.ldlt().solve(h.bottomLeftCorner(27, ks)));
      };
      const Eigen::MatrixXd known = h_known.topLeftCorner(ks, ks);
      const Eigen::MatrixXd light = shape_schur(h_known);
      const Eigen::MatrixXd albedo_light = shape_schur(h_profiled);
      // In the stage's units the data term is photo_weight^2 / n times this; the shape prior
      // (prior_scale * shape_prior_weight) is 0.9 per coefficient.
      const double scale = photo_weight * photo_weight / samples.size();
      auto count_above = [&](const Eigen::MatrixXd& h) {
        const Eigen::VectorXd ev = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(h).eigenvalues();
        int above = 0;
        for (int q = 0; q < ev.size(); ++q) above += scale * ev[q] > 0.9;
        return above;
      };
      std::printf(
          "info trace known %.3g light %.3g albedo+light %.3g | eigen > prior: %d %d %d of %d\n",
          scale * known.trace(), scale * light.trace(), scale * albedo_light.trace(),
          count_above(known), count_above(light), count_above(albedo_light), ks);
    }
    ceres::Problem::Options problem_options;
    ceres::Problem problem(problem_options);
    std::vector<double*> blocks = {rotation,     translation,       &focal,
                                   shape.data(), expression.data(), lighting.data()};
    const double weight = photo_weight / std::sqrt(static_cast<double>(samples.size()));
    for (const solver::PhotoSample& sample : samples) {
      problem.AddResidualBlock(
          new solver::PhotometricCost(model, sample, interpolator, projection, weight), nullptr,
          blocks);
    }
    if (landmark_weight > 0) {
      const double pixels_per_mm = truth_camera.focal / truth_camera.translation.z();
      for (int l = 0; l < model::kNumIbugLandmarks; ++l) {
        const int v = scene.face.landmark_vertices[l];
        if (v < 0) continue;
        problem.AddResidualBlock(
            solver::LandmarkCost::Create(
                model.mean.segment<3>(3 * v), model.shape, model.shape.num_components(),
                model.expression, model.expression.num_components(), v,
                scene.landmarks.row(l).transpose(), truth_camera.principal_point,
                std::sqrt(landmark_weight) / pixels_per_mm),
            nullptr, {rotation, translation, &focal, shape.data(), expression.data()});
      }
    }
    if (prior > 0) {
      problem.AddResidualBlock(
          solver::CoefficientPriorCost::Create(static_cast<int>(shape.size()), prior), nullptr,
          shape.data());
    }
    problem.SetManifold(rotation, new ceres::QuaternionManifold);
    if (!free_lighting) problem.SetParameterBlockConstant(lighting.data());
    if (!free_focal) problem.SetParameterBlockConstant(&focal);
    if (!free_pose) {
      problem.SetParameterBlockConstant(rotation);
      problem.SetParameterBlockConstant(translation);
    }
    problem.SetParameterBlockConstant(expression.data());  // blendshapes >= 0: hold them
    ceres::Solver::Options solver_options;
    solver_options.linear_solver_type = ceres::DENSE_NORMAL_CHOLESKY;
    solver_options.max_num_iterations = iterations;
    solver_options.num_threads = 1;
    ceres::Solver::Summary summary;
    ceres::Solve(solver_options, &problem, &summary);

    solver::FitResult fit;
    fit.camera = truth_camera;
    fit.camera.rotation = Eigen::Quaterniond(rotation[0], rotation[1], rotation[2], rotation[3])
                              .normalized()
                              .toRotationMatrix();
    fit.camera.translation = Eigen::Vector3d(translation[0], translation[1], translation[2]);
    fit.camera.focal = focal;
    fit.shape_coefficients = shape;
    fit.expression_coefficients = expression;
    fit.fitted_landmarks = scene.face.clean_landmarks;
    const Eigen::Matrix3Xd vertices = model.InstanceVertices(shape, expression);
    const render::Frame fit_frame =
        render::RenderModelSpaceMesh(vertices, model.triangles, fit.camera);
    const synth::TruthComparison t =
        synth::CompareWithTruth(scene.truth, fit_frame, model, fit, scene.face.clean_landmarks);
    const double model_rms = std::sqrt((vertices - truth_vertices).colwise().squaredNorm().mean());
    const double angle =
        Eigen::AngleAxisd(fit.camera.rotation * truth_camera.rotation.transpose()).angle() * 180 /
        M_PI;
    const double rms0 =
        std::sqrt(2 * summary.initial_cost / (weight * weight * 3 * samples.size()));
    const double rms1 = std::sqrt(2 * summary.final_cost / (weight * weight * 3 * samples.size()));
    if (estimate_rounds > 0) std::printf("albedo_log_rms %.4f ", albedo_error);
    std::printf(
        "%4d n %zu rms %.4f -> %.4f | depth_rmse %.2f offset %.1f | model_rms %.2f mm |dshape| "
        "%.2f rot %.2f deg dt (%.1f %.1f %.1f) focal %.1f -> %.1f\n",
        seed, samples.size(), rms0, rms1, t.depth_rmse_mm, t.depth_offset_mm, model_rms,
        (shape - scene.face.shape_coefficients).norm(), angle,
        translation[0] - truth_camera.translation[0], translation[1] - truth_camera.translation[1],
        translation[2] - truth_camera.translation[2], truth_camera.focal, focal);
    drifts.push_back(t.depth_rmse_mm);
  }
  std::nth_element(drifts.begin(), drifts.begin() + drifts.size() / 2, drifts.end());
  std::printf("median depth RMSE after the oracle solve from the truth: %.2f mm\n",
              drifts[drifts.size() / 2]);
  return 0;
}
