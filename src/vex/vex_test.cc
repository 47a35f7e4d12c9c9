#include "vex/vex.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace strata::vex {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// The example of the OpenVEX 0.2.0 specification.
constexpr std::string_view kSpecExample = R"({
  "@context": "https://openvex.dev/ns/v0.2.0",
  "@id": "https://openvex.dev/docs/example/vex-9fb3463de1b57",
  "author": "Wolfi J Inkinson",
  "role": "Document Creator",
  "timestamp": "2023-01-08T18:02:03.647787998-06:00",
  "version": 1,
  "statements": [
    {
      "vulnerability": {
        "name": "CVE-2023-12345"
      },
      "products": [
        {
          "@id": "pkg:apk/wolfi/git@2.39.0-r1?arch=armv7"
        },
        {
          "@id": "pkg:apk/wolfi/git@2.39.0-r1?arch=x86_64"
        }
      ],
      "status": "fixed"
    }
  ]
})";

constexpr std::string_view kImageExample = R"({
  "@context": "https://openvex.dev/ns/v0.2.0",
  "@id": "https://example.com/vex/example-app-2024-0001",
  "author": "Example Org Security Team <security@example.com>",
  "timestamp": "2024-05-01T12:00:00Z",
  "version": 1,
  "statements": [
    {
      "vulnerability": { "name": "CVE-2023-44487", "aliases": [ "GHSA-qppj-fm5r-hxr3" ] },
      "products": [
        {
          "@id": "pkg:oci/example-app@sha256%3A23a264e6e429852221a963e9f17338ba3f5796dc7086e46439a6f4482cf6e0cb",
          "subcomponents": [ { "@id": "pkg:golang/golang.org/x/net@v0.14.0" } ]
        }
      ],
      "status": "not_affected",
      "justification": "vulnerable_code_not_in_execute_path",
      "impact_statement": "The HTTP/2 server is never started in this image."
    },
    {
      "vulnerability": { "name": "CVE-2024-24790" },
      "products": [ { "identifiers": { "purl": "pkg:golang/stdlib@1.21.0" } } ],
      "status": "affected",
      "action_statement": "Upgrade to an image built with Go 1.21.11 or later."
    }
  ]
})";

// A CycloneDX 1.6 VEX: refs by bom-ref (uuid), nested components, a
// metadata component without PURL, a finding without analysis.
constexpr std::string_view kCycloneDx = R"({
  "bomFormat": "CycloneDX",
  "specVersion": "1.6",
  "serialNumber": "urn:uuid:9c0a8e5d-2b4f-4f6e-8d1a-7b3c2e1f0a9d",
  "version": 1,
  "metadata": {
    "component": { "type": "application", "bom-ref": "example-app", "name": "example-app" }
  },
  "components": [
    {
      "type": "library",
      "bom-ref": "6bd369b3-6b67-4516-9011-741453cae4cc",
      "name": "requests",
      "purl": "pkg:pypi/requests@2.31.0",
      "components": [
        { "type": "library", "bom-ref": "nested-1", "name": "urllib3",
          "purl": "pkg:pypi/urllib3@2.0.7" }
      ]
    }
  ],
  "vulnerabilities": [
    {
      "bom-ref": "vuln-1",
      "id": "CVE-2024-35195",
      "source": { "name": "NVD", "url": "https://nvd.nist.gov/vuln/detail/CVE-2024-35195" },
      "references": [ { "id": "GHSA-9wx4-h78v-vm56", "source": { "name": "GitHub" } } ],
      "ratings": [ { "severity": "medium", "method": "CVSSv31", "score": 5.6 } ],
      "affects": [ { "ref": "6bd369b3-6b67-4516-9011-741453cae4cc" } ],
      "analysis": { "state": "not_affected", "justification": "code_not_reachable",
                    "detail": "verify=False is never used" }
    },
    { "id": "CVE-2024-0001", "affects": [ { "ref": "example-app" } ] },
    {
      "id": "CVE-2023-45803",
      "affects": [ { "ref": "nested-1" }, { "ref": "example-app" },
                   { "ref": "pkg:pypi/other@1.0" }, { "ref": "nested-1" } ],
      "analysis": { "state": "exploitable", "response": [ "update", "workaround_available" ] }
    }
  ]
})";

