#include "sbom/format.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sbom/format_internal.h"
#include "testing/test_util.h"

namespace strata::sbom {
namespace {

// Golden files live in src/sbom/testdata; STRATA_UPDATE_GOLDEN=1 rewrites them.
void ExpectGolden(const std::string& name, const std::string& actual) {
  testing::ExpectGolden(
      std::string(STRATA_SOURCE_DIR) + "/src/sbom/testdata/" + name, actual);
}

constexpr char kManifestDigest[] =
    "sha256:3f1b6a4c9a7a0a52e2b7d9a4c6fdc9f0b4e8fa3d2ad09c8e8f7f7a2c1b0e9d8c";
constexpr char kLayer0[] =
    "sha256:1111111111111111111111111111111111111111111111111111111111111111";
constexpr char kLayer1[] =
    "sha256:2222222222222222222222222222222222222222222222222222222222222222";

// A small, already finalised SBOM (ids, purls and cpes filled by hand).
Sbom TestSbom() {
  Sbom s;
  s.source.reference = "docker-archive:/images/demo.tar";
  s.source.transport = "docker-archive";
  s.source.manifest_digest = kManifestDigest;
  s.source.config_digest =
      "sha256:4444444444444444444444444444444444444444444444444444444444444444";
  s.source.media_type = "application/vnd.docker.distribution.manifest.v2+json";
  s.source.platform = "linux/amd64";
  s.source.layer_diff_ids = {kLayer0, kLayer1};
  s.source.repo_tags = {"registry.example:5000/team/demo:1.0"};
  s.source.name = "registry.example:5000/team/demo:1.0";
  s.distro = {"debian",
              "12",
              "bookworm",
              "Debian GNU/Linux",
              "Debian GNU/Linux 12 (bookworm)",
              {}};

  Package libc;
  libc.id = "deb:libc6@2.36-9+deb12u9:amd64:0123456789abcdef";
  libc.type = PackageType::kDeb;
  libc.name = "libc6";
  libc.version = "2.36-9+deb12u9";
  libc.architecture = "amd64";
  libc.source_name = "glibc";
  libc.licenses = {"LGPL-2.1-or-later", "GPL-2+ with exceptions"};
  libc.maintainer = "GNU Libc Maintainers <debian-glibc@lists.debian.org>";
  libc.description = "GNU C Library: Shared libraries";
  libc.files = {"lib/x86_64-linux-gnu/libc.so.6", "usr/share/doc/libc6"};
  libc.provides = {"libc6-x"};
  libc.locations = {{"var/lib/dpkg/status", 0, kLayer0}};
  libc.introduced_layer = 0;
  libc.purl =
      "pkg:deb/debian/libc6@2.36-9%2Bdeb12u9?arch=amd64&distro=debian-12&"
      "upstream=glibc";
  libc.cpes = {"cpe:2.3:a:libc6:libc6:2.36-9\\+deb12u9:*:*:*:*:*:*:*",
               "cpe:2.3:a:gnu:glibc:2.36-9\\+deb12u9:*:*:*:*:*:*:*"};
  libc.cataloger = "dpkg";
  libc.extra = {{"priority", "optional"}};

  Package ssl;
  ssl.id = "deb:libssl3@3.0.15-1~deb12u1:amd64:0123456789abcdef";
  ssl.name = "libssl3";
  ssl.version = "3.0.15-1~deb12u1";
  ssl.architecture = "amd64";
  ssl.source_name = "openssl";
  ssl.licenses = {"Apache-2.0 OR MIT"};
  ssl.depends = {"libc6"};
  ssl.locations = {{"var/lib/dpkg/status", 0, kLayer0}};
  ssl.introduced_layer = 0;
  ssl.purl =
      "pkg:deb/debian/libssl3@3.0.15-1~deb12u1?arch=amd64&distro=debian-12&"
      "upstream=openssl";
  ssl.cpes = {"cpe:2.3:a:openssl:openssl:3.0.15-1~deb12u1:*:*:*:*:*:*:*"};
  ssl.cataloger = "dpkg";

  Package zlib;
  zlib.id = "deb:zlib1g@1:1.2.13.dfsg-1:amd64:0123456789abcdef";
  zlib.name = "zlib1g";
  zlib.version = "1:1.2.13.dfsg-1";
  zlib.architecture = "amd64";
  zlib.licenses = {"Zlib"};
  zlib.locations = {{"var/lib/dpkg/status", 1, kLayer1}};
  zlib.introduced_layer = 1;
  zlib.purl =
      "pkg:deb/debian/zlib1g@1%3A1.2.13.dfsg-1?arch=amd64&distro=debian-12";
  zlib.cataloger = "dpkg";

  Package bash;
  bash.id = "rpm:bash@5.1.8-6.el9:x86_64:fedcba9876543210";
  bash.type = PackageType::kRpm;
  bash.name = "bash";
  bash.version = "5.1.8-6.el9";
  bash.epoch = "1";
  bash.architecture = "x86_64";
  bash.source_name = "bash";
  bash.source_version = "5.1.8-6.el9";
  bash.licenses = {"GPL-3.0-or-later"};
  bash.maintainer = "Red Hat, Inc.";
  bash.locations = {{"var/lib/rpm/rpmdb.sqlite", 1, kLayer1}};
  bash.introduced_layer = 1;
  bash.purl =
      "pkg:rpm/debian/bash@5.1.8-6.el9?arch=x86_64&distro=debian-12&epoch=1";
  bash.cataloger = "rpm";

  s.packages = {libc, ssl, zlib, bash};
  s.relationships = {{ssl.id, libc.id, "depends-on"},
                     {zlib.id, libc.id, "depends-on"}};
  s.unknowns = {{{"var/lib/dpkg/status.d/broken", 1, kLayer1},
                 "dpkg",
                 "truncated record"}};
  return s;
}

WriteOptions TestOptions() {
  WriteOptions o;
  o.timestamp = 1700000000;  // 2023-11-14T22:13:20Z
  o.tool_version = "0.1.0-test";
  return o;
}

std::string MustWrite(const Sbom& s, Format f,
                      const WriteOptions& o = TestOptions()) {
  auto out = Write(s, f, o);
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  return out.ok() ? *out : "";
}

// --- Names -------------------------------------------------------------------

TEST(ParseFormatTest, AcceptsNamesAndAliases) {
  EXPECT_EQ(*ParseFormat("table"), Format::kTable);
  EXPECT_EQ(*ParseFormat("json"), Format::kJson);
  EXPECT_EQ(*ParseFormat("spdx-json"), Format::kSpdxJson);
  EXPECT_EQ(*ParseFormat("spdx"), Format::kSpdxJson);
  EXPECT_EQ(*ParseFormat("cyclonedx-json"), Format::kCycloneDxJson);
  EXPECT_EQ(*ParseFormat("cyclonedx"), Format::kCycloneDxJson);
  EXPECT_EQ(*ParseFormat("cdx-json"), Format::kCycloneDxJson);
  for (Format f : {Format::kTable, Format::kJson, Format::kSpdxJson,
                   Format::kCycloneDxJson}) {
    EXPECT_EQ(*ParseFormat(FormatName(f)), f);
  }
}

TEST(ParseFormatTest, RejectsUnknownNameListingValidOnes) {
  auto f = ParseFormat("spdx-tag-value");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status(),
            InvalidArgumentError("unknown sbom format \"spdx-tag-value\" "
                                 "(valid: table, json, spdx-json, "
                                 "cyclonedx-json)"));
}

TEST(WriteTest, RejectsUnknownCycloneDxVersion) {
  WriteOptions o = TestOptions();
  o.cyclonedx_version = "1.4";
  auto out = Write(TestSbom(), Format::kCycloneDxJson, o);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status(), InvalidArgumentError("unsupported CycloneDX version "
                                               "\"1.4\" (valid: 1.5, 1.6)"));
}

