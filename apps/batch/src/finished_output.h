#pragma once

#include <filesystem>
#include <string>

namespace morphfit::batch {

// Whether the output folder of an image that results.csv lists as done is intact: fit.json parses
// as a JSON object and no file in the folder is empty. Outputs are renamed into place complete, so
// a killed process never leaves them partial; a crash of the machine can, since they are not
// fsync'ed (several fsyncs per image; on a cluster's network file system one can take as long as
// a fit): a file system that allocates blocks late (ext4, XFS) may keep the new name with no data.
// A resumed batch redoes such images instead of trusting them. On false, `why` says what is
// wrong, naming the file.
bool FinishedOutputIsIntact(const std::filesystem::path& folder, std::string* why);

}  // namespace morphfit::batch
