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
#include "io/verify.h"
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

// A rule for files to keep while the layers stream by, for catalogers that
// look inside files (binaries, archives). A regular file matches when its
// path matches one of `globs` or, with `executables`, when any execute bit
// is set; and its content starts with `magic`. Its bytes (at most
// `max_file_bytes`; a larger file is kept as `truncated`, with no content)
// are read once for all matching rules and passed to `reduce`, whose
// result is what is kept. Example: a Go cataloger keeps the build info text
// of every executable ELF file, not the binary.
//
// Windows: a rule that only searches the bytes for short patterns can set
// `window_bytes` (W > 0, with 0 <= window_overlap < W, and a reduce;
// otherwise the fields are ignored) so that a file no other capture needs
// whole is never held whole: reduce is then called on consecutive windows
// of the file, the first [0, W) and each later one starting
// `window_overlap` bytes before the previous one ended (the last ends at
// the end of the file), so any match up to window_overlap bytes long lies
// entirely in some window. The results are appended in window order into
// the one CapturedFile: nullopt overall when every window gave nullopt;
// the first error wins (it becomes CapturedFile::error and no later window
// is reduced). Only about W bytes of the file are in memory at a time. When
// the whole file is in memory anyway (a capture glob keeps it whole, or a
// matching rule without windows reads it), reduce is called once on the
// whole file instead: a reduce must give the same result either way, up to
// results repeated in overlapping windows. `magic` and `max_file_bytes`
// (truncated, no reduce call) apply as for any rule.
struct CaptureRule {
  std::string_view name;  // unique among rules; static storage (a literal)
  std::vector<std::string> globs;
  bool executables = false;
  std::string magic;  // required leading bytes ("" = any)
  int64_t max_file_bytes = caps::kMaxCapturedFileBytes;
  int64_t window_bytes = 0;    // 0: reduce sees the whole file
  int64_t window_overlap = 0;  // bytes shared by consecutive windows
  // Runs on a loader thread, concurrently with other calls: must be
  // thread-safe, deterministic, and never crash on hostile bytes. nullopt:
  // nothing to keep for this file (or window). An error becomes
  // CapturedFile::error.
  std::function<Result<std::optional<std::string>>(std::string_view path,
                                                   std::string_view bytes)>
      reduce;
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
  // Regular files whose bytes are kept in memory while the layers stream by
  // (fs::GlobMatch patterns over normalised tar paths; every layer's copy).
  // Catalogers read them afterwards with ReadFile / CapturedCopies.
  std::vector<std::string> capture_globs;
  std::vector<CaptureRule> capture_rules;
  int64_t max_captured_file_bytes = caps::kMaxCapturedFileBytes;
  int64_t max_captured_total_bytes = caps::kMaxCapturedTotalBytes;
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

// A regular file's bytes kept during the load.
struct CapturedFile {
  int layer = -1;
  int64_t offset = -1;     // data offset in the layer's tar stream (-1: dir:)
  std::string path;        // normalised tar path
  std::string content;     // at most max_captured_file_bytes; for a rule,
                           // what its reduce returned
  bool truncated = false;  // the file was larger than the cap
  std::string_view rule;   // CaptureRule::name; "" for capture_globs
  std::string error;       // the rule's reduce failed: why (one line)
};

struct LoadedImage {
  oci::ImageRef ref;
  std::optional<oci::ImageMetadata> metadata;  // absent for dir:
  std::vector<LayerStats> layers;
  fs::FileTree tree;
  // Sorted by (layer, offset, path).
  std::vector<CapturedFile> captured;
};

// The final content of `path`, following symlinks inside the image. Errors:
// kNotFound (absent or not a regular file), kFailedPrecondition (its bytes
// were not captured: no capture glob matched it), kResourceExhausted (larger
// than the capture cap). For dir: sources the file is read from the host
// beneath the root, without following host symlinks, up to the same cap.
Result<std::string> ReadFile(const LoadedImage& image, std::string_view path);

// Captured files of `rule` ("" for capture_globs) that are the current
// content of their path in the final view (not deleted or replaced by a
// later layer), whose path matches `glob` ("" = any), sorted by path.
std::vector<const CapturedFile*> CurrentCaptured(const LoadedImage& image,
                                                 std::string_view rule,
                                                 std::string_view glob = "");

// Every captured copy of exactly `path` (as named in the layer tars, no
// symlinks followed), lowest layer first, including copies that later
// layers deleted or replaced. For dir: sources, the single current copy.
std::vector<const CapturedFile*> CapturedCopies(const LoadedImage& image,
                                                std::string_view path);

// Opens and reads the whole image. Any digest or diffID mismatch, corrupt
// or truncated stream, path escaping the root, dangling hardlink or cap hit
// is an error whose context names the layer.
// Local references only (oci, oci-archive, docker-archive, dir:); registry
// images are opened by the registry layer and read with LoadImage.
Result<LoadedImage> Load(const oci::ImageRef& ref, const LoadOptions& options);

// Reads an already opened image (options.open is not used) the same way.
Result<LoadedImage> LoadImage(std::unique_ptr<oci::Image> image,
                              const oci::ImageRef& ref,
                              const LoadOptions& options);

// Converts one tar stream (already decompressed) into layer changes, counting
// entries against `entry_budget` (shared by all layers). Exposed for tests
// and the layer fuzzer.
// When `capture` is given, regular files matching its globs are read into
// `captured` (within its caps).
// Names the shared cap on captured bytes in errors.
inline constexpr std::string_view kCapturedBytesWhat =
    "files captured for catalogers";
struct CaptureSpec {
  const std::vector<std::string>* globs = nullptr;
  const std::vector<CaptureRule>* rules = nullptr;
  int64_t max_file_bytes = caps::kMaxCapturedFileBytes;
  io::ByteBudget* total_budget = nullptr;  // all captured bytes, shared
};
Result<fs::LayerChanges> TarToChanges(
    int layer, tar::Reader& reader, std::atomic<int64_t>& entry_budget,
    int64_t max_entries, const CaptureSpec* capture = nullptr,
    std::vector<CapturedFile>* captured = nullptr);

// Reads a root filesystem directory into a single pseudo-layer without
// following any symlink on the host.
Result<LoadedImage> LoadRootfs(const oci::ImageRef& ref,
                               const LoadOptions& options);

}  // namespace strata::image

#endif  // STRATA_IMAGE_LOADER_H_