// --- Golden files and determinism --------------------------------------------

TEST(WriteTest, EveryFormatMatchesGoldenFile) {
  Sbom s = TestSbom();
  ExpectGolden("sbom.golden.txt", MustWrite(s, Format::kTable));
  ExpectGolden("sbom.golden.json", MustWrite(s, Format::kJson));
  ExpectGolden("sbom.golden.spdx.json", MustWrite(s, Format::kSpdxJson));
  ExpectGolden("sbom.golden.cdx.json", MustWrite(s, Format::kCycloneDxJson));
  WriteOptions o15 = TestOptions();
  o15.cyclonedx_version = "1.5";
  ExpectGolden("sbom.golden.cdx-1.5.json",
               MustWrite(s, Format::kCycloneDxJson, o15));
}

TEST(WriteTest, SameSbomGivesSameBytesAndOtherDigestOtherIds) {
  Sbom s = TestSbom();
  Sbom other = TestSbom();
  other.source.manifest_digest[7] = 'a';
  for (Format f : {Format::kTable, Format::kJson, Format::kSpdxJson,
                   Format::kCycloneDxJson}) {
    EXPECT_EQ(MustWrite(s, f), MustWrite(TestSbom(), f)) << FormatName(f);
  }
  auto ns = [](const std::string& doc) {
    return json::Json::parse(doc)["documentNamespace"].get<std::string>();
  };
  auto serial = [](const std::string& doc) {
    return json::Json::parse(doc)["serialNumber"].get<std::string>();
  };
  EXPECT_NE(ns(MustWrite(s, Format::kSpdxJson)),
            ns(MustWrite(other, Format::kSpdxJson)));
  EXPECT_NE(serial(MustWrite(s, Format::kCycloneDxJson)),
            serial(MustWrite(other, Format::kCycloneDxJson)));
}

