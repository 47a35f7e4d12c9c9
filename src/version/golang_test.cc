#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "version/version.h"
#include "version/version_test_util.h"

namespace strata::version {
namespace {

// No Go toolchain here: the cases are derived from golang.org/x/mod/semver's
// documented rules and the module reference's pseudo-version forms.

int Cmp(std::string_view a, std::string_view b) {
  Result<int> r = CompareGo(a, b);
  EXPECT_TRUE(r.ok()) << a << " vs " << b << ": " << r.status().ToString();
  return r.ok() ? *r : 0;
}

TEST(CompareGo, OrdersReleasesPrereleasesAndPseudoVersions) {
  // Ascending; each pseudo-version sits just above the version it derives
  // from and below the next release.
  const std::vector<std::string> ordered = {
      "v0.0.0-20191109021931-daa7c04131f5",  // no base version
      "v0.0.0-20200101000000-000000000000",
      "v0.0.0",
      "v0.1.0-alpha",
      "v0.1.0",
      "v1.0.0-rc.1",
      "v1",
      "v1.2.3",
      "v1.2.4-0.20191109021931-daa7c04131f5",  // after v1.2.3
      "v1.2.4-0.20200101000000-abcdef123456",
      "v1.2.4-pre",
      "v1.2.4-pre.0.20191109021931-daa7c04131f5",  // after v1.2.4-pre
      "v1.2.4",
      "v1.3",
      "v1.10.0",
      "v2.0.0+incompatible",
      "v2.1.0-0.20200101000000-abcdef123456+incompatible",
      "v2.1.0+incompatible",
      "v10.0.0",
      "v18446744073709551616.0.0",  // past 64 bits: compared as digits
  };
  for (size_t i = 0; i < ordered.size(); ++i) {
    for (size_t j = 0; j < ordered.size(); ++j) {
      int want = i < j ? -1 : (i > j ? 1 : 0);
      EXPECT_EQ(Cmp(ordered[i], ordered[j]), want)
          << ordered[i] << " vs " << ordered[j];
    }
  }
}

TEST(CompareGo, ExpandsShorthandsAndIgnoresBuild) {
  EXPECT_EQ(Cmp("v1", "v1.0.0"), 0);
  EXPECT_EQ(Cmp("v1.0", "v1.0.0"), 0);
  EXPECT_EQ(Cmp("v1.2", "v1.2.0"), 0);
  EXPECT_EQ(Cmp("v2", "v1.99.99"), 1);
  EXPECT_EQ(Cmp("v1.2", "v1.2.0-rc.1"), 1);
  EXPECT_EQ(Cmp("v2.0.0+incompatible", "v2.0.0"), 0);
  EXPECT_EQ(Cmp("v1.0.0+build.01", "v1.0.0+other"), 0);
}

TEST(CompareGo, TakesAMissingVAsPresent) {
  EXPECT_EQ(Cmp("1.2.3", "v1.2.3"), 0);
  EXPECT_EQ(Cmp("1", "v1.0.0"), 0);
  EXPECT_EQ(Cmp("0.0.0-20191109021931-daa7c04131f5", "v0.0.0"), -1);
  EXPECT_EQ(Cmp("1.2.4", "v1.2.3"), 1);
}

TEST(CompareGo, ComparesPrereleaseIdentifiers) {
  EXPECT_EQ(Cmp("v1.0.0-2", "v1.0.0-10"), -1);
  EXPECT_EQ(Cmp("v1.0.0-10", "v1.0.0-a"), -1);
  EXPECT_EQ(Cmp("v1.0.0-B", "v1.0.0-a"), -1);
  EXPECT_EQ(Cmp("v1.0.0-a.b", "v1.0.0-a"), 1);
  EXPECT_EQ(Cmp("v1.0.0-0a", "v1.0.0-1"), 1);
}

TEST(CompareGo, RejectsInvalidVersions) {
  for (const std::string& bad : std::vector<std::string>{
           "",           "v",           "v1.",
           "v1.2.",      "v01",         "v01.2.3",
           "v1.02",      "v1.2.03",     "v1-pre",
           "v1.2-pre",   "v1+meta",     "v1.2+meta",
           "v1.2.3-",    "v1.2.3-01",   "v1.2.3-a..b",
           "v1.2.3+",    "v1.2.3+a..b", "v1.2.3.4",
           "V1.2.3",     "vv1.2.3",     "go1.21",
           "v1.2.3-a_b", " v1.2.3",     "v1.2.3 ",
           "v1.2.x",     "latest",      std::string("v1\0", 3)}) {
    Result<int> r = CompareGo("v1.0.0", bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status(),
              InvalidArgumentError("invalid go version \"" + bad + "\""));
  }
}

TEST(CompareGo, CapsTheLength) {
  std::string at_cap = "v1.0.0-" + std::string(kMaxVersionLength - 7, 'a');
  ASSERT_EQ(at_cap.size(), kMaxVersionLength);
  EXPECT_EQ(Cmp(at_cap, "v1.0.0"), -1);
  std::string over = at_cap + "a";
  EXPECT_EQ(CompareGo(over, "v1.0.0").status(),
            InvalidArgumentError("invalid go version \"" + over.substr(0, 100) +
                                 "\""));
}

TEST(CompareGo, IsReflexiveAndAntisymmetricOnRandomInput) {
  test::ExpectReflexiveAndAntisymmetric(CompareGo, "v0123456789.-+abx", 7);
}

}  // namespace
}  // namespace strata::version
