#include <malloc.h>

#include <csignal>

#include "cli/app.h"

int main(int argc, char** argv) {
  // A peer that closes a connection (or a closed stdout pipe) must be an
  // error value, not a fatal signal.
  std::signal(SIGPIPE, SIG_IGN);
  // strata's threads stream: each holds a few large, short-lived buffers
  // (prefetch stages, files a capture rule reads) and many small strings.
  // One arena, and buffers of 1 MiB or more served by mmap and returned to
  // the system when freed, keep the peak resident set near what is live
  // (debian-fat: 64 -> 58 MiB) at no measurable cost in time.
  mallopt(M_ARENA_MAX, 1);
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
  return strata::cli::Run(argc, argv);
}
