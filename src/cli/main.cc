#include <csignal>

#include "cli/app.h"

int main(int argc, char** argv) {
  // A peer that closes a connection (or a closed stdout pipe) must be an
  // error value, not a fatal signal.
  std::signal(SIGPIPE, SIG_IGN);
  return strata::cli::Run(argc, argv);
}
