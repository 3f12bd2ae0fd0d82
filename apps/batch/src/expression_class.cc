#include "morphfit/batch/expression_class.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <sstream>

#include "morphfit/model/error.h"

namespace morphfit::batch {

namespace {
std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}
}  // namespace

std::optional<std::string> AffectNetClass(int code) {
  static const char* const names[] = {"Neutral",  "Happy",         "Sadness",   "Surprise",
                                      "Fear",     "Disgust",       "Anger",     "Contempt",
                                      kNoneClass, kUncertainClass, kNoFaceClass};
  if (code < 0 || code > 10) return std::nullopt;
  return std::string(names[code]);
}

std::optional<std::string> RafdClass(const std::string& word) {
  static const std::map<std::string, std::string> words = {
      {"angry", "Anger"},  {"contemptuous", "Contempt"}, {"disgusted", "Disgust"},
      {"fearful", "Fear"}, {"happy", "Happy"},           {"neutral", "Neutral"},
      {"sad", "Sadness"},  {"surprised", "Surprise"}};
  const auto found = words.find(word);
  if (found == words.end()) return std::nullopt;
  return found->second;
}

std::optional<std::string> CanonicalClass(const std::string& name) {
  const std::string key = Lower(name);
  for (const std::string& basic : BasicExpressionClasses()) {
    if (key == Lower(basic)) return basic;
  }
  if (auto rafd = RafdClass(key)) return rafd;
  static const std::map<std::string, std::string> other = {{"sad", "Sadness"},
                                                           {"sadness", "Sadness"},
                                                           {"surprise", "Surprise"},
                                                           {"happiness", "Happy"},
                                                           {"anger", "Anger"},
                                                           {"fear", "Fear"},
                                                           {"disgust", "Disgust"},
                                                           {"contempt", "Contempt"},
                                                           {"none", kNoneClass},
                                                           {"uncertain", kUncertainClass},
                                                           {"noface", kNoFaceClass},
                                                           {"no-face", kNoFaceClass},
                                                           {"unlabelled", kUnlabelledClass},
                                                           {"unlabeled", kUnlabelledClass}};
  const auto found = other.find(key);
  if (found == other.end()) return std::nullopt;
  return found->second;
}

bool ClassFilter::Accepts(const std::string& expression_class) const {
  if (classes.empty()) {
    return expression_class != kNoneClass && expression_class != kUncertainClass &&
           expression_class != kNoFaceClass;
  }
  return classes.count(expression_class) > 0;
}

ClassFilter ClassFilter::Parse(const std::string& comma_separated) {
  ClassFilter filter;
  std::istringstream stream(comma_separated);
  std::string word;
  while (std::getline(stream, word, ',')) {
    word.erase(0, word.find_first_not_of(" \t"));
    word.erase(word.find_last_not_of(" \t") + 1);
    if (word.empty()) continue;
    const auto canonical = CanonicalClass(word);
    if (!canonical) {
      throw Error("--classes: unknown expression class '" + word +
                  "' (known: Anger, Contempt, Disgust, Fear, Happy, Neutral, Sadness, Surprise, "
                  "None, Uncertain, NoFace, Unlabelled)");
    }
    filter.classes.insert(*canonical);
  }
  return filter;
}

}  // namespace morphfit::batch
