#include "detect_flags.h"

#include <gflags/gflags.h>

#include "morphfit/model/error.h"

DEFINE_string(landmark_model, morphfit::detect::kDefaultLandmarkModel,
              "dlib 68-point shape predictor used to detect landmarks");
DEFINE_int32(max_detect_side, morphfit::detect::DetectorOptions().max_detect_side,
             "Detect faces on a copy down-scaled to this longer side (0: full size); landmarks "
             "are always predicted at full resolution");
DEFINE_int32(upsample_times, morphfit::detect::DetectorOptions().upsample_times,
             "Double the detection image this often to find faces smaller than 80 pixels");
DEFINE_int32(face_index, -1,
             "Use the detected face with this index (0 = largest), not the largest");
DEFINE_bool(all_faces, false, "Use every detected face, numbered from 0 (largest first)");

namespace morphfit::apps {

detect::DetectorOptions DetectorOptionsFromFlags() {
  detect::DetectorOptions options;
  options.landmark_model = FLAGS_landmark_model;
  options.max_detect_side = FLAGS_max_detect_side;
  options.upsample_times = FLAGS_upsample_times;
  options.Check();
  return options;
}

detect::FaceSelection FaceSelectionFromFlags() {
  if (FLAGS_face_index < -1) throw Error("--face_index must be 0 or more");
  if (FLAGS_all_faces && FLAGS_face_index >= 0) {
    throw Error("--face_index and --all_faces exclude each other");
  }
  if (FLAGS_all_faces) return detect::FaceSelection::All();
  if (FLAGS_face_index >= 0) return detect::FaceSelection::Index(FLAGS_face_index);
  return detect::FaceSelection::Largest();
}

bool FaceSelectionFlagsGiven() { return FLAGS_all_faces || FLAGS_face_index >= 0; }

}  // namespace morphfit::apps
