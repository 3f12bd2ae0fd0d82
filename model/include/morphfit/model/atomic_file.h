#pragma once

#include <functional>
#include <ostream>
#include <string>

namespace morphfit {

// Writes a file so that it either appears complete under its final name or not at all: the
// content goes to "<path>.tmp.<pid>.<n>" in the same folder, is flushed, then renamed over `path`.
// `write` fills the stream; any exception (or a stream failure) removes the temporary file and
// is rethrown as morphfit::Error naming `path`.
void WriteFileAtomically(const std::string& path, const std::function<void(std::ostream&)>& write);

// The same for content already in memory.
void WriteFileAtomically(const std::string& path, const std::string& bytes);

}  // namespace morphfit
