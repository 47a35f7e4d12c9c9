// CVSS vector strings and their base scores: v2, v3.0, v3.1 and v4.0.
//
// Vectors come from vulnerability feeds and are untrusted: Parse validates
// every metric, caps the length (kMaxVectorLength) and never fails other
// than with a kInvalidArgument status.
//
// Scores follow the specifications exactly:
//   v2   the CVSS v2 base equation, rounded to one decimal.
//   v3.0 the v3.0 base equation with its Roundup (ceiling to one decimal).
//   v3.1 the v3.1 base equation with the v3.1 Roundup (integer arithmetic
//        on x * 100000, immune to floating point noise).
//   v4.0 the macrovector method of the FIRST calculator: EQ1..EQ6, the
//        normative table of macrovector scores, and the mean proportional
//        severity distance to the next lower macrovectors; rounded half up
//        after adding 1e-6, as the calculator does.
// Only the BASE score is computed. Temporal, threat, environmental and
// supplemental metrics are validated and kept in the canonical vector but
// do not change the score (v4.0 therefore scores CVSS-B: E, CR, IR and AR
// as if not defined).
//
// Thread-safety: all functions are pure.
#ifndef STRATA_CVSS_CVSS_H_
#define STRATA_CVSS_CVSS_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "base/status.h"

namespace strata::cvss {

// Longest vector Parse accepts. A v4.0 vector with every metric spelled
// out is about 200 bytes.
inline constexpr size_t kMaxVectorLength = 1024;

enum class Version { kV2, kV30, kV31, kV40 };
enum class Rating { kNone, kLow, kMedium, kHigh, kCritical };

struct Score {
  Version version = Version::kV31;
  double base = 0;  // 0.0 .. 10.0, one decimal
  // v3/v4: RatingFor(base). v2: low below 4.0, medium below 7.0, else high.
  Rating rating = Rating::kNone;
  // The vector in canonical form: version prefix ("CVSS:3.1/"; none for
  // v2, whose parentheses are dropped), then the metrics in the order of
  // the specification's table, each given metric once.
  std::string vector;
};

// Parses and scores a vector string:
//   "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
//   "CVSS:3.0/..."
//   "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"
//   "AV:N/AC:L/Au:N/C:P/I:P/A:P" or "(AV:N/AC:L/Au:N/C:P/I:P/A:P)"  (v2)
// Metrics may come in any order. Every mandatory base metric must be
// present exactly once; a repeated, unknown or empty metric or an unknown
// value is an error. Errors are kInvalidArgument:
//   invalid CVSS vector "<vector>": <why>
// where <vector> is the input with quotes and non-printable bytes shown as
// '?' and cut after 80 bytes ("...").
Result<Score> Parse(std::string_view vector);

// "none", "low", "medium", "high", "critical".
std::string_view RatingName(Rating r);

// The v3/v4 qualitative scale: 0.0 none, 0.1-3.9 low, 4.0-6.9 medium,
// 7.0-8.9 high, 9.0-10.0 critical.
Rating RatingFor(double base);

// "2.0", "3.0", "3.1", "4.0".
std::string_view VersionName(Version v);

}  // namespace strata::cvss

#endif  // STRATA_CVSS_CVSS_H_
