// `strata sbom IMAGE|SBOM_FILE [-o FORMAT[=FILE]]...`: what an image
// contains, as SPDX 2.3, CycloneDX 1.6 (1.5), strata JSON or a table.
// Several -o write several files in one pass (syft style); each file is
// written to a temporary name and renamed, so it is never left partial.
// An SPDX or CycloneDX file as input is converted.
#ifndef STRATA_CLI_SBOM_H_
#define STRATA_CLI_SBOM_H_

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

#include "cli/common.h"
#include "sbom/model.h"

namespace strata::cli {

std::function<int()> SetupSbom(CLI::App* cmd);

// The SBOM of an image reference, or of an SPDX / CycloneDX / strata JSON
// file (recognised by its first byte), finalised. Shared with `scan`.
Result<sbom::Sbom> SbomFromInput(const std::string& input,
                                 const SourceOptions& opts);

}  // namespace strata::cli

#endif  // STRATA_CLI_SBOM_H_
