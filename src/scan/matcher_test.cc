#include "scan/matcher.h"

#include <gtest/gtest.h>

#include "scan/report.h"
#include "scan/target.h"

namespace strata::scan {
namespace {

sbom::Package Deb(std::string name, std::string version, std::string source,
                  std::string source_version) {
  sbom::Package p;
  p.type = sbom::PackageType::kDeb;
  p.name = std::move(name);
  p.version = std::move(version);
  p.source_name = std::move(source);
  p.source_version = std::move(source_version);
  p.architecture = "amd64";
  p.locations.push_back({"var/lib/dpkg/status", 0, ""});
  return p;
}

sbom::Package Lang(sbom::PackageType type, std::string name,
                   std::string version) {
  sbom::Package p;
  p.type = type;
  p.name = std::move(name);
  p.version = std::move(version);
  return p;
}

sbom::Sbom Debian12(std::vector<sbom::Package> packages) {
  sbom::Sbom s;
  s.distro.id = "debian";
  s.distro.version_id = "12";
  s.packages = std::move(packages);
  sbom::Finalize(s);
  return s;
}

class MatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = vulndb::Db::OpenForImport(":memory:");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = *std::move(db);
  }
  void Import(std::string_view name, std::string_view bytes) {
    auto st = db_->ImportBytes(name, bytes);
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    ASSERT_EQ(st->skipped, 0) << (st->messages.empty() ? "" : st->messages[0]);
  }
  ScanResult MustMatch(const sbom::Sbom& s, const MatchOptions& o = {}) {
    auto r = Match(s, *db_, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *std::move(r) : ScanResult{};
  }
  static std::vector<std::string> Ids(const ScanResult& r) {
    std::vector<std::string> out;
    for (const Finding& f : r.findings) {
      out.push_back(f.id + " " + f.package_name);
    }
    return out;
  }
  std::unique_ptr<vulndb::Db> db_;
};

// The Debian tracker names source packages and versions; a fix in 1.2-4
// applies to a binary whose own version carries an epoch the source lacks.
TEST_F(MatcherTest, DebianUsesTheSourceVersionNotTheBinaryEpoch) {
  Import("debian.json", R"({"foo": {"CVE-2024-0001": {"releases": {
      "bookworm": {"status": "resolved", "fixed_version": "1.2-4",
                   "urgency": "high"}}}}})");
  ScanResult r =
      MustMatch(Debian12({Deb("libfoo1", "1:1.2-3", "foo", "1.2-3")}));
  ASSERT_EQ(Ids(r), std::vector<std::string>{"CVE-2024-0001 libfoo1"});
  EXPECT_EQ(r.findings[0].state, FixState::kFixed);
  EXPECT_EQ(r.findings[0].fixed_version, "1.2-4");
  EXPECT_EQ(r.findings[0].severity, cvss::Rating::kHigh);
  EXPECT_EQ(r.findings[0].ecosystem, "Debian:12");
}

TEST_F(MatcherTest, BackportSuffixesOrderAsDpkgDoes) {
  Import("debian.json", R"({
    "glibc": {"CVE-2024-0002": {"releases": {"bookworm":
        {"status": "resolved", "fixed_version": "2.36-9+deb12u3",
         "urgency": "medium"}}}},
    "bar": {"CVE-2024-0003": {"releases": {"bookworm":
        {"status": "resolved", "fixed_version": "1.0-1", "urgency": "low"}}}}})");
  ScanResult r = MustMatch(
      Debian12({Deb("libc6", "2.36-9+deb12u4", "glibc", "2.36-9+deb12u4"),
                Deb("bar", "1.0-1~deb12u1", "bar", "")}));
  // +deb12u4 is past the +deb12u3 fix; ~deb12u1 sorts before 1.0-1.
  EXPECT_EQ(Ids(r), std::vector<std::string>{"CVE-2024-0003 bar"});
}

TEST_F(MatcherTest, BinaryPackagesMatchThroughTheirSource) {
  Import("debian.json", R"({"perl": {"CVE-2023-47038": {"releases": {
      "bookworm": {"status": "resolved", "fixed_version": "5.36.0-7+deb12u1",
                   "urgency": "medium"}}}}})");
  ScanResult r =
      MustMatch(Debian12({Deb("perl-base", "5.36.0-7", "perl", "5.36.0-7")}));
  EXPECT_EQ(Ids(r), std::vector<std::string>{"CVE-2023-47038 perl-base"});
}