Document MustParse(std::string_view bytes, std::string_view what = "t.json") {
  auto doc = Parse(bytes, what);
  EXPECT_TRUE(doc.ok()) << doc.status().ToString();
  return doc.ok() ? *doc : Document{};
}

TEST(ParseOpenVex, ReadsSpecExample) {
  Document doc = MustParse(kSpecExample, "vex.json");
  EXPECT_EQ(doc.format, "openvex");
  EXPECT_EQ(doc.id, "https://openvex.dev/docs/example/vex-9fb3463de1b57");
  ASSERT_EQ(doc.statements.size(), 1u);
  const Statement& s = doc.statements[0];
  EXPECT_EQ(s.vulnerability, "CVE-2023-12345");
  EXPECT_THAT(s.aliases, IsEmpty());
  EXPECT_THAT(s.products,
              ElementsAre("pkg:apk/wolfi/git@2.39.0-r1?arch=armv7",
                          "pkg:apk/wolfi/git@2.39.0-r1?arch=x86_64"));
  EXPECT_EQ(s.status, Status::kFixed);
  EXPECT_EQ(s.justification, "");
  EXPECT_EQ(s.source, "vex.json#statement 1");
}

TEST(ParseOpenVex, ReadsAliasesSubcomponentsAndIdentifiers) {
  Document doc = MustParse(kImageExample, "app.vex.json");
  ASSERT_EQ(doc.statements.size(), 2u);
  const Statement& a = doc.statements[0];
  EXPECT_EQ(a.vulnerability, "CVE-2023-44487");
  EXPECT_THAT(a.aliases, ElementsAre("GHSA-qppj-fm5r-hxr3"));
  // The statement is about the subcomponent inside the image.
  EXPECT_THAT(a.products, ElementsAre("pkg:golang/golang.org/x/net@v0.14.0"));
  EXPECT_EQ(a.status, Status::kNotAffected);
  EXPECT_EQ(a.justification, "vulnerable_code_not_in_execute_path");
  EXPECT_EQ(a.impact_statement,
            "The HTTP/2 server is never started in this image.");
  const Statement& b = doc.statements[1];
  EXPECT_THAT(b.products, ElementsAre("pkg:golang/stdlib@1.21.0"));
  EXPECT_EQ(b.status, Status::kAffected);
  EXPECT_EQ(b.action_statement,
            "Upgrade to an image built with Go 1.21.11 or later.");
  EXPECT_EQ(b.source, "app.vex.json#statement 2");
}

TEST(ParseOpenVex, ReadsV0FieldSpellings) {
  Document doc = MustParse(R"({
    "@context": "https://openvex.dev/ns",
    "@id": "https://openvex.dev/docs/public/vex-0001",
    "statements": [
      { "vulnerability": "CVE-2022-3602",
        "products": ["pkg:oci/distroless@sha256%3Aabc"],
        "subcomponents": ["pkg:deb/debian/openssl@3.0.5", "pkg:deb/debian/libssl3@3.0.5"],
        "status": "not_affected",
        "justification": "vulnerable_code_not_present" },
      { "vulnerability": "CVE-2022-3786",
        "products": ["pkg:deb/debian/openssl@3.0.5", "pkg:deb/debian/openssl@3.0.5"],
        "status": "under_investigation" }
    ]
  })");
  ASSERT_EQ(doc.statements.size(), 2u);
  EXPECT_EQ(doc.statements[0].vulnerability, "CVE-2022-3602");
  EXPECT_THAT(doc.statements[0].products,
              ElementsAre("pkg:deb/debian/openssl@3.0.5",
                          "pkg:deb/debian/libssl3@3.0.5"));
  // Duplicates are dropped.
  EXPECT_THAT(doc.statements[1].products,
              ElementsAre("pkg:deb/debian/openssl@3.0.5"));
  EXPECT_EQ(doc.statements[1].status, Status::kUnderInvestigation);
}

