// Loads the model through the installed headers and libraries and checks an instance.
#include <iostream>

#include "morphfit/model/atomic_file.h"
#include "morphfit/model/error.h"
#include "morphfit/model/landmark_mapping.h"
#include "morphfit/model/landmarks.h"
#include "morphfit/model/linear_basis.h"
#include "morphfit/model/mesh_io.h"
#include "morphfit/model/model_io.h"
#include "morphfit/model/morphable_model.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: morphfit_consumer MODEL_DIR OUT.obj\n";
    return 2;
  }
  try {
    using namespace morphfit::model;
    const MorphableModel model = LoadModelDirectory(FindModelDirectory(argv[1]));
    Eigen::VectorXd shape = Eigen::VectorXd::Zero(model.shape.num_components());
    shape(0) = 1.0;
    const Eigen::Matrix3Xd vertices = model.InstanceVertices(shape, Eigen::VectorXd());
    WriteObj(argv[2], MeshView{&vertices, &model.triangles, nullptr, nullptr});
    std::cout << "vertices " << model.num_vertices() << " triangles " << model.num_triangles()
              << " fixed landmarks " << model.landmarks.NumFixed() << "\n";
  } catch (const morphfit::Error& error) {
    std::cerr << error.what() << "\n";
    return 1;
  }
  return 0;
}
