// Basel Face Model 2017 (HDF5, as published by the University of Basel):
//   shape/model/{mean [3N], pcaBasis [3N x K] (orthonormal columns), pcaVariance [K]}
//   shape/representer/cells [3 x T] (triangle vertex indices)
//   expression/model/..., color/model/... (optional, same layout; colour mean in [0, 1])
#include <hdf5.h>

#include <memory>
#include <string>
#include <vector>

#include "morphfit/model/error.h"
#include "morphfit/model/model_io.h"

namespace morphfit::model {

namespace {

// Closes an HDF5 handle when it goes out of scope.
class Handle {
 public:
  Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  ~Handle() {
    if (id_ >= 0) close_(id_);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  hid_t get() const { return id_; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

// Silences HDF5's own error printing while a loader runs and restores the caller's setting after,
// so that loading leaves no process-wide change behind. The exceptions say what went wrong.
class QuietHdf5Errors {
 public:
  QuietHdf5Errors() {
    H5Eget_auto2(H5E_DEFAULT, &function_, &data_);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  ~QuietHdf5Errors() { H5Eset_auto2(H5E_DEFAULT, function_, data_); }
  QuietHdf5Errors(const QuietHdf5Errors&) = delete;
  QuietHdf5Errors& operator=(const QuietHdf5Errors&) = delete;

 private:
  H5E_auto2_t function_ = nullptr;
  void* data_ = nullptr;
};

// A dataset read as doubles with its dimensions (row-major, as HDF5 stores it).
struct Dataset {
  std::vector<hsize_t> dims;
  std::vector<double> values;
};

bool Exists(hid_t file, const std::string& name) {
  // H5Lexists needs every intermediate group to exist, so walk the path.
  size_t position = 0;
  while (true) {
    position = name.find('/', position + 1);
    const std::string prefix = name.substr(0, position);
    if (H5Lexists(file, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    if (position == std::string::npos) return true;
  }
}

Dataset ReadDataset(const std::string& path, hid_t file, const std::string& name) {
  if (!Exists(file, name)) throw FileError(path, "no dataset '" + name + "' (Basel 2017 layout)");
  Handle dataset(H5Dopen2(file, name.c_str(), H5P_DEFAULT), H5Dclose);
  if (dataset.get() < 0) throw FileError(path, "cannot open dataset '" + name + "'");
  Handle space(H5Dget_space(dataset.get()), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 1 || rank > 2) {
    throw FileError(
        path, "dataset '" + name + "' has rank " + std::to_string(rank) + ", expected 1 or 2");
  }
  Dataset result;
  result.dims.resize(rank);
  H5Sget_simple_extent_dims(space.get(), result.dims.data(), nullptr);
  hsize_t count = 1;
  for (hsize_t d : result.dims) count *= d;
  result.values.resize(count);
  if (count > 0 && H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                           result.values.data()) < 0) {
    throw FileError(path, "cannot read dataset '" + name + "' as numbers");
  }
  return result;
}

struct PcaGroup {
  Eigen::VectorXd mean;
  LinearBasis basis;
};

PcaGroup ReadPcaGroup(const std::string& path, hid_t file, const std::string& group) {
  const Dataset mean = ReadDataset(path, file, group + "/model/mean");
  const Dataset basis = ReadDataset(path, file, group + "/model/pcaBasis");
  const Dataset variance = ReadDataset(path, file, group + "/model/pcaVariance");
  const hsize_t rows = mean.values.size();
  if (rows == 0 || rows % 3 != 0) {
    throw FileError(path, group + "/model/mean has " + std::to_string(rows) +
                              " entries, expected 3 per vertex");
  }
  const hsize_t components = variance.values.size();
  if (basis.dims.size() != 2 || basis.dims[0] != rows || basis.dims[1] != components) {
    throw FileError(path, group + "/model/pcaBasis must be " + std::to_string(rows) + " x " +
                              std::to_string(components) + " (mean rows x variances)");
  }
  PcaGroup pca;
  pca.mean = Eigen::Map<const Eigen::VectorXd>(mean.values.data(), static_cast<Eigen::Index>(rows));
  Eigen::VectorXd variances = Eigen::Map<const Eigen::VectorXd>(
      variance.values.data(), static_cast<Eigen::Index>(components));
  if ((variances.array() < 0).any()) throw FileError(path, group + " has negative variances");
  pca.basis.is_pca = true;
  pca.basis.stddev = variances.cwiseSqrt();
  pca.basis.scaled_basis = Eigen::Map<const RowMatrixXd>(basis.values.data(), rows, components) *
                           pca.basis.stddev.asDiagonal();
  if (!pca.mean.allFinite() || !pca.basis.scaled_basis.allFinite()) {
    throw FileError(path, group + " holds NaN or infinite values");
  }
  return pca;
}

}  // namespace

MorphableModel LoadBfm2017(const std::string& path) {
  const QuietHdf5Errors quiet;
  if (H5Fis_hdf5(path.c_str()) <= 0) throw FileError(path, "cannot open as an HDF5 file");
  Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (file.get() < 0) throw FileError(path, "cannot open as an HDF5 file");

  MorphableModel model;
  model.source = path;
  model.name = "bfm2017";
  PcaGroup shape = ReadPcaGroup(path, file.get(), "shape");
  model.mean = std::move(shape.mean);
  model.shape = std::move(shape.basis);
  if (Exists(file.get(), "expression/model/mean")) {
    PcaGroup expression = ReadPcaGroup(path, file.get(), "expression");
    // BFM 2017 expression means are (near) zero offsets; fold any non-zero mean into the mean
    // shape so that zero coefficients give the mean face with its mean expression.
    if (expression.mean.size() != model.mean.size()) {
      throw FileError(path, "expression model has " + std::to_string(expression.mean.size()) +
                                " rows, the shape model " + std::to_string(model.mean.size()));
    }
    model.mean += expression.mean;
    model.expression = std::move(expression.basis);
  }
  if (Exists(file.get(), "color/model/mean")) {
    PcaGroup color = ReadPcaGroup(path, file.get(), "color");
    model.albedo = AlbedoModel{std::move(color.mean), std::move(color.basis)};
  }
  const Dataset cells = ReadDataset(path, file.get(), "shape/representer/cells");
  if (cells.dims.size() != 2 || cells.dims[0] != 3) {
    throw FileError(path, "shape/representer/cells must be 3 x T");
  }
  const hsize_t count = cells.dims[1];
  model.triangles.resize(count);
  for (hsize_t t = 0; t < count; ++t) {
    for (int c = 0; c < 3; ++c) {
      model.triangles[t][c] = static_cast<int>(cells.values[c * count + t]);
    }
  }
  model.Validate();
  return model;
}

}  // namespace morphfit::model
