// End-to-end tests of `strata db` and `strata scan` through the real binary,
// on the demo image and the demo advisories (tools/), built with the binary.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/json.h"
#include "testing/image_writer.h"
#include "testing/test_util.h"

namespace strata::cli {
namespace {

int Strata(const std::string& args, std::string* out, bool with_stderr = true) {
  std::string cmd = "SOURCE_DATE_EPOCH=1700000000 " +
                    std::string(STRATA_BINARY_DIR) + "/strata " + args +
                    (with_stderr ? " 2>&1" : " 2>/dev/null");
  int status = 0;
  *out = testing::RunCommand(cmd, &status);
  return status;
}

class ScanCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("scan_cli");
    db_ = dir_ + "/vuln.db";
    std::string out;
    ASSERT_EQ(
        Strata("db import --db " + db_ + " " + std::string(STRATA_SOURCE_DIR) +
                   "/tools/demo-advisories",
               &out),
        0)
        << out;
    image_ = std::string(STRATA_BINARY_DIR) + "/demo/demo.oci";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_, db_, image_;
};

TEST_F(ScanCliTest, DemoImageFindingsAsJson) {
  std::string out;
  ASSERT_EQ(Strata("scan -o json --db " + db_ + " " + image_, &out, false), 0)
      << out;
  auto doc = json::Parse(out, "scan", 1 << 24);
  ASSERT_TRUE(doc.ok()) << out;
  EXPECT_EQ((*doc)["schemaVersion"], "strata.scan/v1");
  std::vector<std::string> got;
  for (const auto& m : (*doc)["matches"]) {
    got.push_back(m["vulnerability"]["id"].get<std::string>() + " " +
                  m["package"]["name"].get<std::string>() + " " +
                  m["fix"]["version"].get<std::string>());
  }
  EXPECT_EQ(got, (std::vector<std::string>{
                     "CVE-2020-14343 PyYAML 5.4",
                     "CVE-2024-3094 liblzma5 5.6.1+really5.4.5-1",
                     "CVE-2024-3094 xz-utils 5.6.1+really5.4.5-1",
                     "CVE-2021-23337 lodash 4.17.21",
                 }));
  EXPECT_EQ((*doc)["summary"]["critical"], 3);
  EXPECT_EQ((*doc)["summary"]["high"], 1);
  // Same input, same bytes.
  std::string again;
  ASSERT_EQ(Strata("scan -o json --db " + db_ + " " + image_, &again, false),
            0);
  EXPECT_EQ(again, out);
}

TEST_F(ScanCliTest, FailOnExitsTwoAndVexSuppresses) {
  std::string out;
  EXPECT_EQ(
      Strata("scan -o table --fail-on critical --db " + db_ + " " + image_,
             &out),
      2)
      << out;
  EXPECT_NE(out.find("critical severity or higher found"), std::string::npos);
  std::string vex = dir_ + "/app.vex.json";
  std::ofstream(vex) << R"({"@context": "https://openvex.dev/ns/v0.2.0",
    "@id": "https://example.com/vex/demo", "author": "demo",
    "timestamp": "2024-01-01T00:00:00Z", "version": 1, "statements": [
    {"vulnerability": {"name": "CVE-2020-14343"},
     "products": [{"@id": "pkg:pypi/pyyaml@5.3.1"}],
     "status": "not_affected", "justification": "vulnerable_code_not_present"},
    {"vulnerability": {"name": "CVE-2024-3094"},
     "products": [{"@id": "pkg:deb/debian/xz-utils"},
                  {"@id": "pkg:deb/debian/liblzma5"}],
     "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"}]})";
  EXPECT_EQ(Strata("scan -o json --vex " + vex + " --fail-on critical --db " +
                       db_ + " " + image_,
                   &out, false),
            0)
      << out;
  auto doc = json::Parse(out, "scan", 1 << 24);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ((*doc)["matches"].size(), 1u);
  ASSERT_EQ((*doc)["suppressed"].size(), 3u);
  EXPECT_EQ((*doc)["suppressed"][0]["vex"]["statement"], vex + "#statement 1");
  EXPECT_EQ(Strata("scan --fail-on severe --db " + db_ + " " + image_, &out),
            1);
  EXPECT_EQ(out,
            "strata: error: unknown severity \"severe\" (want negligible, low, "
            "medium, high or critical)\n");
  EXPECT_EQ(Strata("scan --db " + dir_ + "/missing.db " + image_, &out), 1);
  EXPECT_NE(out.find("vulnerability DB"), std::string::npos) << out;
}

TEST_F(ScanCliTest, SarifAndOpenVexValidate) {
  std::string validator =
      std::string(STRATA_SOURCE_DIR) + "/../shared/schemas/validate.sh";
  if (!std::filesystem::exists(validator)) {
    GTEST_SKIP() << "../shared/schemas absent: schema validation skipped";
  }
  std::string out;
  ASSERT_EQ(Strata("scan -o sarif=" + dir_ + "/s.sarif -o openvex=" + dir_ +
                       "/s.vex.json -o cyclonedx-json=" + dir_ +
                       "/s.cdx.json --db " + db_ + " " + image_,
                   &out),
            0)
      << out;
  for (const auto& [format, file] :
       std::vector<std::pair<std::string, std::string>>{
           {"sarif-2.1.0", dir_ + "/s.sarif"},
           {"openvex-0.2.0", dir_ + "/s.vex.json"},
           {"cyclonedx-1.6", dir_ + "/s.cdx.json"}}) {
    int st = std::system(
        (validator + " " + format + " " + file + " >/dev/null 2>&1").c_str());
    EXPECT_EQ(st, 0) << format << " " << file;
  }
}

