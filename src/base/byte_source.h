// ByteSource: the pull-based stream interface every reader in strata uses.
//
// A source hands out bytes in order. Implementations: files and file ranges
// (io/file_source.h), decompressors (io/decompress.h), digest verifiers
// (io/verify.h), in-memory buffers (below). Sources are not thread-safe; a
// pipeline stage owns its upstream source.
#ifndef STRATA_BASE_BYTE_SOURCE_H_
#define STRATA_BASE_BYTE_SOURCE_H_

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "base/status.h"

namespace strata {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to out.size() bytes. Returns the number read; 0 means end of
  // stream. An error is sticky: later calls return it again. Corrupt input is
  // kDataLoss, a hit cap kResourceExhausted.
  virtual Result<size_t> Read(std::span<uint8_t> out) = 0;
  // Skips up to n bytes; returns how many were skipped (fewer only at end of
  // stream). Seekable sources (file ranges) override this to skip without
  // reading; the default reads and discards.
  virtual Result<int64_t> Skip(int64_t n);
};

// Reads the whole source into a string. More than max_bytes is a
// kResourceExhausted error naming `what`.
Result<std::string> ReadAll(ByteSource& src, int64_t max_bytes,
                            std::string_view what);

// Reads and discards until end of stream (to finish digest verification).
Status Drain(ByteSource& src);

// A source over borrowed memory. The memory must outlive the source.
class MemorySource : public ByteSource {
 public:
  explicit MemorySource(std::string_view data) : data_(data) {}
  Result<size_t> Read(std::span<uint8_t> out) override {
    size_t n = std::min(out.size(), data_.size() - pos_);
    if (n) std::memcpy(out.data(), data_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

// A source that owns its bytes.
class StringSource : public ByteSource {
 public:
  explicit StringSource(std::string data)
      : data_(std::move(data)), mem_(data_) {}
  Result<size_t> Read(std::span<uint8_t> out) override {
    return mem_.Read(out);
  }

 private:
  std::string data_;
  MemorySource mem_;
};

}  // namespace strata

#endif  // STRATA_BASE_BYTE_SOURCE_H_
