#include "io/file_source.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string_view>

namespace strata::io {
namespace {

// O_NONBLOCK so that a FIFO planted where a file is expected cannot hang the
// open; it has no effect on regular files.
constexpr int kOpenFlags = O_RDONLY | O_CLOEXEC | O_NONBLOCK;

Status EscapeError(const std::string& display_path) {
  return PermissionDeniedError(display_path + ": path escapes its directory");
}

Status OpenError(const std::string& display_path, int err) {
  if (err == ELOOP) {
    return PermissionDeniedError(display_path +
                                 ": refusing to follow a symlink");
  }
  if (err == EXDEV) return EscapeError(display_path);
  return ErrnoError("open " + display_path, err);
}

// Names given to OpenBeneath are relative and never contain "..", whichever
// way the open is done.
Status CheckBeneathName(const std::string& name,
                        const std::string& display_path) {
  if (name.empty()) return InvalidArgumentError(display_path + ": empty path");
  if (name.front() == '/') return EscapeError(display_path);
  std::string_view rest = name;
  while (true) {
    size_t slash = rest.find('/');
    if (rest.substr(0, slash) == "..") return EscapeError(display_path);
    if (slash == std::string_view::npos) return Status::Ok();
    rest.remove_prefix(slash + 1);
  }
}

Result<int64_t> RegularFileSize(int fd, const std::string& path) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return ErrnoError("stat " + path, errno);
  if (!S_ISREG(st.st_mode)) {
    return InvalidArgumentError(path + " is not a regular file");
  }
  return static_cast<int64_t>(st.st_size);
}

}  // namespace

Result<std::shared_ptr<SharedFile>> SharedFile::Open(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), kOpenFlags));
  if (!fd.valid()) return ErrnoError("open " + path, errno);
  ASSIGN_OR_RETURN(int64_t size, RegularFileSize(fd.get(), path));
  return std::shared_ptr<SharedFile>(new SharedFile(std::move(fd), size, path));
}

Result<std::shared_ptr<SharedFile>> SharedFile::OpenBeneath(
    int dir_fd, const std::string& name, const std::string& display_path) {
  RETURN_IF_ERROR(CheckBeneathName(name, display_path));
  open_how how{};
  how.flags = kOpenFlags;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  UniqueFd fd(static_cast<int>(
      ::syscall(SYS_openat2, dir_fd, name.c_str(), &how, sizeof(how))));
  if (!fd.valid()) {
    // ENOSYS: kernel < 5.6, or a seccomp profile that predates openat2 (some
    // answer EPERM instead; the fallback then fails the same way if the
    // denial was real).
    if (errno != ENOSYS && errno != EPERM) {
      return OpenError(display_path, errno);
    }
    ASSIGN_OR_RETURN(
        fd, internal::OpenBeneathByComponents(dir_fd, name, display_path));
  }
  ASSIGN_OR_RETURN(int64_t size, RegularFileSize(fd.get(), display_path));
  return std::shared_ptr<SharedFile>(
      new SharedFile(std::move(fd), size, display_path));
}

Status SharedFile::PreadFull(int64_t offset, std::span<uint8_t> out) const {
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::pread(fd_.get(), out.data() + done, out.size() - done,
                        offset + static_cast<int64_t>(done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("read " + path_, errno);
    }
    if (n == 0) return DataLossError(path_ + ": unexpected end of file");
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

RangeSource::RangeSource(std::shared_ptr<SharedFile> file, int64_t offset,
                         int64_t length)
    : file_(std::move(file)), pos_(offset), end_(offset) {
  if (offset < 0 || length < 0 || offset > file_->size() ||
      length > file_->size() - offset) {
    status_ = DataLossError(file_->path() + ": range of " +
                            std::to_string(length) + " bytes at offset " +
                            std::to_string(offset) + " is outside the file (" +
                            std::to_string(file_->size()) + " bytes)");
    return;
  }
  end_ = offset + length;
}

Result<size_t> RangeSource::Read(std::span<uint8_t> out) {
  if (!status_.ok()) return status_;
  size_t n = static_cast<size_t>(
      std::min<int64_t>(static_cast<int64_t>(out.size()), end_ - pos_));
  if (n == 0) return size_t{0};
  status_ = file_->PreadFull(pos_, out.first(n));
  if (!status_.ok()) return status_;
  pos_ += static_cast<int64_t>(n);
  return n;
}

Result<int64_t> RangeSource::Skip(int64_t n) {
  if (!status_.ok()) return status_;
  int64_t k = std::clamp<int64_t>(n, 0, end_ - pos_);
  pos_ += k;
  return k;
}

Result<std::unique_ptr<ByteSource>> OpenFileSource(const std::string& path) {
  ASSIGN_OR_RETURN(std::shared_ptr<SharedFile> file, SharedFile::Open(path));
  int64_t size = file->size();
  return std::unique_ptr<ByteSource>(
      std::make_unique<RangeSource>(std::move(file), 0, size));
}

namespace internal {

Result<UniqueFd> OpenBeneathByComponents(int dir_fd, const std::string& name,
                                         const std::string& display_path) {
  RETURN_IF_ERROR(CheckBeneathName(name, display_path));
  UniqueFd dir;  // invalid while still at dir_fd
  std::string_view rest = name;
  while (true) {
    size_t slash = rest.find('/');
    std::string comp(rest.substr(0, slash));
    bool last = slash == std::string_view::npos ||
                rest.find_first_not_of('/', slash) == std::string_view::npos;
    int at = dir.valid() ? dir.get() : dir_fd;
    if (comp.empty() || comp == ".") {
      if (last) return InvalidArgumentError(display_path + ": not a file");
    } else {
      int flags =
          O_NOFOLLOW | (last ? kOpenFlags : O_RDONLY | O_CLOEXEC | O_DIRECTORY);
      UniqueFd fd(::openat(at, comp.c_str(), flags));
      if (!fd.valid()) {
        int err = errno;
        struct stat st;
        // O_DIRECTORY|O_NOFOLLOW on a symlink fails with ENOTDIR.
        if (err == ENOTDIR &&
            ::fstatat(at, comp.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
            S_ISLNK(st.st_mode)) {
          err = ELOOP;
        }
        return OpenError(display_path, err);
      }
      if (last) return fd;
      dir = std::move(fd);
    }
    rest.remove_prefix(slash + 1);
  }
}

}  // namespace internal
Result<std::string> ReadFileCapped(const std::string& path, int64_t max_bytes,
                                   std::string_view what) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoError("open " + path, errno);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return ErrnoError("stat " + path, errno);
  if (S_ISDIR(st.st_mode))
    return InvalidArgumentError(path + " is a directory");
  std::string out;
  if (S_ISREG(st.st_mode) && st.st_size <= max_bytes) {
    out.reserve(static_cast<size_t>(st.st_size));
  }
  char buf[64 * 1024];
  while (true) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("read " + path, errno);
    if (n == 0) return out;
    if (static_cast<int64_t>(out.size()) + n > max_bytes) {
      return ResourceExhaustedError(path + ": " + std::string(what) +
                                    " is over " + std::to_string(max_bytes) +
                                    " bytes");
    }
    out.append(buf, static_cast<size_t>(n));
  }
}

}  // namespace strata::io
