#include "morphfit/render/frame.h"

#include <algorithm>

namespace morphfit::render {

int Frame::CountCovered() const {
  return static_cast<int>(
      std::count_if(triangle.begin(), triangle.end(), [](int32_t t) { return t >= 0; }));
}

void Frame::Reset(int new_width, int new_height, bool with_normals) {
  width = new_width;
  height = new_height;
  const size_t n = static_cast<size_t>(width) * static_cast<size_t>(height);
  depth.assign(n, 0.0F);
  triangle.assign(n, kNoTriangle);
  for (auto& plane : barycentric) plane.resize(n);
  for (auto& plane : normal) {
    if (with_normals) {
      plane.resize(n);
    } else {
      plane.clear();
    }
  }
}

}  // namespace morphfit::render