TEST(WriteTest, TimestampComesFromOptions) {
  auto doc = json::Json::parse(MustWrite(TestSbom(), Format::kSpdxJson));
  EXPECT_EQ(doc["creationInfo"]["created"], "2023-11-14T22:13:20Z");
  doc = json::Json::parse(MustWrite(TestSbom(), Format::kCycloneDxJson));
  EXPECT_EQ(doc["metadata"]["timestamp"], "2023-11-14T22:13:20Z");
  EXPECT_EQ(doc["serialNumber"].get<std::string>().substr(0, 9), "urn:uuid:");
}

TEST(TableTest, SortsByNameAndCountsUnknowns) {
  EXPECT_EQ(MustWrite(TestSbom(), Format::kTable),
            "NAME     VERSION           TYPE\n"
            "bash     1:5.1.8-6.el9     rpm\n"
            "libc6    2.36-9+deb12u9    deb\n"
            "libssl3  3.0.15-1~deb12u1  deb\n"
            "zlib1g   1:1.2.13.dfsg-1   deb\n"
            "\n"
            "1 record could not be read (see -o json, \"unknowns\")\n");
  EXPECT_EQ(MustWrite(Sbom{}, Format::kTable), "No packages discovered\n");
}

// --- Licenses ----------------------------------------------------------------

TEST(SpdxLicenseTest, NormalizesListedIdsAndExpressions) {
  using internal::NormalizeSpdxExpression;
  EXPECT_EQ(NormalizeSpdxExpression("mit"), "MIT");
  EXPECT_EQ(NormalizeSpdxExpression("gpl-2.0+ or  (MIT and bsd-3-clause)"),
            "GPL-2.0+ OR (MIT AND BSD-3-Clause)");
  EXPECT_EQ(
      NormalizeSpdxExpression("GPL-2.0-only WITH Classpath-exception-2.0"),
      "GPL-2.0-only WITH Classpath-exception-2.0");
  EXPECT_EQ(NormalizeSpdxExpression("LicenseRef-foo.1 AND MIT"),
            "LicenseRef-foo.1 AND MIT");
  EXPECT_EQ(NormalizeSpdxExpression("GPL-2+"), std::nullopt);  // not listed
  EXPECT_EQ(NormalizeSpdxExpression("MIT AND"), std::nullopt);
  EXPECT_EQ(NormalizeSpdxExpression("(MIT"), std::nullopt);
  EXPECT_EQ(NormalizeSpdxExpression(""), std::nullopt);
  EXPECT_EQ(NormalizeSpdxExpression("LicenseRef-a b"), std::nullopt);
  EXPECT_EQ(NormalizeSpdxExpression(std::string(40, '(') + "MIT" +
                                    std::string(40, ')')),
            std::nullopt);  // too deep
  EXPECT_EQ(internal::SplitTopLevelAnd("(A OR B) AND C AND (D)"),
            (std::vector<std::string>{"A OR B", "C", "D"}));
}

TEST(SpdxWriterTest, DeclaresNonSpdxLicensesAsExtractedLicenseRefs) {
  auto doc = json::Json::parse(MustWrite(TestSbom(), Format::kSpdxJson));
  const json::Json* libc = nullptr;
  for (const json::Json& p : doc["packages"]) {
    if (p["name"] == "libc6") libc = &p;
  }
  ASSERT_NE(libc, nullptr);
  EXPECT_EQ((*libc)["licenseDeclared"],
            "LGPL-2.1-or-later AND LicenseRef-GPL-2--with-exceptions");
  EXPECT_EQ((*libc)["supplier"],
            "Person: GNU Libc Maintainers (debian-glibc@lists.debian.org)");
  ASSERT_EQ(doc["hasExtractedLicensingInfos"].size(), 1u);
  EXPECT_EQ(doc["hasExtractedLicensingInfos"][0]["licenseId"],
            "LicenseRef-GPL-2--with-exceptions");
  EXPECT_EQ(doc["hasExtractedLicensingInfos"][0]["extractedText"],
            "GPL-2+ with exceptions");
}

