// The matcher: SBOM packages against the vulnerability DB, with each
// ecosystem's own version order, distro fix states, alias folding (one
// finding per vulnerability and package, whatever ids name it) and VEX
// suppression.
//
// OSV semantics (https://ossf.github.io/osv-schema/#evaluation): a package
// version is affected by an `affected` entry when it is listed in
// `versions`, or when, walking a range's events in version order, the last
// `introduced` at or below it is not followed by a `fixed` at or below it
// or a `last_affected` below it (and it is below any `limit`). ECOSYSTEM
// ranges use the ecosystem's order, SEMVER ranges SemVer; GIT ranges are
// not evaluated (they name commits). Withdrawn advisories never match.
// A version the scheme cannot parse makes that entry unknown (a note in the
// result), not a finding.
//
// Quiet by construction:
//  - OS packages are matched only against their distro's data, so upstream
//    ranges (which a distro backport fixes without changing the upstream
//    version) never apply to them; distro "not-affected" entries match
//    nothing;
//  - a language package inside an OS package ("contains" relationship) is
//    not matched again: its OS package carries its fixes;
//  - one finding per (package, vulnerability): advisories linked by ids or
//    aliases (CVE, GHSA, PYSEC, distro ids) are one vulnerability.
#ifndef STRATA_SCAN_MATCHER_H_
#define STRATA_SCAN_MATCHER_H_

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cvss/cvss.h"
#include "sbom/model.h"
#include "version/version.h"
#include "vex/vex.h"
#include "vulndb/vulndb.h"

namespace strata::scan {

enum class FixState { kFixed, kNotFixed, kWontFix, kUnknown };
std::string_view FixStateName(FixState s);  // "fixed" "not-fixed" ...
std::optional<FixState> FixStateFromName(std::string_view name);

struct Finding {
  std::string id;                       // a CVE when the group has one
  std::vector<std::string> aliases;     // the group's other ids, sorted
  std::vector<std::string> advisories;  // the DB records that matched
  // The package, as the SBOM has it.
  std::string package_id, package_name, package_version, package_type, purl;
  std::vector<std::string> locations;  // paths
  std::string ecosystem;               // where it matched
  FixState state = FixState::kUnknown;
  std::string fixed_version;  // the fix for this version, if any
  // Severity: the distro's rating where the ecosystem has one, else the
  // highest CVSS base score among the group's vectors.
  cvss::Rating severity = cvss::Rating::kNone;
  bool severity_known = false;
  double score = 0;             // CVSS base score (0: none)
  std::string vector;           // the CVSS vector scored
  std::string severity_source;  // "Debian", "CVSS_V3", ...
  bool kev = false;
  std::optional<vulndb::EpssEntry> epss;
  bool malicious = false;  // a MAL- advisory: a malicious package
  std::string summary;
  std::string suppressed_by;  // VEX statement (suppressed findings)
  std::string vex_status, vex_justification;
};

struct MatchOptions {
  std::vector<vex::Document> vex;
  bool only_fixed = false;           // drop findings without a fix
  std::set<FixState> ignore_states;  // drop findings in these states
};

struct ScanResult {
  std::vector<Finding> findings;    // sorted: severity, id, package
  std::vector<Finding> suppressed;  // by VEX, with the statement
  int64_t packages = 0;             // packages in the SBOM
  int64_t matched_packages = 0;     // packages with an ecosystem to look up
  std::vector<std::string> notes;   // one line each (unparsable versions,
                                    // unknown distro)
};

Result<ScanResult> Match(const sbom::Sbom& sbom, vulndb::Db& db,
                         const MatchOptions& options);

// One affected entry against one version (exposed for tests). nullopt: not
// affected. Otherwise the fixed version that applies ("" when none).
Result<std::optional<std::string>> Affects(const vulndb::Affected& a,
                                           version::Scheme scheme,
                                           std::string_view version);

}  // namespace strata::scan

#endif  // STRATA_SCAN_MATCHER_H_
