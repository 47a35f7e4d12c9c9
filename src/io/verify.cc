#include "io/verify.h"

namespace strata::io {

VerifyingSource::VerifyingSource(std::unique_ptr<ByteSource> upstream,
                                 Digest expected, int64_t expected_size,
                                 std::string what)
    : up_(std::move(upstream)),
      expected_(std::move(expected)),
      expected_size_(expected_size),
      what_(std::move(what)),
      hasher_(expected_.algorithm()) {}

Result<size_t> VerifyingSource::Read(std::span<uint8_t> out) {
  if (!status_.ok()) return status_;
  if (done_) return size_t{0};
  Result<size_t> n = up_->Read(out);
  if (!n.ok()) {
    status_ = n.status();
    return status_;
  }
  if (*n == 0) {
    if (expected_size_ >= 0 && count_ < expected_size_) {
      status_ =
          DataLossError(what_ + ": truncated: got " + std::to_string(count_) +
                        " of " + std::to_string(expected_size_) + " bytes");
      return status_;
    }
    Digest got = hasher_.Finish();
    if (got != expected_) {
      status_ =
          DataLossError(what_ + ": digest mismatch: got " + got.ToString() +
                        ", want " + expected_.ToString());
      return status_;
    }
    done_ = true;
    return size_t{0};
  }
  if (expected_size_ >= 0 &&
      count_ + static_cast<int64_t>(*n) > expected_size_) {
    status_ = DataLossError(what_ + ": larger than its descriptor size " +
                            std::to_string(expected_size_));
    return status_;
  }
  hasher_.Update(out.first(*n));
  count_ += static_cast<int64_t>(*n);
  return n;
}

Result<size_t> HashingSource::Read(std::span<uint8_t> out) {
  if (finished_) return size_t{0};
  ASSIGN_OR_RETURN(size_t n, up_.Read(out));
  if (n == 0) {
    digest_ = hasher_.Finish();
    finished_ = true;
    return n;
  }
  hasher_.Update(out.first(n));
  count_ += static_cast<int64_t>(n);
  return n;
}

Status ByteBudget::Take(int64_t n) {
  if (remaining_.fetch_sub(n, std::memory_order_relaxed) - n < 0) {
    return ResourceExhaustedError(what_ + " exceeds the cap of " +
                                  std::to_string(limit_) + " bytes");
  }
  return Status::Ok();
}

Result<size_t> BudgetedSource::Read(std::span<uint8_t> out) {
  if (!status_.ok()) return status_;
  Result<size_t> n = up_.Read(out);
  if (!n.ok()) {
    status_ = n.status();
    return status_;
  }
  status_ = budget_.Take(static_cast<int64_t>(*n));
  if (!status_.ok()) return status_;
  return n;
}

Result<int64_t> BudgetedSource::Skip(int64_t n) {
  if (!status_.ok()) return status_;
  Result<int64_t> skipped = up_.Skip(n);
  if (!skipped.ok()) {
    status_ = skipped.status();
    return status_;
  }
  status_ = budget_.Take(*skipped);
  if (!status_.ok()) return status_;
  return skipped;
}

}  // namespace strata::io
