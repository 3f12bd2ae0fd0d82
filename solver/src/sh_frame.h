#pragma once

// TEMPORARY until render's SH basis lands on main: the renderer owns the SH basis and its frame;
// this file will only adapt a camera-space normal to it.

namespace morphfit::solver::internal {

// Real SH basis up to band 2 of a unit normal given in the OpenCV camera frame (x right, y down,
// z forward); the lighting frame is the viewer frame (x right, y up, z towards the camera).
template <typename T>
void ShBasisCameraFrame(const T n_cam[3], T y[9]) {
  const T x = n_cam[0];
  const T yy = -n_cam[1];
  const T z = -n_cam[2];
  y[0] = T(0.282095);
  y[1] = T(0.488603) * yy;
  y[2] = T(0.488603) * z;
  y[3] = T(0.488603) * x;
  y[4] = T(1.092548) * x * yy;
  y[5] = T(1.092548) * yy * z;
  y[6] = T(0.315392) * (T(3.0) * z * z - T(1.0));
  y[7] = T(1.092548) * x * z;
  y[8] = T(0.546274) * (x * x - yy * yy);
}

}  // namespace morphfit::solver::internal