TEST_F(ScanCliTest, DbStatusAndIdempotentImport) {
  std::string out;
  ASSERT_EQ(Strata("db status --db " + db_, &out), 0) << out;
  EXPECT_NE(out.find("schema"), std::string::npos) << out;
  std::string first = out;
  ASSERT_EQ(
      Strata("db import --db " + db_ + " " + std::string(STRATA_SOURCE_DIR) +
                 "/tools/demo-advisories",
             &out),
      0);
  ASSERT_EQ(Strata("scan -o json --db " + db_ + " " + image_, &out, false), 0);
  auto doc = json::Parse(out, "scan", 1 << 24);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ((*doc)["matches"].size(), 4u);
}

// SBOMs written by other tools: the distro comes from the operating-system
// component or the PURLs' distro= qualifier (syft's "alpine-3.20.3",
// Trivy's bare "3.20.3"), dpkg epochs from the version or Trivy's epoch=
// qualifier, versions percent-decoded.
TEST_F(ScanCliTest, ScansSyftAndTrivySboms) {
  std::string secdb = dir_ + "/secdb.json";
  std::ofstream(secdb) << R"({"distroversion": "v3.20", "reponame": "main",
    "packages": [{"pkg": {"name": "busybox", "secfixes": {
      "1.36.1-r30": ["CVE-2023-42363"]}}}]})";
  std::string tracker = dir_ + "/debian.json";
  std::ofstream(tracker) << R"({"zlib": {"CVE-2023-45853": {"releases": {
    "bookworm": {"status": "resolved", "fixed_version": "1:1.2.13.dfsg-2",
                 "urgency": "high"}}}}})";
  std::string db = dir_ + "/other.db";
  std::string out;
  ASSERT_EQ(Strata("db import --db " + db + " " + secdb + " " + tracker, &out),
            0)
      << out;
  std::string trivy_alpine = dir_ + "/trivy-alpine.cdx.json";
  std::ofstream(trivy_alpine) << R"({"bomFormat": "CycloneDX",
    "specVersion": "1.6", "version": 1, "components": [
    {"bom-ref": "os", "type": "operating-system", "name": "alpine",
     "version": "3.20.3"},
    {"bom-ref": "a", "type": "library", "name": "busybox",
     "version": "1.36.1-r29",
     "purl": "pkg:apk/alpine/busybox@1.36.1-r29?arch=x86_64&distro=3.20.3"}]})";
  std::string syft_alpine = dir_ + "/syft-alpine.spdx.json";
  std::ofstream(syft_alpine) << R"({"spdxVersion": "SPDX-2.3",
    "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT", "name": "x",
    "documentNamespace": "https://example.com/x",
    "creationInfo": {"created": "2024-01-01T00:00:00Z",
                     "creators": ["Tool: syft-1.0.0"]},
    "packages": [{"SPDXID": "SPDXRef-Package-apk-busybox", "name": "busybox",
      "versionInfo": "1.36.1-r29", "downloadLocation": "NOASSERTION",
      "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER",
        "referenceType": "purl", "referenceLocator":
        "pkg:apk/alpine/busybox@1.36.1-r29?arch=x86_64&upstream=busybox&distro=alpine-3.20.3"}]}]})";
  std::string trivy_debian = dir_ + "/trivy-debian.cdx.json";
  std::ofstream(trivy_debian) << R"({"bomFormat": "CycloneDX",
    "specVersion": "1.5", "version": 1, "components": [
    {"bom-ref": "z", "type": "library", "name": "zlib1g",
     "version": "1.2.13.dfsg-1",
     "purl": "pkg:deb/debian/zlib1g@1.2.13.dfsg-1?arch=amd64&distro=debian-12.5&epoch=1",
     "properties": [{"name": "aquasecurity:trivy:SrcName", "value": "zlib"},
                    {"name": "aquasecurity:trivy:SrcVersion",
                     "value": "1.2.13.dfsg-1"},
                    {"name": "aquasecurity:trivy:SrcEpoch", "value": "1"}]}]})";
  std::string syft_debian = dir_ + "/syft-debian.cdx.json";
  std::ofstream(syft_debian) << R"({"bomFormat": "CycloneDX",
    "specVersion": "1.6", "version": 1, "components": [
    {"bom-ref": "z", "type": "library", "name": "zlib1g",
     "version": "1:1.2.13.dfsg-1",
     "purl": "pkg:deb/debian/zlib1g@1%3A1.2.13.dfsg-1?arch=amd64&upstream=zlib&distro=debian-12"}]})";
  for (const auto& [file, want] :
       std::vector<std::pair<std::string, std::string>>{
           {trivy_alpine, "CVE-2023-42363 busybox 1.36.1-r30"},
           {syft_alpine, "CVE-2023-42363 busybox 1.36.1-r30"},
           {trivy_debian, "CVE-2023-45853 zlib1g 1:1.2.13.dfsg-2"},
           {syft_debian, "CVE-2023-45853 zlib1g 1:1.2.13.dfsg-2"},
       }) {
    SCOPED_TRACE(file);
    ASSERT_EQ(Strata("scan -o json --db " + db + " " + file, &out, false), 0)
        << out;
    auto doc = json::Parse(out, "scan", 1 << 24);
    ASSERT_TRUE(doc.ok()) << out;
    std::vector<std::string> got;
    for (const auto& m : (*doc)["matches"]) {
      got.push_back(m["vulnerability"]["id"].get<std::string>() + " " +
                    m["package"]["name"].get<std::string>() + " " +
                    m["fix"]["version"].get<std::string>());
    }
    EXPECT_EQ(got, std::vector<std::string>{want}) << out;
  }
}

}  // namespace
}  // namespace strata::cli
