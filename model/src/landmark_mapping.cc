#include "morphfit/model/landmark_mapping.h"

#include <algorithm>
#include <fstream>

#include <nlohmann/json.hpp>
#include <toml.hpp>

#include "morphfit/model/error.h"

namespace morphfit::model {

bool LandmarkMapping::IsContour(int landmark) const {
  auto contains = [landmark](const std::vector<int>& list) {
    return std::find(list.begin(), list.end(), landmark) != list.end();
  };
  return contains(right_contour_landmarks) || contains(left_contour_landmarks);
}

int LandmarkMapping::NumFixed() const {
  return static_cast<int>(
      std::count_if(vertex.begin(), vertex.end(), [](int v) { return v != kUnmapped; }));
}

namespace {

int ParseIbugIndex(const std::string& path, const std::string& text) {
  size_t used = 0;
  int index = 0;
  try {
    index = std::stoi(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || index < 1 || index > kNumIbugLandmarks) {
    throw FileError(path, "'" + text + "' is not an iBUG landmark number (1-68)");
  }
  return index - 1;
}

std::vector<int> ReadContourLandmarks(const std::string& path, const toml::value& table,
                                      const char* side) {
  std::vector<int> landmarks;
  if (!table.contains(side)) return landmarks;
  for (const toml::value& entry : toml::find<toml::array>(table, side)) {
    const std::string text =
        entry.is_integer() ? std::to_string(entry.as_integer()) : toml::get<std::string>(entry);
    landmarks.push_back(ParseIbugIndex(path, text));
  }
  return landmarks;
}

}  // namespace

void ReadIbugMapping(const std::string& path, LandmarkMapping& mapping) {
  std::ifstream stream(path, std::ios::binary);
  if (!stream) throw FileError(path, "cannot open the landmark mapping file");
  toml::value data;
  try {
    data = toml::parse(stream, path);
  } catch (const std::exception& e) {
    throw FileError(path, std::string("malformed TOML landmark mapping: ") + e.what());
  }
  try {
    if (!data.contains("landmark_mappings")) {
      throw FileError(path, "no [landmark_mappings] table");
    }
    mapping.vertex.fill(LandmarkMapping::kUnmapped);
    for (const auto& [key, value] : toml::find<toml::table>(data, "landmark_mappings")) {
      const int landmark = ParseIbugIndex(path, key);
      if (!value.is_integer() || value.as_integer() < 0) {
        throw FileError(path, "landmark " + key + " must map to a non-negative vertex index");
      }
      mapping.vertex[landmark] = static_cast<int>(value.as_integer());
    }
    mapping.right_contour_landmarks.clear();
    mapping.left_contour_landmarks.clear();
    if (data.contains("contour_landmarks")) {
      const toml::value& contours = toml::find(data, "contour_landmarks");
      mapping.right_contour_landmarks = ReadContourLandmarks(path, contours, "right");
      mapping.left_contour_landmarks = ReadContourLandmarks(path, contours, "left");
    }
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw FileError(path, std::string("unexpected landmark mapping content: ") + e.what());
  }
}

void ReadModelContours(const std::string& path, LandmarkMapping& mapping) {
  std::ifstream stream(path, std::ios::binary);
  if (!stream) throw FileError(path, "cannot open the model contour file");
  try {
    const nlohmann::json json = nlohmann::json::parse(stream);
    const nlohmann::json& contour = json.at("model_contour");
    mapping.right_contour_vertices = contour.at("right_contour").get<std::vector<int>>();
    mapping.left_contour_vertices = contour.at("left_contour").get<std::vector<int>>();
  } catch (const std::exception& e) {
    throw FileError(path, std::string("expected {\"model_contour\": {\"right_contour\": [...], "
                                      "\"left_contour\": [...]}}: ") +
                              e.what());
  }
}

}  // namespace morphfit::model