TEST(ParseOpenVex, KeepsEveryIdOfAProductOnce) {
  Document doc = MustParse(R"({
    "@context": "https://openvex.dev/ns/v0.2.0",
    "statements": [
      { "vulnerability": { "name": "CVE-1" },
        "products": [ { "@id": "pkg:npm/a@1",
                        "identifiers": { "purl": "pkg:npm/a@1",
                                         "cpe23": "cpe:2.3:a:a:a:1:*:*:*:*:*:*:*" } } ],
        "status": "fixed" }
    ]
  })");
  ASSERT_EQ(doc.statements.size(), 1u);
  EXPECT_EQ(doc.id, "");
  EXPECT_THAT(doc.statements[0].products,
              ElementsAre("pkg:npm/a@1", "cpe:2.3:a:a:a:1:*:*:*:*:*:*:*"));
}

std::string OpenVexStatement(std::string_view fields) {
  return R"({"@context": "https://openvex.dev/ns/v0.2.0", "statements": [
    {"vulnerability": {"name": "CVE-2024-1"}, "products": [{"@id": "pkg:npm/a@1"}], )" +
         std::string(fields) + "}]}";
}

TEST(ParseOpenVex, ReadsEveryStatusAndJustification) {
  const std::pair<const char*, Status> statuses[] = {
      {"not_affected", Status::kNotAffected},
      {"affected", Status::kAffected},
      {"fixed", Status::kFixed},
      {"under_investigation", Status::kUnderInvestigation}};
  for (const auto& [name, status] : statuses) {
    Document doc =
        MustParse(OpenVexStatement(std::string(R"("status": ")") + name +
                                   R"(", "impact_statement": "why")"));
    ASSERT_EQ(doc.statements.size(), 1u) << name;
    EXPECT_EQ(doc.statements[0].status, status);
    EXPECT_EQ(StatusName(status), name);
  }
  for (const char* j : {"component_not_present", "vulnerable_code_not_present",
                        "vulnerable_code_not_in_execute_path",
                        "vulnerable_code_cannot_be_controlled_by_adversary",
                        "inline_mitigations_already_exist"}) {
    Document doc = MustParse(OpenVexStatement(
        std::string(R"("status": "not_affected", "justification": ")") + j +
        "\""));
    ASSERT_EQ(doc.statements.size(), 1u) << j;
    EXPECT_EQ(doc.statements[0].justification, j);
    EXPECT_EQ(doc.statements[0].impact_statement, "");
  }
}

TEST(ParseCycloneDx, ResolvesAffectsThroughBomRefs) {
  Document doc = MustParse(kCycloneDx, "bom.json");
  EXPECT_EQ(doc.format, "cyclonedx");
  EXPECT_EQ(doc.id, "urn:uuid:9c0a8e5d-2b4f-4f6e-8d1a-7b3c2e1f0a9d");
  // The finding without analysis is not a statement.
  ASSERT_EQ(doc.statements.size(), 2u);
  const Statement& a = doc.statements[0];
  EXPECT_EQ(a.vulnerability, "CVE-2024-35195");
  EXPECT_THAT(a.aliases, ElementsAre("GHSA-9wx4-h78v-vm56"));
  EXPECT_THAT(a.products, ElementsAre("pkg:pypi/requests@2.31.0"));
  EXPECT_EQ(a.status, Status::kNotAffected);
  EXPECT_EQ(a.justification, "code_not_reachable");
  EXPECT_EQ(a.impact_statement, "verify=False is never used");
  EXPECT_EQ(a.source, "bom.json#vulnerability 1");
  const Statement& b = doc.statements[1];
  EXPECT_EQ(b.vulnerability, "CVE-2023-45803");
  // Nested component resolved; a component without PURL and a ref that is
  // no bom-ref are kept as written; duplicates dropped.
  EXPECT_THAT(b.products, ElementsAre("pkg:pypi/urllib3@2.0.7", "example-app",
                                      "pkg:pypi/other@1.0"));
  EXPECT_EQ(b.status, Status::kAffected);
  EXPECT_EQ(b.action_statement, "update, workaround_available");
  EXPECT_EQ(b.source, "bom.json#vulnerability 3");
}

std::string CycloneDxAnalysis(std::string_view analysis) {
  return R"({"bomFormat": "CycloneDX", "specVersion": "1.4", "vulnerabilities": [
    {"id": "CVE-2024-1", "affects": [{"ref": "pkg:npm/a@1"}], "analysis": )" +
         std::string(analysis) + "}]}";
}

TEST(ParseCycloneDx, MapsEveryStateAndJustification) {
  const std::pair<const char*, Status> states[] = {
      {"not_affected", Status::kNotAffected},
      {"false_positive", Status::kNotAffected},
      {"exploitable", Status::kAffected},
      {"resolved", Status::kFixed},
      {"resolved_with_pedigree", Status::kFixed},
      {"in_triage", Status::kUnderInvestigation}};
  for (const auto& [name, status] : states) {
    Document doc = MustParse(
        CycloneDxAnalysis(std::string(R"({"state": ")") + name + "\"}"));
    ASSERT_EQ(doc.statements.size(), 1u) << name;
    EXPECT_EQ(doc.statements[0].status, status) << name;
  }
  for (const char* j :
       {"code_not_present", "code_not_reachable", "requires_configuration",
        "requires_dependency", "requires_environment", "protected_by_compiler",
        "protected_at_runtime", "protected_at_perimeter",
        "protected_by_mitigating_control"}) {
    Document doc = MustParse(CycloneDxAnalysis(
        std::string(R"({"state": "not_affected", "justification": ")") + j +
        "\"}"));
    ASSERT_EQ(doc.statements.size(), 1u) << j;
    EXPECT_EQ(doc.statements[0].justification, j);
  }
  // recommendation wins over response for the action statement.
  Document doc = MustParse(
      R"({"bomFormat": "CycloneDX", "specVersion": "1.5", "vulnerabilities": [
        {"id": "CVE-1", "recommendation": "Upgrade to 2.0",
         "analysis": {"state": "exploitable", "response": ["update"]}}]})");
  ASSERT_EQ(doc.statements.size(), 1u);
  EXPECT_EQ(doc.statements[0].action_statement, "Upgrade to 2.0");
  EXPECT_THAT(doc.statements[0].products, IsEmpty());
}