TEST(CycloneDxWriterTest, UsesIdsExpressionsOrNames) {
  auto doc = json::Json::parse(MustWrite(TestSbom(), Format::kCycloneDxJson));
  std::map<std::string, json::Json> by_name;
  for (const json::Json& c : doc["components"]) by_name[c["name"]] = c;
  EXPECT_EQ(by_name["libc6"]["licenses"],
            json::Json::parse(R"([{"license":{"id":"LGPL-2.1-or-later"}},
                                  {"license":{"name":"GPL-2+ with exceptions"}}])"));
  EXPECT_EQ(by_name["libssl3"]["licenses"],
            json::Json::parse(R"([{"expression":"Apache-2.0 OR MIT"}])"));
  EXPECT_EQ(by_name["debian"]["type"], "operating-system");
  EXPECT_EQ(by_name["debian"]["version"], "12");
  EXPECT_EQ(by_name["bash"]["version"], "1:5.1.8-6.el9");
}

// --- Schema validation -------------------------------------------------------

// Runs the lab's schema validator on `doc`; skips when the kit is absent.
void ExpectSchemaValid(const std::string& schema, const std::string& doc) {
  std::string script =
      std::string(STRATA_SOURCE_DIR) + "/../shared/schemas/validate.sh";
  if (!std::filesystem::exists(script)) {
    GTEST_SKIP() << "schema kit not found at " << script;
  }
  std::string dir = ::testing::TempDir();
  std::string file = dir + "/sbom_" + schema + ".json";
  std::string log = file + ".log";
  std::ofstream(file, std::ios::trunc) << doc;
  int rc = std::system(
      ("'" + script + "' " + schema + " '" + file + "' >'" + log + "' 2>&1")
          .c_str());
  std::ifstream in(log);
  std::stringstream out;
  out << in.rdbuf();
  ASSERT_TRUE(WIFEXITED(rc)) << out.str();
  EXPECT_EQ(WEXITSTATUS(rc), 0) << out.str();
}

TEST(SchemaTest, SpdxIsValidSpdx23) {
  ExpectSchemaValid("spdx-2.3", MustWrite(TestSbom(), Format::kSpdxJson));
}

TEST(SchemaTest, CycloneDx16IsValid) {
  ExpectSchemaValid("cyclonedx-1.6",
                    MustWrite(TestSbom(), Format::kCycloneDxJson));
}

TEST(SchemaTest, CycloneDx15IsValid) {
  WriteOptions o = TestOptions();
  o.cyclonedx_version = "1.5";
  ExpectSchemaValid("cyclonedx-1.5",
                    MustWrite(TestSbom(), Format::kCycloneDxJson, o));
}

TEST(SchemaTest, DirSourceWithoutDistroIsValid) {
  Sbom s = TestSbom();
  s.source = Source{};
  s.source.reference = "dir:/srv/root fs";
  s.source.transport = "dir";
  s.source.name = "/srv/root fs";
  s.distro = Distro{};
  ExpectSchemaValid("spdx-2.3", MustWrite(s, Format::kSpdxJson));
  ExpectSchemaValid("cyclonedx-1.6", MustWrite(s, Format::kCycloneDxJson));
}

// --- Round trips
// ---------------------------------------------------------------

TEST(ReadTest, StrataJsonIsLossless) {
  std::string doc = MustWrite(TestSbom(), Format::kJson);
  auto back = Read(doc);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(MustWrite(*back, Format::kJson), doc);
  ASSERT_EQ(back->packages.size(), 4u);
  EXPECT_EQ(back->packages[0].extra.at("priority"), "optional");
  EXPECT_EQ(back->packages[3].epoch, "1");
  EXPECT_EQ(back->unknowns[0].reason, "truncated record");
}

