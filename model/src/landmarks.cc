#include "morphfit/model/landmarks.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>

#include <nlohmann/json.hpp>

#include "morphfit/model/atomic_file.h"
#include "morphfit/model/error.h"

namespace morphfit {

namespace {
constexpr int kPoints = 68;

std::string Trim(const std::string& text) {
  const size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  const size_t end = text.find_last_not_of(" \t\r\n");
  return text.substr(begin, end - begin + 1);
}

double ParseNumber(const std::string& text, const std::string& what) {
  size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || !Trim(text.substr(used)).empty()) {
    throw Error(what + ": '" + text + "' is not a number");
  }
  return value;
}
// Opens a landmark file; a folder opens as an empty stream on Linux, so it is named as such.
std::ifstream OpenLandmarkFile(const std::string& path) {
  if (std::filesystem::is_directory(path))
    throw FileError(path, "is a folder, not a landmark file");
  std::ifstream stream(path);
  if (!stream) throw FileError(path, "cannot open the landmark file");
  return stream;
}
}  // namespace

Landmarks ReadPts(const std::string& path) {
  std::ifstream stream = OpenLandmarkFile(path);
  std::string line;
  int line_number = 0;
  int declared = -1;
  bool in_points = false;
  bool closed = false;
  std::vector<Eigen::Vector2d> points;
  while (std::getline(stream, line)) {
    ++line_number;
    const std::string text = Trim(line);
    if (text.empty()) continue;
    const std::string where = path + ": line " + std::to_string(line_number);
    if (!in_points) {
      if (text.rfind("version", 0) == 0) continue;
      if (text.rfind("n_points", 0) == 0) {
        const size_t colon = text.find(':');
        if (colon == std::string::npos) throw Error(where + ": expected 'n_points: 68'");
        declared = static_cast<int>(ParseNumber(Trim(text.substr(colon + 1)), where));
        continue;
      }
      if (text == "{") {
        in_points = true;
        continue;
      }
      throw Error(where + ": unexpected '" + text + "' before the '{' that opens the points");
    }
    if (text == "}") {
      closed = true;
      break;
    }
    std::istringstream fields(text);
    std::string x_text, y_text, extra;
    if (!(fields >> x_text >> y_text) || (fields >> extra)) {
      throw Error(where + ": expected two numbers 'x y', got '" + text + "'");
    }
    // 300-W: the top-left pixel centre is (1, 1); the project uses (0, 0).
    points.emplace_back(ParseNumber(x_text, where) - 1.0, ParseNumber(y_text, where) - 1.0);
  }
  if (!in_points) throw FileError(path, "no '{' opening the point list: not an iBUG .pts file");
  if (!closed) throw FileError(path, "the point list is not closed by '}' (truncated file?)");
  if (declared != -1 && declared != static_cast<int>(points.size())) {
    throw FileError(path, "n_points says " + std::to_string(declared) + " but " +
                              std::to_string(points.size()) + " points follow");
  }
  if (points.size() != kPoints) {
    throw FileError(path, "has " + std::to_string(points.size()) +
                              " points; morphfit needs the 68-point iBUG mark-up");
  }
  Landmarks landmarks;
  for (int i = 0; i < kPoints; ++i) landmarks.row(i) = points[i].transpose();
  return landmarks;
}

void WritePts(const std::string& path, const Landmarks& landmarks) {
  WriteFileAtomically(path, [&landmarks](std::ostream& out) {
    out << "version: 1\nn_points: 68\n{\n" << std::setprecision(9);
    for (int i = 0; i < kPoints; ++i) {
      out << landmarks(i, 0) + 1.0 << ' ' << landmarks(i, 1) + 1.0 << '\n';
    }
    out << "}\n";
  });
}

Landmarks ParseLandmarkList(const std::string& field, const std::string& what) {
  std::vector<double> values;
  std::stringstream stream(field);
  std::string item;
  while (std::getline(stream, item, ';')) {
    if (Trim(item).empty()) continue;
    values.push_back(ParseNumber(Trim(item), what));
  }
  if (values.size() != 2 * kPoints) {
    throw Error(what + ": landmark field has " + std::to_string(values.size()) +
                " numbers, expected 136 (68 points as x;y)");
  }
  Landmarks landmarks;
  for (int i = 0; i < kPoints; ++i) landmarks.row(i) << values[2 * i], values[2 * i + 1];
  return landmarks;
}

Landmarks ReadLandmarksJson(const std::string& path) {
  std::ifstream stream = OpenLandmarkFile(path);
  Landmarks landmarks;
  try {
    const nlohmann::json json = nlohmann::json::parse(stream);
    const nlohmann::json& list = json.is_object() ? json.at("landmarks") : json;
    if (!list.is_array() || list.size() != kPoints) {
      throw FileError(path, "expected 68 landmarks, found " +
                                std::to_string(list.is_array() ? list.size() : 0));
    }
    for (int i = 0; i < kPoints; ++i) {
      const auto& point = list[i];
      if (!point.is_array() || point.size() != 2) {
        throw FileError(path, "landmark " + std::to_string(i + 1) + " is not an [x, y] pair");
      }
      landmarks.row(i) << point[0].get<double>(), point[1].get<double>();
    }
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw FileError(path, std::string("malformed landmark JSON: ") + e.what());
  }
  return landmarks;
}

void ValidateLandmarks(const Landmarks& landmarks, int width, int height, const std::string& what) {
  for (int i = 0; i < kPoints; ++i) {
    const double x = landmarks(i, 0);
    const double y = landmarks(i, 1);
    const std::string point = "landmark " + std::to_string(i + 1);
    if (!std::isfinite(x) || !std::isfinite(y)) throw Error(what + ": " + point + " is not finite");
    if (x < -0.5 || y < -0.5 || x > width - 0.5 || y > height - 0.5) {
      std::ostringstream message;
      message << what << ": " << point << " (" << x << ", " << y << ") lies outside the " << width
              << " x " << height << " image";
      throw Error(message.str());
    }
  }
  // A closed mouth puts the inner lip points (and often the mouth corners) of the upper and lower
  // lip on the same pixel, as in 300-W's own annotations: coincident mouth points are allowed.
  constexpr int kFirstMouthPoint = 48;  // iBUG 49
  for (int i = 0; i < kPoints; ++i) {
    for (int j = i + 1; j < kPoints; ++j) {
      if (i >= kFirstMouthPoint && j >= kFirstMouthPoint) continue;
      if (landmarks.row(i) == landmarks.row(j)) {
        throw Error(what + ": landmarks " + std::to_string(i + 1) + " and " +
                    std::to_string(j + 1) + " are the same point");
      }
    }
  }
}

double OuterEyeCornerDistance(const Landmarks& landmarks) {
  return (landmarks.row(36) - landmarks.row(45)).norm();
}

}  // namespace morphfit