void ExpectError(std::string_view bytes, StatusCode code,
                 std::string_view message) {
  auto doc = Parse(bytes, "t.json");
  ASSERT_FALSE(doc.ok()) << bytes;
  EXPECT_EQ(doc.status().code(), code) << bytes;
  EXPECT_EQ(doc.status().ToString(), message) << bytes;
}

TEST(Parse, RejectsInvalidDocuments) {
  const StatusCode kData = StatusCode::kDataLoss;
  ExpectError(
      "", kData,
      "t.json is not valid JSON: parse error at line 1, column 1: syntax "
      "error while parsing value - "
      "unexpected end of input; expected '[', '{', or a literal");
  ExpectError("[]", kData, "t.json: not a JSON object");
  ExpectError(R"({"@context": "https://example.com/ns"})", kData,
              "t.json: not an OpenVEX or CycloneDX document");
  ExpectError(R"({"@context": "https://openvex.dev/ns/v0.2.0"})", kData,
              "t.json: missing \"statements\"");
  ExpectError(
      R"({"@context": "https://openvex.dev/ns/v0.2.0", "statements": {}})",
      kData, "t.json: field \"statements\" must be an array");
  ExpectError(OpenVexStatement(R"("status": "maybe")"), kData,
              "t.json: statements[0]: unknown status \"maybe\"");
  ExpectError(OpenVexStatement(R"("justification": "component_not_present")"),
              kData, "t.json: statements[0]: missing \"status\"");
  ExpectError(OpenVexStatement(R"("status": 3)"), kData,
              "t.json: statements[0]: field \"status\" must be a string");
  ExpectError(OpenVexStatement(R"("status": "not_affected")"), kData,
              "t.json: statements[0]: not_affected needs a justification or "
              "an impact_statement");
  ExpectError(OpenVexStatement(
                  R"("status": "not_affected", "justification": "trust_me")"),
              kData,
              "t.json: statements[0]: unknown justification \"trust_me\"");
  ExpectError(
      R"({"@context": "https://openvex.dev/ns/v0.2.0", "statements": [
        {"vulnerability": {"id": "CVE-2024-24790"}, "status": "affected"}]})",
      kData, "t.json: statements[0]: missing \"vulnerability.name\"");
  ExpectError(
      R"({"@context": "https://openvex.dev/ns/v0.2.0", "statements": [
        {"vulnerability": {"name": ""}, "status": "affected"}]})",
      kData, "t.json: statements[0]: empty vulnerability");
  ExpectError(
      R"({"@context": "https://openvex.dev/ns/v0.2.0", "statements": [
        {"status": "affected"}]})",
      kData, "t.json: statements[0]: missing \"vulnerability\"");
  ExpectError(
      R"({"@context": "https://openvex.dev/ns/v0.2.0", "statements": [
        {"vulnerability": 7, "status": "affected"}]})",
      kData,
      "t.json: statements[0]: field \"vulnerability\" must be an object or a "
      "string");
  ExpectError(
      R"({"@context": "https://openvex.dev/ns/v0.2.0", "statements": [
        {"vulnerability": {"name": "CVE-1", "aliases": "GHSA-1"}, "status": "fixed"}]})",
      kData,
      "t.json: statements[0]: field \"aliases\" must be an array of strings");
  ExpectError(
      R"({"@context": "https://openvex.dev/ns/v0.2.0", "statements": [
        {"vulnerability": {"name": "CVE-1"}, "status": "fixed",
         "products": [{"@id": "pkg:npm/a@1"}, {"hashes": {"sha256": "abc"}}]}]})",
      kData,
      "t.json: statements[0]: products[1]: no \"@id\" or \"identifiers\"");
  ExpectError(
      R"({"@context": "https://openvex.dev/ns/v0.2.0", "statements": [
        {"vulnerability": {"name": "CVE-1"}, "status": "fixed",
         "products": [{"@id": "pkg:oci/x", "subcomponents": [{"@id": ""}]}]}]})",
      kData,
      "t.json: statements[0]: products[0]: subcomponents[0]: empty product "
      "id");
  ExpectError(
      R"({"@context": "https://openvex.dev/ns/v0.2.0", "statements": [
        {"vulnerability": {"name": "CVE-1"}, "status": "fixed", "products": [1]}]})",
      kData,
      "t.json: statements[0]: products[0]: must be an object or a string");
  ExpectError(
      R"({"@context": "https://openvex.dev/ns/v0.2.0", "statements": [7]})",
      kData, "t.json: statements[0]: must be an object");

  ExpectError(R"({"bomFormat": "CycloneDX", "vulnerabilities": []})", kData,
              "t.json: missing \"specVersion\"");
  ExpectError(
      R"({"bomFormat": "CycloneDX", "specVersion": "1.2", "vulnerabilities": []})",
      kData, "t.json: unsupported specVersion \"1.2\"");
  ExpectError(R"({"bomFormat": "CycloneDX", "specVersion": "1.6"})", kData,
              "t.json: missing \"vulnerabilities\"");
  ExpectError(CycloneDxAnalysis(R"({"state": "maybe"})"), kData,
              "t.json: vulnerabilities[0]: unknown analysis.state \"maybe\"");
  ExpectError(CycloneDxAnalysis(
                  R"({"state": "not_affected", "justification": "trust_me"})"),
              kData,
              "t.json: vulnerabilities[0]: unknown analysis.justification "
              "\"trust_me\"");
  ExpectError(CycloneDxAnalysis(R"("not_affected")"), kData,
              "t.json: vulnerabilities[0]: field \"analysis\" must be an "
              "object");
  ExpectError(
      R"({"bomFormat": "CycloneDX", "specVersion": "1.6", "vulnerabilities": [
        {"id": "CVE-1", "affects": [{"versions": []}], "analysis": {"state": "resolved"}}]})",
      kData, "t.json: vulnerabilities[0]: affects[0]: missing \"ref\"");
  ExpectError(
      R"({"bomFormat": "CycloneDX", "specVersion": "1.6", "vulnerabilities": [
        {"affects": [], "analysis": {"state": "resolved"}}]})",
      kData, "t.json: vulnerabilities[0]: missing \"id\"");
  ExpectError(
      R"({"bomFormat": "CycloneDX", "specVersion": "1.6",
          "components": [{"bom-ref": 5}], "vulnerabilities": []})",
      kData, "t.json: components[0]: field \"bom-ref\" must be a string");
}

