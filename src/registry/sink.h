// RegistrySink: an oci::ImageSink that pushes to a registry repository.
//
// Blobs: a HEAD first (present blobs are skipped), then a cross-repository
// mount when the source is another repository of the same registry, then an
// upload (monolithic, or chunked when chunk_size > 0); the registry checks
// each digest. Manifests are pushed by digest as they come, except the top
// document (the last PutManifest), which is pushed at Commit: by tag when
// the destination names one, else by digest. So the tag moves only once
// everything it names is in place; blobs already pushed stay (registries
// garbage-collect unreferenced blobs), as with every registry client.
#ifndef STRATA_REGISTRY_SINK_H_
#define STRATA_REGISTRY_SINK_H_

#include <memory>
#include <string>

#include "oci/reference.h"
#include "oci/sink.h"
#include "registry/client.h"

namespace strata::registry {

struct PushOptions {
  // A repository of the same registry that holds the blobs (the copy's
  // source): blobs are mounted from it instead of uploaded.
  std::string mount_from;
  int64_t chunk_size = 0;  // 0: monolithic uploads
};

// ref: kRegistry; its tag (or digest) names the top document.
Result<std::unique_ptr<oci::ImageSink>> OpenRegistrySink(
    const oci::ImageRef& ref, std::shared_ptr<Client> client,
    const PushOptions& options);

}  // namespace strata::registry

#endif  // STRATA_REGISTRY_SINK_H_
