// Layer decompression, detected by content (magic bytes), never trusted from
// a media type.
//
// gzip is inflated with ISA-L's igzip (multi-member streams supported), zstd
// with libzstd's streaming API (multi-frame). A stream that ends early is
// kDataLoss "truncated gzip stream" / "truncated zstd stream"; trailing
// garbage after the last member is kDataLoss too. Memory is bounded by fixed
// buffers whatever the stream size.
#ifndef STRATA_IO_DECOMPRESS_H_
#define STRATA_IO_DECOMPRESS_H_

#include <memory>
#include <span>
#include <string_view>

#include "base/byte_source.h"

namespace strata::io {

enum class Compression { kNone, kGzip, kZstd };
std::string_view CompressionName(Compression c);  // "none","gzip","zstd"

// Classifies the first bytes of a stream. gzip: 1f 8b; zstd: 28 b5 2f fd.
// xz (fd 37 7a 58 5a 00) and bzip2 ("BZh") are recognised and rejected with
// kUnimplemented (not valid OCI layer encodings). Anything else is kNone.
Result<Compression> SniffCompression(std::span<const uint8_t> head);

// Wraps `upstream`, sniffing its first bytes. *detected (if non-null) receives
// the compression found. The returned source yields the decompressed bytes.
Result<std::unique_ptr<ByteSource>> OpenDecompressed(
    std::unique_ptr<ByteSource> upstream, Compression* detected);

}  // namespace strata::io

#endif  // STRATA_IO_DECOMPRESS_H_
