#include <gtest/gtest.h>

#include <string>

#include "fs/file_tree.h"

namespace strata::fs {
namespace {

TEST(GlobMatchTest, StarAndQuestionStayInOneComponent) {
  EXPECT_TRUE(GlobMatch("*.txt", "a.txt"));
  EXPECT_FALSE(GlobMatch("*.txt", "d/a.txt"));
  EXPECT_TRUE(GlobMatch("d/*.txt", "d/a.txt"));
  EXPECT_TRUE(GlobMatch("d/*", "d/x"));
  EXPECT_FALSE(GlobMatch("d/*", "d"));
  EXPECT_FALSE(GlobMatch("d/*", "d/x/y"));
  EXPECT_TRUE(GlobMatch("a?c", "abc"));
  EXPECT_FALSE(GlobMatch("a?c", "ac"));
  EXPECT_FALSE(GlobMatch("a?c", "a/c"));
  EXPECT_TRUE(GlobMatch("*", "x"));
  EXPECT_TRUE(GlobMatch("lib*.so*", "libc.so.6"));
  EXPECT_FALSE(GlobMatch("lib*.so", "libc.so.6"));
  EXPECT_TRUE(GlobMatch("etc/passwd", "etc/passwd"));
  EXPECT_FALSE(GlobMatch("etc/passwd", "etc/passwd-"));
  EXPECT_FALSE(GlobMatch("etc/passwd", "etc"));
}

TEST(GlobMatchTest, BracketClasses) {
  EXPECT_TRUE(GlobMatch("[abc]", "b"));
  EXPECT_FALSE(GlobMatch("[abc]", "d"));
  EXPECT_TRUE(GlobMatch("x[a-z]y", "xqy"));
  EXPECT_FALSE(GlobMatch("x[a-z]y", "xQy"));
  EXPECT_TRUE(GlobMatch("[!x]", "y"));
  EXPECT_FALSE(GlobMatch("[!x]", "x"));
  EXPECT_TRUE(GlobMatch("[^x]", "y"));
  EXPECT_TRUE(GlobMatch("[]]", "]"));
  EXPECT_TRUE(GlobMatch("[a-]", "-"));
  EXPECT_TRUE(GlobMatch("python3.[0-9]*", "python3.11"));
  // An unclosed '[' is a literal.
  EXPECT_TRUE(GlobMatch("a[b", "a[b"));
  EXPECT_FALSE(GlobMatch("a[b", "ab"));
  // Backslash escapes.
  EXPECT_TRUE(GlobMatch("a\\*", "a*"));
  EXPECT_FALSE(GlobMatch("a\\*", "ab"));
}

TEST(GlobMatchTest, DoubleStarMatchesZeroOrMoreComponents) {
  EXPECT_TRUE(GlobMatch("**/METADATA", "METADATA"));
  EXPECT_TRUE(GlobMatch("**/METADATA", "a/b/METADATA"));
  EXPECT_FALSE(GlobMatch("**/METADATA", "a/b/METADATA.bak"));
  EXPECT_TRUE(GlobMatch("usr/**", "usr/a"));
  EXPECT_TRUE(GlobMatch("usr/**", "usr/a/b/c"));
  EXPECT_TRUE(GlobMatch("usr/**", "usr"));  // zero components
  EXPECT_FALSE(GlobMatch("usr/**", "usrx/a"));
  EXPECT_FALSE(GlobMatch("usr/**", "var/usr/a"));
  EXPECT_TRUE(GlobMatch("**/*.dist-info/METADATA",
                        "usr/lib/python3/site-packages/x-1.0.dist-info/"
                        "METADATA"));
  EXPECT_FALSE(GlobMatch("**/*.dist-info/METADATA",
                         "usr/lib/x-1.0.dist-info/sub/METADATA"));
  EXPECT_TRUE(GlobMatch("a/**/b/**/c", "a/b/c"));
  EXPECT_TRUE(GlobMatch("a/**/b/**/c", "a/x/b/y/z/c"));
  EXPECT_FALSE(GlobMatch("a/**/b/**/c", "a/x/y/z/c"));
  EXPECT_TRUE(GlobMatch("**", "anything/at/all"));
  EXPECT_TRUE(GlobMatch("**/**", "x"));
  // '**' inside a component is just '*'.
  EXPECT_TRUE(GlobMatch("a**b", "axxb"));
  EXPECT_FALSE(GlobMatch("a**b", "ax/xb"));
}

TEST(GlobMatchTest, IgnoresEmptyComponents) {
  EXPECT_TRUE(GlobMatch("/etc//passwd", "etc/passwd"));
  EXPECT_TRUE(GlobMatch("", ""));
  EXPECT_FALSE(GlobMatch("", "a"));
  EXPECT_FALSE(GlobMatch("a", ""));
}

TEST(GlobMatchTest, HostilePatternsFinishQuickly) {
  // Naive recursive matchers take exponential time on these.
  std::string as(100000, 'a');
  EXPECT_FALSE(GlobMatch("*a*a*a*a*a*a*a*a*a*a*a*a*b", as));
  EXPECT_TRUE(GlobMatch("*a*a*a*a*a*a*a*a*a*a*a*a*", as));
  std::string deep;
  for (int i = 0; i < 2000; ++i) deep += "a/";
  deep += "a";
  EXPECT_FALSE(GlobMatch("**/a/**/a/**/a/**/a/**/a/**/a/**/b", deep));
  EXPECT_TRUE(GlobMatch("**/a/**/a/**/a/**/a/**/a/**/a/**/a", deep));
}

}  // namespace
}  // namespace strata::fs

