#include "catalog/apk/parse_installed.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace strata::catalog::apk {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::string ReadTestdata(const std::string& rel) {
  std::ifstream in(std::string(STRATA_SOURCE_DIR) +
                   "/src/catalog/apk/testdata/" + rel);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

InstalledDb MustParse(std::string_view bytes) {
  Result<InstalledDb> db = ParseInstalled(bytes);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return db.ok() ? *std::move(db) : InstalledDb{};
}

std::vector<std::string> Reasons(const InstalledDb& db) {
  std::vector<std::string> out;
  for (const RecordIssue& i : db.issues) out.push_back(i.reason);
  return out;
}

TEST(ParseInstalledTest, ReadsEveryKeptField) {
  std::string bytes = ReadTestdata("basic/lib/apk/db/installed");
  ASSERT_FALSE(bytes.empty());
  InstalledDb db = MustParse(bytes);
  EXPECT_THAT(db.issues, IsEmpty());
  ASSERT_EQ(db.packages.size(), 4u);
  const sbom::Package& bb = db.packages[1];
  EXPECT_EQ(bb.type, sbom::PackageType::kApk);
  EXPECT_EQ(bb.name, "busybox");
  EXPECT_EQ(bb.version, "1.36.1-r29");
  EXPECT_EQ(bb.architecture, "x86_64");
  EXPECT_EQ(bb.source_name, "busybox");
  EXPECT_THAT(bb.licenses, ElementsAre("GPL-2.0-only"));
  EXPECT_EQ(bb.maintainer, "Sören Tempel <soeren+alpine@soeren-tempel.net>");
  EXPECT_EQ(bb.description,
            "Size optimized toolbox of many common UNIX utilities");
  EXPECT_THAT(bb.depends, ElementsAre("so:libc.musl-x86_64.so.1"));
  EXPECT_THAT(bb.provides, ElementsAre("/bin/sh", "cmd:busybox", "cmd:sh"));
  EXPECT_THAT(bb.files, ElementsAre("bin/busybox", "etc/securetty"));
  EXPECT_THAT(bb.locations, IsEmpty());
  EXPECT_EQ(db.packages[0].name, "musl");
  EXPECT_THAT(db.packages[0].files, ElementsAre("lib/ld-musl-x86_64.so.1",
                                                "lib/libc.musl-x86_64.so.1"));
  EXPECT_EQ(db.packages[2].source_name, "openssl");
  EXPECT_THAT(db.packages[2].files, ElementsAre("usr/lib/libcrypto.so.3"));
  EXPECT_THAT(db.packages[3].depends,
              ElementsAre("so:libc.musl-x86_64.so.1", "so:libcrypto.so.3",
                          "so:libssl.so.3"));
}

TEST(ParseInstalledTest, StripsVersionConstraintsAndKeepsConflicts) {
  InstalledDb db = MustParse(
      "P:apk-tools\nV:3.0.0-r0\n"
      "D:musl>=1.2.3_git20230424 zlib=1.3 a<2 b~1.2 c><1 !busybox-extras "
      "so:libz.so.1 /bin/sh =3\n"
      "p:cmd:apk=3.0.0-r0 so:libapk.so.3.0.0=3.0.0 plain\n");
  ASSERT_EQ(db.packages.size(), 1u);
  EXPECT_THAT(db.packages[0].depends,
              ElementsAre("musl", "zlib", "a", "b", "c", "!busybox-extras",
                          "so:libz.so.1", "/bin/sh"));
  EXPECT_THAT(db.packages[0].provides,
              ElementsAre("cmd:apk", "so:libapk.so.3.0.0", "plain"));
}

TEST(ParseInstalledTest, Licenses) {
  auto licenses = [](std::string l) {
    InstalledDb db = MustParse("P:x\nV:1\nL:" + l + "\n");
    return db.packages.empty() ? std::vector<std::string>{}
                               : db.packages[0].licenses;
  };
  EXPECT_THAT(licenses("MIT AND BSD-2-Clause AND GPL-2.0-or-later"),
              ElementsAre("MIT AND BSD-2-Clause AND GPL-2.0-or-later"));
  EXPECT_THAT(licenses("(MIT OR Apache-2.0)  AND Zlib"),
              ElementsAre("(MIT OR Apache-2.0) AND Zlib"));
  EXPECT_THAT(licenses("GPL-2.0-only WITH Linux-syscall-note"),
              ElementsAre("GPL-2.0-only WITH Linux-syscall-note"));
  EXPECT_THAT(licenses("GPL2+"), ElementsAre("GPL2+"));
  EXPECT_THAT(licenses("MIT BSD GPL2+"), ElementsAre("MIT", "BSD", "GPL2+"));
  EXPECT_THAT(licenses("custom:foo (MIT"),
              ElementsAre("LicenseRef-custom-foo", "LicenseRef--MIT"));
  EXPECT_THAT(licenses("MIT OR"), ElementsAre("MIT", "OR"));
  EXPECT_THAT(licenses(""), IsEmpty());
}

TEST(ParseInstalledTest, AcceptsCrlfAndMissingFinalNewline) {
  InstalledDb db = MustParse(
      "P:a\r\nV:1-r0\r\nA:x86_64\r\nF:usr\r\nR:f\r\n\r\nP:b\r\nV:2-r0");
  EXPECT_THAT(db.issues, IsEmpty());
  ASSERT_EQ(db.packages.size(), 2u);
  EXPECT_EQ(db.packages[0].architecture, "x86_64");
  EXPECT_THAT(db.packages[0].files, ElementsAre("usr/f"));
  EXPECT_EQ(db.packages[1].name, "b");
  EXPECT_EQ(db.packages[1].version, "2-r0");
}

