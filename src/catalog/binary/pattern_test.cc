#include "catalog/binary/pattern.h"

#include <gtest/gtest.h>

#include <string>

namespace strata::catalog::binary {
namespace {

using namespace std::string_view_literals;

// The version `spec` finds in `bytes` ("" when none).
std::string Version(std::string_view spec, std::string_view bytes,
                    std::string_view file_version = "") {
  auto p = BytePattern::Parse(spec);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  if (!p.ok()) return "<bad pattern>";
  auto m = p->Find(bytes, file_version);
  return m ? std::string(m->version) : "";
}

std::string ParseError(std::string_view spec) {
  auto p = BytePattern::Parse(spec);
  if (p.ok()) return "ok";
  EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
  return p.status().ToString();
}

TEST(BytePatternTest, FindsVersionAfterLiteral) {
  EXPECT_EQ(Version("curl/({N})", "xx\0curl/8.5.0\0yy"sv), "8.5.0");
  EXPECT_EQ(Version("curl/({N})", "curl/8"), "8");
}

TEST(BytePatternTest, ReportsEvidenceSpan) {
  auto p = BytePattern::Parse("BusyBox v({N}) \\(");
  ASSERT_TRUE(p.ok());
  auto m = p->Find("..BusyBox v1.36.1 (2024)", "");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->version, "1.36.1");
  EXPECT_EQ(m->evidence, "BusyBox v1.36.1 (");
}

TEST(BytePatternTest, NulBytesAreLiterals) {
  EXPECT_EQ(Version("\0OpenSSL ({N}{A}) "sv,
                    "with OpenSSL 9.9.9 \0OpenSSL 1.1.1w  11 Sep 2023"sv),
            "1.1.1w");
  EXPECT_EQ(Version("\0OpenSSL ({N}{A}) "sv, "with OpenSSL 9.9.9 x"), "");
}

TEST(BytePatternTest, SkipsNearMissesAndTakesFirstFullMatch) {
  // "go1.13.go" fails on the trailing ".go"; the later hit matches.
  EXPECT_EQ(Version("go(1.{N})\0"sv, "bits_go1.13.go\0x go1.22.5\0\0"sv),
            "1.22.5");
  EXPECT_EQ(Version("go(1.{N})\0"sv, "go1.22.5\0 go1.21.0\0"sv), "1.22.5");
}

TEST(BytePatternTest, NumberNeedsADigitAndKeepsATrailingDot) {
  EXPECT_EQ(Version("curl/({N})", "curl/x curl/.5"), "");
  auto p = BytePattern::Parse("curl/({N})");
  ASSERT_TRUE(p.ok());
  auto m = p->Find("curl/8.5.", "");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->version, "8.5");
  EXPECT_EQ(m->evidence, "curl/8.5");
}

TEST(BytePatternTest, LettersAndSuffixTokens) {
  EXPECT_EQ(Version("ver v({N}{A})!", "ver v1.0.2k!"), "1.0.2k");
  EXPECT_EQ(Version("ver v({N}{A})!", "ver v1.0.2K!"), "");
  EXPECT_EQ(
      Version("RUNTIME=\"({N}{S})\"", "RUNTIME=\"17.0.13+11-Debian-2deb12u1\""),
      "17.0.13+11-Debian-2deb12u1");
  EXPECT_EQ(Version("RUNTIME=\"({N}{S})\"", "RUNTIME=\"17.0 13\""), "");
}

TEST(BytePatternTest, SkippedTokenIsNotCaptured) {
  EXPECT_EQ(Version("\0java\0{N}\0({N}{S})\0"sv,
                    "\0java\0"
                    "0.0\0"
                    "17.0.13+11\0"sv),
            "17.0.13+11");
  EXPECT_EQ(Version(" version ({N}){S}, released"sv,
                    "HAProxy version 2.8.3-86e043a, released 2023/09/07"),
            "2.8.3");
}

TEST(BytePatternTest, TokenLongerThanCapFails) {
  std::string digits(kMaxTokenBytes, '1');
  EXPECT_EQ(Version("curl/({N})", "curl/" + digits), digits);
  EXPECT_EQ(Version("curl/({N})", "curl/" + digits + "1"), "");
  std::string suffix(kMaxTokenBytes + 1, 'a');
  EXPECT_EQ(Version("ver v({N}{S})", "ver v1" + suffix), "");
}

