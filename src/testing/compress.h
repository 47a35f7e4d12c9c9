// Test-only compression helpers (zlib / libzstd), deterministic output.
#ifndef STRATA_TESTING_COMPRESS_H_
#define STRATA_TESTING_COMPRESS_H_

#include <string>
#include <string_view>

namespace strata::testing {

// A gzip member (RFC 1952) with mtime 0. Aborts on zlib failure.
std::string Gzip(std::string_view data, int level = 6);
// One zstd frame with content size. Aborts on zstd failure.
std::string Zstd(std::string_view data, int level = 3);

}  // namespace strata::testing

#endif  // STRATA_TESTING_COMPRESS_H_