// The fields SPDX and CycloneDX carry for OS packages survive a round trip.
void ExpectKeyFieldsSurvive(const Sbom& want, const Sbom& got) {
  EXPECT_EQ(got.source.manifest_digest, want.source.manifest_digest);
  EXPECT_EQ(got.distro.id, "debian");
  EXPECT_EQ(got.distro.version_id, "12");
  EXPECT_EQ(got.distro.pretty_name, want.distro.pretty_name);
  ASSERT_EQ(got.packages.size(), want.packages.size());
  for (size_t i = 0; i < want.packages.size(); ++i) {
    const Package& w = want.packages[i];
    const Package& g = got.packages[i];
    SCOPED_TRACE(w.name);
    EXPECT_EQ(g.type, w.type);
    EXPECT_EQ(g.name, w.name);
    EXPECT_EQ(g.version, w.version);
    EXPECT_EQ(g.epoch, w.epoch);
    EXPECT_EQ(g.architecture, w.architecture);
    EXPECT_EQ(g.purl, w.purl);
    EXPECT_EQ(g.cpes, w.cpes);
    EXPECT_EQ(g.licenses, w.licenses);
    EXPECT_EQ(g.maintainer, w.maintainer);
    EXPECT_EQ(g.cataloger, w.cataloger);
    ASSERT_EQ(g.locations.size(), w.locations.size());
    EXPECT_EQ(g.locations[0].path, w.locations[0].path);
  }
  ASSERT_EQ(got.relationships.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    // Ids may be rewritten by a format; the ends must map to the same names.
    auto name_of = [](const Sbom& s, const std::string& id) {
      for (const Package& p : s.packages) {
        if (p.id == id) return p.name;
      }
      return std::string("<missing>");
    };
    EXPECT_EQ(name_of(got, got.relationships[i].from),
              name_of(want, want.relationships[i].from));
    EXPECT_EQ(name_of(got, got.relationships[i].to),
              name_of(want, want.relationships[i].to));
  }
}

TEST(ReadTest, SpdxRoundTripKeepsKeyFields) {
  auto back = Read(MustWrite(TestSbom(), Format::kSpdxJson));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ExpectKeyFieldsSurvive(TestSbom(), *back);
  EXPECT_EQ(back->source.name, TestSbom().source.name);
}

TEST(ReadTest, CycloneDxRoundTripKeepsKeyFields) {
  for (const char* version : {"1.6", "1.5"}) {
    WriteOptions o = TestOptions();
    o.cyclonedx_version = version;
    auto back = Read(MustWrite(TestSbom(), Format::kCycloneDxJson, o));
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    ExpectKeyFieldsSurvive(TestSbom(), *back);
    const Package& libc = back->packages[0];
    EXPECT_EQ(libc.id, TestSbom().packages[0].id);
    EXPECT_EQ(libc.source_name, "glibc");
    EXPECT_EQ(libc.introduced_layer, 0);
    EXPECT_EQ(libc.locations[0].layer_digest, kLayer0);
    EXPECT_EQ(back->packages[3].source_version, "5.1.8-6.el9");
    EXPECT_EQ(back->distro.codename, "bookworm");
  }
}

// --- Foreign documents
// ---------------------------------------------------------

