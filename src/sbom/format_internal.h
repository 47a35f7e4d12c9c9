// Internals shared by the SBOM format writers and readers (format.h).
// Not part of the sbom API: only src/sbom/*.cc and fuzz_sbom_read include it.
#ifndef STRATA_SBOM_FORMAT_INTERNAL_H_
#define STRATA_SBOM_FORMAT_INTERNAL_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/caps.h"
#include "base/json.h"
#include "base/status.h"
#include "sbom/format.h"
#include "sbom/model.h"
#include "sbom/purl.h"

namespace strata::sbom::internal {

// Largest SBOM document Read() accepts, and the most items any one array of
// it (packages, components, relationships, files of a package, ...) may hold.
using caps::kMaxSbomArrayItems;
using caps::kMaxSbomDocumentBytes;

// --- Writers (each returns the whole document, newline-terminated) ---------
std::string WriteSpdxJson(const Sbom& sbom, const WriteOptions& options);
std::string WriteCycloneDxJson(const Sbom& sbom, const WriteOptions& options);
std::string WriteStrataJson(const Sbom& sbom, const WriteOptions& options);
std::string WriteTable(const Sbom& sbom);

// --- Readers (the document was already parsed and detected) ----------------
Result<Sbom> ReadSpdxJson(const json::Json& doc);
Result<Sbom> ReadCycloneDxJson(const json::Json& doc);
Result<Sbom> ReadStrataJson(const json::Json& doc);

// --- Shared helpers ----------------------------------------------------------
// "2024-01-02T03:04:05Z".
std::string Rfc3339(int64_t seconds_since_epoch);
// A name-based UUID (version 5 layout, SHA-256 instead of SHA-1) of `seed`:
// "xxxxxxxx-xxxx-5xxx-[89ab]xxx-xxxxxxxxxxxx".
std::string DeterministicUuid(std::string_view seed);
// What identifies the document's subject: the manifest digest, else the
// reference (dir: sources).
std::string DocumentSeed(const Sbom& sbom, std::string_view format,
                         const WriteOptions& options);
// The version as the ecosystem spells it in full: rpm gets "epoch:" back.
std::string FullVersion(const Package& p);
// Replaces every character outside [A-Za-z0-9.-] with '-'.
std::string SanitizeId(std::string_view s);
// A kResourceExhausted error when `array` holds more than kMaxSbomArrayItems.
Status CheckArraySize(const json::Json& array, std::string_view what);

// True for an SPDX license or exception id of the SPDX license list, case
// insensitively; `canonical` (optional) receives the list's spelling.
bool IsSpdxLicenseId(std::string_view id, std::string* canonical = nullptr);
// Parses `s` as an SPDX license expression whose ids are all on the list (or
// LicenseRef-/DocumentRef-); returns it normalised (canonical id case, single
// spaces), or nullopt when it is not one.
std::optional<std::string> NormalizeSpdxExpression(std::string_view s);
// Splits an expression at its top-level " AND "s, unwrapping parentheses
// around each part: "(A OR B) AND C" -> {"A OR B", "C"}.
std::vector<std::string> SplitTopLevelAnd(std::string_view expression);

// The PURL parser is public (sbom/purl.h); the readers use it from here.
using ::strata::sbom::ParsePurl;
using ::strata::sbom::Purl;

// Fills a package read from a foreign document from its purl. `name`,
// `version` (as the document spells them, may be empty), `purl` and `cpes`
// are already set. Returns false when the purl is missing, unparseable or of
// a type the model does not have; `reason` then says why, or is empty for
// an entry without purl and version (a grouping node, not a package). May set
// sbom->distro from the purl's distro= qualifier when it is still empty.
bool ApplyPurl(Package& p, Sbom& sbom, std::string* reason);

// ApplyPurl, recording a rejected package (one with a reason) as an Unknown
// in `sbom`. Returns true when `p` should be kept.
bool ApplyPurlOrRecordUnknown(Package& p, Sbom& sbom);

}  // namespace strata::sbom::internal

#endif  // STRATA_SBOM_FORMAT_INTERNAL_H_
