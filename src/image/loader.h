// The read pipeline: a reference in, a squashed filesystem view out.
//
//   ParseReference -> OpenImage -> ScanLayers (parallel) -> FileTree
//
// Each layer is streamed exactly once: blob (digest-verified while read) ->
// decompression sniffed from content -> diffID hash + expanded-bytes budget
// -> tar reader -> fs::LayerChanges. Layers are scanned in parallel (largest
// first, bounded by `threads`), and a large layer's decompression runs one
// stage ahead on its own thread. Memory is bounded by fixed stream buffers
// plus the entry lists (capped by max_entries), never by layer size.
// Nothing is written to disk.
#ifndef STRATA_IMAGE_LOADER_H_
#define STRATA_IMAGE_LOADER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/caps.h"
#include "base/digest.h"
#include "fs/file_tree.h"
#include "io/decompress.h"
#include "oci/image.h"
#include "oci/reference.h"
#include "tar/tar_reader.h"

namespace strata::image {

// Progress of a load, reported from worker threads (the callback must be
// thread-safe and cheap; the CLI throttles its display).
struct Progress {
  int layers_total = 0;
  int layers_done = 0;
  int64_t compressed_total = 0;  // bytes of all layer blobs
  int64_t compressed_done = 0;
};

struct LoadOptions {
  oci::OpenOptions open;
  int64_t max_expanded_bytes = caps::kDefaultMaxExpandedBytes;
  int64_t max_entries = caps::kDefaultMaxEntries;
  int threads = 0;  // 0: one per core
  // Recompute every layer's diffID (sha256 of the uncompressed tar) and check
  // it against the config. Without it, a diffID is recomputed only where it
  // is the sole integrity check (a docker-archive layer no digest names);
  // otherwise the verified blob digest already pins the content, and the
  // diffID is the one the digest-verified config lists (for uncompressed
  // layers the two are the same hash, checked for equality).
  bool verify_diff_ids = false;
  std::function<void(const Progress&)> on_progress;
};

struct LayerStats {
  int index = 0;
  oci::Descriptor descriptor;     // the compressed blob (empty for dir:)
  Digest diff_id;                 // empty for dir:
  bool diff_id_computed = false;  // hashed while reading, not taken from config
  io::Compression compression = io::Compression::kNone;
  int64_t compressed_bytes = 0;
  int64_t uncompressed_bytes = 0;  // tar stream bytes
  int64_t entries = 0;             // tar entries (whiteouts included)
};

struct LoadedImage {
  oci::ImageRef ref;
  std::optional<oci::ImageMetadata> metadata;  // absent for dir:
  std::vector<LayerStats> layers;
  fs::FileTree tree;
};

// Opens and reads the whole image. Any digest or diffID mismatch, corrupt
// or truncated stream, path escaping the root, dangling hardlink or cap hit
// is an error whose context names the layer.
Result<LoadedImage> Load(const oci::ImageRef& ref, const LoadOptions& options);

// Converts one tar stream (already decompressed) into layer changes, counting
// entries against `entry_budget` (shared by all layers). Exposed for tests
// and the layer fuzzer.
Result<fs::LayerChanges> TarToChanges(int layer, tar::Reader& reader,
                                      std::atomic<int64_t>& entry_budget,
                                      int64_t max_entries);

// Reads a root filesystem directory into a single pseudo-layer without
// following any symlink on the host.
Result<LoadedImage> LoadRootfs(const oci::ImageRef& ref,
                               const LoadOptions& options);

}  // namespace strata::image

#endif  // STRATA_IMAGE_LOADER_H_
