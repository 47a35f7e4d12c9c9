#include "catalog/java/archive.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "catalog/java/test_zip.h"

namespace strata::catalog::java {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr std::string_view kPomXml = R"(<project>
  <licenses><license><name>Apache License, Version 2.0</name></license></licenses>
</project>)";

// Small caps so that tests hit them with small inputs.
ScanLimits SmallLimits() {
  ScanLimits l;
  l.max_archive_bytes = 64 * caps::kKiB;
  l.max_expanded_bytes = 256 * caps::kKiB;
  l.max_metadata_bytes = 4 * caps::kKiB;
  return l;
}

std::vector<ZipMember> With(std::vector<ZipMember> members, ZipMember m) {
  members.push_back(std::move(m));
  return members;
}

TEST(ScanArchiveTest, ManifestPomPropertiesAndPomXml) {
  std::vector<ZipMember> jar =
      MavenJar("org.apache.commons", "commons-lang3", "3.12.0");
  jar.push_back({"META-INF/maven/org.apache.commons/commons-lang3/pom.xml",
                 std::string(kPomXml)});
  std::string bytes = WriteZip(jar);
  auto scan = ScanArchive(bytes);
  ASSERT_TRUE(scan.ok()) << scan.status().ToString();
  EXPECT_THAT(scan->problems, IsEmpty());
  ASSERT_EQ(scan->archives.size(), 1u);
  const ArchiveFacts& a = scan->archives[0];
  EXPECT_EQ(a.path, "");
  EXPECT_EQ(a.parent, -1);
  EXPECT_EQ(a.sha1.size(), 40u);
  ASSERT_TRUE(a.manifest.has_value());
  EXPECT_EQ(a.manifest->Get("Created-By"), "Maven JAR Plugin 3.3.0");
  ASSERT_EQ(a.poms.size(), 1u);
  EXPECT_EQ(a.poms[0].path,
            "META-INF/maven/org.apache.commons/commons-lang3/pom.properties");
  EXPECT_EQ(a.poms[0].properties.group_id, "org.apache.commons");
  EXPECT_EQ(a.poms[0].properties.artifact_id, "commons-lang3");
  EXPECT_EQ(a.poms[0].properties.version, "3.12.0");
  EXPECT_THAT(a.poms[0].licenses, ElementsAre("Apache License, Version 2.0"));
}

TEST(ScanArchiveTest, Sha1OfTheArchiveBytes) {
  // The smallest zip: an end of central directory record, no entries.
  auto scan = ScanArchive(std::string("PK\x05\x06", 4) + std::string(18, '\0'));
  ASSERT_TRUE(scan.ok()) << scan.status().ToString();
  ASSERT_EQ(scan->archives.size(), 1u);
  EXPECT_EQ(scan->archives[0].sha1, "b04f3ee8f5e43fa3b162981b50bb72fe1acabb33");
  EXPECT_NE(ScanArchive(WriteZip({{"a", "x"}}))->archives[0].sha1,
            ScanArchive(WriteZip({{"a", "y"}}))->archives[0].sha1);
}

TEST(ScanArchiveTest, NestedArchivesAtAnyDepth) {
  std::string innermost = WriteZip(MavenJar("org.c", "c", "3"));
  std::string inner = WriteZip(
      With(MavenJar("org.b", "b", "2"), {"lib/c-3.jar", innermost, true}));
  std::string outer = WriteZip(
      With(MavenJar("org.a", "a", "1"), {"BOOT-INF/lib/b-2.jar", inner}));
  auto scan = ScanArchive(outer);
  ASSERT_TRUE(scan.ok()) << scan.status().ToString();
  EXPECT_THAT(scan->problems, IsEmpty());
  ASSERT_EQ(scan->archives.size(), 3u);
  EXPECT_EQ(scan->archives[1].path, "BOOT-INF/lib/b-2.jar");
  EXPECT_EQ(scan->archives[1].parent, 0);
  EXPECT_EQ(scan->archives[1].poms[0].properties.artifact_id, "b");
  EXPECT_EQ(scan->archives[2].path, "BOOT-INF/lib/b-2.jar!/lib/c-3.jar");
  EXPECT_EQ(scan->archives[2].parent, 1);
  EXPECT_EQ(scan->archives[2].poms[0].properties.artifact_id, "c");
  EXPECT_EQ(scan->archives[2].sha1, ScanArchive(innermost)->archives[0].sha1);
}

TEST(ScanArchiveTest, IgnoresNonZipNamedLikeAnArchive) {
  std::string bytes = WriteZip({{"lib/readme.jar", "not a zip"},
                                {"lib/UPPER.JAR", WriteZip({{"x", "y"}})}});
  auto scan = ScanArchive(bytes);
  ASSERT_TRUE(scan.ok()) << scan.status().ToString();
  EXPECT_THAT(scan->problems, IsEmpty());
  ASSERT_EQ(scan->archives.size(), 2u);
  EXPECT_EQ(scan->archives[1].path, "lib/UPPER.JAR");
}