TEST(Parse, EnforcesCaps) {
  std::string big(kMaxDocumentBytes + 1, ' ');
  ExpectError(big, StatusCode::kResourceExhausted,
              "t.json is 67108865 bytes, over the cap of 67108864");

  std::string many =
      R"({"@context": "https://openvex.dev/ns/v0.2.0", "statements": [0)";
  for (size_t i = 0; i < kMaxStatements; ++i) many += ",0";
  many += "]}";
  ExpectError(many, StatusCode::kResourceExhausted,
              "t.json: more than 100000 statements");

  // One 1 MiB PURL referenced by 65 vulnerabilities: 65 MiB of product ids
  // from a 1 MiB document.
  std::string purl = "pkg:npm/" + std::string(caps::kMiB, 'a');
  std::string bom = R"({"bomFormat": "CycloneDX", "specVersion": "1.6",
    "components": [{"bom-ref": "r", "purl": ")" +
                    purl + R"("}], "vulnerabilities": [)";
  for (int i = 0; i < 65; ++i) {
    if (i) bom += ",";
    bom +=
        R"({"id": "CVE-)" + std::to_string(i) +
        R"(", "affects": [{"ref": "r"}], "analysis": {"state": "in_triage"}})";
  }
  bom += "]}";
  ExpectError(bom, StatusCode::kResourceExhausted,
              "t.json: vulnerabilities[63]: affects[0]: product ids exceed "
              "67108864 bytes");
}

