// strata copy SRC DST: copies an image between any two of registry, OCI
// layout, OCI archive and docker archive (skopeo copy semantics).
#ifndef STRATA_CLI_COPY_H_
#define STRATA_CLI_COPY_H_

#include <CLI/CLI.hpp>
#include <functional>

namespace strata::cli {

std::function<int()> SetupCopy(CLI::App* cmd);

}  // namespace strata::cli

#endif  // STRATA_CLI_COPY_H_