TEST(ScanArchiveTest, DepthBombStopsAtTheCap) {
  std::string jar = WriteZip(MavenJar("g", "a", "1"));
  for (int i = 0; i < 10; ++i) jar = WriteZip({{"x.jar", jar, true}});
  auto scan = ScanArchive(jar);
  ASSERT_TRUE(scan.ok()) << scan.status().ToString();
  // The outer archive and 8 nested levels; the 9th is not opened.
  EXPECT_EQ(scan->archives.size(), 9u);
  std::string deepest = "x.jar";
  for (int i = 0; i < 8; ++i) deepest += "!/x.jar";
  EXPECT_THAT(
      scan->problems,
      ElementsAre(Problem{deepest, "archive nested deeper than 8 levels"}));
}

TEST(ScanArchiveTest, TruncatedArchiveIsAnError) {
  std::string bytes = WriteZip(MavenJar("g", "a", "1"));
  for (size_t cut : {bytes.size() - 1, bytes.size() / 2, size_t{3}}) {
    EXPECT_EQ(ScanArchive(bytes.substr(0, cut)).status(),
              DataLossError("no end of central directory record"))
        << cut;
  }
}

TEST(ScanArchiveTest, CorruptCentralDirectoryIsAnError) {
  std::string bytes = WriteZip(MavenJar("g", "a", "1"));
  size_t cd = bytes.find(std::string_view("PK\x01\x02", 4));
  ASSERT_NE(cd, std::string::npos);
  bytes[cd + 2] = 'X';
  EXPECT_EQ(ScanArchive(bytes).status(),
            DataLossError("corrupt zip archive: Damaged Zip archive"));
}

TEST(ScanArchiveTest, CorruptNestedArchiveIsAProblem) {
  std::string inner = WriteZip(MavenJar("g", "b", "1"));
  std::string outer =
      WriteZip(With(MavenJar("g", "a", "1"),
                    {"lib/b.jar", inner.substr(0, inner.size() - 10)}));
  auto scan = ScanArchive(outer);
  ASSERT_TRUE(scan.ok()) << scan.status().ToString();
  EXPECT_EQ(scan->archives.size(), 1u);
  EXPECT_THAT(
      scan->problems,
      ElementsAre(Problem{"lib/b.jar", "no end of central directory record"}));
}

TEST(ScanArchiveTest, CorruptEntryDataIsAProblem) {
  // Flip a byte of the deflated pom.properties: it no longer inflates; the
  // entries after it are still read.
  const std::string name = "META-INF/maven/g/a/pom.properties";
  std::string bytes = WriteZip(
      {{name, "artifactId=a\ngroupId=g\nversion=1\n" + std::string(200, '#')},
       {"META-INF/MANIFEST.MF", "Implementation-Version: 1\n"}});
  // Local header (30 bytes), name, extra field (24 bytes), then the data.
  ASSERT_EQ(bytes.compare(30, name.size(), name), 0);
  bytes[30 + name.size() + 24 + 3] ^= 0x55;
  auto scan = ScanArchive(bytes);
  ASSERT_TRUE(scan.ok()) << scan.status().ToString();
  EXPECT_THAT(scan->archives[0].poms, IsEmpty());
  EXPECT_EQ(scan->archives[0].manifest->Get("Implementation-Version"), "1");
  EXPECT_THAT(scan->problems,
              ElementsAre(Problem{name,
                                  "corrupt entry data: ZIP "
                                  "decompression failed (-3)"}));
}

TEST(ScanArchiveTest, MetadataOverTheCapIsAProblem) {
  std::string big = "Manifest-Version: 1.0\n" + std::string(5000, 'x');
  std::string bytes = WriteZip(
      {{"META-INF/MANIFEST.MF", big},
       {"META-INF/maven/g/a/pom.properties", "artifactId=a\nversion=1\n"}});
  auto scan = ScanArchive(bytes, SmallLimits());
  ASSERT_TRUE(scan.ok()) << scan.status().ToString();
  EXPECT_FALSE(scan->archives[0].manifest.has_value());
  EXPECT_EQ(scan->archives[0].poms.size(), 1u);
  EXPECT_THAT(scan->problems,
              ElementsAre(Problem{
                  "META-INF/MANIFEST.MF",
                  "larger than the 4 KiB cap on archive metadata files"}));
}

// Rewrites the uncompressed size of `name` in the central directory, as a
// zip bomb lies about it.
void UnderstateSize(std::string& zip, std::string_view name, uint32_t size) {
  size_t pos = 0;
  while ((pos = zip.find(std::string_view("PK\x01\x02", 4), pos)) !=
         std::string::npos) {
    uint16_t name_len = static_cast<unsigned char>(zip[pos + 28]) |
                        static_cast<unsigned char>(zip[pos + 29]) << 8;
    if (zip.compare(pos + 46, name_len, name) == 0) {
      for (int i = 0; i < 4; ++i) zip[pos + 24 + i] = (size >> (8 * i)) & 0xFF;
      return;
    }
    pos += 4;
  }
  FAIL() << "no central directory entry for " << name;
}

