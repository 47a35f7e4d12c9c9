// Locating the containers/image signature fixtures for cosign tests.
#ifndef STRATA_COSIGN_TEST_FIXTURES_H_
#define STRATA_COSIGN_TEST_FIXTURES_H_

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace strata::cosign {

// ../shared/conformance/sigstore/containers-image/signature/fixtures.
inline std::filesystem::path FixtureDir() {
  return std::filesystem::path(STRATA_SOURCE_DIR) /
         "../shared/conformance/sigstore/containers-image/signature/fixtures";
}

#define REQUIRE_FIXTURES()                                                \
  if (!std::filesystem::is_directory(FixtureDir())) {                     \
    GTEST_SKIP() << "containers/image fixtures absent: " << FixtureDir(); \
  }

inline std::string ReadFixture(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace strata::cosign

#endif  // STRATA_COSIGN_TEST_FIXTURES_H_
