#pragma once

#include <array>
#include <string>
#include <vector>

namespace morphfit::model {

inline constexpr int kNumIbugLandmarks = 68;

// How the 68 iBUG landmarks (0-based here) relate to model vertices.
//
// A landmark is either fixed (one vertex), a contour landmark (its vertex is chosen anew during
// fitting among the contour candidate vertices of its side), or unmapped (the model has no vertex
// for it; for the SFM, inner mouth corners 61 and 65, i.e. indices 60 and 64).
struct LandmarkMapping {
  static constexpr int kUnmapped = -1;

  // Vertex of each fixed landmark, kUnmapped for contour and unmapped landmarks.
  std::array<int, kNumIbugLandmarks> vertex;
  // 0-based landmark indices on the subject's right / left jaw contour (iBUG 1-8 and 10-17).
  std::vector<int> right_contour_landmarks;
  std::vector<int> left_contour_landmarks;
  // Candidate model vertices for the right / left contour, ordered from the top of the jaw line
  // down to the chin.
  std::vector<int> right_contour_vertices;
  std::vector<int> left_contour_vertices;

  LandmarkMapping() { vertex.fill(kUnmapped); }

  bool IsFixed(int landmark) const { return vertex[landmark] != kUnmapped; }
  bool IsContour(int landmark) const;
  // Neither fixed nor contour.
  bool IsUnmapped(int landmark) const { return !IsFixed(landmark) && !IsContour(landmark); }
  int NumFixed() const;
};

// Reads an eos-style landmark mapping (TOML: [landmark_mappings] "ibug" = vertex, and
// [contour_landmarks] right/left = [ibug, ...]); numbers are 1-based iBUG indices.
// Throws morphfit::Error naming the file on any problem.
void ReadIbugMapping(const std::string& path, LandmarkMapping& mapping);

// Reads eos's model contour file (JSON: model_contour.right_contour / left_contour vertex lists).
void ReadModelContours(const std::string& path, LandmarkMapping& mapping);

}  // namespace morphfit::model
