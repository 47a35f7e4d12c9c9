// Exit codes of the strata binary, mapped in this one place.
//   0  success
//   1  error: bad input, bad usage, I/O failure (syft/grype/cosign use 1)
//   2  reserved for "the command ran and a check failed" (grype --fail-on,
//      cosign verify failures) in later commands
#ifndef STRATA_CLI_EXIT_CODES_H_
#define STRATA_CLI_EXIT_CODES_H_

#include "base/status.h"

namespace strata::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitCheckFailed = 2;

// Prints "strata: error: <status>" on stderr (one line) and returns the exit
// code for it.
int ReportError(const Status& status);

}  // namespace strata::cli

#endif  // STRATA_CLI_EXIT_CODES_H_
