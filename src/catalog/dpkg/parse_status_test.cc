#include "catalog/dpkg/parse_status.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace strata::catalog::dpkg {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::string Testdata(const std::string& rel) {
  std::ifstream in(
      std::string(STRATA_SOURCE_DIR) + "/src/catalog/dpkg/testdata/" + rel,
      std::ios::binary);
  EXPECT_TRUE(in) << rel;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> Names(const ParsedStatus& p) {
  std::vector<std::string> out;
  for (const StatusRecord& r : p.records) out.push_back(r.package);
  return out;
}

TEST(ParseStatusTest, ReadsInstalledStanzasOfARealLookingStatusFile) {
  ParsedStatus p = ParseStatus(Testdata("status/var/lib/dpkg/status"));
  EXPECT_THAT(p.problems, IsEmpty());
  ASSERT_EQ(p.records.size(), 3u);

  StatusRecord libc;
  libc.stanza = 1;
  libc.package = "libc6";
  libc.version = "2.36-9+deb12u4+b1";
  libc.architecture = "amd64";
  libc.source_name = "glibc";
  libc.source_version = "2.36-9+deb12u4";
  libc.maintainer = "GNU Libc Maintainers <debian-glibc@lists.debian.org>";
  libc.installed_size = "12991";
  libc.description = "GNU C Library: Shared libraries";
  libc.depends = {"libgcc-s1"};
  EXPECT_EQ(p.records[0], libc);

  StatusRecord zlib;
  zlib.stanza = 3;
  zlib.package = "zlib1g";
  zlib.version = "1:1.2.13.dfsg-1";
  zlib.architecture = "amd64";
  zlib.source_name = "zlib";
  zlib.source_version = "1:1.2.13.dfsg-1";
  zlib.maintainer = "Mark Brown <broonie@debian.org>";
  zlib.installed_size = "168";
  zlib.description = "compression library - runtime";
  zlib.depends = {"libc6"};
  zlib.provides = {"libz1"};
  EXPECT_EQ(p.records[1], zlib);

  // Lowercase/uppercase field names, Pre-Depends first, alternatives, ":any"
  // and constraints stripped, continuation lines folded, duplicates dropped.
  const StatusRecord& py = p.records[2];
  EXPECT_EQ(py.stanza, 4);
  EXPECT_EQ(py.package, "python3");
  EXPECT_EQ(py.source_name, "python3-defaults");
  EXPECT_EQ(py.source_version, "3.11.2-1+b1");
  EXPECT_THAT(py.depends,
              ElementsAre("python3-minimal", "python3.11", "libpython3-stdlib",
                          "python3-minimal-alt"));
  EXPECT_EQ(py.description,
            "interactive high-level object-oriented language (default "
            "version)");
}

TEST(ParseStatusTest, StanzaWithoutPackageOrVersionIsAProblem) {
  ParsedStatus p = ParseStatus(Testdata("missing/var/lib/dpkg/status"));
  EXPECT_THAT(Names(p), ElementsAre("base-files", "mawk"));
  EXPECT_THAT(p.problems,
              ElementsAre(StanzaProblem{2, "stanza 2 has no Version field"},
                          StanzaProblem{3, "stanza 3 has no Package field"}));
  EXPECT_EQ(p.records[1].stanza, 4);
  EXPECT_THAT(p.records[1].provides, ElementsAre("awk"));
}

TEST(ParseStatusTest, StanzaWithoutStatusCountsAsInstalled) {
  ParsedStatus p =
      ParseStatus(Testdata("distroless/var/lib/dpkg/status.d/libssl3"));
  EXPECT_THAT(p.problems, IsEmpty());
  ASSERT_EQ(p.records.size(), 1u);
  EXPECT_EQ(p.records[0].package, "libssl3");
  EXPECT_EQ(p.records[0].version, "3.0.15-1~deb12u1");
  EXPECT_EQ(p.records[0].source_name, "openssl");
  EXPECT_EQ(p.records[0].source_version, "3.0.15-1~deb12u1");
  EXPECT_THAT(p.records[0].depends, ElementsAre("libc6"));
}

