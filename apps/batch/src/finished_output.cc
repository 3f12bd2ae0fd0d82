#include "finished_output.h"

#include <fstream>
#include <system_error>

#include <nlohmann/json.hpp>

namespace morphfit::batch {

namespace fs = std::filesystem;

bool FinishedOutputIsIntact(const fs::path& folder, std::string* why) {
  const fs::path fit_json = folder / "fit.json";
  std::error_code error;
  if (!fs::is_regular_file(fit_json, error)) {
    *why = fit_json.string() + ": missing";
    return false;
  }
  fs::directory_iterator entry(folder, error);
  for (; !error && entry != fs::directory_iterator(); entry.increment(error)) {
    std::error_code file_error;
    if (entry->is_regular_file(file_error) && entry->file_size(file_error) == 0 && !file_error) {
      *why = entry->path().string() + ": empty";
      return false;
    }
  }
  if (error) {
    *why = folder.string() + ": " + error.message();
    return false;
  }
  std::ifstream stream(fit_json);
  const nlohmann::json parsed = nlohmann::json::parse(stream, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) {
    *why = fit_json.string() + ": not a JSON object (cut short?)";
    return false;
  }
  return true;
}

}  // namespace morphfit::batch
