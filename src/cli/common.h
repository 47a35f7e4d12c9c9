// Options and helpers shared by every command that reads an image.
#ifndef STRATA_CLI_COMMON_H_
#define STRATA_CLI_COMMON_H_

#include <CLI/CLI.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "cli/remote.h"
#include "image/loader.h"

namespace strata::cli {

struct SourceOptions {
  std::string platform;  // "os/arch[/variant]"; empty: the host's
  int64_t max_expanded_bytes = caps::kDefaultMaxExpandedBytes;
  int64_t max_entries = caps::kDefaultMaxEntries;
  int threads = 0;
  bool verify_diff_ids = false;
  std::vector<std::string> capture_globs;         // set by commands, not a flag
  std::vector<image::CaptureRule> capture_rules;  // likewise
  bool quiet = false;                             // no progress display
  RegistryFlags registry;
};

// Registers --platform, --max-expanded-bytes, --max-entries, --threads,
// --verify-diffids, -q/--quiet and the registry flags on `cmd`.
void AddSourceOptions(CLI::App* cmd, SourceOptions* opts);

// Parses the reference and loads the image (local or from a registry,
// through the blob cache), showing progress on stderr when it is a terminal
// (and not --quiet).
Result<image::LoadedImage> LoadFromCli(const std::string& reference,
                                       const SourceOptions& opts);

// "12.3 MiB"
std::string HumanBytes(int64_t n);

}  // namespace strata::cli

#endif  // STRATA_CLI_COMMON_H_
