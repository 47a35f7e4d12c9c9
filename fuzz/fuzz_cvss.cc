// Fuzzes CVSS vector parsing and scoring (cvss/cvss.h). An accepted vector
// scores within [0, 10], and its canonical form parses back to the same
// version, score and canonical form.
#include <cstdint>
#include <string_view>

#include "cvss/cvss.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto score = cvss::Parse(input);
  if (!score.ok()) return 0;
  if (!(score->base >= 0.0 && score->base <= 10.0)) __builtin_trap();
  auto again = cvss::Parse(score->vector);
  if (!again.ok() || again->version != score->version ||
      again->base != score->base || again->vector != score->vector ||
      again->rating != score->rating) {
    __builtin_trap();
  }
  return 0;
}
