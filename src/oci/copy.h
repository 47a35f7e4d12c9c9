// Copy: the transport-independent copy engine behind `strata copy SRC DST`.
//
// Reads an ImageSource (oci/image.h: a blob store and its top document) and
// writes it to an ImageSink (oci/sink.h):
//  1. the walk: the top document, and
//     - with all_platforms, every document an index lists, recursively
//       (nested indexes up to caps::kMaxIndexDepth; an index listing one of
//       its ancestors is kDataLoss "index loop"; attestation manifests
//       included), each document once;
//     - otherwise, when the top is an index, only the manifest
//       SelectPlatformManifest picks (as OpenImage would), which becomes the
//       top written;
//     every manifest and index is read whole within caps::kMaxManifestBytes
//     and verified by the store;
//  2. every config and layer blob (each digest once): HasBlob -> skipped,
//     else PutBlob streamed from the source (never held whole in memory),
//     up to `parallel` at a time; the first error cancels the others (the
//     blobs in flight stop at their next read) and is returned;
//  3. every manifest and index, children first, the top last with `tag`
//     (before step 2 for sinks that do not preserve manifests: oci/sink.h);
//  4. sink.Commit().
// On error nothing is committed: the caller destroys the sink, which removes
// what it wrote.
//
// A docker-archive source has no stored manifest (the reader synthesises
// one): the synthesised manifest is what is written, with a note saying so.
// Its layers that no digest names (compressed members named otherwise) are
// hashed first to learn their digest, and checked against their diffID on
// the way; the manifest written then names those digests.
//
// Thread-safety: Copy runs blob copies on its own threads and calls the
// sink's HasBlob/PutBlob and the store's Open concurrently; it returns only
// when they have all finished.
#ifndef STRATA_OCI_COPY_H_
#define STRATA_OCI_COPY_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "oci/image.h"
#include "oci/manifest.h"
#include "oci/sink.h"

namespace strata::oci {

struct CopyOptions {
  // Copy the whole index (every child manifest / nested index, attestation
  // manifests included).
  bool all_platforms = false;
  // Else HostPlatform(); used when the top is an index and !all_platforms.
  std::optional<Platform> platform;
  // Destination tag for the top document (may be empty).
  std::string tag;
  // Concurrent blob copies, 1 to 64 (else kInvalidArgument).
  int parallel = 4;
  // Called after each chunk of blob data (and once per skipped blob) with
  // the bytes done and the total declared size of all blobs; may be called
  // from several threads at once.
  std::function<void(int64_t bytes_done, int64_t bytes_total)> on_progress;
};

struct CopyReport {
  Descriptor top;  // what was written at the destination (no annotations)
  int64_t blobs_copied = 0;
  int64_t blobs_skipped = 0;
  int64_t bytes_copied = 0;
  // False for docker-archive destinations (and the notes say why).
  bool digests_preserved = true;
  std::vector<std::string> notes;  // one-line remarks for the user
};

Result<CopyReport> Copy(ImageSource& source, ImageSink& sink,
                        const CopyOptions& options);

}  // namespace strata::oci

#endif  // STRATA_OCI_COPY_H_
