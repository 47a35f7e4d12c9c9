#include "cvss/cvss.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace strata::cvss {
namespace {

struct Case {
  const char* vector;
  double base;
};

void ExpectScores(const std::vector<Case>& cases, Version version) {
  for (const Case& c : cases) {
    auto s = Parse(c.vector);
    ASSERT_TRUE(s.ok()) << c.vector << ": " << s.status().ToString();
    EXPECT_EQ(s->version, version) << c.vector;
    EXPECT_DOUBLE_EQ(s->base, c.base) << c.vector;
  }
}

TEST(ParseV31, ScoresNvdVectors) {
  ExpectScores(
      {
          // CVE-2021-44228 (Log4Shell) and CVE-2024-3094 (xz backdoor).
          {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0},
          // CVE-2014-0160 (Heartbleed).
          {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5},
          // CVE-2023-44487 (HTTP/2 rapid reset).
          {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5},
          // CVE-2021-3156 (sudo Baron Samedit).
          {"CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8},
          // CVE-2014-6271 (Shellshock).
          {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8},
      },
      Version::kV31);
}

TEST(ParseV31, ScoresSpecificationExamples) {
  // CVSS v3.1 Examples document (FIRST).
  ExpectScores(
      {
          {"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1},  // 2013-1937
          {"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4},  // 2013-0375
          {"CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N", 3.1},  // 2014-3566
          {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0},
          {"CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", 1.6},
          {"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 9.9},
          {"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H", 9.6},
          {"CVSS:3.1/AV:A/AC:H/PR:H/UI:R/S:C/C:L/I:L/A:L", 4.8},
          {"CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.0},
      },
      Version::kV31);
}

TEST(ParseV30, ScoresVectors) {
  ExpectScores(
      {
          {"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8},
          {"CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1},
          {"CVSS:3.0/AV:L/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N", 4.6},
          {"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:N/I:N/A:N", 0.0},
      },
      Version::kV30);
}

TEST(ParseV2, ScoresNvdVectors) {
  ExpectScores(
      {
          {"AV:N/AC:L/Au:N/C:C/I:C/A:C", 10.0},   // CVE-2014-6271
          {"AV:N/AC:L/Au:N/C:P/I:N/A:N", 5.0},    // CVE-2014-0160
          {"AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5},    // spec example
          {"(AV:N/AC:M/Au:N/C:C/I:C/A:C)", 9.3},  // CVE-2021-44228
          {"AV:L/AC:H/Au:M/C:N/I:N/A:P", 0.8},
          {"AV:L/AC:H/Au:M/C:N/I:N/A:C", 3.7},
          {"AV:A/AC:M/Au:S/C:N/I:N/A:P", 2.3},
          {"AV:A/AC:M/Au:N/C:C/I:N/A:P/E:POC/RL:W/RC:UC", 6.4},
          {"AV:L/AC:H/Au:M/C:N/I:N/A:N", 0.0},
      },
      Version::kV2);
}

TEST(ParseV40, ScoresCalculatorVectors) {
  // Scores of the FIRST CVSS v4.0 calculator.
  ExpectScores(
      {
          {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H",
           10.0},
          {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
           9.3},
          {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:H/VA:L/SC:N/SI:H/SA:L",
           9.2},
          {"CVSS:4.0/AV:N/AC:L/AT:N/PR:H/UI:N/VC:N/VI:H/VA:H/SC:H/SI:N/SA:L",
           8.3},
          {"CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:A/VC:L/VI:L/VA:N/SC:N/SI:N/SA:H",
           4.6},
          {"CVSS:4.0/AV:N/AC:L/AT:P/PR:H/UI:A/VC:L/VI:L/VA:L/SC:H/SI:H/SA:L",
           4.7},
          {"CVSS:4.0/AV:N/AC:H/AT:N/PR:L/UI:P/VC:N/VI:L/VA:L/SC:N/SI:L/SA:L",
           2.1},
          {"CVSS:4.0/AV:A/AC:L/AT:P/PR:H/UI:A/VC:L/VI:L/VA:L/SC:H/SI:L/SA:N",
           2.0},
          {"CVSS:4.0/AV:A/AC:H/AT:P/PR:N/UI:A/VC:N/VI:L/VA:H/SC:N/SI:N/SA:H",
           6.9},
          {"CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:N/VC:N/VI:H/VA:H/SC:L/SI:L/SA:N",
           7.0},
          {"CVSS:4.0/AV:L/AC:H/AT:P/PR:H/UI:N/VC:N/VI:N/VA:H/SC:N/SI:L/SA:N",
           5.6},
          {"CVSS:4.0/AV:P/AC:L/AT:P/PR:H/UI:N/VC:N/VI:L/VA:L/SC:L/SI:N/SA:L",
           1.0},
          {"CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H",
           7.3},
          {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N",
           0.0},
      },
      Version::kV40);
}

TEST(ParseV40, IgnoresThreatEnvironmentalAndSupplementalForBase) {
  // CVSS-BT with E:U would be 4.1; the base score stays 7.3.
  ExpectScores(
      {
          {"CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/"
           "E:U",
           7.3},
          {"CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/"
           "CR:L/IR:L/AR:L/MAV:N/MSI:S/S:P/AU:Y/R:I/V:C/RE:H/U:Red",
           7.3},
      },
      Version::kV40);
}

TEST(Parse, RatesScores) {
  auto s = Parse("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->rating, Rating::kCritical);
  s = Parse("CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->rating, Rating::kLow);
  s = Parse("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->rating, Rating::kNone);
  // v2 has three ratings, and 0.0 is low.
  s = Parse("AV:N/AC:L/Au:N/C:C/I:C/A:C");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->rating, Rating::kHigh);
  s = Parse("AV:N/AC:L/Au:N/C:P/I:N/A:N");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->rating, Rating::kMedium);
  s = Parse("AV:L/AC:H/Au:M/C:N/I:N/A:N");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->rating, Rating::kLow);
}

TEST(RatingFor, UsesQualitativeScale) {
  EXPECT_EQ(RatingFor(0.0), Rating::kNone);
  EXPECT_EQ(RatingFor(0.1), Rating::kLow);
  EXPECT_EQ(RatingFor(3.9), Rating::kLow);
  EXPECT_EQ(RatingFor(4.0), Rating::kMedium);
  EXPECT_EQ(RatingFor(6.9), Rating::kMedium);
  EXPECT_EQ(RatingFor(7.0), Rating::kHigh);
  EXPECT_EQ(RatingFor(8.9), Rating::kHigh);
  EXPECT_EQ(RatingFor(9.0), Rating::kCritical);
  EXPECT_EQ(RatingFor(10.0), Rating::kCritical);
  EXPECT_EQ(RatingName(Rating::kNone), "none");
  EXPECT_EQ(RatingName(Rating::kLow), "low");
  EXPECT_EQ(RatingName(Rating::kMedium), "medium");
  EXPECT_EQ(RatingName(Rating::kHigh), "high");
  EXPECT_EQ(RatingName(Rating::kCritical), "critical");
}

TEST(Parse, CanonicalisesMetricOrder) {
  auto s = Parse("CVSS:3.1/C:H/I:H/A:H/AV:N/AC:L/PR:N/UI:N/S:U/E:P");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->vector, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P");
  EXPECT_DOUBLE_EQ(s->base, 9.8);
  s = Parse("(AV:N/AC:L/Au:N/C:P/I:P/A:P/E:F)");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->vector, "AV:N/AC:L/Au:N/C:P/I:P/A:P/E:F");
  s = Parse(
      "CVSS:4.0/U:Red/SA:N/SI:N/SC:N/VA:H/VI:H/VC:H/UI:N/PR:N/AT:N/AC:L/"
      "AV:N");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->vector,
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/"
            "U:Red");
  EXPECT_DOUBLE_EQ(s->base, 9.3);
}

// Every v3.1 base vector: 4*2*3*2*2*3*3*3 = 2592.
TEST(ParseV31, AllBaseVectorsScoreInRangeAndMonotone) {
  const std::vector<std::string> av = {"P", "L", "A", "N"}, ac = {"H", "L"},
                                 pr = {"H", "L", "N"}, ui = {"R", "N"},
                                 sc = {"U", "C"}, cia = {"N", "L", "H"};
  // index[i] of each metric in the lists above, least to most severe.
  auto score = [&](const std::string& prefix, const std::vector<int>& i) {
    std::string v = prefix + "AV:" + av[i[0]] + "/AC:" + ac[i[1]] +
                    "/PR:" + pr[i[2]] + "/UI:" + ui[i[3]] + "/S:" + sc[i[4]] +
                    "/C:" + cia[i[5]] + "/I:" + cia[i[6]] + "/A:" + cia[i[7]];
    auto s = Parse(v);
    EXPECT_TRUE(s.ok()) << v;
    return s.ok() ? s->base : -1.0;
  };
  const std::vector<int> sizes = {4, 2, 3, 2, 2, 3, 3, 3};
  int count = 0;
  std::vector<int> i(8, 0);
  while (true) {
    double base = score("CVSS:3.1/", i);
    EXPECT_GE(base, 0.0);
    EXPECT_LE(base, 10.0);
    // v3.0's Roundup gives the same base score for every base vector.
    EXPECT_DOUBLE_EQ(score("CVSS:3.0/", i), base);
    // One step more severe in any metric (scope kept) never lowers it.
    for (int m = 0; m < 8; ++m) {
      if (m == 4 || i[m] + 1 >= sizes[m]) continue;
      std::vector<int> j = i;
      ++j[m];
      EXPECT_GE(score("CVSS:3.1/", j), base);
    }
    // No impact, no score; otherwise at least 0.1.
    bool no_impact = i[5] == 0 && i[6] == 0 && i[7] == 0;
    EXPECT_EQ(base == 0.0, no_impact);
    ++count;
    int k = 0;
    while (k < 8 && ++i[k] == sizes[k]) i[k++] = 0;
    if (k == 8) break;
  }
  EXPECT_EQ(count, 2592);
}

// Every v2 base vector: 3^6 = 729.
TEST(ParseV2, AllBaseVectorsScoreInRangeAndMonotone) {
  const std::vector<std::vector<std::string>> values = {
      {"L", "A", "N"}, {"H", "M", "L"}, {"M", "S", "N"},
      {"N", "P", "C"}, {"N", "P", "C"}, {"N", "P", "C"}};
  const char* keys[] = {"AV", "AC", "Au", "C", "I", "A"};
  auto score = [&](const std::vector<int>& i) {
    std::string v;
    for (int m = 0; m < 6; ++m) {
      if (m) v += '/';
      v += std::string(keys[m]) + ":" + values[m][i[m]];
    }
    auto s = Parse(v);
    EXPECT_TRUE(s.ok()) << v;
    return s.ok() ? s->base : -1.0;
  };
  int count = 0;
  std::vector<int> i(6, 0);
  while (true) {
    double base = score(i);
    EXPECT_GE(base, 0.0);
    EXPECT_LE(base, 10.0);
    for (int m = 0; m < 6; ++m) {
      if (i[m] == 2) continue;
      std::vector<int> j = i;
      ++j[m];
      EXPECT_GE(score(j), base);
    }
    ++count;
    int k = 0;
    while (k < 6 && ++i[k] == 3) i[k++] = 0;
    if (k == 6) break;
  }
  EXPECT_EQ(count, 729);
}

// Every v4.0 base vector: 4*2*2*3*3*3^6 = 104976.
TEST(ParseV40, AllBaseVectorsScoreInRange) {
  const std::vector<std::vector<std::string>> values = {
      {"N", "A", "L", "P"}, {"L", "H"},      {"N", "P"},      {"N", "L", "H"},
      {"N", "P", "A"},      {"H", "L", "N"}, {"H", "L", "N"}, {"H", "L", "N"},
      {"H", "L", "N"},      {"H", "L", "N"}, {"H", "L", "N"}};
  const char* keys[] = {"AV", "AC", "AT", "PR", "UI", "VC",
                        "VI", "VA", "SC", "SI", "SA"};
  int count = 0, zero = 0, ten = 0;
  std::vector<size_t> i(11, 0);
  while (true) {
    std::string v = "CVSS:4.0";
    for (int m = 0; m < 11; ++m) {
      v += std::string("/") + keys[m] + ":" + values[m][i[m]];
    }
    auto s = Parse(v);
    ASSERT_TRUE(s.ok()) << v;
    EXPECT_GE(s->base, 0.0) << v;
    EXPECT_LE(s->base, 10.0) << v;
    if (s->base == 0.0) ++zero;
    if (s->base == 10.0) ++ten;
    ++count;
    int k = 0;
    while (k < 11 && ++i[k] == values[k].size()) i[k++] = 0;
    if (k == 11) break;
  }
  EXPECT_EQ(count, 104976);
  // Only the vectors without any impact score 0 (4*2*2*3*3 of them).
  EXPECT_EQ(zero, 144);
  EXPECT_GE(ten, 1);
}

void ExpectError(std::string_view vector, std::string_view message) {
  auto s = Parse(vector);
  ASSERT_FALSE(s.ok()) << vector;
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.status().message(), message);
}

TEST(Parse, RejectsInvalidVectors) {
  ExpectError("", "invalid CVSS vector \"\": empty");
  ExpectError("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H",
              "invalid CVSS vector \"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/"
              "I:H\": missing base metric \"A\"");
  ExpectError("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/AV:L",
              "invalid CVSS vector \"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/"
              "A:H/AV:L\": metric \"AV\" repeated");
  ExpectError("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:Q",
              "invalid CVSS vector \"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/"
              "A:Q\": metric \"A\" has invalid value \"Q\"");
  ExpectError("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:1",
              "invalid CVSS vector \"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/"
              "A:H/ZZ:1\": unknown metric \"ZZ\"");
  ExpectError("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/",
              "invalid CVSS vector \"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/"
              "A:H/\": empty metric");
  ExpectError("CVSS:3.1/AV",
              "invalid CVSS vector \"CVSS:3.1/AV\": metric "
              "\"AV\" has no value");
  ExpectError("CVSS:3.2/AV:N",
              "invalid CVSS vector \"CVSS:3.2/AV:N\": unsupported version "
              "\"3.2\"");
  ExpectError("CVSS:3.1", "invalid CVSS vector \"CVSS:3.1\": no metrics");
  // v2 metrics in a v3 vector, v3 in v2, v4-only metrics in v3.
  ExpectError("CVSS:3.1/AV:N/AC:L/Au:N/C:P/I:P/A:P",
              "invalid CVSS vector \"CVSS:3.1/AV:N/AC:L/Au:N/C:P/I:P/A:P\": "
              "unknown metric \"Au\"");
  ExpectError("AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
              "invalid CVSS vector \"AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\": "
              "unknown metric \"PR\"");
  ExpectError("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:S/SA:N",
              "invalid CVSS vector \"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/"
              "VI:H/VA:H/SC:N/SI:S/SA:N\": metric \"SI\" has invalid value "
              "\"S\"");
  ExpectError("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N",
              "invalid CVSS vector \"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/"
              "VI:H/VA:H/SC:N/SI:N\": missing base metric \"SA\"");
  ExpectError("(AV:N/AC:L/Au:N/C:P/I:P/A:P",
              "invalid CVSS vector \"(AV:N/AC:L/Au:N/C:P/I:P/A:P\": unbalanced "
              "parentheses");
  ExpectError("cvss:3.1/AV:N",
              "invalid CVSS vector \"cvss:3.1/AV:N\": "
              "unknown metric \"cvss\"");
  ExpectError("AV:N/AC:L/Au:N/C:P/I:P/A:p",
              "invalid CVSS vector \"AV:N/AC:L/Au:N/C:P/I:P/A:p\": metric "
              "\"A\" has invalid value \"p\"");
}

TEST(Parse, QuotesHostileInputSafely) {
  ExpectError(std::string_view("AV:\n\"\0", 6),
              "invalid CVSS vector \"AV:???\": metric \"AV\" has invalid "
              "value \"???\"");
  std::string long_vector(kMaxVectorLength + 1, 'A');
  ExpectError(long_vector, "invalid CVSS vector \"" + std::string(80, 'A') +
                               "...\": longer than 1024 bytes");
  // At the cap the vector is parsed (and fails on its content).
  std::string at_cap =
      "CVSS:3.1/AV:N/" + std::string(kMaxVectorLength - 14, 'x');
  auto s = Parse(at_cap);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("has no value"), std::string::npos);
}

}  // namespace
}  // namespace strata::cvss
