// OCI image-spec and Docker v2 schema 2 documents: descriptors, manifests,
// indexes / manifest lists, image configs. Parsing is strict about types and
// sizes (caps.h) and tolerant about unknown fields, as the specs require.
#ifndef STRATA_OCI_MANIFEST_H_
#define STRATA_OCI_MANIFEST_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/digest.h"
#include "base/json.h"
#include "base/status.h"

namespace strata::oci {

namespace media {
inline constexpr std::string_view kOciIndex =
    "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kOciManifest =
    "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kOciConfig =
    "application/vnd.oci.image.config.v1+json";
inline constexpr std::string_view kOciLayer =
    "application/vnd.oci.image.layer.v1.tar";
inline constexpr std::string_view kOciLayerGzip =
    "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr std::string_view kOciLayerZstd =
    "application/vnd.oci.image.layer.v1.tar+zstd";
inline constexpr std::string_view kDockerManifestList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view kDockerManifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kDockerConfig =
    "application/vnd.docker.container.image.v1+json";
inline constexpr std::string_view kDockerLayer =
    "application/vnd.docker.image.rootfs.diff.tar";
inline constexpr std::string_view kDockerLayerGzip =
    "application/vnd.docker.image.rootfs.diff.tar.gzip";
inline constexpr std::string_view kDockerLayerForeignGzip =
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
}  // namespace media

bool IsIndexMediaType(std::string_view mt);
bool IsManifestMediaType(std::string_view mt);
bool IsLayerMediaType(std::string_view mt);  // OCI/Docker tar layers

struct Platform {
  std::string os;            // "linux"
  std::string architecture;  // "amd64"
  std::string variant;       // "v8", may be empty
  std::string os_version;
  std::string ToString() const;  // "linux/arm64/v8"
  friend bool operator==(const Platform&, const Platform&) = default;
};

// Parses "os/arch[/variant]". Normalises architecture aliases as containerd
// does (x86_64 -> amd64, aarch64 -> arm64, arm64 variant v8 is the default).
Result<Platform> ParsePlatform(std::string_view s);
// The platform strata runs on (linux/<GOARCH-style arch>).
Platform HostPlatform();
// True if `candidate` satisfies `want` (variant-aware: arm64 "" == "v8";
// a want without variant accepts any variant).
bool PlatformMatches(const Platform& want, const Platform& candidate);

struct Descriptor {
  std::string media_type;
  Digest digest;
  int64_t size = 0;  // must be >= 0
  std::optional<Platform> platform;
  std::map<std::string, std::string> annotations;
  std::string artifact_type;
};

// The descriptor of `bytes` as a blob of `media_type`: sha256 and size.
Descriptor DescriptorOf(std::string_view media_type, std::string_view bytes);

struct Manifest {
  int schema_version = 2;
  std::string media_type;  // from the document (may be empty for OCI)
  Descriptor config;
  std::vector<Descriptor> layers;  // at most caps::kMaxLayers
  std::map<std::string, std::string> annotations;
  std::optional<Descriptor> subject;
};

struct Index {
  int schema_version = 2;
  std::string media_type;
  std::vector<Descriptor> manifests;  // at most caps::kMaxIndexManifests
  std::map<std::string, std::string> annotations;
};

struct HistoryEntry {
  std::string created;
  std::string created_by;
  std::string comment;
  bool empty_layer = false;
};

struct ImageConfig {
  std::string created;  // RFC 3339 as stored
  std::string author;
  Platform platform;  // os / architecture / variant / os.version
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::vector<std::string> env;
  std::string user;
  std::string working_dir;
  std::map<std::string, std::string> labels;
  std::vector<std::string> exposed_ports;
  std::vector<std::string> volumes;
  std::string stop_signal;
  std::vector<Digest> diff_ids;  // rootfs.diff_ids, must have type "layers"
  std::vector<HistoryEntry> history;
};

// What kind of document `bytes` is: uses the descriptor's media type when
// given, else the document's mediaType field, else its shape (a "manifests"
// array -> index, a "config"+"layers" -> manifest).
enum class DocumentKind { kIndex, kManifest };
Result<DocumentKind> ClassifyDocument(std::string_view bytes,
                                      std::string_view descriptor_media_type);

// Parsers. `what` names the document in errors. A schema-1 Docker manifest
// is kUnimplemented with a clear message.
Result<Descriptor> ParseDescriptor(const json::Json& obj,
                                   std::string_view what);
Result<Manifest> ParseManifest(std::string_view bytes, std::string_view what);
Result<Index> ParseIndex(std::string_view bytes, std::string_view what);
Result<ImageConfig> ParseImageConfig(std::string_view bytes,
                                     std::string_view what);

}  // namespace strata::oci

#endif  // STRATA_OCI_MANIFEST_H_
