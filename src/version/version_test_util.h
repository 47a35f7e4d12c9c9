// Checks shared by the version schemes' tests (header-only: needs gtest).
#ifndef STRATA_VERSION_VERSION_TEST_UTIL_H_
#define STRATA_VERSION_VERSION_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "version/version.h"

namespace strata::version::test {

using Comparator = Result<int> (*)(std::string_view, std::string_view);

// Random strings over `alphabet` (3000, some up to 300 bytes): each one the
// comparator accepts compares equal to itself, each one it refuses is
// kInvalidArgument; then 3000 random pairs of accepted ones compare in
// opposite directions both ways round. At least 50 must be accepted.
inline void ExpectReflexiveAndAntisymmetric(Comparator compare,
                                            std::string_view alphabet,
                                            uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::string> valid;
  for (int i = 0; i < 3000; ++i) {
    std::string v;
    size_t n = rng() % (i % 10 == 0 ? 300 : 16);
    for (size_t j = 0; j < n; ++j) {
      v.push_back(alphabet[rng() % alphabet.size()]);
    }
    Result<int> self = compare(v, v);
    if (self.ok()) {
      EXPECT_EQ(*self, 0) << v;
      valid.push_back(v);
    } else {
      EXPECT_EQ(self.status().code(), StatusCode::kInvalidArgument) << v;
    }
  }
  ASSERT_GT(valid.size(), 50u);
  auto cmp = [compare](std::string_view a, std::string_view b) {
    Result<int> r = compare(a, b);
    EXPECT_TRUE(r.ok()) << a << " vs " << b << ": " << r.status().ToString();
    return r.ok() ? *r : 0;
  };
  for (int i = 0; i < 3000; ++i) {
    const std::string& a = valid[rng() % valid.size()];
    const std::string& b = valid[rng() % valid.size()];
    EXPECT_EQ(cmp(a, b), -cmp(b, a)) << a << " vs " << b;
  }
}

}  // namespace strata::version::test

#endif  // STRATA_VERSION_VERSION_TEST_UTIL_H_
