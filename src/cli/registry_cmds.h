// strata ls REPO (tags of a repository, crane ls style) and strata digest
// REF (the digest a reference resolves to, crane digest style).
#ifndef STRATA_CLI_REGISTRY_CMDS_H_
#define STRATA_CLI_REGISTRY_CMDS_H_

#include <CLI/CLI.hpp>
#include <functional>

namespace strata::cli {

std::function<int()> SetupLs(CLI::App* cmd);
std::function<int()> SetupDigest(CLI::App* cmd);

}  // namespace strata::cli

#endif  // STRATA_CLI_REGISTRY_CMDS_H_
