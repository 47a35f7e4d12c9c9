// `strata inspect IMAGE [-o table|json]`: what an image is made of.
// The JSON form is documented in docs/formats/inspect-json.md and stable.
#ifndef STRATA_CLI_INSPECT_H_
#define STRATA_CLI_INSPECT_H_

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

#include "base/json.h"
#include "image/loader.h"

namespace strata::cli {

// Registers the command's options on `cmd`; the returned function runs it
// (after parsing) and returns the exit code.
std::function<int()> SetupInspect(CLI::App* cmd);

// The documented JSON report (schema "strata.inspect/v1").
json::Json InspectJson(const image::LoadedImage& img);
// The human table, rendered from the same JSON so both always agree.
std::string InspectTable(const json::Json& report);

}  // namespace strata::cli

#endif  // STRATA_CLI_INSPECT_H_