TEST(ReadTest, SyftStyleSpdxWithPercentEncodedPurls) {
  constexpr char kDoc[] = R"json({
    "spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0",
    "SPDXID": "SPDXRef-DOCUMENT", "name": "alpine:3.20",
    "documentNamespace": "https://anchore.com/syft/image/alpine-3.20-x",
    "creationInfo": {"created": "2024-09-01T00:00:00Z",
                     "creators": ["Organization: Anchore, Inc", "Tool: syft-1.11.0"]},
    "packages": [
      {"name": "alpine:3.20", "SPDXID": "SPDXRef-DocumentRoot-Image-alpine-3.20",
       "versionInfo": "sha256:beefdbd8a1da6d2915566fde36db9db0b524eb737fc57cd1367effd16dc0d06d",
       "supplier": "NOASSERTION", "downloadLocation": "NOASSERTION",
       "primaryPackagePurpose": "CONTAINER"},
      {"name": "busybox", "SPDXID": "SPDXRef-Package-apk-busybox-1a2b",
       "versionInfo": "1.36.1-r29", "supplier": "Person: Sören Tempel (soeren+alpine@soeren-tempel.net)",
       "downloadLocation": "https://busybox.net/", "licenseConcluded": "NOASSERTION",
       "licenseDeclared": "GPL-2.0-only", "copyrightText": "NOASSERTION",
       "sourceInfo": "acquired package info from APK DB: /lib/apk/db/installed",
       "externalRefs": [
         {"referenceCategory": "SECURITY", "referenceType": "cpe23Type",
          "referenceLocator": "cpe:2.3:a:busybox:busybox:1.36.1-r29:*:*:*:*:*:*:*"},
         {"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
          "referenceLocator": "pkg:apk/alpine/busybox@1.36.1-r29?arch=x86_64&upstream=busybox%401.36.1&distro=alpine-3.20.3"}]},
      {"name": "ssl_client", "SPDXID": "SPDXRef-Package-apk-ssl-client-3c4d",
       "versionInfo": "1.36.1-r29", "licenseDeclared": "GPL-2.0-only AND (MIT OR Apache-2.0)",
       "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
          "referenceLocator": "pkg:apk/alpine/ssl_client@1.36.1-r29?arch=x86_64&distro=alpine-3.20.3"}]},
      {"name": "requests", "SPDXID": "SPDXRef-Package-python-requests-5e6f",
       "versionInfo": "2.32.3",
       "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
          "referenceLocator": "pkg:pypi/requests@2.32.3"}]}
    ],
    "relationships": [
      {"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES",
       "relatedSpdxElement": "SPDXRef-DocumentRoot-Image-alpine-3.20"},
      {"spdxElementId": "SPDXRef-Package-apk-busybox-1a2b", "relationshipType": "DEPENDENCY_OF",
       "relatedSpdxElement": "SPDXRef-Package-apk-ssl-client-3c4d"}
    ]
})json";
  auto s = Read(kDoc);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->source.name, "alpine:3.20");
  EXPECT_EQ(s->source.manifest_digest,
            "sha256:"
            "beefdbd8a1da6d2915566fde36db9db0b524eb737fc57cd1367effd16dc0d06d");
  EXPECT_EQ(s->distro.id, "alpine");
  EXPECT_EQ(s->distro.version_id, "3.20.3");
  ASSERT_EQ(s->packages.size(), 3u);
  EXPECT_EQ(s->packages[2].type, PackageType::kPython);
  EXPECT_EQ(s->packages[2].name, "requests");
  const Package& busybox = s->packages[0];
  EXPECT_EQ(busybox.type, PackageType::kApk);
  EXPECT_EQ(busybox.id, "apk-busybox-1a2b");
  EXPECT_EQ(busybox.architecture, "x86_64");
  EXPECT_EQ(busybox.source_name, "busybox");
  EXPECT_EQ(busybox.source_version, "1.36.1");
  EXPECT_EQ(busybox.maintainer,
            "Sören Tempel <soeren+alpine@soeren-tempel.net>");
  EXPECT_EQ(busybox.licenses, std::vector<std::string>{"GPL-2.0-only"});
  EXPECT_EQ(busybox.cataloger, "APK DB");
  ASSERT_EQ(busybox.locations.size(), 1u);
  EXPECT_EQ(busybox.locations[0].path, "lib/apk/db/installed");
  EXPECT_EQ(busybox.cpes.size(), 1u);
  EXPECT_EQ(s->packages[1].licenses,
            (std::vector<std::string>{"GPL-2.0-only", "MIT OR Apache-2.0"}));
  ASSERT_EQ(s->relationships.size(), 1u);
  EXPECT_EQ(s->relationships[0].from, "apk-ssl-client-3c4d");
  EXPECT_EQ(s->relationships[0].to, "apk-busybox-1a2b");
  EXPECT_TRUE(s->unknowns.empty());
}

