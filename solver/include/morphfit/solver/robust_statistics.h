#pragma once

#include <vector>

namespace morphfit::solver {

// Median of the values (the mean of the two middle ones for an even count). NaN when empty.
double Median(std::vector<double> values);

// Median absolute deviation from the median, scaled by 1.4826 so that it estimates the standard
// deviation of normally distributed values; an outlier limit "median + k * MAD" is then k sigma.
double ScaledMedianAbsoluteDeviation(const std::vector<double>& values);

}  // namespace morphfit::solver
