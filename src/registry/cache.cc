#include "registry/cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <random>

#include "io/file_source.h"
#include "io/verify.h"

namespace strata::registry {
namespace {

Status MakeDir(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) == 0 || errno == EEXIST) {
    struct stat st;
    if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
      return Status::Ok();
    }
    return FailedPreconditionError("cache: " + path + " is not a directory");
  }
  return ErrnoError("cache: mkdir " + path, errno);
}

// A unique temporary name: pid, a per-process counter and randomness.
std::string TempName() {
  static std::atomic<uint64_t> counter{0};
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
         std::to_string(rng() & 0xffffffff);
}

}  // namespace

Result<std::string> BlobCache::DefaultDir() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg && xdg[0] == '/') return std::string(xdg) + "/strata";
  const char* home = std::getenv("HOME");
  if (home && home[0] == '/') return std::string(home) + "/.cache/strata";
  return FailedPreconditionError(
      "no cache directory: set HOME or XDG_CACHE_HOME, or pass --cache-dir");
}

Result<std::shared_ptr<BlobCache>> BlobCache::Open(const std::string& dir) {
  if (dir.empty()) return InvalidArgumentError("cache: empty directory name");
  // Create the parents the way mkdir -p does; the leaves are private.
  for (size_t i = 1; i < dir.size(); ++i) {
    if (dir[i] == '/') {
      std::string parent = dir.substr(0, i);
      if (::mkdir(parent.c_str(), 0755) != 0 && errno != EEXIST) {
        return ErrnoError("cache: mkdir " + parent, errno);
      }
    }
  }
  for (const std::string& d : {dir, dir + "/blobs", dir + "/blobs/sha256",
                               dir + "/blobs/sha512", dir + "/tmp"}) {
    RETURN_IF_ERROR(MakeDir(d));
  }
  return std::shared_ptr<BlobCache>(new BlobCache(dir));
}

std::string BlobCache::EntryPath(const Digest& digest) const {
  // Digest validated the algorithm and hex: no path characters possible.
  return dir_ + "/blobs/" + std::string(digest.algorithm_name()) + "/" +
         digest.hex();
}

bool BlobCache::Has(const oci::Descriptor& d) const {
  struct stat st;
  return ::stat(EntryPath(d.digest).c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
         (d.size < 0 || st.st_size == d.size);
}

Result<std::unique_ptr<ByteSource>> BlobCache::Open(
    const oci::Descriptor& d) const {
  std::string path = EntryPath(d.digest);
  Result<std::shared_ptr<io::SharedFile>> file = io::SharedFile::Open(path);
  if (!file.ok() || (d.size >= 0 && (*file)->size() != d.size)) {
    return NotFoundError("blob " + d.digest.ToString() + " not in the cache");
  }
  int64_t size = (*file)->size();
  return std::unique_ptr<ByteSource>(std::make_unique<io::VerifyingSource>(
      std::make_unique<io::RangeSource>(*std::move(file), 0, size), d.digest,
      d.size, "cached blob " + d.digest.ToString()));
}

Result<std::string> BlobCache::ReadSmall(const oci::Descriptor& d,
                                         int64_t max_bytes) const {
  if (d.size > max_bytes) {
    return ResourceExhaustedError(
        "blob " + d.digest.ToString() + " is " + std::to_string(d.size) +
        " bytes, over the cap of " + std::to_string(max_bytes));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<ByteSource> src, Open(d));
  Result<std::string> bytes = ReadAll(*src, max_bytes, d.digest.ToString());
  if (!bytes.ok()) {
    ::unlink(EntryPath(d.digest).c_str());  // corrupt: fetch it again
    return NotFoundError("blob " + d.digest.ToString() +
                         " not in the cache (a corrupt entry was removed)");
  }
  return bytes;
}

BlobCache::Writer::Writer(const BlobCache& cache, oci::Descriptor d,
                          UniqueFd fd, std::string temp_path)
    : cache_(cache),
      d_(std::move(d)),
      fd_(std::move(fd)),
      temp_path_(std::move(temp_path)),
      hasher_(d_.digest.algorithm()) {}

BlobCache::Writer::~Writer() {
  if (!committed_) ::unlink(temp_path_.c_str());
}

Status BlobCache::Writer::Append(std::span<const uint8_t> bytes) {
  if (written_ + static_cast<int64_t>(bytes.size()) > d_.size) {
    return DataLossError("blob " + d_.digest.ToString() +
                         ": larger than its descriptor size " +
                         std::to_string(d_.size));
  }
  hasher_.Update(bytes);
  while (!bytes.empty()) {
    ssize_t n = ::write(fd_.get(), bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("cache: write " + temp_path_, errno);
    }
    bytes = bytes.subspan(static_cast<size_t>(n));
    written_ += n;
  }
  return Status::Ok();
}

Status BlobCache::Writer::Commit() {
  if (committed_) return InternalError("cache entry committed twice");
  if (written_ != d_.size) {
    return DataLossError("blob " + d_.digest.ToString() + ": got " +
                         std::to_string(written_) + " bytes, want " +
                         std::to_string(d_.size));
  }
  Digest got = hasher_.Finish();
  if (got != d_.digest) {
    return DataLossError("blob " + d_.digest.ToString() +
                         ": digest mismatch: got " + got.ToString());
  }
  if (::fsync(fd_.get()) != 0) {
    return ErrnoError("cache: fsync " + temp_path_, errno);
  }
  fd_.Reset();
  std::string path = cache_.EntryPath(d_.digest);
  if (::rename(temp_path_.c_str(), path.c_str()) != 0) {
    return ErrnoError("cache: rename to " + path, errno);
  }
  committed_ = true;
  return Status::Ok();
}

Result<std::unique_ptr<BlobCache::Writer>> BlobCache::StartWrite(
    const oci::Descriptor& d) const {
  if (d.size < 0) return InvalidArgumentError("negative blob size");
  std::string temp = dir_ + "/tmp/" + TempName();
  UniqueFd fd(::open(temp.c_str(),
                     O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                     0600));
  if (!fd.valid()) return ErrnoError("cache: create " + temp, errno);
  return std::unique_ptr<Writer>(new Writer(*this, d, std::move(fd), temp));
}

Status BlobCache::Put(const oci::Descriptor& d, std::string_view bytes) const {
  ASSIGN_OR_RETURN(std::unique_ptr<Writer> w, StartWrite(d));
  RETURN_IF_ERROR(w->Append(std::span<const uint8_t>(
      reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size())));
  return w->Commit();
}

}  // namespace strata::registry
