#include "cli/exit_codes.h"

#include <cstdio>

namespace strata::cli {

int ReportError(const Status& status) {
  std::fprintf(stderr, "strata: error: %s\n", status.ToString().c_str());
  return kExitError;
}

}  // namespace strata::cli
