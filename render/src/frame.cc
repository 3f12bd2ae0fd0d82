#include "morphfit/render/frame.h"

#include <algorithm>

namespace morphfit::render {

int Frame::CountCovered() const {
  return static_cast<int>(
      std::count_if(triangle.begin(), triangle.end(), [](int32_t t) { return t >= 0; }));
}

void Frame::Clear(const Box& box) {
  const int x0 = std::max(box.x0, 0), x1 = std::min(box.x1, width - 1);
  for (int y = std::max(box.y0, 0); x0 <= x1 && y <= std::min(box.y1, height - 1); ++y) {
    const size_t row = static_cast<size_t>(y) * width;
    std::fill(depth.begin() + row + x0, depth.begin() + row + x1 + 1, 0.0F);
    std::fill(triangle.begin() + row + x0, triangle.begin() + row + x1 + 1, kNoTriangle);
  }
}

void Frame::Reset(int new_width, int new_height, bool with_normals) {
  const size_t n = static_cast<size_t>(new_width) * static_cast<size_t>(new_height);
  if (new_width == width && new_height == height && depth.size() == n && triangle.size() == n) {
    Clear(drawn);
  } else {
    width = new_width;
    height = new_height;
    depth.assign(n, 0.0F);
    triangle.assign(n, kNoTriangle);
  }
  drawn = Box();
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
