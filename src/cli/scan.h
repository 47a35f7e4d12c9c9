// `strata scan IMAGE|SBOM_FILE`: vulnerabilities of an image or an SBOM
// against the offline DB (grype-style flags and exit codes).
//   exit 0  no finding at or above --fail-on (or no --fail-on)
//   exit 1  error
//   exit 2  --fail-on: a finding at or above that severity remains
#ifndef STRATA_CLI_SCAN_H_
#define STRATA_CLI_SCAN_H_

#include <CLI/CLI.hpp>
#include <functional>

namespace strata::cli {

std::function<int()> SetupScan(CLI::App* cmd);

}  // namespace strata::cli

#endif  // STRATA_CLI_SCAN_H_