TEST(ReadTest, TrivyStyleCycloneDxWithEpochQualifier) {
  constexpr char kDoc[] = R"json({
    "$schema": "http://cyclonedx.org/schema/bom-1.5.schema.json",
    "bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
    "metadata": {"timestamp": "2024-09-01T00:00:00+00:00",
      "tools": {"components": [{"type": "application", "group": "aquasecurity", "name": "trivy"}]},
      "component": {"bom-ref": "pkg:oci/demo@sha256%3Aab", "type": "container", "name": "demo:1"}},
    "components": [
      {"bom-ref": "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12.5",
       "type": "library", "name": "libc6", "version": "2.36-9+deb12u4",
       "licenses": [{"license": {"name": "LGPL-2.1"}}, {"license": {"name": "GPL-2.0"}}],
       "purl": "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12.5",
       "properties": [{"name": "aquasecurity:trivy:SrcName", "value": "glibc"},
                      {"name": "aquasecurity:trivy:SrcVersion", "value": "2.36"}]},
      {"bom-ref": "pkg:deb/debian/login@1%3A4.13%2Bdfsg1-1%2Bb1?arch=amd64&distro=debian-12.5&epoch=1",
       "type": "library", "name": "login", "version": "4.13+dfsg1-1+b1",
       "purl": "pkg:deb/debian/login@4.13%2Bdfsg1-1%2Bb1?arch=amd64&distro=debian-12.5&epoch=1"},
      {"bom-ref": "rpm-bash", "type": "library", "name": "bash", "version": "5.1.8-6.el9",
       "purl": "pkg:rpm/redhat/bash@5.1.8-6.el9?arch=x86_64&distro=redhat-9.4&epoch=1"},
      {"bom-ref": "os", "type": "operating-system", "name": "debian", "version": "12.5"},
      {"bom-ref": "app", "type": "library", "name": "left-pad", "version": "1.3.0",
       "purl": "pkg:npm/left-pad@1.3.0"},
      {"bom-ref": "nopurl", "type": "library", "name": "mystery", "version": "1"},
      {"bom-ref": "lockfile", "type": "application", "name": "package-lock.json"}
    ],
    "dependencies": [
      {"ref": "pkg:deb/debian/login@1%3A4.13%2Bdfsg1-1%2Bb1?arch=amd64&distro=debian-12.5&epoch=1",
       "dependsOn": ["pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12.5", "app"]},
      {"ref": "app", "dependsOn": []}
    ]})json";
  auto s = Read(kDoc);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->source.name, "demo:1");
  EXPECT_EQ(s->distro.id, "debian");
  EXPECT_EQ(s->distro.version_id, "12.5");
  ASSERT_EQ(s->packages.size(), 4u);
  EXPECT_EQ(s->packages[3].type, PackageType::kNpm);
  EXPECT_EQ(s->packages[3].name, "left-pad");
  EXPECT_EQ(s->packages[3].architecture, "");
  EXPECT_EQ(s->packages[0].source_name, "glibc");
  EXPECT_EQ(s->packages[0].source_version, "2.36");
  EXPECT_EQ(s->packages[0].licenses,
            (std::vector<std::string>{"LGPL-2.1", "GPL-2.0"}));
  EXPECT_EQ(s->packages[1].version, "1:4.13+dfsg1-1+b1");  // dpkg epoch
  EXPECT_EQ(s->packages[1].epoch, "");
  EXPECT_EQ(s->packages[2].type, PackageType::kRpm);
  EXPECT_EQ(s->packages[2].version, "5.1.8-6.el9");
  EXPECT_EQ(s->packages[2].epoch, "1");
  ASSERT_EQ(s->relationships.size(), 2u);  // login -> libc6, login -> app
  EXPECT_EQ(s->relationships[0].from, s->packages[1].id);
  EXPECT_EQ(s->relationships[0].to, s->packages[0].id);
  EXPECT_EQ(s->relationships[1].from, s->packages[1].id);
  EXPECT_EQ(s->relationships[1].to, s->packages[3].id);
  ASSERT_EQ(s->unknowns.size(), 1u);
  EXPECT_EQ(s->unknowns[0].reason, "no package url: mystery@1");
}

TEST(ReadTest, ReadsTheSchemaKitsTrivyExamples) {
  std::string dir =
      std::string(STRATA_SOURCE_DIR) + "/../shared/schemas/examples/valid/";
  for (const char* name :
       {"spdx-2.3--trivy.json", "cyclonedx-1.5--trivy.json"}) {
    std::ifstream in(dir + name);
    if (!in) GTEST_SKIP() << "schema kit examples not found in " << dir;
    std::stringstream doc;
    doc << in.rdbuf();
    auto s = Read(doc.str());
    ASSERT_TRUE(s.ok()) << name << ": " << s.status().ToString();
    ASSERT_FALSE(s->packages.empty()) << name;  // npm packages only
    EXPECT_TRUE(s->unknowns.empty()) << name;
    for (const Package& p : s->packages) {
      EXPECT_EQ(p.type, PackageType::kNpm) << name << ": " << p.name;
      EXPECT_FALSE(p.version.empty()) << name << ": " << p.name;
    }
  }
}

TEST(ParsePurlTest, DecodesComponentsAndQualifiers) {
  auto p = internal::ParsePurl(
      "pkg:deb/debian/"
      "libc6@1%3A2.36-9%2Bdeb12u4?distro=debian-12&Arch=amd64#sub");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->type, "deb");
  EXPECT_EQ(p->namespace_, "debian");
  EXPECT_EQ(p->name, "libc6");
  EXPECT_EQ(p->version, "1:2.36-9+deb12u4");
  EXPECT_EQ(p->qualifiers.at("arch"), "amd64");
  EXPECT_EQ(p->qualifiers.at("distro"), "debian-12");
  EXPECT_FALSE(internal::ParsePurl("deb/debian/libc6"));
  EXPECT_FALSE(internal::ParsePurl("pkg:deb"));
  EXPECT_FALSE(internal::ParsePurl("pkg:deb/debian/libc6@1%3"));
  EXPECT_FALSE(internal::ParsePurl("pkg:deb/debian/libc6?arch"));
  EXPECT_FALSE(internal::ParsePurl("pkg:deb/debian/%zz"));
}

// --- Hostile input
// -------------------------------------------------------------

TEST(ReadTest, RejectsInvalidJson) {
  auto s = Read("{\"spdxVersion\": ");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(
      s.status().message(),
      "sbom document is not valid JSON: parse error at line 1, column 17: "
      "syntax error while parsing "
      "value - unexpected end of input; expected '[', '{', or a literal");
}

