// Output destinations shared by commands: "-o FORMAT[=FILE]" specs, atomic
// file writes and stdout.
#ifndef STRATA_CLI_OUTPUT_H_
#define STRATA_CLI_OUTPUT_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace strata::cli {

struct OutputSpec {
  std::string format;  // as given, validated by the command
  std::string file;    // empty: standard output
};

// Parses "FORMAT" or "FORMAT=FILE". At most one spec may go to stdout.
Result<std::vector<OutputSpec>> ParseOutputSpecs(
    const std::vector<std::string>& specs, std::string_view default_format);

// Writes `data` to `path` atomically: a temporary file in the same
// directory, fsync, rename. On failure nothing is left behind.
Status WriteFileAtomically(const std::string& path, std::string_view data);

// Writes `data` to standard output and flushes it.
Status WriteStdout(std::string_view data);

// Seconds since the epoch from SOURCE_DATE_EPOCH when set (and valid), else
// the current time.
Result<int64_t> OutputTimestamp();

}  // namespace strata::cli

#endif  // STRATA_CLI_OUTPUT_H_
