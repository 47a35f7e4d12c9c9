#include "oci/image.h"

#include <sys/stat.h>

#include <cerrno>
#include <set>

#include "base/caps.h"
#include "oci/local_stores.h"

namespace strata::oci {
namespace {

constexpr std::string_view kReferenceTypeAnnotation =
    "vnd.docker.reference.type";

// Entries that can be chosen: image manifests and nested indexes, but not
// attestations (buildx marks them unknown/unknown and annotates them).
bool IsEligible(const Descriptor& d) {
  if (!IsIndexMediaType(d.media_type) && !IsManifestMediaType(d.media_type)) {
    return false;
  }
  if (d.platform && d.platform->os == "unknown" &&
      d.platform->architecture == "unknown") {
    return false;
  }
  auto it = d.annotations.find(std::string(kReferenceTypeAnnotation));
  return it == d.annotations.end() || it->second != "attestation-manifest";
}

template <typename T, typename F>
std::string JoinMapped(const std::vector<T>& items, F f) {
  std::string out;
  for (const T& item : items) {
    if (!out.empty()) out += ", ";
    out += f(item);
  }
  return out;
}

Result<Descriptor> SelectFromIndex(const Index& index, const Platform& want,
                                   std::vector<Platform>* available) {
  std::vector<const Descriptor*> eligible;
  for (const Descriptor& d : index.manifests) {
    if (IsEligible(d)) eligible.push_back(&d);
  }
  available->clear();
  for (const Descriptor* d : eligible) {
    if (d->platform) available->push_back(*d->platform);
  }
  if (eligible.empty()) return NotFoundError("index lists no image manifests");
  for (const Descriptor* d : eligible) {
    if (d->platform && PlatformMatches(want, *d->platform)) return *d;
  }
  if (eligible.size() == 1 && !eligible[0]->platform) return *eligible[0];
  if (available->empty()) {
    return InvalidArgumentError(
        "index lists " + std::to_string(eligible.size()) +
        " manifests without platform information (" +
        JoinMapped(eligible,
                   [](const Descriptor* d) { return d->digest.ToString(); }) +
        "); choose one by digest");
  }
  return NotFoundError(
      "no image for platform " + want.ToString() + "; available: " +
      JoinMapped(*available, [](const Platform& p) { return p.ToString(); }));
}

Status CheckLayerMediaType(size_t i, const std::string& mt) {
  if (IsLayerMediaType(mt)) return Status::Ok();
  std::string layer = "layer " + std::to_string(i);
  if (mt.find("foreign") != std::string::npos ||
      mt.find("nondistributable") != std::string::npos) {
    return UnimplementedError(layer +
                              " is a foreign (non-distributable) layer \"" +
                              mt.substr(0, 100) + "\", which is not supported");
  }
  return UnimplementedError(layer + " has unsupported media type \"" +
                            mt.substr(0, 100) + "\"");
}

class StoreImage : public Image {
 public:
  StoreImage(std::shared_ptr<BlobStore> store, ImageMetadata metadata)
      : store_(std::move(store)), metadata_(std::move(metadata)) {}

  const ImageMetadata& metadata() const override { return metadata_; }

  Result<std::unique_ptr<ByteSource>> OpenLayer(size_t i) override {
    if (i >= metadata_.layers.size()) {
      return InvalidArgumentError(
          "layer " + std::to_string(i) + " out of range: the image has " +
          std::to_string(metadata_.layers.size()) + " layers");
    }
    return store_->Open(metadata_.layers[i].descriptor);
  }

