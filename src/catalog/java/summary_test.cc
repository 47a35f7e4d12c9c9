#include "catalog/java/summary.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "catalog/java/test_zip.h"

namespace strata::catalog::java {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Modelled on Debian's commons-lang3 jar (bundle plugin manifest).
constexpr std::string_view kLang3Manifest =
    "Manifest-Version: 1.0\r\n"
    "Created-By: Apache Maven Bundle Plugin\r\n"
    "Specification-Title: Apache Commons Lang\r\n"
    "Specification-Version: 3.12\r\n"
    "Implementation-Title: Apache Commons Lang\r\n"
    "Implementation-Version: 3.12.0\r\n"
    "Automatic-Module-Name: org.apache.commons.lang3\r\n"
    "Bundle-Name: Apache Commons Lang\r\n"
    "Bundle-SymbolicName: org.apache.commons.lang3\r\n"
    "Bundle-Version: 3.12.0\r\n"
    "\r\n";

constexpr std::string_view kLang3PomXml = R"(<project>
  <licenses>
    <license>
      <name>Apache License, Version 2.0</name>
      <url>https://www.apache.org/licenses/LICENSE-2.0.txt</url>
    </license>
  </licenses>
</project>)";

std::string Lang3Jar() {
  return WriteZip({
      {"META-INF/MANIFEST.MF", std::string(kLang3Manifest)},
      {"META-INF/maven/org.apache.commons/commons-lang3/pom.properties",
       "artifactId=commons-lang3\ngroupId=org.apache.commons\n"
       "version=3.12.0\n"},
      {"META-INF/maven/org.apache.commons/commons-lang3/pom.xml",
       std::string(kLang3PomXml)},
      {"org/apache/commons/lang3/StringUtils.class", "\xca\xfe\xba\xbe"},
  });
}

Summary SummaryOf(std::string_view file_name, const std::string& bytes) {
  auto scan = ScanArchive(bytes);
  EXPECT_TRUE(scan.ok()) << scan.status().ToString();
  if (!scan.ok()) return {};
  return Summarize(file_name, *scan);
}

// (group, name, version, path, parent) of each package.
using Row = std::tuple<std::string, std::string, std::string, std::string, int>;
std::vector<Row> Rows(const Summary& s) {
  std::vector<Row> out;
  for (const JavaPackage& p : s.packages) {
    out.emplace_back(p.group, p.name, p.version, p.path, p.parent);
  }
  return out;
}

TEST(SummarizeTest, PomPropertiesMatchingTheFileName) {
  const std::string jar = Lang3Jar();
  Summary s = SummaryOf("commons-lang3-3.12.0.jar", jar);
  EXPECT_THAT(s.problems, IsEmpty());
  ASSERT_THAT(Rows(s), ElementsAre(Row{"org.apache.commons", "commons-lang3",
                                       "3.12.0", "", -1}));
  const JavaPackage& p = s.packages[0];
  EXPECT_EQ(p.sha1, ScanArchive(jar)->archives[0].sha1);
  EXPECT_THAT(p.licenses, ElementsAre("Apache-2.0"));
  EXPECT_EQ(p.extra.at("pomProperties"),
            "META-INF/maven/org.apache.commons/commons-lang3/pom.properties");
  EXPECT_EQ(p.extra.at("manifest:Bundle-SymbolicName"),
            "org.apache.commons.lang3");
  EXPECT_EQ(p.extra.at("manifest:Implementation-Version"), "3.12.0");
  EXPECT_EQ(p.extra.count("manifest:Created-By"), 0u);
}

TEST(SummarizeTest, UnversionedFileNameStillMatchesTheArtifact) {
  // Debian's usr/share/java/commons-lang3.jar.
  Summary s = SummaryOf("commons-lang3.jar", Lang3Jar());
  EXPECT_THAT(Rows(s), ElementsAre(Row{"org.apache.commons", "commons-lang3",
                                       "3.12.0", "", -1}));
}

