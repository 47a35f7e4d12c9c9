// BlobCache: the local, content-addressed cache of blobs and manifests
// fetched from registries:
//   DIR/blobs/<algorithm>/<hex>     complete, verified content
//   DIR/tmp/                        entries being written
// DIR is ${XDG_CACHE_HOME:-$HOME/.cache}/strata unless --cache-dir names
// another. An entry appears only complete: it is written to DIR/tmp, its
// digest and size checked, fsync'd and renamed into place, so a crash, a
// full disk or a wrong digest never leaves a corrupt entry. Reads verify
// again (a cache can be tampered with); an entry that fails is removed.
//
// Thread-safe: entries are immutable once renamed; concurrent writers of the
// same digest race harmlessly (rename is atomic, the content is the same).
#ifndef STRATA_REGISTRY_CACHE_H_
#define STRATA_REGISTRY_CACHE_H_

#include <memory>
#include <string>
#include <string_view>

#include "base/byte_source.h"
#include "base/digest.h"
#include "base/unique_fd.h"
#include "oci/manifest.h"

namespace strata::registry {

class BlobCache {
 public:
  // ${XDG_CACHE_HOME:-$HOME/.cache}/strata; kFailedPrecondition when
  // neither variable is set.
  static Result<std::string> DefaultDir();
  // Creates DIR, DIR/blobs and DIR/tmp as needed (mode 0700).
  static Result<std::shared_ptr<BlobCache>> Open(const std::string& dir);

  const std::string& dir() const { return dir_; }

  // A descriptor size of -1 means "any size" in Has, Open and ReadSmall
  // (a manifest named only by its digest); the digest is still verified.
  // True when a complete entry of d's digest and size exists.
  bool Has(const oci::Descriptor& d) const;
  // A source over the cached entry that verifies digest and size while it
  // is read; kNotFound "blob sha256:... not in the cache" when absent.
  Result<std::unique_ptr<ByteSource>> Open(const oci::Descriptor& d) const;
  // Reads a small entry whole (manifests), verified; a corrupt entry is
  // removed and reported as kNotFound so that callers fetch it again.
  Result<std::string> ReadSmall(const oci::Descriptor& d,
                                int64_t max_bytes) const;

  // An entry being written. Append the content in order; Commit checks
  // digest and size, fsyncs and renames it into place. Destroying a writer
  // that was not committed removes its temporary file.
  class Writer {
   public:
    ~Writer();
    Writer(const Writer&) = delete;
    Writer& operator=(const Writer&) = delete;
    Status Append(std::span<const uint8_t> bytes);
    Status Commit();

   private:
    friend class BlobCache;
    Writer(const BlobCache& cache, oci::Descriptor d, UniqueFd fd,
           std::string temp_path);
    const BlobCache& cache_;
    oci::Descriptor d_;
    UniqueFd fd_;
    std::string temp_path_;
    Hasher hasher_;
    int64_t written_ = 0;
    bool committed_ = false;
  };
  Result<std::unique_ptr<Writer>> StartWrite(const oci::Descriptor& d) const;
  // Convenience for small content already in memory.
  Status Put(const oci::Descriptor& d, std::string_view bytes) const;

 private:
  explicit BlobCache(std::string dir) : dir_(std::move(dir)) {}
  std::string EntryPath(const Digest& digest) const;
  std::string dir_;
};

}  // namespace strata::registry

#endif  // STRATA_REGISTRY_CACHE_H_
