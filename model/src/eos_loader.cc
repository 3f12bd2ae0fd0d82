// Readers for the eos project's cereal binary archives (MorphableModel versions 1-4 and
// Blendshapes). Layout, as cereal's portable-binary-free BinaryArchive writes it on x86:
//   Eigen / cv matrix: int32 rows, int32 cols, rows*cols float32 (column-major)
//   std::vector<T>:    uint64 size, then the elements
//   std::string:       uint64 size, then the characters
//   optional<T>:       bool "nullopt" (1 byte, 1 = empty), then T when set
//   variant<A, B>:     int32 index, then the alternative
#include <cmath>
#include <fstream>
#include <iterator>

#include "binary_reader.h"
#include "morphfit/model/model_io.h"

namespace morphfit::model {

BinaryReader BinaryReader::FromFile(const std::string& path) {
  std::ifstream stream(path, std::ios::binary);
  if (!stream) throw FileError(path, "cannot open the file");
  std::vector<char> bytes((std::istreambuf_iterator<char>(stream)),
                          std::istreambuf_iterator<char>());
  if (stream.bad()) throw FileError(path, "read error");
  return BinaryReader(path, std::move(bytes));
}

namespace {

// Sizes beyond this are certainly corrupt (a model of 10^9 floats does not exist).
constexpr uint64_t kMaxElements = uint64_t{1} << 30;

Eigen::MatrixXd ReadMatrix(BinaryReader& in, const char* what) {
  const int32_t rows = in.Read<int32_t>(what);
  const int32_t cols = in.Read<int32_t>(what);
  if (rows < 0 || cols < 0 || static_cast<uint64_t>(rows) * cols > kMaxElements) {
    throw FileError(in.path(), std::string("implausible size ") + std::to_string(rows) + " x " +
                                   std::to_string(cols) + " for " + what + " at offset " +
                                   std::to_string(in.offset() - 8));
  }
  const size_t count = static_cast<size_t>(rows) * cols;
  in.Require(count * sizeof(float), what);
  Eigen::MatrixXf values(rows, cols);
  in.ReadBytes(values.data(), count * sizeof(float), what);
  if (!values.allFinite()) {
    throw FileError(in.path(), std::string(what) + " holds NaN or infinite values");
  }
  return values.cast<double>();
}

uint64_t ReadSize(BinaryReader& in, size_t element_bytes, const char* what) {
  const uint64_t size = in.Read<uint64_t>(what);
  if (size > kMaxElements) {
    throw FileError(in.path(), std::string("implausible element count ") + std::to_string(size) +
                                   " for " + what);
  }
  in.Require(size * element_bytes, what);
  return size;
}

std::string ReadString(BinaryReader& in, const char* what) {
  const uint64_t size = ReadSize(in, 1, what);
  std::string text(size, '\0');
  in.ReadBytes(text.data(), size, what);
  return text;
}

std::vector<Eigen::Vector3i> ReadTriangles(BinaryReader& in, const char* what) {
  const uint64_t count = ReadSize(in, 3 * sizeof(int32_t), what);
  std::vector<Eigen::Vector3i> triangles(count);
  for (auto& t : triangles) {
    for (int c = 0; c < 3; ++c) t[c] = in.Read<int32_t>(what);
  }
  return triangles;
}

// cereal writes an optional as a "nullopt" bool (1 = empty) before the value.
bool ReadOptionalHasValue(BinaryReader& in, const std::string& what) {
  const std::string flag_what = what + " optional flag";
  const uint8_t nullopt = in.Read<uint8_t>(flag_what.c_str());
  if (nullopt > 1) {
    throw FileError(in.path(), "byte " + std::to_string(nullopt) + " at offset " +
                                   std::to_string(in.offset() - 1) + " is not a bool (" +
                                   flag_what + ")");
  }
  return nullopt == 0;
}

struct PcaPart {
  Eigen::VectorXd mean;
  LinearBasis basis;
  std::vector<Eigen::Vector3i> triangles;
};

PcaPart ReadPcaModel(BinaryReader& in, const std::string& part) {
  const std::string mean_what = part + " mean";
  const std::string basis_what = part + " orthonormal basis";
  const std::string eigen_what = part + " eigenvalues";
  const std::string tri_what = part + " triangle list";
  PcaPart pca;
  const Eigen::MatrixXd mean = ReadMatrix(in, mean_what.c_str());
  const Eigen::MatrixXd basis = ReadMatrix(in, basis_what.c_str());
  const Eigen::MatrixXd eigenvalues = ReadMatrix(in, eigen_what.c_str());
  pca.triangles = ReadTriangles(in, tri_what.c_str());
  if (mean.size() == 0) return pca;  // an empty model (e.g. the SFM's colour model)
  if (mean.cols() != 1 || mean.rows() % 3 != 0) {
    throw FileError(in.path(), part + " mean is " + std::to_string(mean.rows()) + " x " +
                                   std::to_string(mean.cols()) + ", expected 3N x 1");
  }
  if (basis.rows() != mean.rows()) {
    throw FileError(in.path(), part + " basis has " + std::to_string(basis.rows()) +
                                   " rows, the mean has " + std::to_string(mean.rows()));
  }
  if (eigenvalues.size() != basis.cols()) {
    throw FileError(in.path(), part + " has " + std::to_string(eigenvalues.size()) +
                                   " eigenvalues for " + std::to_string(basis.cols()) +
                                   " basis vectors");
  }
  if ((eigenvalues.array() < 0).any()) {
    throw FileError(in.path(), part + " has negative eigenvalues (variances)");
  }
  pca.mean = mean.col(0);
  pca.basis.is_pca = true;
  pca.basis.stddev = eigenvalues.reshaped().cwiseSqrt();
  pca.basis.scaled_basis = basis * pca.basis.stddev.asDiagonal();
  return pca;
}

LinearBasis ReadBlendshapes(BinaryReader& in) {
  const uint64_t count = ReadSize(in, 16, "blendshape count");
  LinearBasis basis;
  basis.is_pca = false;
  std::vector<Eigen::VectorXd> columns;
  for (uint64_t i = 0; i < count; ++i) {
    basis.names.push_back(ReadString(in, "blendshape name"));
    const Eigen::MatrixXd deformation = ReadMatrix(in, "blendshape deformation");
    if (deformation.cols() != 1 || (i > 0 && deformation.rows() != columns[0].rows())) {
      throw FileError(in.path(), "blendshape '" + basis.names.back() + "' is " +
                                     std::to_string(deformation.rows()) + " x " +
                                     std::to_string(deformation.cols()) +
                                     ", expected the same 3N x 1 as the first");
    }
    columns.push_back(deformation.col(0));
  }
  const Eigen::Index rows = columns.empty() ? 0 : columns[0].rows();
  basis.scaled_basis.resize(rows, static_cast<Eigen::Index>(columns.size()));
  for (size_t c = 0; c < columns.size(); ++c) basis.scaled_basis.col(c) = columns[c];
  basis.stddev = Eigen::VectorXd::Ones(static_cast<Eigen::Index>(columns.size()));
  return basis;
}

}  // namespace

MorphableModel LoadEosModel(const std::string& path) {
  BinaryReader in = BinaryReader::FromFile(path);
  const uint32_t version = in.Read<uint32_t>("MorphableModel class version");
  if (version < 1 || version > 4) {
    throw FileError(path, "unsupported eos MorphableModel version " + std::to_string(version) +
                              " (expected 1-4); is this an eos .bin model?");
  }
  MorphableModel model;
  model.source = path;
  {
    const size_t slash = path.find_last_of('/');
    std::string stem = path.substr(slash == std::string::npos ? 0 : slash + 1);
    model.name = stem.substr(0, stem.find_last_of('.'));
  }
  PcaPart shape = ReadPcaModel(in, "shape model");
  if (shape.mean.size() == 0) throw FileError(path, "the shape model is empty");
  model.mean = std::move(shape.mean);
  model.shape = std::move(shape.basis);
  model.triangles = std::move(shape.triangles);

  PcaPart color = ReadPcaModel(in, "colour model");
  if (color.mean.size() != 0) {
    AlbedoModel albedo;
    albedo.mean = std::move(color.mean);
    albedo.basis = std::move(color.basis);
    model.albedo = std::move(albedo);
  }
  if (version >= 2) {
    if (ReadOptionalHasValue(in, "expression model")) {
      const int32_t kind = in.Read<int32_t>("expression model variant index");
      if (kind == 0) {
        PcaPart expression = ReadPcaModel(in, "expression model");
        // eos adds the expression PCA mean to every instance; fold it into the mean so that zero
        // coefficients give the same face as in eos.
        if (expression.mean.size() != model.mean.size()) {
          throw FileError(path, "expression model has " + std::to_string(expression.mean.size()) +
                                    " rows, the shape model " + std::to_string(model.mean.size()));
        }
        model.mean += expression.mean;
        model.expression = std::move(expression.basis);
      } else if (kind == 1) {
        model.expression = ReadBlendshapes(in);
      } else {
        throw FileError(path, "unknown expression model kind " + std::to_string(kind));
      }
    }
  }
  if (version >= 3) {
    if (ReadOptionalHasValue(in, "landmark definitions")) {
      const uint64_t count = ReadSize(in, 12, "landmark definitions");
      for (uint64_t i = 0; i < count; ++i) {
        const std::string name = ReadString(in, "landmark name");
        const int32_t vertex = in.Read<int32_t>("landmark vertex");
        // Names that are iBUG numbers become fixed landmarks; others are kept out.
        try {
          size_t used = 0;
          const int index = std::stoi(name, &used);
          if (used == name.size() && index >= 1 && index <= kNumIbugLandmarks) {
            model.landmarks.vertex[index - 1] = vertex;
          }
        } catch (const std::exception&) {
        }
      }
    }
  }
  const uint64_t texcoord_count = ReadSize(in, 2 * sizeof(double), "texture coordinates");
  model.texcoords.resize(texcoord_count);
  for (auto& uv : model.texcoords) {
    uv.x() = in.Read<double>("texture coordinate");
    uv.y() = in.Read<double>("texture coordinate");
  }
  if (version >= 4) {
    // With their own triangulation, texture coordinates are per texture-triangle corner, not per
    // vertex; the model keeps per-vertex coordinates only.
    const auto texture_triangles = ReadTriangles(in, "texture triangle list");
    if (!texture_triangles.empty() &&
        static_cast<int>(model.texcoords.size()) != model.num_vertices()) {
      model.texcoords.clear();
    }
  }
  if (in.remaining() != 0) {
    throw FileError(path, std::to_string(in.remaining()) +
                              " unexpected bytes after the model (version " +
                              std::to_string(version) + ")");
  }
  model.Validate();
  return model;
}

LinearBasis LoadEosBlendshapes(const std::string& path) {
  BinaryReader in = BinaryReader::FromFile(path);
  LinearBasis basis = ReadBlendshapes(in);
  if (basis.empty()) throw FileError(path, "no blendshapes in the file");
  if (in.remaining() != 0) {
    throw FileError(path,
                    std::to_string(in.remaining()) + " unexpected bytes after the blendshapes");
  }
  return basis;
}

std::vector<int> LoadSymmetry(const std::string& path, int num_vertices) {
  std::ifstream stream(path);
  if (!stream) throw FileError(path, "cannot open the symmetry file");
  std::vector<int> symmetry(num_vertices, -1);
  std::string line;
  int line_number = 0;
  while (std::getline(stream, line)) {
    ++line_number;
    const size_t hash = line.find('#');
    if (hash != std::string::npos) line.resize(hash);
    if (line.find_first_not_of(" \t\r") == std::string::npos) {
      throw FileError(path, "line " + std::to_string(line_number) + " holds no vertex index");
    }
    size_t used = 0;
    int mirror = 0;
    try {
      mirror = std::stoi(line, &used);
    } catch (const std::exception&) {
      throw FileError(path, "line " + std::to_string(line_number) + " is not a vertex index");
    }
    if (line.find_first_not_of(" \t\r", used) != std::string::npos) {
      throw FileError(path, "line " + std::to_string(line_number) + " is not a vertex index");
    }
    if (line_number > num_vertices || mirror < 1 || mirror > num_vertices) {
      throw FileError(path, "line " + std::to_string(line_number) + " maps to vertex " +
                                std::to_string(mirror) + ", the model has " +
                                std::to_string(num_vertices) + " (1-based)");
    }
    symmetry[line_number - 1] = mirror - 1;
  }
  if (line_number == 0) throw FileError(path, "empty symmetry file");
  return symmetry;
}

}  // namespace morphfit::model
