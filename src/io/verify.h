// Digest verification and byte budgets as stream stages.
#ifndef STRATA_IO_VERIFY_H_
#define STRATA_IO_VERIFY_H_

#include <atomic>
#include <memory>
#include <string>

#include "base/byte_source.h"
#include "base/digest.h"

namespace strata::io {

// Passes bytes through while hashing them. At end of stream compares against
// `expected`; a mismatch is kDataLoss:
//   "<what>: digest mismatch: got sha256:..., want sha256:..."
// If expected_size >= 0, reading more than expected_size bytes fails
// immediately (kDataLoss "larger than its descriptor size N") and ending with
// fewer bytes fails as truncated. Nothing after a failure is returned.
class VerifyingSource : public ByteSource {
 public:
  VerifyingSource(std::unique_ptr<ByteSource> upstream, Digest expected,
                  int64_t expected_size, std::string what);
  Result<size_t> Read(std::span<uint8_t> out) override;
  int64_t bytes_read() const { return count_; }

 private:
  std::unique_ptr<ByteSource> up_;
  Digest expected_;
  int64_t expected_size_;
  std::string what_;
  Hasher hasher_;
  int64_t count_ = 0;
  Status status_;
  bool done_ = false;
};

// Passes bytes through, hashing and counting them (e.g. a layer's diffID).
// digest() is valid once Read has returned 0. Does not own upstream.
class HashingSource : public ByteSource {
 public:
  explicit HashingSource(ByteSource& upstream,
                         DigestAlgorithm alg = DigestAlgorithm::kSha256)
      : up_(upstream), hasher_(alg) {}
  Result<size_t> Read(std::span<uint8_t> out) override;
  int64_t bytes_read() const { return count_; }
  bool finished() const { return finished_; }
  const Digest& digest() const { return digest_; }

 private:
  ByteSource& up_;
  Hasher hasher_;
  int64_t count_ = 0;
  bool finished_ = false;
  Digest digest_;
};

// A byte budget shared by several streams (all layers of one image), e.g.
// the cap on expanded bytes. Thread-safe.
class ByteBudget {
 public:
  ByteBudget(int64_t limit, std::string what)
      : remaining_(limit), limit_(limit), what_(std::move(what)) {}
  // Takes n bytes; fails with kResourceExhausted naming the cap when the
  // budget is exceeded.
  Status Take(int64_t n);
  int64_t limit() const { return limit_; }

 private:
  std::atomic<int64_t> remaining_;
  int64_t limit_;
  std::string what_;
};

// Passes bytes through, charging each to a budget. Does not own either.
class BudgetedSource : public ByteSource {
 public:
  BudgetedSource(ByteSource& upstream, ByteBudget& budget)
      : up_(upstream), budget_(budget) {}
  Result<size_t> Read(std::span<uint8_t> out) override;
  // Skips through the upstream's Skip (no copy), charging the budget.
  Result<int64_t> Skip(int64_t n) override;

 private:
  ByteSource& up_;
  ByteBudget& budget_;
  Status status_;
};

}  // namespace strata::io

#endif  // STRATA_IO_VERIFY_H_
