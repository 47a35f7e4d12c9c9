#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "version/version.h"

namespace strata::version {
namespace {

int Sign(int v) { return (v > 0) - (v < 0); }

// Every pair of a strictly increasing list must compare as its positions do.
void ExpectIncreasing(const std::vector<std::string>& chain) {
  for (size_t i = 0; i < chain.size(); ++i) {
    for (size_t j = 0; j < chain.size(); ++j) {
      Result<int> got = CompareApk(chain[i], chain[j]);
      ASSERT_TRUE(got.ok())
          << chain[i] << " " << chain[j] << ": " << got.status().ToString();
      int want = i < j ? -1 : (i > j ? 1 : 0);
      EXPECT_EQ(Sign(*got), want) << chain[i] << " vs " << chain[j];
    }
  }
}

TEST(CompareApk, OrdersSuffixesLettersAndRevisions) {
  ExpectIncreasing({
      "0.1_alpha",  "0.1_alpha1",
      "0.1_alpha2", "0.1_alpha2_p1",
      "0.1_beta",   "0.1_beta1",
      "0.1_pre1",   "0.1_rc1",
      "0.1_rc2",    "0.1",
      "0.1-r1",     "0.1_cvs20200101",
      "0.1_svn",    "0.1_git20240101",
      "0.1_hg1",    "0.1_p1",
      "0.1_p2",     "0.1a",
      "0.1b",       "0.1.0",
      "0.1.1",      "0.2_alpha",
      "0.2",        "0.10",
  });
}

TEST(CompareApk, OrdersRealAlpineVersions) {
  ExpectIncreasing({
      "1.0_rc1-r0",
      "1.0",
      "1.0-r0",
      "1.0-r1",
      "1.0-r10",
      "1.0.1_rc1",
      "1.2.3-r0",
      "1.2.3-r1",
      "1.2.3a-r1",
      "1.2.3b-r0",
      "1.2.4",
      "1.36.1-r28",
      "1.36.1-r29",
      "1.37.0-r0",
      "2.0_rc1-r0",
      "2.0-r0",
      "3.0.13-r0",
      "3.0.15-r1",
      "3.3.2-r5",
      "3.3.2_p20240604-r0",
      "3.3.2_p20240604-r1",
      "3.3.2_p20240605-r0",
      "3.3.3",
      "9.4_p1-r6",
      "9.7_p1-r4",
      "20240101-r0",
  });
}

TEST(CompareApk, ComparesLeadingZeroComponentsAsStrings) {
  // After a dot, a component with a leading zero compares as a string
  // (Gentoo rules); the first component and other numbers are numbers.
  ExpectIncreasing({"1.001", "1.01", "1.010", "1.1", "1.2", "1.10"});
  EXPECT_LT(*CompareApk("1.0", "1.00"), 0);
  EXPECT_EQ(*CompareApk("01.0", "1.0"), 0);
  EXPECT_EQ(*CompareApk("1.0-r0", "1.0-r00"), 0);
  EXPECT_EQ(*CompareApk("1.0_alpha1", "1.0_alpha01"), 0);
  EXPECT_LT(*CompareApk("1.0_alpha", "1.0_alpha0"), 0);
}

TEST(CompareApk, OrdersCommitHashes) {
  // apk-tools 3: "~hash" after the suffixes, before the revision.
  ExpectIncreasing({
      "1.0",
      "1.0-r0",
      "1.0-r5",
      "1.0~1234",
      "1.0~1234-r1",
      "1.0~2345-r0",
      "1.0~abc",
      "1.0_p1",
  });
  EXPECT_LT(*CompareApk("0.1_pre2~1234abcd", "0.1_pre2~1234abce"), 0);
}

TEST(CompareApk, ComparesLongNumbersExactly) {
  EXPECT_GT(
      *CompareApk("1.99999999999999999999999", "1.99999999999999999999998"), 0);
  EXPECT_GT(*CompareApk("18446744073709551616", "18446744073709551615"), 0);
  EXPECT_LT(
      *CompareApk("1.0-r18446744073709551615", "1.0-r18446744073709551616"), 0);
  EXPECT_EQ(*CompareApk("0000000000000000000000001", "1"), 0);
}

TEST(CompareApk, RejectsInvalidVersions) {
  for (const char* v :
       {"",           "a",          ".1",          "1.",       "1..2",
        "1.0-r",      "1.0-1",      "1.0-",        "1.0_foo",  "1.0_",
        "1.0_-r0",    "1.0__alpha", "1.0_1_alpha", "1.0ab",    "1.0a1",
        "1.0a.1",     "1.0A",       "1.0-r1-r2",   "1.0-r1.1", "1.0-r1_p1",
        "1.0-r2~abc", "1.0~",       "1.0~xyz",     "1.0~ABC",  "1.0~abc_p1",
        "1.0 ",       " 1.0",       "v1.0",        "1.0+1",    "1.0_post1",
        "1.0_Alpha",  "_pre1",      "-r1",         "1:1.0"}) {
    Result<int> got = CompareApk(v, "1.0");
    ASSERT_FALSE(got.ok()) << v;
    EXPECT_EQ(
        got.status(),
        InvalidArgumentError(std::string("invalid apk version \"") + v + "\""));
    EXPECT_EQ(CompareApk("1.0", v).status(), got.status());
  }
  EXPECT_EQ(CompareApk(std::string_view("1.0\0", 4), "1.0").status(),
            InvalidArgumentError(std::string("invalid apk version \"1.0") +
                                 '\0' + "\""));
}

TEST(CompareApk, RejectsInvalidVersionsEvenWhenThePrefixDecides) {
  // The first token already differs, but the tail is still checked.
  EXPECT_EQ(CompareApk("2.0_bogus", "1.0").status(),
            InvalidArgumentError("invalid apk version \"2.0_bogus\""));
  EXPECT_EQ(CompareApk("1.0", "2.0-x").status(),
            InvalidArgumentError("invalid apk version \"2.0-x\""));
}

TEST(CompareApk, CapsVersionLength) {
  std::string longest = "1." + std::string(kMaxVersionLength - 2, '1');
  EXPECT_TRUE(CompareApk(longest, longest).ok());
  std::string too_long = longest + "1";
  EXPECT_EQ(CompareApk(too_long, "1.0").status(),
            InvalidArgumentError("invalid apk version \"" +
                                 too_long.substr(0, 100) + "\""));
}

// Random valid versions from every token type; sorting them with the
// comparator and checking every pair catches antisymmetry and transitivity
// failures.
std::vector<std::string> GeneratedVersions(int count) {
  std::mt19937 rng(20240603);
  auto pick = [&rng](std::initializer_list<const char*> options) {
    std::uniform_int_distribution<size_t> d(0, options.size() - 1);
    return std::string(*(options.begin() + d(rng)));
  };
  auto chance = [&rng](int percent) {
    return std::uniform_int_distribution<int>(0, 99)(rng) < percent;
  };
  std::vector<std::string> out;
  for (int i = 0; i < count; ++i) {
    std::string v = pick({"0", "1", "2", "10", "01"});
    int dots = std::uniform_int_distribution<int>(0, 3)(rng);
    for (int d = 0; d < dots; ++d) v += "." + pick({"0", "1", "2", "10", "01"});
    if (chance(15)) v += pick({"a", "b", "z"});
    int suffixes =
        chance(40) ? std::uniform_int_distribution<int>(1, 2)(rng) : 0;
    for (int s = 0; s < suffixes; ++s) {
      v += "_" +
           pick({"alpha", "beta", "pre", "rc", "cvs", "svn", "git", "hg", "p"});
      if (chance(60)) v += pick({"0", "1", "2", "20240604"});
    }
    if (chance(10)) v += "~" + pick({"1234", "abcd", "0f"});
    if (chance(60)) v += "-r" + pick({"0", "1", "2", "10"});
    out.push_back(v);
  }
  return out;
}

TEST(CompareApk, IsATotalOrderOnGeneratedVersions) {
  std::vector<std::string> versions = GeneratedVersions(400);
  for (const std::string& v : versions) {
    ASSERT_TRUE(CompareApk(v, v).ok()) << v;
    EXPECT_EQ(*CompareApk(v, v), 0) << v;
  }
  std::stable_sort(versions.begin(), versions.end(),
                   [](const std::string& a, const std::string& b) {
                     return *CompareApk(a, b) < 0;
                   });
  for (size_t i = 0; i < versions.size(); ++i) {
    for (size_t j = i + 1; j < versions.size(); ++j) {
      int ij = Sign(*CompareApk(versions[i], versions[j]));
      int ji = Sign(*CompareApk(versions[j], versions[i]));
      ASSERT_LE(ij, 0) << versions[i] << " sorted before " << versions[j];
      ASSERT_EQ(ij, -ji) << versions[i] << " vs " << versions[j];
    }
  }
}

}  // namespace
}  // namespace strata::version
