#include "catalog/python/parse_metadata.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "testing/test_util.h"

namespace strata::catalog::python {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr std::string_view kRequests =
    "usr/lib/python3/dist-packages/requests-2.28.1.dist-info/METADATA";

std::string Testdata(const std::string& rel) {
  return testing::ReadTestFile(std::string(STRATA_SOURCE_DIR) +
                               "/src/catalog/python/testdata/site/" + rel);
}

Metadata MustParse(std::string_view bytes) {
  Result<Metadata> m = ParseMetadata(bytes);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return m.ok() ? *std::move(m) : Metadata{};
}

TEST(ParseMetadataTest, ReadsAWheelMetadataFile) {
  std::string bytes = Testdata(std::string(kRequests));
  ASSERT_FALSE(bytes.empty());
  Metadata m = MustParse(bytes);
  EXPECT_EQ(m.name, "requests");
  EXPECT_EQ(m.version, "2.28.1");
  EXPECT_EQ(m.summary, "Python HTTP for Humans.");
  EXPECT_EQ(m.license, "Apache 2.0");
  EXPECT_EQ(m.license_expression, "");
  EXPECT_EQ(m.classifiers.size(), 12u);
  EXPECT_EQ(m.classifiers[3],
            "License :: OSI Approved :: Apache Software License");
  // Requirements of extras (socks, use_chardet_on_py3) are left out.
  EXPECT_THAT(m.depends,
              ElementsAre("charset-normalizer", "idna", "urllib3", "certifi"));
}

TEST(ParseMetadataTest, FoldsContinuationLinesAndIgnoresTheBody) {
  Metadata m = MustParse(
      "Metadata-Version: 1.0\r\n"
      "name: foo\r\n"
      "VERSION:1.0\r\n"
      "License: Copyright (c) Foo\r\n"
      "        Permission is hereby granted\r\n"
      "\tto everyone\r\n"
      "\r\n"
      "Version: 2.0\r\n"
      "Requires-Dist: bar\r\n");
  EXPECT_EQ(m.name, "foo");
  EXPECT_EQ(m.version, "1.0");
  EXPECT_EQ(m.license,
            "Copyright (c) Foo\nPermission is hereby granted\nto everyone");
  EXPECT_THAT(m.depends, IsEmpty());
}

TEST(ParseMetadataTest, FirstValueOfASingleFieldWins) {
  Metadata m = MustParse(
      "Name: foo\nName: bar\nVersion: 1\nVersion: 2\n"
      "Summary: first line\n  second line\n"
      "Requires-Dist: b\nRequires-Dist: a\nRequires-Dist: B\n");
  EXPECT_EQ(m.name, "foo");
  EXPECT_EQ(m.version, "1");
  EXPECT_EQ(m.summary, "first line");
  EXPECT_THAT(m.depends, ElementsAre("b", "a"));
}

TEST(ParseMetadataTest, ALineThatIsNotAHeaderStartsTheBody) {
  Metadata m = MustParse(
      "Name: foo\nVersion: 1\nthis line has no colon\nSummary: body\n");
  EXPECT_EQ(m.summary, "");
  m = MustParse("Name: foo\nVersion: 1\nnot a header: x\nSummary: body\n");
  EXPECT_EQ(m.summary, "");
}

TEST(ParseMetadataTest, ReportsMissingNameAndVersion) {
  EXPECT_EQ(ParseMetadata("Version: 1\n").status(),
            DataLossError("no Name field"));
  EXPECT_EQ(ParseMetadata("Name: foo\nVersion:\n").status(),
            DataLossError("no Version field"));
  EXPECT_EQ(ParseMetadata("").status(), DataLossError("no Name field"));
  // A continuation before any field is body text.
  EXPECT_EQ(ParseMetadata(" Name: foo\nVersion: 1\n").status(),
            DataLossError("no Name field"));
}

TEST(ParseMetadataTest, EnforcesItsCaps) {
  std::string many = "Name: foo\nVersion: 1\n";
  for (int i = 0; i < 4094; ++i) many += "Classifier: x\n";
  EXPECT_TRUE(ParseMetadata(many).ok());
  many += "Classifier: x\n";
  EXPECT_EQ(ParseMetadata(many).status(),
            ResourceExhaustedError("more than 4096 header fields"));

  std::string huge = "Name: foo\nVersion: 1\nLicense: ";
  huge += std::string(256 * 1024, 'x');
  EXPECT_TRUE(ParseMetadata(huge).ok());
  EXPECT_EQ(ParseMetadata(huge + "x").status(),
            ResourceExhaustedError(
                "header field \"License\" is longer than 262144 bytes"));
  std::string folded = "Name: foo\nVersion: 1\nLicense: a\n";
  for (int i = 0; i < 1000; ++i) folded += " " + std::string(300, 'y') + "\n";
  EXPECT_EQ(ParseMetadata(folded).status(),
            ResourceExhaustedError(
                "header field \"License\" is longer than 262144 bytes"));
}

TEST(ParseMetadataTest, SurvivesTruncationAndFlippedBytes) {
  const std::string bytes = Testdata(std::string(kRequests));
  ASSERT_FALSE(bytes.empty());
  // The first prefix with a non-empty Version field ends in "Version: 2".
  const size_t complete = bytes.find("\nVersion: 2.28.1") + 11;
  for (size_t n = 0; n < bytes.size(); ++n) {
    Result<Metadata> m = ParseMetadata(bytes.substr(0, n));
    if (n < complete) {
      EXPECT_FALSE(m.ok()) << n;
    } else {
      ASSERT_TRUE(m.ok()) << n << ": " << m.status().ToString();
      EXPECT_EQ(m->name, "requests");
    }
  }
  // Breaking the Version line's colon turns it into body text.
  std::string flipped = bytes;
  flipped[flipped.find("Version: 2.28.1") + 7] = ';';
  EXPECT_EQ(ParseMetadata(flipped).status(), DataLossError("no Version field"));
  for (size_t i = 0; i < bytes.size(); i += 7) {
    std::string b = bytes;
    b[i] = static_cast<char>(b[i] ^ 0x80);
    ParseMetadata(b).status().IgnoreError();  // must not crash
  }
}

TEST(RequirementNameTest, KeepsTheNormalisedNameUnlessAnExtraIsNamed) {
  EXPECT_EQ(RequirementName("requests"), "requests");
  EXPECT_EQ(RequirementName("  Foo_Bar.baz (>=1.0)"), "foo-bar-baz");
  EXPECT_EQ(RequirementName("idna<4,>=2.5"), "idna");
  EXPECT_EQ(RequirementName("requests[security,socks]>=2; python_version<'3'"),
            "requests");
  EXPECT_EQ(RequirementName("pip @ https://example.com/pip.whl"), "pip");
  EXPECT_EQ(RequirementName("win32 ; sys_platform == \"win32\""), "win32");
  // Markers mentioning the extra variable; "extra" inside a string or as
  // part of another word does not count.
  EXPECT_EQ(RequirementName("pysocks; extra == 'socks'"), std::nullopt);
  EXPECT_EQ(RequirementName("brotli; (os_name=='nt') and extra=='brotli'"),
            std::nullopt);
  EXPECT_EQ(RequirementName("a; platform_machine == 'extra'"), "a");
  EXPECT_EQ(RequirementName("a; extras_x == '1'"), "a");
  // Not a requirement.
  EXPECT_EQ(RequirementName(""), std::nullopt);
  EXPECT_EQ(RequirementName(">=1.0"), std::nullopt);
  EXPECT_EQ(RequirementName("-foo"), std::nullopt);
  EXPECT_EQ(RequirementName("foo- >= 1"), std::nullopt);
}

TEST(NormalizeNameTest, FollowsPep503) {
  EXPECT_EQ(NormalizeName("PyYAML"), "pyyaml");
  EXPECT_EQ(NormalizeName("Foo.Bar__baz"), "foo-bar-baz");
  EXPECT_EQ(NormalizeName("zope.interface"), "zope-interface");
  EXPECT_EQ(NormalizeName("a-_.-b"), "a-b");
}

TEST(ParseRequiresTxtTest, KeepsUnconditionalAndMarkerOnlySections) {
  EXPECT_THAT(ParseRequiresTxt("Flask>=0.9\r\nSix\n\n"
                               "# a comment\n"
                               "[:python_version < \"3.8\"]\n"
                               "importlib_metadata\n"
                               "[socks]\n"
                               "PySocks!=1.5.7,>=1.5.6\n"
                               "[secure:python_version == \"2.7\"]\n"
                               "ipaddress\n"
                               "[:sys_platform == 'win32']\n"
                               "six\n"
                               "colorama; extra == 'x'\n"),
              ElementsAre("flask", "six", "importlib-metadata"));
  EXPECT_THAT(ParseRequiresTxt(""), IsEmpty());
  EXPECT_THAT(ParseRequiresTxt("[broken\nfoo\n"), IsEmpty());
}

TEST(ParseRequiresTxtTest, CapsTheNumberOfNames) {
  std::string many;
  for (int i = 0; i < 5000; ++i) many += "pkg" + std::to_string(i) + "\n";
  EXPECT_EQ(ParseRequiresTxt(many).size(), 4096u);
}

}  // namespace
}  // namespace strata::catalog::python