TEST(SummarizeTest, ShadedJarReportsEveryEmbeddedArtifact) {
  std::vector<ZipMember> members = MavenJar("com.example", "service", "1.0");
  members.push_back({"META-INF/maven/com.google.guava/guava/pom.properties",
                     "groupId=com.google.guava\nartifactId=guava\n"
                     "version=31.1-jre\n"});
  members.push_back(
      {"META-INF/maven/com.fasterxml.jackson.core/jackson-core/"
       "pom.properties",
       "groupId=com.fasterxml.jackson.core\nartifactId=jackson-core\n"
       "version=2.14.1\n"});
  members.push_back({"META-INF/maven/x/noversion/pom.properties",
                     "groupId=x\nartifactId=noversion\n"});
  Summary s = SummaryOf("service-1.0-all.jar", WriteZip(members));
  EXPECT_THAT(
      Rows(s),
      ElementsAre(
          Row{"com.example", "service", "1.0", "", -1},
          Row{"com.fasterxml.jackson.core", "jackson-core", "2.14.1",
              "META-INF/maven/com.fasterxml.jackson.core/jackson-core/"
              "pom.properties",
              0},
          Row{"com.google.guava", "guava", "31.1-jre",
              "META-INF/maven/com.google.guava/guava/pom.properties", 0}));
  EXPECT_TRUE(s.packages[1].sha1.empty());
}

TEST(SummarizeTest, FatJarWithNestedLibraries) {
  std::string core =
      WriteZip(MavenJar("org.springframework", "spring-core", "5.3.4"));
  std::string lang3 = Lang3Jar();
  std::vector<ZipMember> members = MavenJar("com.example", "demo", "0.0.1");
  members.push_back({"BOOT-INF/lib/spring-core-5.3.4.jar", core, true});
  members.push_back({"BOOT-INF/lib/commons-lang3-3.12.0.jar", lang3, true});
  Summary s = SummaryOf("demo-0.0.1.jar", WriteZip(members));
  EXPECT_THAT(s.problems, IsEmpty());
  EXPECT_THAT(Rows(s),
              ElementsAre(Row{"com.example", "demo", "0.0.1", "", -1},
                          Row{"org.springframework", "spring-core", "5.3.4",
                              "BOOT-INF/lib/spring-core-5.3.4.jar", 0},
                          Row{"org.apache.commons", "commons-lang3", "3.12.0",
                              "BOOT-INF/lib/commons-lang3-3.12.0.jar", 0}));
  EXPECT_EQ(s.packages[2].sha1, ScanArchive(lang3)->archives[0].sha1);
}

TEST(SummarizeTest, NestedArchiveWithoutIdentityPassesItsParentDown) {
  // lib/bundle.jar has no identity of its own; the artifact embedded in it
  // and the jar inside it belong to the outer package.
  std::string leaf = WriteZip(MavenJar("g", "leaf", "3"));
  std::string bundle = WriteZip({
      {"META-INF/maven/g/shaded/pom.properties",
       "groupId=g\nartifactId=shaded\nversion=2\n"},
      {"lib/leaf-3.jar", leaf},
  });
  std::vector<ZipMember> members = MavenJar("g", "app", "1");
  members.push_back({"lib/bundle.jar", bundle});
  Summary s = SummaryOf("app-1.jar", WriteZip(members));
  EXPECT_THAT(
      Rows(s),
      ElementsAre(
          Row{"g", "app", "1", "", -1},
          Row{"g", "shaded", "2",
              "lib/bundle.jar!/META-INF/maven/g/shaded/pom.properties", 0},
          Row{"g", "leaf", "3", "lib/bundle.jar!/lib/leaf-3.jar", 0}));
}

TEST(SummarizeTest, ManifestOnlyJar) {
  // The JRE's lib/jrt-fs.jar.
  std::string jar = WriteZip({{"META-INF/MANIFEST.MF",
                               "Manifest-Version: 1.0\r\n"
                               "Specification-Title: Java Platform API "
                               "Specification\r\n"
                               "Specification-Version: 17\r\n"
                               "Implementation-Title: Java Runtime "
                               "Environment\r\n"
                               "Implementation-Version: 17.0.21.1\r\n"
                               "Implementation-Vendor: Debian\r\n\r\n"}});
  Summary s = SummaryOf("jrt-fs.jar", jar);
  ASSERT_THAT(Rows(s), ElementsAre(Row{"", "jrt-fs", "17.0.21.1", "", -1}));
  EXPECT_EQ(s.packages[0].extra.at("manifest:Implementation-Vendor"), "Debian");
}

TEST(SummarizeTest, ManifestGroupFromBundleSymbolicName) {
  std::string jar = WriteZip(
      {{"META-INF/MANIFEST.MF",
        "Manifest-Version: 1.0\n"
        "Bundle-License: https://www.apache.org/licenses/LICENSE-2.0.txt\n"
        "Bundle-SymbolicName: com.fasterxml.jackson.core.jackson-databind;"
        "singleton:=true\n"
        "Bundle-Version: 2.14.0\n"}});
  Summary s = SummaryOf("jackson-databind.jar", jar);
  ASSERT_THAT(Rows(s), ElementsAre(Row{"com.fasterxml.jackson.core",
                                       "jackson-databind", "2.14.0", "", -1}));
  EXPECT_THAT(s.packages[0].licenses, ElementsAre("Apache-2.0"));
}

