#include "fit_json_verdict.h"

#include <algorithm>

#include "morphfit/model/error.h"

namespace morphfit::batch {

namespace {
// A reason of fit.json as its short name: a string ("max_abs_yaw: 47.1 > 45") up to its first
// ':' or blank, or an object's "name" / "rule".
std::string ReasonName(const nlohmann::ordered_json& reason) {
  if (reason.is_string()) {
    const std::string text = reason.get<std::string>();
    return text.substr(0, text.find_first_of(": "));
  }
  for (const char* key : {"name", "rule", "statistic"}) {
    if (reason.is_object() && reason.contains(key) && reason[key].is_string()) {
      return reason[key].get<std::string>();
    }
  }
  return reason.dump();
}
}  // namespace

void VerdictFromFitJson(const nlohmann::ordered_json& fit_json, const std::string& path,
                        std::string& verdict, std::vector<std::string>& reasons) {
  try {
    verdict = fit_json.at("verdict").get<std::string>();
    reasons.clear();
    for (const nlohmann::ordered_json& reason : fit_json.at("reasons")) {
      const std::string name = ReasonName(reason);
      if (std::find(reasons.begin(), reasons.end(), name) == reasons.end()) {
        reasons.push_back(name);
      }
    }
  } catch (const nlohmann::json::exception& e) {
    throw FileError(path, std::string("no verdict and reasons: ") + e.what());
  }
}

}  // namespace morphfit::batch