TEST(ParseInstalledTest, RepeatedKeys) {
  InstalledDb db = MustParse(
      "P:a\nP:a\nV:1\nT:first\nT:second\nD:x\nD:y\np:p1\np:p2\nR:top\n\n"
      "P:b\nV:1\nV:2\n\n"
      "P:c\nP:d\nV:1\n\n"
      "P:e\nV:1\nA:x86\nA:x86_64\n");
  ASSERT_EQ(db.packages.size(), 1u);
  const sbom::Package& a = db.packages[0];
  EXPECT_EQ(a.description, "second");
  EXPECT_THAT(a.depends, ElementsAre("x", "y"));
  EXPECT_THAT(a.provides, ElementsAre("p1", "p2"));
  EXPECT_THAT(a.files, ElementsAre("top"));
  EXPECT_THAT(
      Reasons(db),
      ElementsAre("record at line 12: conflicting V: value at line 14",
                  "record at line 16: conflicting P: value at line 17",
                  "record at line 20: conflicting A: value at line 23"));
  EXPECT_EQ(db.issues[0].line, 12);
}

TEST(ParseInstalledTest, BadRecordsBecomeIssuesAndParsingGoesOn) {
  InstalledDb db = MustParse(ReadTestdata("bad-records/lib/apk/db/installed"));
  std::vector<std::string> names;
  for (const sbom::Package& p : db.packages) names.push_back(p.name);
  EXPECT_THAT(names, ElementsAre("zlib", "scanelf"));
  EXPECT_THAT(
      Reasons(db),
      ElementsAre("record at line 12: line 12 is not a KEY:value line",
                  "record at line 16: no package name (P:)",
                  "record at line 20: package no-version has no version (V:)",
                  "record at line 23: conflicting V: value at line 25"));
}

TEST(ParseInstalledTest, HugeLineSpoilsOnlyItsRecord) {
  std::string bytes =
      "P:a\nV:1\nT:" + std::string(70000, 'x') + "\nD:never-read\n\nP:b\nV:1\n";
  InstalledDb db = MustParse(bytes);
  ASSERT_EQ(db.packages.size(), 1u);
  EXPECT_EQ(db.packages[0].name, "b");
  EXPECT_THAT(Reasons(db), ElementsAre("record at line 1: line 3 longer than "
                                       "65536 bytes"));
  // Just under the cap is fine.
  db = MustParse("P:a\nV:1\nT:" + std::string(65536 - 2, 'x') + "\n");
  ASSERT_EQ(db.packages.size(), 1u);
  EXPECT_EQ(db.packages[0].description.size(), 65534u);
}

TEST(ParseInstalledTest, FilePathLongerThanPathMax) {
  InstalledDb db = MustParse("P:a\nV:1\nF:" + std::string(4000, 'd') +
                             "\nR:" + std::string(100, 'f') + "\n");
  EXPECT_THAT(db.packages, IsEmpty());
  EXPECT_THAT(Reasons(db), ElementsAre("record at line 1: line 4 makes a "
                                       "path longer than 4096 bytes"));
}

TEST(ParseInstalledTest, EmptyNameOrVersionIsMissing) {
  InstalledDb db = MustParse("P:\nV:1\n\nP:a\nV:\n");
  EXPECT_THAT(db.packages, IsEmpty());
  EXPECT_THAT(Reasons(db),
              ElementsAre("record at line 1: no package name (P:)",
                          "record at line 4: package a has no version (V:)"));
}

TEST(ParseInstalledTest, EmptyAndBlankInputs) {
  EXPECT_THAT(MustParse("").packages, IsEmpty());
  InstalledDb db = MustParse("\n\n\r\n");
  EXPECT_THAT(db.packages, IsEmpty());
  EXPECT_THAT(db.issues, IsEmpty());
}

TEST(ParseInstalledTest, TooManyRecords) {
  std::string bytes;
  for (int i = 0; i <= 100'000; ++i) bytes += "P:a\nV:1\n\n";
  Result<InstalledDb> db = ParseInstalled(bytes);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(db.status().message(),
            "apk installed db: more than 100000 records");
  bytes.resize(bytes.size() - 9);
  EXPECT_EQ(MustParse(bytes).packages.size(), 100'000u);
}

TEST(ParseInstalledTest, TooManyListEntries) {
  std::string line = "D:";
  for (int i = 0; i < 32'000; ++i) line += "a ";
  line += "\n";
  std::string bytes = "P:a\nV:1\n";
  for (int i = 0; i < 126; ++i) bytes += line;  // 4'032'000 depends
  Result<InstalledDb> db = ParseInstalled(bytes);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().message(),
            "apk installed db: more than 4000000 depends, provides and files");
}

TEST(ParseInstalledTest, SurvivesTruncationAndFlippedBytes) {
  std::string bytes = ReadTestdata("basic/lib/apk/db/installed");
  ASSERT_FALSE(bytes.empty());
  for (size_t n = 0; n <= bytes.size(); ++n) {
    Result<InstalledDb> db = ParseInstalled(bytes.substr(0, n));
    ASSERT_TRUE(db.ok()) << n;
    for (const sbom::Package& p : db->packages) {
      EXPECT_FALSE(p.name.empty());
      EXPECT_FALSE(p.version.empty());
    }
  }
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (char flip : {'\n', ':', '\0', '\xff'}) {
      std::string bad = bytes;
      bad[i] = flip;
      Result<InstalledDb> db = ParseInstalled(bad);
      ASSERT_TRUE(db.ok()) << i;
      EXPECT_LE(db->packages.size() + db->issues.size(), 6u) << i;
    }
  }
}

}  // namespace
}  // namespace strata::catalog::apk
