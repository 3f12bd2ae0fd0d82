// morphfit-info: prints a summary of the morphable model and, on request, writes its mean face and
// random faces as OBJ meshes.
#include <gflags/gflags.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <random>
#include <string>

#include "app_support.h"
#include "morphfit/model/error.h"
#include "morphfit/model/mesh_io.h"
#include "morphfit/model/model_io.h"

DEFINE_string(model_dir, "",
              "Model folder; default: $MORPHFIT_MODEL_DIR, then data/models/sfm, then "
              "../shared/models/sfm");
DEFINE_int32(sample, 0, "Number of random faces (0-10000) to write as OBJ into --out (shape only)");
DEFINE_uint64(seed, 1, "Seed of the random faces; the same seed gives the same faces");
DEFINE_string(out, "",
              "Output folder for mean.obj and sample_NNNN.obj; nothing is written without it");

namespace morphfit::apps {
namespace {

constexpr char kUsage[] =
    "Prints a summary of the morphable model; with --out writes the mean face, with --sample N "
    "also N random faces.\n"
    "  morphfit-info [--model_dir DIR] [--out DIR [--sample N] [--seed S]]";

// Standard normal numbers that are the same on every platform for a seed: std::mt19937_64 is
// fully specified, std::normal_distribution is not, so the Box-Muller step is done here.
class NormalSampler {
 public:
  explicit NormalSampler(uint64_t seed) : engine_(seed) {}
  double Next() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    // Uniform in (0, 1]: 53 random bits, shifted away from zero for the logarithm.
    const double u1 = (static_cast<double>(engine_() >> 11) + 1.0) * 0x1.0p-53;
    const double u2 = static_cast<double>(engine_() >> 11) * 0x1.0p-53;
    const double radius = std::sqrt(-2.0 * std::log(u1));
    const double angle = 2.0 * M_PI * u2;
    spare_ = radius * std::sin(angle);
    has_spare_ = true;
    return radius * std::cos(angle);
  }

 private:
  std::mt19937_64 engine_;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

void PrintSummary(const model::MorphableModel& model) {
  const model::LandmarkMapping& landmarks = model.landmarks;
  std::cout << "model: " << model.name << " (" << model.source << ")\n"
            << "vertices: " << model.num_vertices() << "\n"
            << "triangles: " << model.num_triangles() << "\n"
            << "texture coordinates: " << (model.texcoords.empty() ? "no" : "yes") << "\n"
            << "shape components: " << model.shape.num_components() << " (PCA, standard deviation "
            << model.shape.stddev.maxCoeff() << " to " << model.shape.stddev.minCoeff() << " mm)\n";
  std::cout << "expression components: " << model.expression.num_components();
  if (model.expression.empty()) {
    std::cout << "\n";
  } else if (model.expression.is_pca) {
    std::cout << " (PCA)\n";
  } else {
    std::cout << " (blendshapes:";
    for (const std::string& name : model.expression.names) std::cout << " " << name;
    std::cout << ")\n";
  }
  std::cout << "albedo components: "
            << (model.albedo ? std::to_string(model.albedo->basis.num_components()) : "none")
            << "\n";
  int contour = 0;
  std::string unmapped;
  for (int i = 0; i < model::kNumIbugLandmarks; ++i) {
    contour += landmarks.IsContour(i);
    if (landmarks.IsUnmapped(i)) unmapped += " " + std::to_string(i + 1);
  }
  std::cout << "landmarks mapped: " << landmarks.NumFixed() << " fixed, " << contour
            << " contour; unmapped iBUG:" << (unmapped.empty() ? " none" : unmapped) << "\n"
            << "contour vertices: right " << landmarks.right_contour_vertices.size() << ", left "
            << landmarks.left_contour_vertices.size() << "\n";
  int mirrored = 0;
  for (int mirror : model.symmetry) mirrored += mirror >= 0;
  std::cout << "symmetry: " << mirrored << " of " << model.num_vertices()
            << " vertices have a mirror vertex\n";
}

void WriteFace(const model::MorphableModel& model, const Eigen::VectorXd& shape,
               const std::string& path) {
  const Eigen::Matrix3Xd vertices = model.InstanceVertices(shape, Eigen::VectorXd());
  const Eigen::Matrix3Xd normals = model::VertexNormals(vertices, model.triangles);
  model::WriteObj(path, model::MeshView{&vertices, &model.triangles, &normals, nullptr});
  std::cout << "wrote " << path << "\n";
}

int Run() {
  // sample_NNNN.obj; 10,000 meshes are 4 GB (a typo of a few digits filled a disk).
  if (FLAGS_sample < 0 || FLAGS_sample > 10000) ExitBadFlags("--sample must be in 0..10000");
  if (FLAGS_sample > 0 && FLAGS_out.empty()) ExitBadFlags("--sample needs --out DIR");
  const std::string directory = model::FindModelDirectory(FLAGS_model_dir);
  const model::MorphableModel model = model::LoadModelDirectory(directory);
  PrintSummary(model);
  if (FLAGS_out.empty()) return kExitOk;

  std::error_code error;
  std::filesystem::create_directories(FLAGS_out, error);
  if (error) throw FileError(FLAGS_out, "cannot create the output folder: " + error.message());
  WriteFace(model, Eigen::VectorXd(), FLAGS_out + "/mean.obj");
  NormalSampler sampler(FLAGS_seed);
  for (int i = 0; i < FLAGS_sample; ++i) {
    Eigen::VectorXd shape(model.shape.num_components());
    for (Eigen::Index k = 0; k < shape.size(); ++k) shape(k) = sampler.Next();
    char name[32];
    std::snprintf(name, sizeof(name), "/sample_%04d.obj", i);
    WriteFace(model, shape, FLAGS_out + name);
  }
  return kExitOk;
}

}  // namespace
}  // namespace morphfit::apps

int main(int argc, char** argv) {
  morphfit::apps::ParseFlags(&argc, &argv, morphfit::apps::kUsage);
  return morphfit::apps::RunApp(morphfit::apps::Run);
}
