// ImageSink: where copied images go (oci/copy.h writes to it), and the three
// local sinks: OCI layout directory, OCI archive, docker archive. A registry
// sink is one more implementation of ImageSink.
//
// Nothing is visible at the destination before Commit(): a sink destroyed
// without Commit() removes what it wrote (no partial output, ever). Every
// blob and manifest is verified against its descriptor (digest and size)
// while it is written; a mismatch leaves nothing behind. Destination paths
// are built from digests we validated, never from strings read from input.
#ifndef STRATA_OCI_SINK_H_
#define STRATA_OCI_SINK_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/byte_source.h"
#include "oci/manifest.h"
#include "oci/reference.h"

namespace strata::oci {

struct SinkOptions {
  // fsync every file and directory written before it becomes visible. Off
  // only for scratch copies whose durability does not matter.
  bool sync = true;
};

// The order of calls (Copy keeps it):
//  - HasBlob / PutBlob for every config and layer blob, concurrently;
//  - PutManifest for every manifest and index, one thread, children before
//    the indexes that list them, the top document last: the last
//    PutManifest before Commit() is the top (the one a layout's index.json
//    or a docker archive's manifest.json names);
//  - except that a sink whose PreservesManifests() is false gets its
//    PutManifest calls BEFORE the blobs: it only records the image's shape,
//    and refuses what it cannot hold before any blob is copied;
//  - Commit() once.
// PutManifest and Commit() must not run concurrently with other calls.
class ImageSink {
 public:
  // Without Commit(), removes everything it wrote.
  virtual ~ImageSink() = default;
  // False when the destination cannot keep manifests byte-for-byte (docker
  // archive): Copy then reports that digests change.
  virtual bool PreservesManifests() const = 0;
  // True when the destination already holds the blob, so Copy may skip it.
  virtual Result<bool> HasBlob(const Descriptor& d) = 0;
  // Stores a blob streamed from open(), verifying digest and size while
  // writing; a mismatch leaves nothing behind. The local sinks call open()
  // once; a network sink may call it again to retry.
  virtual Status PutBlob(
      const Descriptor& d,
      const std::function<Result<std::unique_ptr<ByteSource>>()>& open) = 0;
  // Stores a manifest or index (exact bytes, verified against d). `tag` is
  // non-empty for the top document only. d.platform, when set, is recorded
  // where the destination lists the top (a layout's index.json).
  virtual Status PutManifest(const Descriptor& d, std::string_view bytes,
                             const std::string& tag) = 0;
  // Makes the result visible atomically.
  virtual Status Commit() = 0;
};

// Opens a sink for a local destination (ref.transport):
//
// kOciLayout: a directory, created if missing (its parent must exist).
//   A new layout is written into a hidden sibling directory and renamed into
//   place at Commit (an existing empty directory is replaced the same way).
//   An existing layout (it has an `oci-layout` file) is added to: blobs go to
//   blobs/<alg>/<hex> via a temp file + rename (deduplicated: a present blob
//   of the right size is skipped); at Commit index.json is rewritten (temp +
//   rename, under an flock on the directory) with the entry carrying the
//   same `org.opencontainers.image.ref.name` replaced in place, or the new
//   entry appended; other entries and fields are kept. Without Commit, an
//   existing layout may keep new blobs (harmless) but its index.json is
//   untouched. Like skopeo, the ref.name is the tag as given ("latest"),
//   which is what OpenImage's oci:DIR:TAG looks up. HasBlob/PutBlob are
//   thread-safe.
// kOciArchive: the same layout as a tar, deterministic (entries sorted,
//   directories included, mtime 0, uid/gid 0, mode 0644/0755, pax/ustar):
//   copying the same image twice gives the same bytes.
// kDockerArchive: `docker save` format holding one image: manifest.json
//   ([{"Config", "RepoTags", "Layers"}]), the config and the layers, each at
//   blobs/sha256/<hex> (as docker 25+ names them). Layers stay compressed, as
//   the source has them: docker load, skopeo and our reader accept
//   compressed layers, a compressed member named by its digest is verified
//   against that name when read back, layer and config digests are
//   preserved, and the archive is not several times larger than the image.
//   Only the manifest is not stored (PreservesManifests() is false; readers
//   synthesise one). RepoTags holds the tag when it is a full name
//   ("alpine:3.20", "example.com/app:1", written canonically as
//   "docker.io/library/alpine:3.20", as skopeo does); otherwise the image is
//   untagged. An index is refused: "docker-archive holds one image; choose a
//   platform or use an OCI destination"; so is a manifest whose config or
//   layers are not a container image's.
//   HasBlob/PutBlob are thread-safe.
// Both archives are files: their content is staged in a hidden sibling
// directory (same file system, so the destination needs room for the image
// twice while Commit runs), then written to a temp file in the same
// directory, fsynced and renamed over the destination at Commit; an existing
// file is replaced only then.
Result<std::unique_ptr<ImageSink>> OpenLocalSink(const ImageRef& ref,
                                                 const SinkOptions& options);

namespace internal {
// Internal to strata_oci (shared by layout_sink.cc and archive_sink.cc).

// A layout sink writing in place into the existing empty directory `dir`,
// which the caller owns and removes: the archive sinks stage with it.
// Commit() writes oci-layout and index.json there.
Result<std::unique_ptr<ImageSink>> OpenStagingLayoutSink(
    const std::string& dir, const SinkOptions& options);

// Creates a hidden directory beside `path` (".NAME.strata-XXXXXX"); the
// caller removes it with RemoveTree.
Result<std::string> MakeSiblingDir(const std::string& path);

// Removes `dir` and everything in it, never following symlinks.
Status RemoveTree(const std::string& dir);

// fsyncs the directory that holds `path` (after a rename to `path`).
Status SyncParentDir(const std::string& path);

Result<std::unique_ptr<ImageSink>> OpenOciArchiveSink(
    const ImageRef& ref, const SinkOptions& options);
Result<std::unique_ptr<ImageSink>> OpenDockerArchiveSink(
    const ImageRef& ref, const SinkOptions& options);
}  // namespace internal

}  // namespace strata::oci

#endif  // STRATA_OCI_SINK_H_
