#pragma once

#include <string>

#include <Eigen/Core>

namespace morphfit {

// 68 image landmarks, one row per iBUG point (0-based in code), in 0-based pixel-centre
// coordinates: the centre of the top-left pixel is (0, 0).
using Landmarks = Eigen::Matrix<double, 68, 2>;

// iBUG .pts (300-W convention: top-left pixel centre is (1, 1); 1 is subtracted on reading).
// Throws morphfit::Error naming the file for a wrong point count or malformed content.
Landmarks ReadPts(const std::string& path);
// Writes .pts in the same convention (adds 1), atomically.
void WritePts(const std::string& path, const Landmarks& landmarks);

// AffectNet-style landmark field "x1;y1;x2;y2;..." with 68 points in 0-based pixels.
// `what` names the source (e.g. "manifest.csv row 12") in error messages.
Landmarks ParseLandmarkList(const std::string& field, const std::string& what);

// JSON: {"landmarks": [[x, y], ...]} with 68 0-based points (or a bare array of pairs).
Landmarks ReadLandmarksJson(const std::string& path);

// Rejects NaN/inf, points outside a width x height image (beyond half a pixel of its border) and
// duplicated points (except coincident mouth points, iBUG 49-68: a closed mouth has them), with
// an error naming `what`.
void ValidateLandmarks(const Landmarks& landmarks, int width, int height, const std::string& what);

// Distance between the outer eye corners (iBUG 37 and 46), the normaliser of landmark errors.
double OuterEyeCornerDistance(const Landmarks& landmarks);

}  // namespace morphfit