TEST_F(MatcherTest, DistroNotAffectedAndOpenIssues) {
  Import("debian.json", R"({"baz": {
      "CVE-2024-0004": {"releases": {"bookworm":
          {"status": "resolved", "fixed_version": "0", "urgency": "low"}}},
      "CVE-2024-0005": {"releases": {"bookworm":
          {"status": "open", "urgency": "unimportant"}}}}})");
  ScanResult r = MustMatch(Debian12({Deb("baz", "3.0-1", "baz", "")}));
  ASSERT_EQ(Ids(r), std::vector<std::string>{"CVE-2024-0005 baz"});
  EXPECT_NE(r.findings[0].state, FixState::kFixed);
  MatchOptions only_fixed;
  only_fixed.only_fixed = true;
  EXPECT_TRUE(MustMatch(Debian12({Deb("baz", "3.0-1", "baz", "")}), only_fixed)
                  .findings.empty());
}

TEST_F(MatcherTest, UpstreamRangesNeverApplyToDistroPackages) {
  Import("ghsa.json", R"({"id": "GHSA-j8r2-6x86-q33q", "modified":
      "2023-05-22T00:00:00Z", "aliases": ["CVE-2023-32681"], "affected": [{
      "package": {"ecosystem": "PyPI", "name": "requests"},
      "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "2.3.0"},
                                                  {"fixed": "2.31.0"}]}]}]})");
  sbom::Sbom s = Debian12(
      {Deb("python3-requests", "2.28.1+dfsg-1", "requests", "2.28.1+dfsg-1"),
       Lang(sbom::PackageType::kPython, "requests", "2.28.1")});
  // The Python package lies inside the deb: matched through the deb only.
  s.relationships.push_back({s.packages[0].id, s.packages[1].id, "contains"});
  EXPECT_TRUE(MustMatch(s).findings.empty());
  // On its own (pip-installed), the same package is affected.
  ScanResult alone = MustMatch(
      Debian12({Lang(sbom::PackageType::kPython, "Requests", "2.28.1")}));
  EXPECT_EQ(Ids(alone), std::vector<std::string>{"CVE-2023-32681 Requests"});
  EXPECT_EQ(alone.findings[0].fixed_version, "2.31.0");
  EXPECT_EQ(alone.findings[0].aliases,
            std::vector<std::string>{"GHSA-j8r2-6x86-q33q"});
}

TEST_F(MatcherTest, AliasesAreReportedOnce) {
  for (const char* doc : {
           R"({"id": "GHSA-aaaa-bbbb-cccc", "modified": "2024-01-01T00:00:00Z",
              "aliases": ["CVE-2024-1111"], "severity": [{"type": "CVSS_V3",
              "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
              "affected": [{"package": {"ecosystem": "PyPI", "name": "pkg"},
              "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"},
              {"fixed": "1.5"}]}]}]})",
           R"({"id": "PYSEC-2024-1", "modified": "2024-01-01T00:00:00Z",
              "aliases": ["CVE-2024-1111", "GHSA-aaaa-bbbb-cccc"],
              "affected": [{"package": {"ecosystem": "PyPI", "name": "pkg"},
              "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"},
              {"fixed": "1.4.2"}]}]}]})",
       }) {
    Import("osv.json", doc);
  }
  ScanResult r =
      MustMatch(Debian12({Lang(sbom::PackageType::kPython, "pkg", "1.4")}));
  ASSERT_EQ(Ids(r), std::vector<std::string>{"CVE-2024-1111 pkg"});
  const Finding& f = r.findings[0];
  EXPECT_EQ(f.aliases,
            (std::vector<std::string>{"GHSA-aaaa-bbbb-cccc", "PYSEC-2024-1"}));
  EXPECT_EQ(f.fixed_version, "1.5");  // fixes every advisory of the group
  EXPECT_EQ(f.severity, cvss::Rating::kCritical);
  EXPECT_DOUBLE_EQ(f.score, 9.8);
}