 private:
  std::shared_ptr<BlobStore> store_;
  ImageMetadata metadata_;
};

Status CheckPath(const ImageRef& ref) {
  struct stat st;
  if (::stat(ref.path.c_str(), &st) != 0) {
    int err = errno;
    if (err == ENOENT || err == ENOTDIR) {
      return NotFoundError(ref.path + ": no such file or directory");
    }
    return ErrnoError(ref.path, err);
  }
  bool want_dir = ref.transport == Transport::kOciLayout;
  if (want_dir && !S_ISDIR(st.st_mode)) {
    return InvalidArgumentError(ref.path + " is not a directory");
  }
  if (!want_dir && !S_ISREG(st.st_mode)) {
    return InvalidArgumentError(ref.path + " is not a regular file");
  }
  return Status::Ok();
}

// Reads `top` and follows indexes down to the manifest for `want`. Leaves the
// manifest's bytes in *bytes and the index it was chosen from in *parent.
Result<Descriptor> WalkToManifest(BlobStore& store, const Descriptor& top,
                                  const Platform& want,
                                  std::vector<Platform>* available,
                                  std::optional<Descriptor>* parent,
                                  std::string* bytes) {
  available->clear();
  Descriptor current = top;
  std::set<Digest> seen;
  while (true) {
    ASSIGN_OR_RETURN(*bytes, store.ReadSmall(current, caps::kMaxManifestBytes));
    Result<DocumentKind> kind = ClassifyDocument(*bytes, current.media_type);
    if (!kind.ok()) return kind.status().WithContext(current.digest.ToString());
    if (*kind == DocumentKind::kManifest) return current;
    std::string name = "index " + current.digest.ToString();
    if (!seen.insert(current.digest).second) {
      return DataLossError("index loop").WithContext(name);
    }
    if (static_cast<int>(seen.size()) > caps::kMaxIndexDepth) {
      return ResourceExhaustedError("indexes nest deeper than " +
                                    std::to_string(caps::kMaxIndexDepth) +
                                    " levels")
          .WithContext(name);
    }
    ASSIGN_OR_RETURN(Index index, ParseIndex(*bytes, name));
    Result<Descriptor> chosen = SelectFromIndex(index, want, available);
    if (!chosen.ok()) return chosen.status().WithContext(name);
    *parent = current;
    current = *std::move(chosen);
  }
}

}  // namespace

Result<std::string> BlobStore::ReadSmall(const Descriptor& d,
                                         int64_t max_bytes) {
  std::string what = "blob " + d.digest.ToString();
  if (d.size > max_bytes) {
    return ResourceExhaustedError(what + " is " + std::to_string(d.size) +
                                  " bytes, over the cap of " +
                                  std::to_string(max_bytes));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<ByteSource> src, Open(d));
  return ReadAll(*src, max_bytes, what);
}

Result<Descriptor> SelectPlatformManifest(BlobStore& store,
                                          const Descriptor& top,
                                          const Platform& want,
                                          std::vector<Platform>* available) {
  std::optional<Descriptor> parent;
  std::string bytes;
  return WalkToManifest(store, top, want, available, &parent, &bytes);
}

Result<std::unique_ptr<Image>> ResolveImage(std::shared_ptr<BlobStore> store,
                                            const Descriptor& top,
                                            const OpenOptions& options,
                                            ImageMetadata base) {
  std::string bytes;
  ASSIGN_OR_RETURN(
      Descriptor current,
      WalkToManifest(*store, top, options.platform.value_or(HostPlatform()),
                     &base.available_platforms, &base.index, &bytes));

  std::string name = "manifest " + current.digest.ToString();
  ASSIGN_OR_RETURN(Manifest manifest, ParseManifest(bytes, name));
  if (current.media_type.empty()) {
    current.media_type = manifest.media_type.empty()
                             ? std::string(media::kOciManifest)
                             : manifest.media_type;
  }
  const Descriptor& cd = manifest.config;
  if (cd.media_type != media::kOciConfig &&
      cd.media_type != media::kDockerConfig) {
    return UnimplementedError("config media type \"" +
                              cd.media_type.substr(0, 100) +
                              "\" is not a container image config")
        .WithContext(name);
  }
  Result<std::string> config_bytes =
      store->ReadSmall(cd, caps::kMaxConfigBytes);
  if (!config_bytes.ok()) return config_bytes.status().WithContext(name);
  ASSIGN_OR_RETURN(
      ImageConfig config,
      ParseImageConfig(*config_bytes, "config " + cd.digest.ToString()));
  if (config.diff_ids.size() != manifest.layers.size()) {
    return DataLossError("config lists " +
                         std::to_string(config.diff_ids.size()) +
                         " diff_ids but the manifest has " +
                         std::to_string(manifest.layers.size()) + " layers")
        .WithContext(name);
  }
  std::vector<LayerInfo> layers;
  for (size_t i = 0; i < manifest.layers.size(); ++i) {
    Status s = CheckLayerMediaType(i, manifest.layers[i].media_type);
    if (!s.ok()) return std::move(s).WithContext(name);
    layers.push_back(LayerInfo{manifest.layers[i], config.diff_ids[i],
                               store->VerifiesContent(manifest.layers[i])});
  }

  base.manifest = std::move(current);
  base.manifest_bytes = std::move(bytes);
  base.parsed_manifest = std::move(manifest);
  base.config_descriptor = base.parsed_manifest.config;
  base.config_bytes = *std::move(config_bytes);
  base.config = std::move(config);
  base.layers = std::move(layers);
  return std::unique_ptr<Image>(
      std::make_unique<StoreImage>(std::move(store), std::move(base)));
}

Result<ImageSource> OpenSource(const ImageRef& ref) {
  if (ref.transport == Transport::kRootfs) {
    return InvalidArgumentError("dir: references are not OCI images");
  }
  if (ref.transport == Transport::kRegistry) {
    return InvalidArgumentError(
        "registry references are opened by the registry layer");
  }
  RETURN_IF_ERROR(CheckPath(ref));
  switch (ref.transport) {
    case Transport::kOciLayout:
      return OpenOciLayout(ref);
    case Transport::kOciArchive:
      return OpenOciArchive(ref);
    case Transport::kDockerArchive:
      return OpenDockerArchive(ref);
    case Transport::kRootfs:
    case Transport::kRegistry:
      break;
  }
  return InternalError("unknown transport");
}

Result<std::unique_ptr<Image>> OpenImage(const ImageRef& ref,
                                         const OpenOptions& options) {
  ASSIGN_OR_RETURN(ImageSource source, OpenSource(ref));
  return ResolveImage(std::move(source.store), source.top, options,
                      std::move(source.base));
}

}  // namespace strata::oci