namespace strata::fs {
namespace {

TEST(GlobMatchAnyTest, MatchesWhenOnePatternDoes) {
  const std::vector<std::string> globs = {"etc/os-release", "**/METADATA"};
  EXPECT_TRUE(GlobMatchAny(globs, "etc/os-release"));
  EXPECT_TRUE(GlobMatchAny(globs, "a/b/METADATA"));
  EXPECT_FALSE(GlobMatchAny(globs, "etc/passwd"));
  EXPECT_FALSE(GlobMatchAny({}, "etc/os-release"));
}

}  // namespace
}  // namespace strata::fs

namespace strata::fs {
namespace {

TEST(GlobSetTest, AgreesWithGlobMatchAny) {
  const std::vector<std::string> globs = {"etc/os-release",
                                          "**/*.dist-info/METADATA",
                                          "**/node_modules/**/package.json",
                                          "var/lib/dpkg/info/*.list",
                                          "usr/share/doc/*/copyright",
                                          "**/*.jar",
                                          "**/python3*",
                                          "**/bin/**",
                                          "[ab]/x",
                                          "**/release"};
  const GlobSet set(globs);
  for (std::string_view path : {"etc/os-release",
                                "x/etc/os-release",
                                "a/b.dist-info/METADATA",
                                "b.dist-info/METADATA",
                                "METADATA",
                                "node_modules/a/package.json",
                                "app/node_modules/@s/a/package.json",
                                "package.json",
                                "var/lib/dpkg/info/a.list",
                                "var/lib/dpkg/info/a.lis",
                                "usr/share/doc/libc6/copyright",
                                "usr/share/doc/copyright",
                                "app/lib/x.jar",
                                "x.jar",
                                "jar",
                                "usr/bin/python3.11",
                                "python3",
                                "usr/bin/xpython3",
                                "bin/anything/here",
                                "a/x",
                                "c/x",
                                "release",
                                "usr/lib/jvm/java-17/release",
                                "xrelease",
                                ""}) {
    EXPECT_EQ(set.Match(path), GlobMatchAny(globs, path)) << path;
  }
  EXPECT_FALSE(GlobSet().Match("a"));
  EXPECT_TRUE(GlobSet().empty());
}

}  // namespace
}  // namespace strata::fs
