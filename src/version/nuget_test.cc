#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "version/version.h"
#include "version/version_test_util.h"

namespace strata::version {
namespace {

// No .NET here: the cases are derived from NuGet.Versioning's documented
// rules (NuGetVersion.TryParse, VersionComparer.Default).

int Cmp(std::string_view a, std::string_view b) {
  Result<int> r = CompareNuGet(a, b);
  EXPECT_TRUE(r.ok()) << a << " vs " << b << ": " << r.status().ToString();
  return r.ok() ? *r : 0;
}

TEST(CompareNuGet, OrdersVersionsAndLabels) {
  const std::vector<std::string> ordered = {
      "0.9",
      "1.0.0-alpha",
      "1.0.0-alpha.1",
      "1.0.0-alpha.beta",
      "1.0.0-beta",
      "1.0.0-beta.2",
      "1.0.0-beta.11",
      "1.0.0-rc.1",
      "1.0.0",
      "1.0.0.1-alpha",
      "1.0.0.1",
      "1.0.1",
      "1.1",
      "1.10",
      "2",
      "2147483647",
  };
  for (size_t i = 0; i < ordered.size(); ++i) {
    for (size_t j = 0; j < ordered.size(); ++j) {
      int want = i < j ? -1 : (i > j ? 1 : 0);
      EXPECT_EQ(Cmp(ordered[i], ordered[j]), want)
          << ordered[i] << " vs " << ordered[j];
    }
  }
}

TEST(CompareNuGet, FillsMissingPartsAndDropsLeadingZeros) {
  EXPECT_EQ(Cmp("1", "1.0.0.0"), 0);
  EXPECT_EQ(Cmp("1.0", "1.0.0"), 0);
  EXPECT_EQ(Cmp("1.0.0.0", "1.0.0"), 0);
  EXPECT_EQ(Cmp("01.002.0003", "1.2.3"), 0);
  EXPECT_EQ(Cmp("1.2.3.0004", "1.2.3.4"), 0);
  EXPECT_EQ(Cmp("1.0-beta", "1.0.0.0-beta"), 0);
}

TEST(CompareNuGet, ComparesLabelsCaseInsensitively) {
  EXPECT_EQ(Cmp("1.0.0-Beta", "1.0.0-beta"), 0);
  EXPECT_EQ(Cmp("1.0.0-RC.1", "1.0.0-rc.1"), 0);
  EXPECT_EQ(Cmp("1.0.0-a", "1.0.0-B"), -1);  // bytewise 'a' > 'B'
  EXPECT_EQ(Cmp("1.0.0-Z", "1.0.0-a-"), 1);
  EXPECT_EQ(Cmp("1.0.0-a-b", "1.0.0-a"), 1);
}

TEST(CompareNuGet, ComparesNumericLabelsAsInt32) {
  EXPECT_EQ(Cmp("1.0.0-2", "1.0.0-10"), -1);
  EXPECT_EQ(Cmp("1.0.0-10", "1.0.0-a"), -1);
  EXPECT_EQ(Cmp("1.0.0-0a", "1.0.0-1"), 1);  // 0a is not a number
  // int.TryParse takes a sign: "-1" is the number -1, "-0" is 0.
  EXPECT_EQ(Cmp("1.0.0--1", "1.0.0-0"), -1);
  EXPECT_EQ(Cmp("1.0.0--0", "1.0.0-0"), 0);
  // Past Int32 a label is text: "2147483648" sorts after every number and,
  // by its first character, before letters.
  EXPECT_EQ(Cmp("1.0.0-2147483647", "1.0.0-2147483648"), -1);
  EXPECT_EQ(Cmp("1.0.0-2147483648", "1.0.0-3"), 1);
  EXPECT_EQ(Cmp("1.0.0-2147483648", "1.0.0-a"), -1);
  EXPECT_EQ(Cmp("1.0.0--2147483648", "1.0.0--2147483647"), -1);
}

TEST(CompareNuGet, IgnoresMetadata) {
  EXPECT_EQ(Cmp("1.0.0+abc", "1.0.0"), 0);
  EXPECT_EQ(Cmp("1.0.0-beta+a.01", "1.0.0-beta+b"), 0);
  EXPECT_EQ(Cmp("1.0+meta-data", "1.0.0.0"), 0);
}

TEST(CompareNuGet, RejectsInvalidVersions) {
  for (const std::string& bad :
       std::vector<std::string>{"",
                                "1.",
                                ".1",
                                "1..2",
                                "1.2.3.4.5",
                                "a",
                                "v1.0",
                                "1.0-",
                                "1.0+",
                                "1.0-01",
                                "1.0-00",
                                "1.0-a..b",
                                "1.0-a.",
                                "1.0-a_b",
                                "1.0+a..b",
                                "1.0-a+",
                                "1.0-a+b+c",
                                "-1.0",
                                "+1.0",
                                "1.2147483648",
                                "99999999999999999999",
                                " 1.0",
                                "1.0 ",
                                "1. 0",
                                "1.0-é",
                                std::string("1.0\0", 4)}) {
    Result<int> r = CompareNuGet(bad, "1.0");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status(),
              InvalidArgumentError("invalid nuget version \"" + bad + "\""));
  }
}

TEST(CompareNuGet, AcceptsWhatNuGetAccepts) {
  EXPECT_EQ(Cmp("1.0-0", "1.0-0a"), -1);  // a single 0 label
  EXPECT_EQ(Cmp("1.0+01", "1.0"), 0);     // leading zeros in metadata
  EXPECT_EQ(Cmp("1.0-0a.b-c", "1.0-0a.b-c"), 0);
  EXPECT_EQ(Cmp("2147483647.2147483647.2147483647.2147483647", "1"), 1);
}

TEST(CompareNuGet, CapsTheLength) {
  std::string at_cap = "1.0.0-" + std::string(kMaxVersionLength - 6, 'a');
  ASSERT_EQ(at_cap.size(), kMaxVersionLength);
  EXPECT_EQ(Cmp(at_cap, "1.0.0"), -1);
  std::string over = at_cap + "a";
  EXPECT_EQ(CompareNuGet("1.0.0", over).status(),
            InvalidArgumentError("invalid nuget version \"" +
                                 over.substr(0, 100) + "\""));
}

TEST(CompareNuGet, IsReflexiveAndAntisymmetricOnRandomInput) {
  test::ExpectReflexiveAndAntisymmetric(CompareNuGet, "0123456789.-+aBz", 8);
}

}  // namespace
}  // namespace strata::version
