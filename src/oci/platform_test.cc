#include <gtest/gtest.h>

#include "oci/manifest.h"

namespace strata::oci {
namespace {

Platform P(std::string os, std::string arch, std::string variant = "") {
  Platform p;
  p.os = std::move(os);
  p.architecture = std::move(arch);
  p.variant = std::move(variant);
  return p;
}

TEST(ParsePlatformTest, ParsesAndNormalises) {
  struct Case {
    std::string in;
    std::string out;
  };
  const std::vector<Case> cases = {
      {"linux/amd64", "linux/amd64"},      {"linux/x86_64", "linux/amd64"},
      {"linux/x86-64", "linux/amd64"},     {"Linux/AMD64", "linux/amd64"},
      {"linux/aarch64", "linux/arm64"},    {"linux/arm64/v8", "linux/arm64/v8"},
      {"linux/arm64/8", "linux/arm64/v8"}, {"linux/armhf", "linux/arm/v7"},
      {"linux/armel", "linux/arm/v6"},     {"linux/arm/7", "linux/arm/v7"},
      {"linux/i386", "linux/386"},         {"linux/s390x", "linux/s390x"},
  };
  for (const Case& c : cases) {
    Result<Platform> p = ParsePlatform(c.in);
    ASSERT_TRUE(p.ok()) << c.in << ": " << p.status().ToString();
    EXPECT_EQ(p->ToString(), c.out) << c.in;
  }
}

TEST(ParsePlatformTest, RejectsMalformed) {
  for (std::string bad : {"", "linux", "linux/", "/amd64", "linux/arm/v7/x",
                          "linux//v7", "a/b/c/d/e/f"}) {
    Result<Platform> p = ParsePlatform(bad);
    ASSERT_FALSE(p.ok()) << bad;
    EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(p.status().ToString(),
              "invalid platform \"" + bad + "\": want os/arch[/variant]");
  }
}

TEST(HostPlatformTest, IsLinuxWithAnArchitecture) {
  Platform host = HostPlatform();
  EXPECT_EQ(host.os, "linux");
  EXPECT_FALSE(host.architecture.empty());
  EXPECT_TRUE(PlatformMatches(host, host));
#if defined(__x86_64__)
  EXPECT_EQ(host.ToString(), "linux/amd64");
#elif defined(__aarch64__)
  EXPECT_EQ(host.ToString(), "linux/arm64/v8");
#endif
}

TEST(PlatformMatchesTest, Table) {
  struct Case {
    Platform want, candidate;
    bool match;
  };
  const std::vector<Case> cases = {
      {P("linux", "amd64"), P("linux", "amd64"), true},
      {P("linux", "amd64"), P("linux", "x86_64"), true},
      {P("linux", "x86-64"), P("linux", "amd64"), true},
      {P("linux", "amd64"), P("linux", "arm64"), false},
      {P("linux", "amd64"), P("windows", "amd64"), false},
      {P("linux", "arm64"), P("linux", "aarch64"), true},
      {P("linux", "arm64", "v8"), P("linux", "arm64"), true},
      {P("linux", "arm64"), P("linux", "arm64", "v8"), true},
      {P("linux", "arm64", "v8"), P("linux", "aarch64", "8"), true},
      {P("linux", "arm64", "v8"), P("linux", "arm64", "v9"), false},
      {P("linux", "arm", "v7"), P("linux", "armhf"), true},
      {P("linux", "arm", "v7"), P("linux", "arm"), true},
      {P("linux", "arm", "v7"), P("linux", "arm", "v6"), false},
      {P("linux", "arm"), P("linux", "arm", "v6"), true},
      {P("linux", "arm64"), P("linux", "arm", "v8"), false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(PlatformMatches(c.want, c.candidate), c.match)
        << c.want.ToString() << " vs " << c.candidate.ToString();
  }
}

}  // namespace
}  // namespace strata::oci
