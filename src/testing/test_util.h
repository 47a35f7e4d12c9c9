// Helpers shared by GoogleTest tests (header-only: it needs gtest, which the
// strata_testing library does not link).
#ifndef STRATA_TESTING_TEST_UTIL_H_
#define STRATA_TESTING_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace strata::testing {

// The lab's real images: $STRATA_LAB_IMAGES, else
// ${XDG_CACHE_HOME:-$HOME/.cache}/strata-lab/images (scripts/lab-images.sh).
inline std::string LabImagesDir() {
  if (const char* e = std::getenv("STRATA_LAB_IMAGES"); e && *e) return e;
  std::string cache;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) {
    cache = x;
  } else if (const char* h = std::getenv("HOME")) {
    cache = std::string(h) + "/.cache";
  }
  return cache + "/strata-lab/images";
}

inline std::string ReadTestFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Compares `actual` with the golden file at `path`; with
// STRATA_UPDATE_GOLDEN=1 in the environment it rewrites the file instead.
inline void ExpectGolden(const std::string& path, const std::string& actual) {
  if (const char* u = std::getenv("STRATA_UPDATE_GOLDEN"); u && *u == '1') {
    std::ofstream(path, std::ios::trunc | std::ios::binary) << actual;
    return;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << "missing golden file " << path
                  << " (run with STRATA_UPDATE_GOLDEN=1)";
  EXPECT_EQ(actual, ReadTestFile(path))
      << "golden " << path << " differs (STRATA_UPDATE_GOLDEN=1 rewrites it)";
}

}  // namespace strata::testing

#endif  // STRATA_TESTING_TEST_UTIL_H_
