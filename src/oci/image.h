// Image: one platform-specific image, whatever it is stored in.
//
// Implementations: OCI layout directory, OCI archive, docker archive (this
// folder); a registry client later is one more implementation of BlobStore +
// the resolution in OpenImage. Root filesystems are not images (no
// manifest); the image/ layer handles them beside Image.
//
// Every blob is verified against its digest while it is read (and its size
// against the descriptor). Manifests, indexes and configs are read whole,
// within their caps, and verified before parsing.
#ifndef STRATA_OCI_IMAGE_H_
#define STRATA_OCI_IMAGE_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/byte_source.h"
#include "base/digest.h"
#include "oci/manifest.h"
#include "oci/reference.h"

namespace strata::oci {

// Content-addressed blob access. Implementations must be safe for concurrent
// Open calls (layers are read in parallel).
class BlobStore {
 public:
  virtual ~BlobStore() = default;
  // Opens a blob for streaming. The returned source verifies digest and size
  // while reading (io::VerifyingSource). A missing blob is kNotFound
  // "blob sha256:... not found in <where>".
  virtual Result<std::unique_ptr<ByteSource>> Open(const Descriptor& d) = 0;
  // Reads a small blob whole (manifest, config), verified, at most max_bytes
  // (also checks d.size against max_bytes before reading).
  Result<std::string> ReadSmall(const Descriptor& d, int64_t max_bytes);
  // False when Open(d) cannot verify the blob against d.digest (a docker
  // archive's compressed layer that no digest names): the reader must then
  // check the content another way (the layer's diffID).
  virtual bool VerifiesContent(const Descriptor& d) const { return true; }
};

struct LayerInfo {
  Descriptor descriptor;          // compressed blob as the manifest lists it
  std::optional<Digest> diff_id;  // from the config, if it lists one
  bool blob_verified = true;      // BlobStore::VerifiesContent(descriptor)
};

struct ImageMetadata {
  Transport transport;
  std::string reference;  // as given by the user, canonicalised
  Descriptor manifest;    // digest/size/media type of the manifest
  std::string manifest_bytes;
  std::optional<Descriptor> index;  // the index it was chosen from, if any
  std::vector<Platform> available_platforms;  // from the index, if any
  Manifest parsed_manifest;
  Descriptor config_descriptor;
  std::string config_bytes;
  ImageConfig config;
  std::vector<LayerInfo> layers;
  std::vector<std::string> repo_tags;  // docker-archive RepoTags / OCI ref name
};

class Image {
 public:
  virtual ~Image() = default;
  virtual const ImageMetadata& metadata() const = 0;
  // Streams layer i's blob (still compressed), digest-verified.
  virtual Result<std::unique_ptr<ByteSource>> OpenLayer(size_t i) = 0;
};

// What a reference names before platform resolution: the blob store behind
// it and its top document (an index or a manifest). `base` carries the
// transport, canonical reference and names (repo_tags); ResolveImage fills
// the rest. Copying works on sources, reading images on resolved ones.
struct ImageSource {
  std::shared_ptr<BlobStore> store;
  Descriptor top;
  ImageMetadata base;
};

// Opens a local reference (oci, oci-archive, docker-archive; not dir:) as a
// source. Errors as for OpenImage.
Result<ImageSource> OpenSource(const ImageRef& ref);

struct OpenOptions {
  std::optional<Platform> platform;  // default: HostPlatform()
};

// Resolves `ref` (not kRootfs) to one image:
//  - index -> manifest by platform (nested indexes up to caps::kMaxIndexDepth;
//    an index seen twice is kDataLoss "index loop"); no match is
//    kNotFound "no image for platform linux/s390x; available: linux/amd64,
//    linux/arm64/v8"; entries with platform unknown/unknown (attestations)
//    are never chosen;
//  - oci layout with several tagged manifests and no tag: an error listing
//    the tags, unless only one exists;
//  - config and layer count checked (config diff_ids count must equal the
//    layer count).
Result<std::unique_ptr<Image>> OpenImage(const ImageRef& ref,
                                         const OpenOptions& options);

// The platform selection of ResolveImage on its own: reads `top` from
// `store`; a manifest is returned as is; an index is followed (nested
// indexes too) to the manifest for `want`, whose descriptor is returned as
// the index lists it (platform and annotations included). *available
// receives the platforms of the last index walked (empty for a manifest).
// Errors as ResolveImage's (no match, index loop, depth cap).
Result<Descriptor> SelectPlatformManifest(BlobStore& store,
                                          const Descriptor& top,
                                          const Platform& want,
                                          std::vector<Platform>* available);

// Lower-level: resolution over any blob store, given the top document's
// descriptor (used by OpenImage and by the tests with a fake store).
Result<std::unique_ptr<Image>> ResolveImage(std::shared_ptr<BlobStore> store,
                                            const Descriptor& top,
                                            const OpenOptions& options,
                                            ImageMetadata base);

}  // namespace strata::oci

#endif  // STRATA_OCI_IMAGE_H_
