// Internal to strata_oci: the local image sources behind OpenImage (OCI
// layout directory, OCI archive, docker archive).
#ifndef STRATA_OCI_LOCAL_STORES_H_
#define STRATA_OCI_LOCAL_STORES_H_

#include <map>
#include <memory>
#include <string>

#include "base/byte_source.h"
#include "base/digest.h"
#include "io/file_source.h"
#include "oci/image.h"

namespace strata::oci {

// Read access to the files of an OCI image layout, whether a directory or a
// tar of one. Safe for concurrent Open calls.
class LayoutFiles {
 public:
  virtual ~LayoutFiles() = default;
  // Opens the regular file at the layout-relative, normalised `name`
  // ("index.json", "blobs/sha256/<hex>") and stores its size in *size. A
  // missing file is kNotFound.
  virtual Result<std::unique_ptr<ByteSource>> Open(const std::string& name,
                                                   int64_t* size) = 0;
  // The directory or archive path, for messages.
  virtual const std::string& where() const = 0;
};

// Documents that exist only in memory (a synthesised docker manifest, a
// layout's index.json used as the top index), served by digest.
using InlineBlobs = std::map<Digest, std::string>;

// Checks `oci-layout` and selects the manifest `ref` names in index.json (by
// digest, by tag, or the only / "latest" entry).
Result<ImageSource> OpenOciLayoutSource(std::shared_ptr<LayoutFiles> files,
                                        const ImageRef& ref);

// The three local transports. ref.path must exist (OpenSource checks).
Result<ImageSource> OpenOciLayout(const ImageRef& ref);
Result<ImageSource> OpenOciArchive(const ImageRef& ref);
Result<ImageSource> OpenDockerArchive(const ImageRef& ref);

// kUnimplemented "compressed image archives are not supported; decompress
// PATH first" when `file` starts with a gzip, zstd, xz or bzip2 magic number.
Status RejectCompressedArchive(const io::SharedFile& file);

}  // namespace strata::oci

#endif  // STRATA_OCI_LOCAL_STORES_H_
