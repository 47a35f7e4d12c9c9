// The strata command line: subcommands registered in one table (app.cc).
#ifndef STRATA_CLI_APP_H_
#define STRATA_CLI_APP_H_

#include <string>
#include <vector>

namespace strata::cli {

// Runs strata with argv (argv[0] included). Returns the process exit code
// (cli/exit_codes.h). Never throws.
int Run(int argc, char** argv);

}  // namespace strata::cli

#endif  // STRATA_CLI_APP_H_
