// PrefetchSource: runs an upstream ByteSource on its own thread, one stage
// ahead of the reader, so that e.g. inflating a layer and hashing/parsing its
// tar stream use two cores. Memory is fixed: `buffers` x `buffer_bytes`.
//
// Thread-safety: Read is called from one consumer thread; the producer thread
// is private. The destructor stops the producer (after its current upstream
// Read returns) and joins it, so the upstream must not block forever.
#ifndef STRATA_IMAGE_PREFETCH_H_
#define STRATA_IMAGE_PREFETCH_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "base/byte_source.h"

namespace strata::image {

class PrefetchSource : public ByteSource {
 public:
  PrefetchSource(std::unique_ptr<ByteSource> upstream, size_t buffer_bytes,
                 int buffers);
  ~PrefetchSource() override;
  PrefetchSource(const PrefetchSource&) = delete;
  PrefetchSource& operator=(const PrefetchSource&) = delete;

  Result<size_t> Read(std::span<uint8_t> out) override;
  // Skips without copying.
  Result<int64_t> Skip(int64_t n) override;

 private:
  // Makes the current buffer non-empty; false at end of stream.
  Result<bool> Acquire();
  struct Filled {
    int buffer;
    size_t length;
  };
  void Produce();

  std::unique_ptr<ByteSource> upstream_;
  std::vector<std::vector<uint8_t>> buffers_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<int> free_;        // guarded by mu_
  std::deque<Filled> filled_;   // guarded by mu_
  bool producer_done_ = false;  // guarded by mu_
  bool stop_ = false;           // guarded by mu_
  Status producer_status_;      // guarded by mu_
  // Consumer-side state.
  int current_ = -1;
  size_t current_len_ = 0;
  size_t current_pos_ = 0;
  Status status_;
  std::thread thread_;
};

}  // namespace strata::image

#endif  // STRATA_IMAGE_PREFETCH_H_
