// Byte sources over host files. Host paths here are strata's own inputs (an
// image file the user named), never paths taken from inside an image.
#ifndef STRATA_IO_FILE_SOURCE_H_
#define STRATA_IO_FILE_SOURCE_H_

#include <memory>
#include <string>

#include "base/byte_source.h"
#include "base/unique_fd.h"

namespace strata::io {

// A shared, read-only open file. Range sources borrow it via shared_ptr so
// many blobs of one archive can be read concurrently (pread, no seek state).
class SharedFile {
 public:
  static Result<std::shared_ptr<SharedFile>> Open(const std::string& path);
  // Opens `name` relative to directory fd `dir_fd` without following
  // symlinks in any component (openat2 RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS,
  // falling back to O_NOFOLLOW per component). Used for OCI layout blobs.
  static Result<std::shared_ptr<SharedFile>> OpenBeneath(
      int dir_fd, const std::string& name, const std::string& display_path);
  int fd() const { return fd_.get(); }
  int64_t size() const { return size_; }
  const std::string& path() const { return path_; }
  // Reads exactly out.size() bytes at offset, or fails with kDataLoss
  // ("unexpected end of file") / an errno error.
  Status PreadFull(int64_t offset, std::span<uint8_t> out) const;

 private:
  SharedFile(UniqueFd fd, int64_t size, std::string path)
      : fd_(std::move(fd)), size_(size), path_(std::move(path)) {}
  UniqueFd fd_;
  int64_t size_;
  std::string path_;
};

// Streams bytes [offset, offset+length) of a shared file. Reading past the
// file's end (the file shrank) is kDataLoss.
class RangeSource : public ByteSource {
 public:
  RangeSource(std::shared_ptr<SharedFile> file, int64_t offset, int64_t length);
  Result<size_t> Read(std::span<uint8_t> out) override;
  // Advances the offset without reading.
  Result<int64_t> Skip(int64_t n) override;

 private:
  std::shared_ptr<SharedFile> file_;
  int64_t pos_;
  int64_t end_;
  Status status_;
};

// Convenience: a source over a whole file.
Result<std::unique_ptr<ByteSource>> OpenFileSource(const std::string& path);

// The whole of a small file named on the command line (a key, a bundle, a
// trusted root; a pipe works too), refusing more than `max_bytes` while it
// reads: "open PATH: ...", "PATH is a directory", "read PATH: ...",
// "PATH: WHAT is over N bytes".
Result<std::string> ReadFileCapped(const std::string& path, int64_t max_bytes,
                                   std::string_view what);

namespace internal {
// The per-component walk OpenBeneath falls back to when openat2 is missing
// (ENOSYS: old kernels, seccomp profiles): openat with O_NOFOLLOW on every
// component, O_DIRECTORY on all but the last. Exposed for tests.
Result<UniqueFd> OpenBeneathByComponents(int dir_fd, const std::string& name,
                                         const std::string& display_path);
}  // namespace internal

}  // namespace strata::io

#endif  // STRATA_IO_FILE_SOURCE_H_