TEST(BytePatternTest, NumberBeforeAnchorIsMatchedBackward) {
  EXPECT_EQ(Version("({N})-MariaDB", "Ver 15.1 Distrib 10.11.6-MariaDB,"),
            "10.11.6");
  EXPECT_EQ(Version("({N})buildkitsandbox-", "x7.2.4buildkitsandbox-17"),
            "7.2.4");
  // A leading dot is context, not part of the number.
  EXPECT_EQ(Version("({N})-MariaDB", "..10.6-MariaDB"), "10.6");
  EXPECT_EQ(Version("({N})-MariaDB", "1..2-MariaDB"), "");
  EXPECT_EQ(Version("({N})-MariaDB", "1.2.-MariaDB"), "");
  EXPECT_EQ(Version("({N})-MariaDB", "-MariaDB"), "");
  EXPECT_EQ(Version("({N})-MariaDB",
                    std::string(kMaxTokenBytes + 1, '1') + "-MariaDB"),
            "");
}

TEST(BytePatternTest, FileVersionIsPartOfAnchorAndCapture) {
  const std::string_view spec = "\0({FV}.{N}{S})\0"sv;
  const std::string_view bytes =
      "\0"
      "3.1.0\0pymalloc\0"
      "3.11.2\0strict"sv;
  EXPECT_EQ(Version(spec, bytes, "3.11"), "3.11.2");
  EXPECT_EQ(Version(spec, bytes, "3.12"), "");
  EXPECT_EQ(Version(spec, bytes, ""), "");
  EXPECT_EQ(Version(spec,
                    "\0"
                    "3.13.0rc1\0"sv,
                    "3.13"),
            "3.13.0rc1");
}

TEST(BytePatternTest, CaptureMustStartWithADigit) {
  EXPECT_EQ(Version("Ver: ({S})!", "Ver: -1.2!"), "");
  EXPECT_EQ(Version("Ver: ({S})!", "Ver: 1.2!"), "1.2");
  EXPECT_EQ(Version("Ver: ({A})!", "Ver: !"), "");
}

TEST(BytePatternTest, MatchCutAtEndOfBytes) {
  EXPECT_EQ(Version("@\\(#\\)Bash version ({N})\\(", "@(#)Bash version 5.2"),
            "");
  EXPECT_EQ(Version("@\\(#\\)Bash version ({N})\\(", "@(#)Bash vers"), "");
  EXPECT_EQ(Version("@\\(#\\)Bash version ({N})\\(", ""), "");
}

TEST(BytePatternTest, ParseErrors) {
  EXPECT_EQ(ParseError("curl/({N})"), "ok");
  EXPECT_EQ(ParseError("curl/({X})"),
            "pattern \"curl/({X})\": unknown token {X}");
  EXPECT_EQ(ParseError("curl/{N}"),
            "pattern \"curl/{N}\": needs exactly one "
            "capture");
  EXPECT_EQ(ParseError("curl/({N})({N})"),
            "pattern \"curl/({N})({N})\": needs exactly "
            "one capture");
  EXPECT_EQ(ParseError("curl/){N}("),
            "pattern \"curl/){N}(\": needs exactly one "
            "capture");
  EXPECT_EQ(ParseError("curl/({N}"),
            "pattern \"curl/({N}\": needs exactly one "
            "capture");
  EXPECT_EQ(ParseError("curl/(){N}"), "pattern \"curl/(){N}\": empty capture");
  EXPECT_EQ(ParseError("cur({N})"),
            "pattern \"cur({N})\": anchor shorter than 4 "
            "bytes");
  EXPECT_EQ(ParseError("({N})"),
            "pattern \"({N})\": anchor shorter than 4 "
            "bytes");
  EXPECT_EQ(ParseError("({S})-MariaDB"),
            "pattern \"({S})-MariaDB\": only one {N} may "
            "precede the anchor");
  EXPECT_EQ(ParseError("{N}({N})-MariaDB"),
            "pattern \"{N}({N})-MariaDB\": only one {N} "
            "may precede the anchor");
  EXPECT_EQ(ParseError("curl/({N})\\"),
            "pattern \"curl/({N})\\\": ends with a lone "
            "backslash");
  EXPECT_EQ(ParseError("curl/({N"), "pattern \"curl/({N\": unclosed {");
  EXPECT_EQ(ParseError("\0OpenSSL ({N}"sv),
            "pattern \"\\x00OpenSSL ({N}\": needs exactly "
            "one capture");
}

TEST(FileVersionTest, TakesDottedNumberFromBaseName) {
  EXPECT_EQ(FileVersion("usr/bin/python3.11"), "3.11");
  EXPECT_EQ(FileVersion("usr/lib/libpython3.11.so.1.0"), "3.11");
  EXPECT_EQ(FileVersion("libpython3.12d.so"), "3.12");
  EXPECT_EQ(FileVersion("opt/python2.7/bin/python"), "");
  EXPECT_EQ(FileVersion("usr/bin/python3"), "");
  EXPECT_EQ(FileVersion("usr/bin/python3."), "");
  EXPECT_EQ(FileVersion("usr/bin/python"), "");
  EXPECT_EQ(FileVersion(""), "");
}

}  // namespace
}  // namespace strata::catalog::binary