TEST(ReadTest, RejectsUnknownAndUnsupportedDocuments) {
  EXPECT_EQ(Read("[]").status(),
            DataLossError("sbom document is not an object"));
  EXPECT_EQ(
      Read(R"({"hello": 1})").status(),
      DataLossError("sbom document is not SPDX 2.x, CycloneDX or strata JSON"));
  EXPECT_EQ(Read(R"({"spdxVersion": "SPDX-3.0"})").status(),
            UnimplementedError(
                "unsupported SPDX version \"SPDX-3.0\" (supported: SPDX-2.x)"));
  EXPECT_EQ(
      Read(R"({"schemaVersion": "strata.sbom/v2"})").status(),
      UnimplementedError("unsupported strata sbom schema "
                         "\"strata.sbom/v2\" (supported: strata.sbom/v1)"));
  EXPECT_EQ(Read(R"({"spdxVersion": 2})").status(),
            DataLossError("field \"spdxVersion\" must be a string"));
}

TEST(ReadTest, RejectsWrongFieldTypesNamingTheField) {
  auto s = Read(R"({"spdxVersion": "SPDX-2.3", "packages": [
      {"SPDXID": "SPDXRef-a", "name": 5}]})");
  EXPECT_EQ(s.status(), DataLossError("field \"name\" must be a string")
                            .WithContext("spdx document: packages[0]"));
  s = Read(R"({"bomFormat": "CycloneDX", "components": [{"purl": []}]})");
  EXPECT_EQ(s.status(), DataLossError("field \"purl\" must be a string")
                            .WithContext("cyclonedx document: components[0]"));
  s = Read(
      R"({"spdxVersion": "SPDX-2.3", "relationships": [{"spdxElementId": "a"}]})");
  EXPECT_EQ(s.status(),
            DataLossError("missing spdxElementId, relationshipType or "
                          "relatedSpdxElement")
                .WithContext("spdx document: relationships[0]"));
  s = Read(R"({"bomFormat": "CycloneDX", "components": {}})");
  EXPECT_EQ(s.status(), DataLossError("field \"components\" must be an array")
                            .WithContext("cyclonedx document"));
  s = Read(R"({"schemaVersion": "strata.sbom/v1",
               "packages": [{"type": "deb", "locations": [{"layer": "0"}]}]})");
  EXPECT_EQ(s.status(), DataLossError("field \"layer\" must be an integer")
                            .WithContext("strata sbom document: packages[0]"));
  s = Read(
      R"({"schemaVersion": "strata.sbom/v1", "packages": [{"type": "cpan"}]})");
  EXPECT_EQ(s.status(), DataLossError("unknown package type \"cpan\"")
                            .WithContext("strata sbom document: packages[0]"));
}

TEST(ReadTest, RejectsTooDeepDocuments) {
  std::string doc = R"({"bomFormat": "CycloneDX", "x": )" +
                    std::string(100, '[') + std::string(100, ']') + "}";
  EXPECT_EQ(
      Read(doc).status(),
      ResourceExhaustedError("sbom document nests deeper than 64 levels"));
}

TEST(ReadTest, RejectsArraysOverTheCap) {
  std::string doc = R"({"schemaVersion": "strata.sbom/v1", "relationships": [)";
  for (size_t i = 0; i <= internal::kMaxSbomArrayItems; ++i) {
    doc += i ? ",0" : "0";
  }
  doc += "]}";
  EXPECT_EQ(Read(doc).status(),
            ResourceExhaustedError("relationships has 1000001 items, over the "
                                   "cap of 1000000")
                .WithContext("strata sbom document"));
}

TEST(ReadTest, SurvivesTruncationAndByteFlips) {
  // Every prefix and every single-byte flip of each format either reads or
  // fails cleanly; the untouched documents read.
  WriteOptions o = TestOptions();
  for (Format f : {Format::kJson, Format::kSpdxJson, Format::kCycloneDxJson}) {
    std::string doc = MustWrite(TestSbom(), f, o);
    ASSERT_TRUE(Read(doc).ok()) << FormatName(f);
    for (size_t n = 0; n < doc.size(); n += 7) {
      auto r = Read(std::string_view(doc).substr(0, n));
      EXPECT_FALSE(r.ok()) << FormatName(f) << " prefix " << n;
    }
    for (size_t i = 0; i < doc.size(); i += 3) {
      std::string bad = doc;
      bad[i] ^= 0x20;
      Read(bad).status().IgnoreError();
    }
  }
}

}  // namespace
}  // namespace strata::sbom
