// Scan output formats:
//   table           human summary (grype's columns), default on a TTY
//   json            strata's own (docs/formats/scan-json.md)
//   sarif           SARIF 2.1.0 (code-scanning dashboards)
//   openvex         OpenVEX 0.2.0: one statement per finding (affected,
//                   with the fix as action) and per VEX-suppressed finding
//   cyclonedx-json  CycloneDX 1.6: the SBOM's components with a
//                   `vulnerabilities` array (ratings, affects, fix as
//                   recommendation, VEX analysis for suppressed findings)
// Deterministic: the same result and options give the same bytes.
#ifndef STRATA_SCAN_REPORT_H_
#define STRATA_SCAN_REPORT_H_

#include <string>
#include <string_view>

#include "scan/matcher.h"

namespace strata::scan {

enum class ReportFormat { kTable, kJson, kSarif, kOpenVex, kCycloneDx };
Result<ReportFormat> ParseReportFormat(std::string_view name);

struct ReportOptions {
  int64_t timestamp = 0;     // seconds since the epoch
  std::string tool_version;  // strata's
  std::string db_built_at;   // the DB's build time
  int db_schema_version = 0;
};

Result<std::string> WriteReport(const sbom::Sbom& sbom, const ScanResult& r,
                                ReportFormat format,
                                const ReportOptions& options);

// "negligible"/"none" "low" "medium" "high" "critical" -> the rating;
// for --fail-on.
Result<cvss::Rating> ParseSeverity(std::string_view name);

}  // namespace strata::scan

#endif  // STRATA_SCAN_REPORT_H_
