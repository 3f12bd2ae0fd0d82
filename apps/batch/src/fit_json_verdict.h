#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace morphfit::batch {

// "verdict" and "reasons" of a parsed fit.json, the reasons as their short names (results.csv's
// reasons column), each name once, in order: the summary counts fits per reason. Throws
// morphfit::Error naming `path` when the object lacks them.
void VerdictFromFitJson(const nlohmann::ordered_json& fit_json, const std::string& path,
                        std::string& verdict, std::vector<std::string>& reasons);

}  // namespace morphfit::batch
