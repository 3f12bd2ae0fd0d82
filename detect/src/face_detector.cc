#include "morphfit/detect/face_detector.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <tuple>

#include <dlib/image_processing.h>
#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/opencv/cv_image.h>
#include <opencv2/imgproc.hpp>

#include "morphfit/model/error.h"

namespace morphfit::detect {

struct FaceDetector::Dlib {
  dlib::frontal_face_detector face_detector;
  std::shared_ptr<const dlib::shape_predictor> shape_predictor;
};

namespace {

std::shared_ptr<const dlib::shape_predictor> LoadShapePredictor(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) {
    throw FileError(path,
                    "landmark model not found (Debian's libdlib-data installs it; or give another "
                    "dlib 68-point shape predictor file)");
  }
  auto predictor = std::make_shared<dlib::shape_predictor>();
  try {
    dlib::deserialize(path) >> *predictor;
  } catch (const std::exception& e) {
    // dlib's messages span several lines; errors are printed as one.
    std::string reason = e.what();
    std::replace(reason.begin(), reason.end(), '\n', ' ');
    reason.erase(reason.find_last_not_of(' ') + 1);
    throw FileError(path, "not a dlib shape predictor: " + reason);
  }
  if (predictor->num_parts() != 68) {
    throw FileError(path, "the shape predictor gives " + std::to_string(predictor->num_parts()) +
                              " points; morphfit needs the 68-point iBUG mark-up");
  }
  return predictor;
}

// Size of the image the HOG detector runs on.
cv::Size DetectionSize(const cv::Size& size, const DetectorOptions& options) {
  const int longer = std::max(size.width, size.height);
  double scale = 1.0;
  if (options.max_detect_side > 0 && longer > options.max_detect_side) {
    scale = static_cast<double>(options.max_detect_side) / longer;
  }
  scale *= std::pow(2.0, options.upsample_times);
  if (scale == 1.0) return size;
  return cv::Size(std::max(1, static_cast<int>(std::lround(size.width * scale))),
                  std::max(1, static_cast<int>(std::lround(size.height * scale))));
}

template <typename Pixel>
std::vector<dlib::rect_detection> FindFaces(dlib::frontal_face_detector& detector,
                                            const cv::Mat& image, double score_threshold) {
  std::vector<dlib::rect_detection> detections;
  detector(dlib::cv_image<Pixel>(image), detections, score_threshold);
  return detections;
}

template <typename Pixel>
Landmarks PredictLandmarks(const dlib::shape_predictor& predictor, const cv::Mat& image,
                           const dlib::rectangle& box) {
  const dlib::full_object_detection shape = predictor(dlib::cv_image<Pixel>(image), box);
  Landmarks landmarks;
  for (int i = 0; i < 68; ++i) landmarks.row(i) << shape.part(i).x(), shape.part(i).y();
  return landmarks;
}

// Maps a box of the detection image (inclusive pixel bounds) to the full-resolution image. The
// continuous extent [left - 0.5, right + 0.5] scales about the pixel corner at (-0.5, -0.5), as
// cv::resize samples.
dlib::rectangle ToFullResolution(const dlib::rectangle& box, double scale_x, double scale_y) {
  return dlib::rectangle(std::lround(box.left() / scale_x), std::lround(box.top() / scale_y),
                         std::lround((box.right() + 1) / scale_x) - 1,
                         std::lround((box.bottom() + 1) / scale_y) - 1);
}

bool LargerFirst(const DetectedFace& a, const DetectedFace& b) {
  const auto key = [](const DetectedFace& face) {
    return std::make_tuple(-face.box.area(), -face.score, face.box.y, face.box.x);
  };
  return key(a) < key(b);
}

}  // namespace

FaceDetector::FaceDetector(const DetectorOptions& options) : options_(options) {
  options_.Check();
  dlib_ = std::make_unique<Dlib>(
      Dlib{dlib::get_frontal_face_detector(), LoadShapePredictor(options_.landmark_model)});
}

FaceDetector::~FaceDetector() = default;
FaceDetector::FaceDetector(const FaceDetector& other)
    : options_(other.options_), dlib_(std::make_unique<Dlib>(*other.dlib_)) {}
FaceDetector& FaceDetector::operator=(const FaceDetector& other) {
  if (this != &other) {
    options_ = other.options_;
    dlib_ = std::make_unique<Dlib>(*other.dlib_);
  }
  return *this;
}
FaceDetector FaceDetector::WithOptions(const DetectorOptions& options) const {
  options.Check();
  if (options.landmark_model != options_.landmark_model) {
    throw Error("detector options: landmark model " + options.landmark_model +
                " differs from the loaded " + options_.landmark_model);
  }
  FaceDetector copy(*this);
  copy.options_ = options;
  return copy;
}

FaceDetector::FaceDetector(FaceDetector&&) noexcept = default;
FaceDetector& FaceDetector::operator=(FaceDetector&&) noexcept = default;

std::vector<DetectedFace> FaceDetector::Detect(const cv::Mat& image, const std::string& what) {
  if (image.empty()) throw Error(what + ": the image is empty");
  if (image.depth() != CV_8U || (image.channels() != 1 && image.channels() != 3)) {
    throw Error(what + ": face detection needs an 8-bit grey or BGR image");
  }
  const bool colour = image.channels() == 3;

  const cv::Size detection_size = DetectionSize(image.size(), options_);
  cv::Mat detection_image = image;
  if (detection_size != image.size()) {
    const bool shrink = detection_size.width < image.cols;
    cv::resize(image, detection_image, detection_size, 0, 0,
               shrink ? cv::INTER_AREA : cv::INTER_LINEAR);
  }
  const double scale_x = static_cast<double>(detection_size.width) / image.cols;
  const double scale_y = static_cast<double>(detection_size.height) / image.rows;

  const std::vector<dlib::rect_detection> detections =
      colour ? FindFaces<dlib::bgr_pixel>(dlib_->face_detector, detection_image,
                                          options_.score_threshold)
             : FindFaces<unsigned char>(dlib_->face_detector, detection_image,
                                        options_.score_threshold);

  std::vector<DetectedFace> faces;
  faces.reserve(detections.size());
  for (const dlib::rect_detection& detection : detections) {
    const dlib::rectangle box = ToFullResolution(detection.rect, scale_x, scale_y);
    DetectedFace face;
    face.box = cv::Rect(static_cast<int>(box.left()), static_cast<int>(box.top()),
                        static_cast<int>(box.width()), static_cast<int>(box.height()));
    face.score = detection.detection_confidence;
    face.landmarks = colour ? PredictLandmarks<dlib::bgr_pixel>(*dlib_->shape_predictor, image, box)
                            : PredictLandmarks<unsigned char>(*dlib_->shape_predictor, image, box);
    faces.push_back(face);
  }
  std::sort(faces.begin(), faces.end(), LargerFirst);
  return faces;
}

}  // namespace morphfit::detect