TEST(ScanArchiveTest, ZipBombInflatingBeyondItsDeclaredSizeStopsAtTheCap) {
  std::string bytes =
      WriteZip({{"META-INF/MANIFEST.MF", std::string(2 * caps::kMiB, '\n')}});
  ASSERT_LT(bytes.size(), 8 * caps::kKiB);
  UnderstateSize(bytes, "META-INF/MANIFEST.MF", 10);
  auto scan = ScanArchive(bytes);  // the real caps: 1 MiB for metadata
  ASSERT_TRUE(scan.ok()) << scan.status().ToString();
  EXPECT_THAT(scan->problems,
              ElementsAre(Problem{
                  "META-INF/MANIFEST.MF",
                  "larger than the 1 MiB cap on archive metadata files"}));
}

TEST(ScanArchiveTest, NestedArchiveOverTheCapIsAProblem) {
  std::string big =
      WriteZip({{"blob", std::string(100 * caps::kKiB, 'z'), true}});
  std::string outer = WriteZip({{"lib/big.jar", big}});
  auto scan = ScanArchive(outer, SmallLimits());
  ASSERT_TRUE(scan.ok()) << scan.status().ToString();
  EXPECT_THAT(scan->problems,
              ElementsAre(Problem{"lib/big.jar",
                                  "larger than the 64 KiB cap on java "
                                  "archives"}));
}

TEST(ScanArchiveTest, ExpandedBudgetStopsTheScan) {
  // Each nested jar is ~40 KiB of stored bytes; the budget is 100 KiB.
  std::string nested = WriteZip(
      {{"blob", std::string(40 * caps::kKiB, 'z'), true},
       {"META-INF/maven/g/n/pom.properties", "artifactId=n\nversion=1\n"}});
  ScanLimits limits = SmallLimits();
  limits.max_expanded_bytes = 100 * caps::kKiB;
  std::string outer = WriteZip({{"lib/a.jar", nested},
                                {"lib/b.jar", nested},
                                {"lib/c.jar", nested},
                                {"lib/d.jar", nested}});
  auto scan = ScanArchive(outer, limits);
  ASSERT_TRUE(scan.ok()) << scan.status().ToString();
  EXPECT_EQ(scan->archives.size(), 3u);  // outer, a and b
  EXPECT_THAT(scan->problems,
              ElementsAre(Problem{"lib/c.jar",
                                  "more than 100 KiB decompressed from one "
                                  "archive"}));
}

TEST(ScanArchiveTest, TooManyEntries) {
  std::vector<ZipMember> members;
  for (int i = 0; i < 10; ++i) members.push_back({"f" + std::to_string(i), ""});
  std::string bytes = WriteZip(members);
  ScanLimits limits;
  limits.max_entries = 9;
  EXPECT_EQ(ScanArchive(bytes, limits).status(),
            ResourceExhaustedError(
                "more than 9 entries in one java archive, nested ones "
                "included"));
  limits.max_entries = 10;
  EXPECT_TRUE(ScanArchive(bytes, limits).ok());
}

TEST(ScanArchiveTest, InvalidManifestIsAProblem) {
  std::string bytes = WriteZip(
      {{"META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n\x01garbage\n"},
       {"META-INF/maven/g/a/pom.properties", "artifactId=a\nversion=1\n"}});
  auto scan = ScanArchive(bytes);
  ASSERT_TRUE(scan.ok()) << scan.status().ToString();
  EXPECT_FALSE(scan->archives[0].manifest.has_value());
  EXPECT_EQ(scan->archives[0].poms.size(), 1u);
  EXPECT_THAT(scan->problems,
              ElementsAre(Problem{"META-INF/MANIFEST.MF",
                                  "invalid manifest: line 2: invalid "
                                  "header"}));
}

TEST(ScanArchiveTest, EmptyArchive) {
  auto scan = ScanArchive(WriteZip({}));
  ASSERT_TRUE(scan.ok()) << scan.status().ToString();
  ASSERT_EQ(scan->archives.size(), 1u);
  EXPECT_FALSE(scan->archives[0].manifest.has_value());
}

TEST(IsArchiveNameTest, Extensions) {
  EXPECT_TRUE(IsArchiveName("a.jar"));
  EXPECT_TRUE(IsArchiveName("A.WAR"));
  EXPECT_TRUE(IsArchiveName("x.lpkg"));
  EXPECT_FALSE(IsArchiveName(".jar"));
  EXPECT_FALSE(IsArchiveName("a.zip"));
  EXPECT_FALSE(IsArchiveName("jar"));
}

}  // namespace
}  // namespace strata::catalog::java
