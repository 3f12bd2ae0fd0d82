// Renders the benchmark scene a given number of times, for instruction counts that do not depend
// on the machine's load (the scene setup is outside the counted function):
//
//   valgrind --tool=callgrind --toggle-collect='*RenderFrames*' build/bench/render_frames 1024 10
//
// prints the total of the frames; divide by the count.

#include <cstdlib>
#include <iostream>

#include "mean_face_scene.h"

namespace morphfit::render::bench {

// Not inlined, so that callgrind can count exactly this.
__attribute__((noinline)) void RenderFrames(const Scene& scene, int count, Rasterizer& rasterizer,
                                            Frame& frame) {
  for (int i = 0; i < count; ++i) {
    rasterizer.Render({&scene.vertices, &Model().triangles, &scene.normals}, scene.camera, frame);
  }
}

}  // namespace morphfit::render::bench

int main(int argc, char** argv) {
  using namespace morphfit::render;
  if (argc != 3) {
    std::cerr << "usage: render_frames SIZE COUNT\n";
    return 2;
  }
  const int size = std::atoi(argv[1]);
  const int count = std::atoi(argv[2]);
  if (size <= 0 || count <= 0) {
    std::cerr << "render_frames: SIZE and COUNT must be positive\n";
    return 2;
  }
  const bench::Scene scene = bench::MakeScene(size);
  Rasterizer rasterizer;
  Frame frame;
  bench::RenderFrames(scene, count, rasterizer, frame);
  std::cout << size << " x " << size << ": " << count << " frames, coverage "
            << static_cast<double>(frame.CountCovered()) / frame.num_pixels() << "\n";
  return 0;
}
