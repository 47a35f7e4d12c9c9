#include "sigstore/canonical_json.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

namespace strata::sigstore {
namespace {

std::string Canon(std::string_view text) {
  Result<json::Json> j = json::Parse(text, "test", 1 << 20);
  EXPECT_TRUE(j.ok()) << j.status().ToString();
  Result<std::string> out = CanonicalJson(*j);
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  return out.ok() ? *out : "";
}

// RFC 8785 section 3.2.4 (the sample input and its canonical form).
TEST(CanonicalJsonTest, MatchesRfc8785Example) {
  const std::string input = R"({
    "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
    "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
    "literals": [null, true, false]
  })";
  EXPECT_EQ(Canon(input),
            "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,"
            "1e+30,4.5,0.002,1e-27],\"string\":\"\xE2\x82\xAC$\\u000f\\nA'B"
            "\\\"\\\\\\\\\\\"/\"}");
}

// RFC 8785 section 3.2.3: members sort by UTF-16 code units, so the emoji
// (a surrogate pair, 0xD83D...) sorts before U+FB33 though its UTF-8 bytes
// sort after.
TEST(CanonicalJsonTest, SortsMembersByUtf16CodeUnits) {
  const std::string input = R"({
    "\u20ac": "Euro Sign",
    "\r": "Carriage Return",
    "\ufb33": "Hebrew Letter Dalet With Dagesh",
    "1": "One",
    "\ud83d\ude00": "Emoji: Grinning Face",
    "\u0080": "Control",
    "\u00f6": "Latin Small Letter O With Diaeresis"
  })";
  EXPECT_EQ(Canon(input),
            "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\xC2\x80\":"
            "\"Control\",\"\xC3\xB6\":\"Latin Small Letter O With "
            "Diaeresis\",\"\xE2\x82\xAC\":\"Euro Sign\",\"\xF0\x9F\x98\x80\":"
            "\"Emoji: Grinning Face\",\"\xEF\xAC\xB3\":\"Hebrew Letter Dalet "
            "With Dagesh\"}");
}

// RFC 8785 appendix B: IEEE 754 bit patterns and their JCS form.
TEST(CanonicalJsonTest, FormatsNumbersLikeEcmaScript) {
  const struct {
    uint64_t bits;
    const char* want;
  } kCases[] = {
      {0x0000000000000000, "0"},
      {0x8000000000000000, "0"},
      {0x0000000000000001, "5e-324"},
      {0x8000000000000001, "-5e-324"},
      {0x7fefffffffffffff, "1.7976931348623157e+308"},
      {0xffefffffffffffff, "-1.7976931348623157e+308"},
      {0x4340000000000000, "9007199254740992"},
      {0xc340000000000000, "-9007199254740992"},
      {0x4430000000000000, "295147905179352830000"},
      {0x44b52d02c7e14af5, "9.999999999999997e+22"},
      {0x44b52d02c7e14af6, "1e+23"},
      {0x44b52d02c7e14af7, "1.0000000000000001e+23"},
      {0x444b1ae4d6e2ef4e, "999999999999999700000"},
      {0x444b1ae4d6e2ef4f, "999999999999999900000"},
      {0x444b1ae4d6e2ef50, "1e+21"},
      {0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"},
      {0x3eb0c6f7a0b5ed8d, "0.000001"},
      {0x41b3de4355555553, "333333333.3333332"},
      {0x41b3de4355555554, "333333333.33333325"},
      {0x41b3de4355555555, "333333333.3333333"},
      {0x41b3de4355555556, "333333333.3333334"},
      {0x41b3de4355555557, "333333333.33333343"},
      {0xbecbf647612f3696, "-0.0000033333333333333333"},
      {0x43143ff3c1cb0959, "1424953923781206.2"},
  };
  for (const auto& c : kCases) {
    EXPECT_EQ(FormatJcsNumber(std::bit_cast<double>(c.bits)), c.want)
        << std::hex << c.bits;
  }
}

TEST(CanonicalJsonTest, WritesIntegersAsTheirDoubleValue) {
  json::Json j = json::Json::object();
  j["integratedTime"] = int64_t{1670870899};
  j["logIndex"] = uint64_t{8949589};
  j["big"] = int64_t{9007199254740993};  // 2^53 + 1 rounds to 2^53
  j["neg"] = int64_t{-42};
  Result<std::string> out = CanonicalJson(j);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out,
            "{\"big\":9007199254740992,\"integratedTime\":1670870899,"
            "\"logIndex\":8949589,\"neg\":-42}");
}

TEST(CanonicalJsonTest, EscapesOnlyWhatItMust) {
  json::Json j = std::string("a\x01\x1f\x7f\b\t\n\f\r/\"\\\xC3\xA9");
  Result<std::string> out = CanonicalJson(j);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "\"a\\u0001\\u001f\x7f\\b\\t\\n\\f\\r/\\\"\\\\\xC3\xA9\"");
}

TEST(CanonicalJsonTest, RefusesWhatHasNoCanonicalForm) {
  Result<std::string> nan =
      CanonicalJson(json::Json(std::numeric_limits<double>::quiet_NaN()));
  EXPECT_EQ(nan.status().message(), "canonical json: number is not finite");
  Result<std::string> inf = CanonicalJson(
      json::Json::array({std::numeric_limits<double>::infinity()}));
  EXPECT_EQ(inf.status().message(), "canonical json: number is not finite");
  Result<std::string> bad = CanonicalJson(json::Json(std::string("\xC3")));
  EXPECT_EQ(bad.status().message(),
            "canonical json: string is not valid UTF-8");
  Result<std::string> surrogate =
      CanonicalJson(json::Json(std::string("\xED\xA0\x80")));
  EXPECT_EQ(surrogate.status().code(), StatusCode::kInvalidArgument);
  json::Json key = json::Json::object();
  key[std::string("\xC0\xAF")] = 1;  // overlong '/'
  EXPECT_EQ(CanonicalJson(key).status().message(),
            "canonical json: member name is not valid UTF-8");
  json::Json deep = 1;
  for (int i = 0; i < 100; ++i) deep = json::Json::array({deep});
  EXPECT_EQ(CanonicalJson(deep).status().message(),
            "canonical json: nested deeper than 64");
}

}  // namespace
}  // namespace strata::sigstore
