// Registry images as oci::ImageSource: the blob store behind a registry
// reference, so that everything that reads images (inspect, sbom, copy)
// reads registry images the same way it reads local ones.
//
// Manifests and indexes are fetched by digest from /manifests/ (the blob
// endpoint does not serve them), everything else from /blobs/. Blobs are
// streamed while they download (a fetch thread per open blob feeds the
// reader through a bounded queue) and, when a cache is given, teed into it:
// the entry appears only once the whole blob has been verified. Cached
// entries are served without network access; an image named by digest whose
// manifests are all cached needs no network at all.
#ifndef STRATA_REGISTRY_STORE_H_
#define STRATA_REGISTRY_STORE_H_

#include <memory>

#include "oci/image.h"
#include "oci/reference.h"
#include "registry/cache.h"
#include "registry/client.h"

namespace strata::registry {

struct RegistryOptions {
  ClientOptions client;
  // Null: no cache (nothing read from or written to disk).
  std::shared_ptr<BlobCache> cache;
};

// Creates the client for ref's registry (RegistryApiHost). No I/O.
Result<std::shared_ptr<Client>> ClientFor(const oci::ImageRef& ref,
                                          const RegistryOptions& options);

// Resolves ref (kRegistry) to its top document (by digest when the
// reference has one, else by tag) and returns the store behind it. The
// store is safe for concurrent Open calls.
Result<oci::ImageSource> OpenRegistrySource(const oci::ImageRef& ref,
                                            const RegistryOptions& options);
// The same over an existing client (shared token cache, connections).
Result<oci::ImageSource> OpenRegistrySource(const oci::ImageRef& ref,
                                            std::shared_ptr<Client> client,
                                            std::shared_ptr<BlobCache> cache);

// Bytes queued between a fetch thread and its reader, per open blob.
inline constexpr int64_t kMaxQueuedBlobBytes = 8 * 1024 * 1024;

}  // namespace strata::registry

#endif  // STRATA_REGISTRY_STORE_H_
