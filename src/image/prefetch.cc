#include "image/prefetch.h"

#include <algorithm>
#include <cstring>

namespace strata::image {

PrefetchSource::PrefetchSource(std::unique_ptr<ByteSource> upstream,
                               size_t buffer_bytes, int buffers)
    : upstream_(std::move(upstream)) {
  buffers = std::max(buffers, 2);
  buffers_.resize(buffers);
  for (int i = 0; i < buffers; ++i) {
    buffers_[i].resize(buffer_bytes);
    free_.push_back(i);
  }
  thread_ = std::thread([this] { Produce(); });
}

PrefetchSource::~PrefetchSource() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void PrefetchSource::Produce() {
  while (true) {
    int b;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stop_ || !free_.empty(); });
      if (stop_) return;
      b = free_.front();
      free_.pop_front();
    }
    // Fill the buffer (upstream reads may return short counts).
    std::vector<uint8_t>& buf = buffers_[b];
    size_t len = 0;
    Status st;
    bool eof = false;
    while (len < buf.size()) {
      Result<size_t> n = upstream_->Read(
          std::span<uint8_t>(buf.data() + len, buf.size() - len));
      if (!n.ok()) {
        st = n.status();
        break;
      }
      if (*n == 0) {
        eof = true;
        break;
      }
      len += *n;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (len > 0)
        filled_.push_back({b, len});
      else
        free_.push_back(b);
      if (!st.ok() || eof) {
        producer_status_ = st;
        producer_done_ = true;
      }
    }
    cv_.notify_all();
    if (!st.ok() || eof) return;
  }
}

Result<bool> PrefetchSource::Acquire() {
  if (!status_.ok()) return status_;
  if (current_ >= 0 && current_pos_ == current_len_) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      free_.push_back(current_);
    }
    cv_.notify_all();
    current_ = -1;
  }
  if (current_ < 0) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return !filled_.empty() || producer_done_; });
    if (filled_.empty()) {
      // Everything delivered; report the producer's outcome.
      if (!producer_status_.ok()) {
        status_ = producer_status_;
        return status_;
      }
      return false;
    }
    current_ = filled_.front().buffer;
    current_len_ = filled_.front().length;
    current_pos_ = 0;
    filled_.pop_front();
  }
  return true;
}

Result<size_t> PrefetchSource::Read(std::span<uint8_t> out) {
  if (out.empty()) return status_.ok() ? Result<size_t>(0) : status_;
  ASSIGN_OR_RETURN(bool more, Acquire());
  if (!more) return size_t{0};
  size_t n = std::min(out.size(), current_len_ - current_pos_);
  std::memcpy(out.data(), buffers_[current_].data() + current_pos_, n);
  current_pos_ += n;
  return n;
}

Result<int64_t> PrefetchSource::Skip(int64_t n) {
  int64_t skipped = 0;
  while (skipped < n) {
    ASSIGN_OR_RETURN(bool more, Acquire());
    if (!more) break;
    size_t step = static_cast<size_t>(std::min<int64_t>(
        n - skipped, static_cast<int64_t>(current_len_ - current_pos_)));
    current_pos_ += step;
    skipped += static_cast<int64_t>(step);
  }
  return skipped;
}

}  // namespace strata::image