TEST(Parse, SurvivesTruncationAndByteFlips) {
  const std::string doc(kImageExample);
  for (size_t n = 0; n < doc.size(); ++n) {
    EXPECT_FALSE(Parse(doc.substr(0, n), "t.json").ok()) << n;
  }
  const std::string bom(kCycloneDx);
  for (size_t i = 0; i < bom.size(); ++i) {
    for (char c : {'\0', '"', '{', '[', 'x'}) {
      std::string flipped = bom;
      flipped[i] = c;
      auto parsed = Parse(flipped, "t.json");
      if (parsed.ok()) {
        EXPECT_LE(parsed->statements.size(), 3u);
      }
    }
  }
}

// The shared schema examples (../shared/schemas/examples), when present.
std::optional<std::string> ReadExample(const std::string& name) {
  std::ifstream in(STRATA_SOURCE_DIR "/../shared/schemas/examples/" + name,
                   std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(Parse, ReadsSharedSchemaExamples) {
  auto openvex = ReadExample("valid/openvex-0.2.0.json");
  auto spec = ReadExample("valid/openvex-0.2.0--spec-example.json");
  auto bom = ReadExample("valid/cyclonedx-1.6.json");
  auto invalid = ReadExample("invalid/openvex-0.2.0.json");
  if (!openvex || !spec || !bom || !invalid) {
    GTEST_SKIP() << "needs ../shared/schemas/examples";
  }
  EXPECT_EQ(MustParse(*openvex).statements.size(), 2u);
  EXPECT_EQ(MustParse(*spec).statements.size(), 1u);
  Document doc = MustParse(*bom);
  ASSERT_EQ(doc.statements.size(), 1u);
  EXPECT_THAT(doc.statements[0].products,
              ElementsAre("pkg:pypi/requests@2.31.0"));
  EXPECT_EQ(doc.statements[0].justification, "code_not_reachable");
  auto bad = Parse(*invalid, "invalid.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().ToString(),
            "invalid.json: statements[0]: not_affected needs a justification "
            "or an impact_statement");
}

TEST(ProductMatches, FollowsOpenVexRules) {
  // Equal, and equal but for qualifier order.
  EXPECT_TRUE(ProductMatches("pkg:npm/a@1", "pkg:npm/a@1"));
  EXPECT_TRUE(ProductMatches(
      "pkg:deb/debian/openssl@3.0.15-1?arch=amd64&distro=debian-12",
      "pkg:deb/debian/openssl@3.0.15-1?distro=debian-12&arch=amd64"));
  // A product without version covers every version.
  EXPECT_TRUE(ProductMatches("pkg:deb/debian/openssl",
                             "pkg:deb/debian/openssl@3.0.15-1?arch=amd64"));
  EXPECT_FALSE(ProductMatches("pkg:deb/debian/openssl@3.0.14-1",
                              "pkg:deb/debian/openssl@3.0.15-1"));
  EXPECT_FALSE(ProductMatches("pkg:deb/debian/openssl@3.0.15-1",
                              "pkg:deb/debian/openssl"));
  // Product qualifiers must be a subset of the package's.
  EXPECT_TRUE(
      ProductMatches("pkg:apk/wolfi/git@2.39.0-r1?arch=x86_64",
                     "pkg:apk/wolfi/git@2.39.0-r1?arch=x86_64&distro=wolfi"));
  EXPECT_FALSE(ProductMatches("pkg:apk/wolfi/git@2.39.0-r1?arch=armv7",
                              "pkg:apk/wolfi/git@2.39.0-r1?arch=x86_64"));
  EXPECT_FALSE(ProductMatches("pkg:apk/wolfi/git@2.39.0-r1?arch=x86_64",
                              "pkg:apk/wolfi/git@2.39.0-r1"));
  // Percent-encoding and type case do not matter.
  EXPECT_TRUE(ProductMatches("pkg:deb/debian/zlib1g@1%3A1.2.13.dfsg-1",
                             "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1"));
  EXPECT_TRUE(ProductMatches("pkg:NPM/%40angular/core@17.0.0",
                             "pkg:npm/@angular/core@17.0.0"));
  EXPECT_TRUE(ProductMatches("pkg:npm/@angular/core",
                             "pkg:npm/%40angular/core@17.0.0"));
  // Namespace, name, type and subpath must agree.
  EXPECT_FALSE(
      ProductMatches("pkg:deb/ubuntu/openssl", "pkg:deb/debian/openssl@3"));
  EXPECT_FALSE(
      ProductMatches("pkg:deb/debian/openssl", "pkg:deb/debian/libssl3@3"));
  EXPECT_FALSE(
      ProductMatches("pkg:rpm/debian/openssl", "pkg:deb/debian/openssl@3"));
  EXPECT_FALSE(ProductMatches("pkg:npm/a", "pkg:npm/x/a@1"));
  EXPECT_TRUE(ProductMatches("pkg:golang/example.com/m@v1#cmd/x",
                             "pkg:golang/example.com/m@v1#cmd/x"));
  EXPECT_FALSE(ProductMatches("pkg:golang/example.com/m@v1#cmd/x",
                              "pkg:golang/example.com/m@v1#cmd/y"));
  EXPECT_TRUE(ProductMatches("pkg:golang/example.com/m@v1",
                             "pkg:golang/example.com/m@v1#cmd/y"));
  // Other ids and invalid PURLs only match themselves.
  EXPECT_TRUE(ProductMatches("cpe:2.3:a:openssl:openssl:3.0.5:*:*:*:*:*:*:*",
                             "cpe:2.3:a:openssl:openssl:3.0.5:*:*:*:*:*:*:*"));
  EXPECT_FALSE(ProductMatches("cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*",
                              "cpe:2.3:a:openssl:openssl:3.0.5:*:*:*:*:*:*:*"));
  EXPECT_FALSE(ProductMatches("pkg:npm/a%zz", "pkg:npm/a%ZZ"));
  EXPECT_FALSE(ProductMatches("pkg:npm/a%4", "pkg:npm/a"));
  EXPECT_FALSE(ProductMatches("pkg:npm", "pkg:npm/a@1"));
  EXPECT_FALSE(ProductMatches("", "pkg:npm/a@1"));
}

}  // namespace
}  // namespace strata::vex