TEST(ParseStatusTest, AcceptsCrlfLineEnds) {
  ParsedStatus p = ParseStatus(
      "Package: a\r\nStatus: install ok installed\r\nVersion: 1\r\n"
      "Description: first\r\n second\r\n\r\n"
      "Package: b\r\nVersion: 2:3\r\nArchitecture: all\r\n");
  EXPECT_THAT(p.problems, IsEmpty());
  ASSERT_EQ(p.records.size(), 2u);
  EXPECT_EQ(p.records[0].version, "1");
  EXPECT_EQ(p.records[0].description, "first");
  EXPECT_EQ(p.records[1].version, "2:3");
  EXPECT_EQ(p.records[1].architecture, "all");
}

TEST(ParseStatusTest, WhitespaceOnlyLineSeparatesStanzas) {
  ParsedStatus p = ParseStatus(
      "Package: a\nVersion: 1\n \t\nPackage: b\n"
      "Version: 2\n\n\n");
  EXPECT_THAT(Names(p), ElementsAre("a", "b"));
}

TEST(ParseStatusTest, SkipsStanzasNotInstalled) {
  ParsedStatus p = ParseStatus(
      "Package: a\nStatus: deinstall ok config-files\nVersion: 1\n\n"
      "Package: b\nStatus: purge ok not-installed\nVersion: 1\n\n"
      "Package: c\nStatus: install reinstreq half-installed\nVersion: 1\n\n"
      "Package: d\nStatus: hold ok installed\nVersion: 1\n");
  EXPECT_THAT(Names(p), ElementsAre("d"));
  EXPECT_THAT(p.problems, IsEmpty());
}

TEST(ParseStatusTest, MalformedStatusIsAProblem) {
  ParsedStatus p = ParseStatus("Package: a\nStatus: installed\nVersion: 1\n");
  EXPECT_THAT(Names(p), IsEmpty());
  EXPECT_THAT(p.problems, ElementsAre(StanzaProblem{
                              1, "stanza 1 has a malformed Status field"}));
}

TEST(ParseStatusTest, SourceWithoutVersionKeepsPackageVersion) {
  ParsedStatus p = ParseStatus(
      "Package: a\nVersion: 1\nSource: srca\n\n"
      "Package: b\nVersion: 1\nSource: srcb ( 0.9 )\n");
  ASSERT_EQ(p.records.size(), 2u);
  EXPECT_EQ(p.records[0].source_name, "srca");
  EXPECT_EQ(p.records[0].source_version, "1");
  EXPECT_EQ(p.records[1].source_name, "srcb");
  EXPECT_EQ(p.records[1].source_version, "0.9");
}

TEST(ParseStatusTest, NulByteDropsOnlyItsStanza) {
  std::string content = "Package: a\nVersion: 1\n\n";
  content += std::string("Package: b\0x\n", 13);
  content += "Version: 1\n\nPackage: c\nVersion: 1\n";
  ParsedStatus p = ParseStatus(content);
  EXPECT_THAT(Names(p), ElementsAre("a", "c"));
  EXPECT_THAT(p.problems,
              ElementsAre(StanzaProblem{2, "stanza 2 contains a NUL byte"}));
}

TEST(ParseStatusTest, HugeFieldDropsOnlyItsStanza) {
  std::string content = "Package: a\nVersion: 1\nDescription: x\n";
  // A continuation line pushing the field over the 1 MiB cap.
  content += " " + std::string(1 << 20, 'y') + "\n\nPackage: b\nVersion: 2\n";
  ParsedStatus p = ParseStatus(content);
  EXPECT_THAT(Names(p), ElementsAre("b"));
  EXPECT_THAT(p.problems,
              ElementsAre(StanzaProblem{
                  1, "stanza 1 field Description exceeds 1048576 bytes"}));
}