TEST(SummarizeTest, ManifestGroupFromImplementationVendorId) {
  std::string jar = WriteZip({{"META-INF/MANIFEST.MF",
                               "Implementation-Vendor-Id: org.example\n"
                               "Bundle-SymbolicName: other.name\n"}});
  Summary s = SummaryOf("thing-2.0.jar", jar);
  EXPECT_THAT(Rows(s), ElementsAre(Row{"org.example", "thing", "2.0", "", -1}));
}

TEST(SummarizeTest, FileNameOnlyJar) {
  Summary s = SummaryOf("foo-bar-1.2.3.jar", WriteZip({{"a/B.class", "x"}}));
  EXPECT_THAT(Rows(s), ElementsAre(Row{"", "foo-bar", "1.2.3", "", -1}));
  EXPECT_EQ(s.packages[0].sha1.size(), 40u);
}

TEST(SummarizeTest, NoIdentityNoPackage) {
  // Debian's ca-certificates-java.jar: a manifest without any version.
  std::string jar =
      WriteZip({{"META-INF/MANIFEST.MF",
                 "Manifest-Version: 1.0\nClass-Path: \n"
                 "Main-Class: org.debian.security.UpdateCertificates\n"}});
  EXPECT_THAT(SummaryOf("ca-certificates-java.jar", jar).packages, IsEmpty());
  EXPECT_THAT(SummaryOf("1.0.jar", WriteZip({{"x", "y"}})).packages, IsEmpty());
}

TEST(SummarizeTest, WeaveClassesJarIsSkipped) {
  std::string jar =
      WriteZip({{"META-INF/MANIFEST.MF",
                 "Implementation-Version: 5.3.4\nWeave-Classes: x,y\n"}});
  EXPECT_THAT(SummaryOf("spring-5.3.4.jar", jar).packages, IsEmpty());
}

TEST(SummarizeTest, PrefixMatchNamesTheArchive) {
  // syft: an artifactId starting with the file-name name is the archive's.
  Summary s = SummaryOf("netty.jar",
                        WriteZip(MavenJar("io.netty", "netty-all", "4.1")));
  EXPECT_THAT(Rows(s),
              ElementsAre(Row{"io.netty", "netty-all", "4.1", "", -1}));
}

TEST(SummarizeTest, ProblemsAreKept) {
  std::string outer = WriteZip({{"lib/bad.jar", "PK\x03\x04 broken"}});
  Summary s = SummaryOf("x.jar", outer);
  EXPECT_THAT(s.problems,
              ElementsAre(Problem{"lib/bad.jar",
                                  "no end of central directory record"}));
}

TEST(SummaryCodecTest, RoundTrip) {
  std::vector<ZipMember> members = MavenJar("g", "app", "1");
  members.push_back({"lib/commons-lang3-3.12.0.jar", Lang3Jar()});
  members.push_back({"lib/bad.jar", "PK\x03\x04 broken"});
  Summary s = SummaryOf("app-1.jar", WriteZip(members));
  ASSERT_EQ(s.packages.size(), 2u);
  ASSERT_EQ(s.problems.size(), 1u);
  auto back = DecodeSummary(EncodeSummary(s));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, s);
}

TEST(SummaryCodecTest, RejectsMalformedSummaries) {
  EXPECT_EQ(DecodeSummary("[]").status(),
            DataLossError("malformed java archive summary: not an object"));
  EXPECT_EQ(DecodeSummary(R"({"packages":[]})").status(),
            DataLossError("malformed java archive summary: missing packages "
                          "or problems"));
  EXPECT_EQ(
      DecodeSummary(
          R"({"packages":[{"path":"","parent":0,"name":"a","version":"1"}],)"
          R"("problems":[]})")
          .status(),
      DataLossError("malformed java archive summary: parent index out of "
                    "range"));
  EXPECT_EQ(
      DecodeSummary(R"({"packages":[{"path":"","parent":-1,"name":"a"}],)"
                    R"("problems":[]})")
          .status(),
      DataLossError("malformed java archive summary: package without path, "
                    "parent, name or version"));
  EXPECT_EQ(DecodeSummary(R"({"packages":[],"problems":[{"path":1}]})")
                .status()
                .code(),
            StatusCode::kDataLoss);
  EXPECT_FALSE(DecodeSummary("{").ok());
}

}  // namespace
}  // namespace strata::catalog::java
