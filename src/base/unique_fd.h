// RAII owner of a POSIX file descriptor.
#ifndef STRATA_BASE_UNIQUE_FD_H_
#define STRATA_BASE_UNIQUE_FD_H_

#include <unistd.h>

#include <utility>

namespace strata {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { Reset(); }
  UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) {
      Reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() { return std::exchange(fd_, -1); }
  void Reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

// Generic RAII holder for a C handle with a free function, e.g.
//   using ArchivePtr = CHandle<archive, archive_read_free>;
template <typename T, auto Free>
struct CHandleDeleter {
  void operator()(T* p) const {
    if (p) Free(p);
  }
};

}  // namespace strata

#endif  // STRATA_BASE_UNIQUE_FD_H_