TEST_F(MatcherTest, OsvEventsVersionsWithdrawnAndMalicious) {
  Import("a.json", R"({"id": "GO-2022-0969", "modified": "2024-01-01T00:00:00Z",
      "aliases": ["CVE-2022-27664"], "affected": [{"package": {"ecosystem":
      "Go", "name": "stdlib"}, "ranges": [{"type": "SEMVER", "events": [
      {"introduced": "0"}, {"fixed": "1.18.6"}, {"introduced": "1.19.0-0"},
      {"fixed": "1.19.1"}]}]}]})");
  Import("b.json", R"({"id": "OSV-2024-9", "modified": "2024-01-01T00:00:00Z",
      "withdrawn": "2024-02-01T00:00:00Z", "affected": [{"package":
      {"ecosystem": "npm", "name": "left-pad"}, "versions": ["1.0.0"]}]})");
  Import("c.json", R"({"id": "MAL-2024-1", "modified": "2024-01-01T00:00:00Z",
      "affected": [{"package": {"ecosystem": "npm", "name": "evil"},
      "versions": ["1.0.0"]}]})");
  Import("d.json", R"({"id": "GHSA-last-affe-cted", "modified":
      "2024-01-01T00:00:00Z", "affected": [{"package": {"ecosystem": "npm",
      "name": "old"}, "ranges": [{"type": "SEMVER", "events": [{"introduced":
      "1.0.0"}, {"last_affected": "1.2.0"}]}]}]})");
  sbom::Sbom s = Debian12({
      Lang(sbom::PackageType::kGoModule, "stdlib", "v1.19.0"),
      Lang(sbom::PackageType::kGoModule, "stdlib", "v1.18.6"),
      Lang(sbom::PackageType::kNpm, "left-pad", "1.0.0"),
      Lang(sbom::PackageType::kNpm, "evil", "1.0.0"),
      Lang(sbom::PackageType::kNpm, "old", "1.2.0"),
      Lang(sbom::PackageType::kNpm, "old", "1.2.1"),
  });
  ScanResult r = MustMatch(s);
  std::vector<std::string> got;
  for (const Finding& f : r.findings) {
    got.push_back(f.id + " " + f.package_name + "@" + f.package_version +
                  " fix=" + f.fixed_version + (f.malicious ? " MAL" : ""));
  }
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{
                     "CVE-2022-27664 stdlib@v1.19.0 fix=1.19.1",
                     "GHSA-last-affe-cted old@1.2.0 fix=",
                     "MAL-2024-1 evil@1.0.0 fix= MAL",
                 }));
}

TEST_F(MatcherTest, VexSuppressesAndSaysWhy) {
  Import("osv.json", R"({"id": "GHSA-35jh-r3h4-6jhm", "modified":
      "2024-01-01T00:00:00Z", "aliases": ["CVE-2021-23337"], "affected": [{
      "package": {"ecosystem": "npm", "name": "lodash"}, "ranges": [{"type":
      "SEMVER", "events": [{"introduced": "0"}, {"fixed": "4.17.21"}]}]}]})");
  sbom::Sbom s = Debian12({Lang(sbom::PackageType::kNpm, "lodash", "4.17.20")});
  ASSERT_EQ(MustMatch(s).findings.size(), 1u);
  auto doc = vex::Parse(R"({"@context": "https://openvex.dev/ns/v0.2.0",
      "@id": "https://example.com/vex/1", "author": "me",
      "timestamp": "2024-01-01T00:00:00Z", "version": 1, "statements": [{
      "vulnerability": {"name": "CVE-2021-23337"},
      "products": [{"@id": "pkg:npm/lodash@4.17.20"}],
      "status": "not_affected",
      "justification": "vulnerable_code_not_in_execute_path"}]})",
                        "app.vex.json");
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  MatchOptions o;
  o.vex.push_back(*doc);
  ScanResult r = MustMatch(s, o);
  EXPECT_TRUE(r.findings.empty());
  ASSERT_EQ(r.suppressed.size(), 1u);
  EXPECT_NE(r.suppressed[0].suppressed_by.find("app.vex.json"),
            std::string::npos);
  EXPECT_EQ(r.suppressed[0].vex_justification,
            "vulnerable_code_not_in_execute_path");
}

TEST_F(MatcherTest, RpmMatchesSourceOrBinaryNameWithEpoch) {
  Import("alsa.json", R"({"id": "ALSA-2022:6224", "modified":
      "2022-09-01T00:00:00Z", "aliases": ["CVE-2022-2068"], "affected": [{
      "package": {"ecosystem": "AlmaLinux:9", "name": "openssl"},
      "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"},
      {"fixed": "1:3.0.1-41.el9_0"}]}]}]})");
  sbom::Sbom s;
  s.distro.id = "almalinux";
  s.distro.version_id = "9.0";
  for (const char* release : {"40.el9_0", "41.el9_0"}) {
    sbom::Package p;
    p.type = sbom::PackageType::kRpm;
    p.name = "openssl-libs";
    p.version = std::string("3.0.1-") + release;
    p.epoch = "1";
    p.source_name = "openssl";
    p.architecture = "x86_64";
    s.packages.push_back(p);
  }
  sbom::Finalize(s);
  ScanResult r = MustMatch(s);
  ASSERT_EQ(Ids(r), std::vector<std::string>{"CVE-2022-2068 openssl-libs"});
  EXPECT_EQ(r.findings[0].package_version, "3.0.1-40.el9_0");
  EXPECT_EQ(r.findings[0].fixed_version, "1:3.0.1-41.el9_0");
}

