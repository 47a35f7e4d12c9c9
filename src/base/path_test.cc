#include "base/path.h"

#include <gtest/gtest.h>

namespace strata::path {
namespace {

TEST(NormalizeEntryPathTest, MakesRelativeAndClean) {
  EXPECT_EQ(*NormalizeEntryPath("/etc/passwd"), "etc/passwd");
  EXPECT_EQ(*NormalizeEntryPath("./usr//lib/./x/"), "usr/lib/x");
  EXPECT_EQ(*NormalizeEntryPath("a/b/../c"), "a/c");
  EXPECT_EQ(*NormalizeEntryPath("./"), "");
  EXPECT_EQ(*NormalizeEntryPath("/"), "");
}

TEST(NormalizeEntryPathTest, RefusesClimbingAboveRoot) {
  auto r = NormalizeEntryPath("../etc/passwd");
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(r.status().message(),
            "path \"../etc/passwd\" climbs above the image root");
  EXPECT_FALSE(NormalizeEntryPath("a/../../b").ok());
  EXPECT_FALSE(NormalizeEntryPath("/../x").ok());
}

TEST(NormalizeEntryPathTest, RefusesNulAndOverlong) {
  EXPECT_EQ(NormalizeEntryPath(std::string("a\0b", 3)).status().code(),
            StatusCode::kDataLoss);
  EXPECT_EQ(NormalizeEntryPath(std::string(5000, 'a')).status().code(),
            StatusCode::kResourceExhausted);
}

TEST(JoinClampedTest, ClampsAtRoot) {
  EXPECT_EQ(JoinClamped("usr/bin", "../lib/x"), "usr/lib/x");
  EXPECT_EQ(JoinClamped("usr/bin", "/etc/x"), "etc/x");
  EXPECT_EQ(JoinClamped("a", "../../../../etc/shadow"), "etc/shadow");
  EXPECT_EQ(JoinClamped("", ".."), "");
}

TEST(PathTest, SplitDirnameBasenameJoin) {
  EXPECT_EQ(Split("a/b/c").size(), 3u);
  EXPECT_TRUE(Split("").empty());
  EXPECT_EQ(Dirname("a/b/c"), "a/b");
  EXPECT_EQ(Dirname("a"), "");
  EXPECT_EQ(Basename("a/b/c"), "c");
  EXPECT_EQ(Join("", "x"), "x");
  EXPECT_EQ(Join("a", "x"), "a/x");
}

}  // namespace
}  // namespace strata::path
