#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace morphfit::batch {

// Expression classes are named as in the reference datasets' tables. The eight basic ones come
// first, in table order; AffectNet's codes 8-10 and images without a label have their own names.
inline const std::vector<std::string>& BasicExpressionClasses() {
  static const std::vector<std::string> classes = {"Anger", "Contempt", "Disgust", "Fear",
                                                   "Happy", "Neutral",  "Sadness", "Surprise"};
  return classes;
}
inline constexpr const char* kNoneClass = "None";              // AffectNet 8
inline constexpr const char* kUncertainClass = "Uncertain";    // AffectNet 9
inline constexpr const char* kNoFaceClass = "NoFace";          // AffectNet 10
inline constexpr const char* kUnlabelledClass = "Unlabelled";  // folder images without a class

// AffectNet expression code 0-10 -> class name; nullopt outside that range.
std::optional<std::string> AffectNetClass(int code);
// RaFD file-name word (angry, contemptuous, ..., surprised) -> class name.
std::optional<std::string> RafdClass(const std::string& word);
// A class name written by a user or a folder name, case-insensitive, also accepting the common
// adjectives ("happy", "sad", "angry", ...); nullopt when it names no class.
std::optional<std::string> CanonicalClass(const std::string& name);

// The classes a batch keeps. Empty means the default: every class except AffectNet's None,
// Uncertain and NoFace.
struct ClassFilter {
  std::set<std::string> classes;

  bool Accepts(const std::string& expression_class) const;
  // "Anger,happy,Neutral" -> canonical names; throws morphfit::Error naming a word it does not
  // know. An empty string gives the default filter.
  static ClassFilter Parse(const std::string& comma_separated);
};

}  // namespace morphfit::batch