TEST(ParseStatusTest, FieldJustUnderTheCapIsKept) {
  std::string content =
      "Package: a\nVersion: 1\nConffiles: " + std::string((1 << 20) - 2, 'y') +
      "\n z\n";
  ParsedStatus p = ParseStatus(content);
  EXPECT_THAT(Names(p), ElementsAre("a"));
  EXPECT_THAT(p.problems, IsEmpty());
}

TEST(ParseStatusTest, TooManyFieldsIsAProblem) {
  std::string content = "Package: a\nVersion: 1\n";
  for (int i = 0; i < 254; ++i) content += "X-" + std::to_string(i) + ": v\n";
  EXPECT_THAT(Names(ParseStatus(content)), ElementsAre("a"));  // 256 fields
  content += "X-last: v\n";
  ParsedStatus p = ParseStatus(content);
  EXPECT_THAT(Names(p), IsEmpty());
  EXPECT_THAT(p.problems, ElementsAre(StanzaProblem{
                              1, "stanza 1 has more than 256 fields"}));
}

TEST(ParseStatusTest, TooManyStanzasStopsWithOneProblem) {
  std::string content;
  for (int i = 0; i < 100'001; ++i) content += "Package: p\nVersion: 1\n\n";
  ParsedStatus p = ParseStatus(content);
  EXPECT_EQ(p.records.size(), 100'000u);
  EXPECT_THAT(p.problems,
              ElementsAre(StanzaProblem{
                  0, "more than 100000 stanzas, the rest is ignored"}));
}

TEST(ParseStatusTest, MalformedLinesAreProblems) {
  ParsedStatus p = ParseStatus(
      " leading continuation\nPackage: a\nVersion: 1\n\n"
      "Package: b\nthis line has no colon\nVersion: 1\n\n"
      "Package: c\nVersion: 1\nversion: 2\n\n"
      ": no name\nPackage: d\nVersion: 1\n\n"
      "Package: e\nVersion: 1\n");
  EXPECT_THAT(Names(p), ElementsAre("e"));
  EXPECT_THAT(
      p.problems,
      ElementsAre(StanzaProblem{1, "stanza 1 starts with a continuation line"},
                  StanzaProblem{2, "stanza 2 has a malformed line"},
                  StanzaProblem{3, "stanza 3 has a duplicate version field"},
                  StanzaProblem{4, "stanza 4 has a malformed line"}));
}

// Corruption: every truncation and every single-byte flip of a real status
// file parses without crashing, and never invents more records.
TEST(ParseStatusTest, SurvivesTruncationAndByteFlips) {
  const std::string good = Testdata("status/var/lib/dpkg/status");
  for (size_t n = 0; n <= good.size(); ++n) {
    EXPECT_LE(ParseStatus(good.substr(0, n)).records.size(), 3u);
  }
  for (size_t i = 0; i < good.size(); ++i) {
    for (char c : {'\0', '\n', ':', ' ', '\xff'}) {
      std::string bad = good;
      bad[i] = c;
      ParsedStatus p = ParseStatus(bad);
      EXPECT_LE(p.records.size() + p.problems.size(), 6u) << i;
    }
  }
}

TEST(ParseFileListTest, NormalisesAndSkipsRoot) {
  EXPECT_THAT(ParseFileList("/.\n/usr\r\n/usr/bin/x\n\n//usr/./lib/../lib/y\n"
                            "/../../etc/passwd\n"),
              ElementsAre("usr", "usr/bin/x", "usr/lib/y"));
}

TEST(ParseMd5sumsTest, ReadsPathsAndSkipsMalformedLines) {
  EXPECT_THAT(
      ParseMd5sums("108877c29ef6a482337ddc42ea8b0985  lib/ld.so.2\n"
                   "nothex  usr/bin/no\n"
                   "d6536c875ddb48f13c5229718bd8094a\n"
                   "18d0d78ee1ba6145ad7154da9c47c735 */usr/bin/with space\r\n"),
      ElementsAre("lib/ld.so.2", "usr/bin/with space"));
}

}  // namespace
}  // namespace strata::catalog::dpkg
