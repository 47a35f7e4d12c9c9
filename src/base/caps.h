// Caps on every size that strata reads from untrusted input.
//
// Images, archives, manifests and JSON documents are hostile. Every size or
// count read from them is checked against one of these constants (or against
// a user-configurable limit whose default lives here) before memory is
// allocated or work is done. Hitting a cap is a kResourceExhausted error that
// names the cap, never a crash or unbounded growth.
#ifndef STRATA_BASE_CAPS_H_
#define STRATA_BASE_CAPS_H_

#include <cstddef>
#include <cstdint>

namespace strata::caps {

inline constexpr int64_t kKiB = 1024;
inline constexpr int64_t kMiB = 1024 * kKiB;
inline constexpr int64_t kGiB = 1024 * kMiB;

// --- JSON documents ---------------------------------------------------------
// OCI manifests and indexes (containerd and distribution use 4 MiB).
inline constexpr int64_t kMaxManifestBytes = 4 * kMiB;
// Image configuration blobs (history and env can be large, not huge).
inline constexpr int64_t kMaxConfigBytes = 16 * kMiB;
// index.json / oci-layout / docker manifest.json / repositories.
inline constexpr int64_t kMaxLayoutFileBytes = 4 * kMiB;
// Nesting depth of any JSON document.
inline constexpr int kMaxJsonDepth = 64;

// --- Image structure --------------------------------------------------------
inline constexpr int kMaxLayers = 1024;
inline constexpr int kMaxIndexManifests = 4096;  // entries in one index
inline constexpr int kMaxIndexDepth = 8;         // index -> index -> ...
inline constexpr int64_t kMaxReferenceLength = 4096;

// --- Layer contents (defaults; overridable per run) --------------------------
// Total bytes expanded from all layers of one image (decompression bombs).
inline constexpr int64_t kDefaultMaxExpandedBytes = 64 * kGiB;
// Total tar entries across all layers of one image.
inline constexpr int64_t kDefaultMaxEntries = 4'000'000;

// --- Tar entries -------------------------------------------------------------
inline constexpr int64_t kMaxPathLength = 4096;  // PATH_MAX
inline constexpr int kMaxPathComponents = 1024;
inline constexpr int64_t kMaxLinkTargetLength = 4096;
inline constexpr int64_t kMaxPaxHeaderBytes = 1 * kMiB;
// Members of an outer archive (oci-archive, docker-archive).
inline constexpr int64_t kMaxArchiveMembers = 1'000'000;
// Total bytes of member names and link targets kept while indexing one
// archive (kMaxArchiveMembers names of kMaxPathLength would be 4 GiB).
inline constexpr int64_t kMaxArchiveIndexBytes = 256 * kMiB;

// --- Decompression
// ------------------------------------------------------------- Largest zstd
// window a frame may ask for: 2^27 = 128 MiB, zstd's own default for streaming
// decoders. A frame demanding more is refused before any allocation.
inline constexpr int kMaxZstdWindowLog = 27;

// --- Filesystem view ---------------------------------------------------------
inline constexpr int kMaxSymlinkHops = 40;  // Linux MAXSYMLINKS
// Paths in one view. Every entry may create up to kMaxResolveComponents
// implicit parents, so --max-entries alone does not bound the tree.
inline constexpr int64_t kMaxPaths = 4 * kDefaultMaxEntries;
// Components one resolution may walk, symlink targets included. Each
// target is capped (kMaxLinkTargetLength) but 40 of them can spell ~80k
// components; past this the walk is refused like a loop (ELOOP).
inline constexpr int kMaxResolveComponents = 2 * kMaxPathComponents;

// --- Captured file contents (catalogers) -------------------------------------
inline constexpr int64_t kMaxCapturedFileBytes = 64 * kMiB;
// All captured files of one image together.
inline constexpr int64_t kMaxCapturedTotalBytes = 1 * kGiB;
// A binary or archive read whole into memory by capture rules that look
// inside files (Go/Rust build data, binary classifiers, jars); each loader
// thread holds at most one at a time. Larger files become unknowns.
inline constexpr int64_t kMaxAnalysedFileBytes = 256 * kMiB;

// --- SBOM documents read back (SPDX, CycloneDX, strata JSON) ----------------
inline constexpr int64_t kMaxSbomDocumentBytes = 512 * kMiB;
inline constexpr size_t kMaxSbomArrayItems = 1'000'000;  // per JSON array

// --- I/O ---------------------------------------------------------------------
inline constexpr int64_t kStreamBufferBytes = 256 * kKiB;

}  // namespace strata::caps

#endif  // STRATA_BASE_CAPS_H_