TEST_F(MatcherTest, KevAndEpssEnrichFindings) {
  Import("osv.json", R"({"id": "GHSA-jfh8-c2jp-5v3q", "modified":
      "2024-01-01T00:00:00Z", "aliases": ["CVE-2021-44228"], "affected": [{
      "package": {"ecosystem": "Maven", "name":
      "org.apache.logging.log4j:log4j-core"}, "ranges": [{"type": "ECOSYSTEM",
      "events": [{"introduced": "2.0-beta9"}, {"fixed": "2.15.0"}]}]}]})");
  Import(
      "kev.json",
      R"({"title": "CISA KEV", "catalogVersion": "2024.01.01", "dateReleased":
      "2024-01-01T00:00:00.000Z", "count": 1, "vulnerabilities": [{"cveID":
      "CVE-2021-44228", "vendorProject": "Apache", "product": "Log4j2",
      "vulnerabilityName": "Apache Log4j2 RCE", "dateAdded": "2021-12-10",
      "shortDescription": "x", "requiredAction": "y", "dueDate": "2021-12-24",
      "knownRansomwareCampaignUse": "Known", "notes": ""}]})");
  Import("epss.csv",
         "#model_version:v2023.03.01,score_date:2024-01-01T00:00:00+0000\n"
         "cve,epss,percentile\nCVE-2021-44228,0.97565,0.99996\n");
  sbom::Package p =
      Lang(sbom::PackageType::kJavaArchive, "log4j-core", "2.14.1");
  p.group = "org.apache.logging.log4j";
  ScanResult r = MustMatch(Debian12({p}));
  ASSERT_EQ(Ids(r), std::vector<std::string>{"CVE-2021-44228 log4j-core"});
  EXPECT_TRUE(r.findings[0].kev);
  ASSERT_TRUE(r.findings[0].epss.has_value());
  EXPECT_DOUBLE_EQ(r.findings[0].epss->score, 0.97565);
  EXPECT_EQ(r.findings[0].fixed_version, "2.15.0");
}

TEST_F(MatcherTest, UnknownDistroIsANoteNotSilence) {
  Import("debian.json", R"({"foo": {"CVE-2024-0001": {"releases": {
      "bookworm": {"status": "resolved", "fixed_version": "1.2-4"}}}}})");
  sbom::Sbom s;
  s.distro.id = "plan9";
  s.packages.push_back(Deb("foo", "1.0-1", "foo", ""));
  sbom::Finalize(s);
  ScanResult r = MustMatch(s);
  EXPECT_TRUE(r.findings.empty());
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_EQ(r.notes[0],
            "no vulnerability data for distro \"plan9 \": its OS packages "
            "were not matched");
}

TEST_F(MatcherTest, UbuntuLtsDataIsFound) {
  Import("ubuntu.json", R"({"id": "UBUNTU-CVE-2024-6387", "modified":
      "2024-07-01T00:00:00Z", "aliases": ["CVE-2024-6387"], "affected": [{
      "package": {"ecosystem": "Ubuntu:22.04:LTS", "name": "openssh"},
      "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"},
      {"fixed": "1:8.9p1-3ubuntu0.10"}]}]}]})");
  sbom::Sbom s;
  s.distro.id = "ubuntu";
  s.distro.version_id = "22.04";
  s.packages.push_back(
      Deb("openssh-server", "1:8.9p1-3ubuntu0.6", "openssh", ""));
  sbom::Finalize(s);
  EXPECT_EQ(Ids(MustMatch(s)),
            std::vector<std::string>{"CVE-2024-6387 openssh-server"});
}

TEST(TargetTest, DistroEcosystems) {
  auto eco = [](std::string id, std::string v) {
    sbom::Distro d;
    d.id = std::move(id);
    d.version_id = std::move(v);
    return DistroEcosystem(d);
  };
  EXPECT_EQ(eco("debian", "12"), "Debian:12");
  EXPECT_EQ(eco("ubuntu", "22.04"), "Ubuntu:22.04");
  EXPECT_EQ(eco("alpine", "3.20.3"), "Alpine:v3.20");
  EXPECT_EQ(eco("almalinux", "9.4"), "AlmaLinux:9");
  EXPECT_EQ(eco("rocky", "8.9"), "Rocky Linux:8");
  EXPECT_EQ(eco("wolfi", "20230201"), "Wolfi");
  EXPECT_EQ(eco("gentoo", "2.14"), "");
}

TEST(ReportTest, FormatsAndSeverities) {
  EXPECT_EQ(*ParseReportFormat("sarif"), ReportFormat::kSarif);
  EXPECT_EQ(ParseReportFormat("xml").status().ToString(),
            "unknown output format \"xml\" (want table, json, sarif, "
            "openvex or cyclonedx-json)");
  EXPECT_EQ(*ParseSeverity("high"), cvss::Rating::kHigh);
  EXPECT_EQ(*ParseSeverity("negligible"), cvss::Rating::kNone);
  EXPECT_FALSE(ParseSeverity("severe").ok());
}

}  // namespace
}  // namespace strata::scan
