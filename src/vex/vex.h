// VEX documents (Vulnerability Exploitability eXchange): statements that a
// vulnerability does or does not affect products, used by the scanner to
// suppress or annotate findings.
//
// Two formats are read:
//   OpenVEX 0.2.0 (https://github.com/openvex/spec), and the 0.0.x field
//     spellings: "vulnerability" as a plain string, "products" as plain
//     strings, statement-level "subcomponents".
//   CycloneDX VEX 1.4-1.6: vulnerabilities[] with analysis.state and
//     analysis.justification, affects[].ref resolved through the bom-refs of
//     metadata.component and (nested) components to their PURLs.
//
// Documents are untrusted: their size (kMaxDocumentBytes), nesting
// (caps::kMaxJsonDepth), statement count (kMaxStatements) and the bytes of
// product ids produced (kMaxProductBytes: a CycloneDX bom-ref may expand to
// a long PURL many times) are capped. Errors carry `what` as their context:
//   "vex.json: statements[2]: unknown status \"maybe\""
// Malformed documents are kDataLoss, hit caps kResourceExhausted.
//
// Thread-safety: all functions are pure.
#ifndef STRATA_VEX_VEX_H_
#define STRATA_VEX_VEX_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/caps.h"
#include "base/status.h"

namespace strata::vex {

inline constexpr int64_t kMaxDocumentBytes = 64 * caps::kMiB;
inline constexpr size_t kMaxStatements = 100'000;
inline constexpr int64_t kMaxProductBytes = 64 * caps::kMiB;

enum class Status { kNotAffected, kAffected, kFixed, kUnderInvestigation };

// "not_affected", "affected", "fixed", "under_investigation".
std::string_view StatusName(Status s);

struct Statement {
  // The vulnerability id as written (CVE-..., GHSA-...).
  std::string vulnerability;
  // Other ids of the same vulnerability listed in the document (OpenVEX
  // vulnerability.aliases, CycloneDX references[].id).
  std::vector<std::string> aliases;
  // Ids (PURLs, or other ids such as CPEs or image names) of what the
  // statement applies to, without duplicates, in document order. A product
  // that lists subcomponents contributes the subcomponents only: the
  // statement is about them. CycloneDX refs are resolved to the PURL of
  // the referenced component (or kept when there is none).
  std::vector<std::string> products;
  // OpenVEX: as written. CycloneDX: not_affected and false_positive ->
  // kNotAffected, exploitable -> kAffected, resolved and
  // resolved_with_pedigree -> kFixed, in_triage -> kUnderInvestigation.
  Status status = Status::kUnderInvestigation;
  // OpenVEX justification / CycloneDX analysis.justification, validated
  // against the format's list; may be empty.
  std::string justification;
  // OpenVEX impact_statement / CycloneDX analysis.detail.
  std::string impact_statement;
  // OpenVEX action_statement / CycloneDX recommendation, else the
  // analysis.response values joined by ", ".
  std::string action_statement;
  // Where the statement is, for "suppressed by" messages:
  // "<what>#statement 3" (OpenVEX) or "<what>#vulnerability 3"
  // (CycloneDX), counting from 1.
  std::string source;
};

struct Document {
  std::string format;  // "openvex" | "cyclonedx"
  std::string id;      // OpenVEX @id, CycloneDX serialNumber; may be empty
  std::vector<Statement> statements;
};

// Parses an OpenVEX or CycloneDX VEX document; the format is recognised
// from the content (OpenVEX: an "@context" under https://openvex.dev/ns;
// CycloneDX: "bomFormat": "CycloneDX"). `what` names the document in errors
// and in Statement::source. Rules beyond the JSON types:
//   - every statement names a vulnerability and a known status;
//   - an OpenVEX not_affected statement has a justification or an
//     impact_statement (the spec's MUST: a bare claim suppresses nothing);
//   - justifications come from the format's list;
//   - CycloneDX vulnerabilities without analysis.state are findings, not
//     statements, and are skipped.
Result<Document> Parse(std::string_view bytes, std::string_view what);

// True when the statement product `product` covers the package `purl`
// (the OpenVEX matching rules). When both are PURLs (compared after
// percent-decoding, the type case-insensitively): type, namespace and name
// are equal; the product has no version or the same version; every product
// qualifier is present in `purl` with the same value (so qualifier order
// never matters); the product has no subpath or the same one. Anything
// that is not a valid PURL matches only the identical string.
bool ProductMatches(std::string_view product, std::string_view purl);

}  // namespace strata::vex

#endif  // STRATA_VEX_VEX_H_
