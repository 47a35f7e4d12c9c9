#include "oci/manifest.h"

#include "base/caps.h"

namespace strata::oci {
namespace {

using json::Json;

// Docker's uncompressed layer type (docker-archive layers).
constexpr std::string_view kDockerSchema1 =
    "application/vnd.docker.distribution.manifest.v1+json";
constexpr std::string_view kDockerSchema1Signed =
    "application/vnd.docker.distribution.manifest.v1+prettyjws";

Status Schema1Error() {
  return UnimplementedError("docker schema 1 manifests are not supported");
}

Status Missing(std::string_view field) {
  return DataLossError("missing field \"" + std::string(field) + "\"");
}

Result<std::string> RequiredString(const Json& obj, std::string_view key) {
  ASSIGN_OR_RETURN(std::optional<std::string> v, json::GetString(obj, key));
  if (!v) return Missing(key);
  return *std::move(v);
}

Result<Digest> ParseDigestField(const std::string& s) {
  Result<Digest> d = Digest::Parse(s);
  if (!d.ok()) return DataLossError(d.status().message());
  return d;
}

Result<Json> ParseObject(std::string_view bytes, std::string_view what,
                         int64_t max_bytes) {
  ASSIGN_OR_RETURN(Json j, json::Parse(bytes, what, max_bytes));
  if (!j.is_object()) {
    return DataLossError(std::string(what) + " is not a JSON object");
  }
  return j;
}

// schemaVersion must be 2; 1 is a docker schema 1 manifest.
Status CheckSchemaVersion(const Json& j) {
  ASSIGN_OR_RETURN(std::optional<int64_t> v, json::GetInt(j, "schemaVersion"));
  if (!v) return Missing("schemaVersion");
  if (*v == 1) return Schema1Error();
  if (*v != 2) {
    return DataLossError("unsupported schemaVersion " + std::to_string(*v));
  }
  return Status::Ok();
}

Result<Platform> ParsePlatformObject(const Json& obj) {
  Platform p;
  ASSIGN_OR_RETURN(p.os, RequiredString(obj, "os"));
  ASSIGN_OR_RETURN(p.architecture, RequiredString(obj, "architecture"));
  ASSIGN_OR_RETURN(std::optional<std::string> variant,
                   json::GetString(obj, "variant"));
  ASSIGN_OR_RETURN(std::optional<std::string> os_version,
                   json::GetString(obj, "os.version"));
  p.variant = variant.value_or("");
  p.os_version = os_version.value_or("");
  return p;
}

Result<std::vector<Descriptor>> ParseDescriptorArray(const Json& obj,
                                                     std::string_view key,
                                                     size_t cap,
                                                     std::string_view owner) {
  ASSIGN_OR_RETURN(const Json* arr, json::GetArray(obj, key));
  if (arr == nullptr) return Missing(key);
  if (arr->size() > cap) {
    return ResourceExhaustedError(std::string(owner) + " has more than " +
                                  std::to_string(cap) + " " + std::string(key));
  }
  std::vector<Descriptor> out;
  out.reserve(arr->size());
  for (size_t i = 0; i < arr->size(); ++i) {
    ASSIGN_OR_RETURN(Descriptor d,
                     ParseDescriptor((*arr)[i], std::string(key) + "[" +
                                                    std::to_string(i) + "]"));
    out.push_back(std::move(d));
  }
  return out;
}

Result<std::vector<std::string>> ObjectKeys(const Json& obj,
                                            std::string_view key) {
  ASSIGN_OR_RETURN(const Json* o, json::GetObject(obj, key));
  std::vector<std::string> out;
  if (o == nullptr) return out;
  for (auto it = o->begin(); it != o->end(); ++it) out.push_back(it.key());
  return out;
}

Status ParseContainerConfig(const Json& c, ImageConfig* out) {
  auto strings = [&c](std::string_view key,
                      std::vector<std::string>* v) -> Status {
    ASSIGN_OR_RETURN(auto r, json::GetStringArray(c, key));
    if (r) *v = *std::move(r);
    return Status::Ok();
  };
  auto string = [&c](std::string_view key, std::string* v) -> Status {
    ASSIGN_OR_RETURN(auto r, json::GetString(c, key));
    if (r) *v = *std::move(r);
    return Status::Ok();
  };
  RETURN_IF_ERROR(strings("Entrypoint", &out->entrypoint));
  RETURN_IF_ERROR(strings("Cmd", &out->cmd));
  RETURN_IF_ERROR(strings("Env", &out->env));
  RETURN_IF_ERROR(string("User", &out->user));
  RETURN_IF_ERROR(string("WorkingDir", &out->working_dir));
  RETURN_IF_ERROR(string("StopSignal", &out->stop_signal));
  ASSIGN_OR_RETURN(auto labels, json::GetStringMap(c, "Labels"));
  if (labels) out->labels = *std::move(labels);
  ASSIGN_OR_RETURN(out->exposed_ports, ObjectKeys(c, "ExposedPorts"));
  ASSIGN_OR_RETURN(out->volumes, ObjectKeys(c, "Volumes"));
  return Status::Ok();
}

Status ParseRootfs(const Json& config, ImageConfig* out) {
  ASSIGN_OR_RETURN(const Json* rootfs, json::GetObject(config, "rootfs"));
  if (rootfs == nullptr) return Missing("rootfs");
  ASSIGN_OR_RETURN(std::string type, RequiredString(*rootfs, "type"));
  if (type != "layers") {
    return DataLossError("rootfs.type must be \"layers\", not \"" +
                         type.substr(0, 64) + "\"");
  }
  ASSIGN_OR_RETURN(auto ids, json::GetStringArray(*rootfs, "diff_ids"));
  if (!ids) return Missing("rootfs.diff_ids");
  if (ids->size() > static_cast<size_t>(caps::kMaxLayers)) {
    return ResourceExhaustedError("config lists more than " +
                                  std::to_string(caps::kMaxLayers) +
                                  " diff_ids");
  }
  for (size_t i = 0; i < ids->size(); ++i) {
    Result<Digest> d = ParseDigestField((*ids)[i]);
    if (!d.ok()) {
      return d.status().WithContext("rootfs.diff_ids[" + std::to_string(i) +
                                    "]");
    }
    out->diff_ids.push_back(*d);
  }
  return Status::Ok();
}

Status ParseHistory(const Json& config, ImageConfig* out) {
  ASSIGN_OR_RETURN(const Json* history, json::GetArray(config, "history"));
  if (history == nullptr) return Status::Ok();
  out->history.reserve(history->size());
  for (size_t i = 0; i < history->size(); ++i) {
    const Json& h = (*history)[i];
    std::string where = "history[" + std::to_string(i) + "]";
    if (!h.is_object()) return DataLossError(where + " must be an object");
    HistoryEntry e;
    Status s = [&]() -> Status {
      ASSIGN_OR_RETURN(auto created, json::GetString(h, "created"));
      ASSIGN_OR_RETURN(auto created_by, json::GetString(h, "created_by"));
      ASSIGN_OR_RETURN(auto comment, json::GetString(h, "comment"));
      e.created = created.value_or("");
      e.created_by = created_by.value_or("");
      e.comment = comment.value_or("");
      auto it = h.find("empty_layer");
      if (it != h.end() && !it->is_null()) {
        if (!it->is_boolean()) {
          return DataLossError("field \"empty_layer\" must be a boolean");
        }
        e.empty_layer = it->get<bool>();
      }
      return Status::Ok();
    }();
    if (!s.ok()) return std::move(s).WithContext(where);
    out->history.push_back(std::move(e));
  }
  return Status::Ok();
}

}  // namespace

bool IsIndexMediaType(std::string_view mt) {
  return mt == media::kOciIndex || mt == media::kDockerManifestList;
}

bool IsManifestMediaType(std::string_view mt) {
  return mt == media::kOciManifest || mt == media::kDockerManifest;
}

bool IsLayerMediaType(std::string_view mt) {
  return mt == media::kOciLayer || mt == media::kOciLayerGzip ||
         mt == media::kOciLayerZstd || mt == media::kDockerLayerGzip ||
         mt == media::kDockerLayer;
}

Result<Descriptor> ParseDescriptor(const Json& obj, std::string_view what) {
  Descriptor d;
  Status s = [&]() -> Status {
    if (!obj.is_object()) return DataLossError("descriptor must be an object");
    ASSIGN_OR_RETURN(d.media_type, RequiredString(obj, "mediaType"));
    ASSIGN_OR_RETURN(std::string digest, RequiredString(obj, "digest"));
    ASSIGN_OR_RETURN(d.digest, ParseDigestField(digest));
    ASSIGN_OR_RETURN(std::optional<int64_t> size, json::GetInt(obj, "size"));
    if (!size) return Missing("size");
    if (*size < 0) return DataLossError("field \"size\" must not be negative");
    d.size = *size;
    ASSIGN_OR_RETURN(const Json* platform, json::GetObject(obj, "platform"));
    if (platform != nullptr) {
      Result<Platform> p = ParsePlatformObject(*platform);
      if (!p.ok()) return p.status().WithContext("platform");
      d.platform = *std::move(p);
    }
    ASSIGN_OR_RETURN(auto annotations, json::GetStringMap(obj, "annotations"));
    if (annotations) d.annotations = *std::move(annotations);
    ASSIGN_OR_RETURN(auto artifact_type, json::GetString(obj, "artifactType"));
    d.artifact_type = artifact_type.value_or("");
    return Status::Ok();
  }();
  if (!s.ok()) return std::move(s).WithContext(what);
  return d;
}

Result<Manifest> ParseManifest(std::string_view bytes, std::string_view what) {
  ASSIGN_OR_RETURN(Json j, ParseObject(bytes, what, caps::kMaxManifestBytes));
  Manifest m;
  Status s = [&]() -> Status {
    RETURN_IF_ERROR(CheckSchemaVersion(j));
    ASSIGN_OR_RETURN(auto media_type, json::GetString(j, "mediaType"));
    m.media_type = media_type.value_or("");
    if (!m.media_type.empty() && !IsManifestMediaType(m.media_type)) {
      return DataLossError("unexpected mediaType \"" +
                           m.media_type.substr(0, 100) + "\" for a manifest");
    }
    ASSIGN_OR_RETURN(const Json* config, json::GetObject(j, "config"));
    if (config == nullptr) return Missing("config");
    ASSIGN_OR_RETURN(m.config, ParseDescriptor(*config, "config"));
    ASSIGN_OR_RETURN(m.layers, ParseDescriptorArray(
                                   j, "layers", caps::kMaxLayers, "manifest"));
    ASSIGN_OR_RETURN(auto annotations, json::GetStringMap(j, "annotations"));
    if (annotations) m.annotations = *std::move(annotations);
    ASSIGN_OR_RETURN(const Json* subject, json::GetObject(j, "subject"));
    if (subject != nullptr) {
      ASSIGN_OR_RETURN(m.subject, ParseDescriptor(*subject, "subject"));
    }
    return Status::Ok();
  }();
  if (!s.ok()) return std::move(s).WithContext(what);
  return m;
}

Result<Index> ParseIndex(std::string_view bytes, std::string_view what) {
  ASSIGN_OR_RETURN(Json j, ParseObject(bytes, what, caps::kMaxManifestBytes));
  Index index;
  Status s = [&]() -> Status {
    RETURN_IF_ERROR(CheckSchemaVersion(j));
    ASSIGN_OR_RETURN(auto media_type, json::GetString(j, "mediaType"));
    index.media_type = media_type.value_or("");
    if (!index.media_type.empty() && !IsIndexMediaType(index.media_type)) {
      return DataLossError("unexpected mediaType \"" +
                           index.media_type.substr(0, 100) + "\" for an index");
    }
    ASSIGN_OR_RETURN(index.manifests,
                     ParseDescriptorArray(j, "manifests",
                                          caps::kMaxIndexManifests, "index"));
    ASSIGN_OR_RETURN(auto annotations, json::GetStringMap(j, "annotations"));
    if (annotations) index.annotations = *std::move(annotations);
    return Status::Ok();
  }();
  if (!s.ok()) return std::move(s).WithContext(what);
  return index;
}

Result<ImageConfig> ParseImageConfig(std::string_view bytes,
                                     std::string_view what) {
  ASSIGN_OR_RETURN(Json j, ParseObject(bytes, what, caps::kMaxConfigBytes));
  ImageConfig c;
  Status s = [&]() -> Status {
    ASSIGN_OR_RETURN(auto created, json::GetString(j, "created"));
    ASSIGN_OR_RETURN(auto author, json::GetString(j, "author"));
    ASSIGN_OR_RETURN(auto os, json::GetString(j, "os"));
    ASSIGN_OR_RETURN(auto arch, json::GetString(j, "architecture"));
    ASSIGN_OR_RETURN(auto variant, json::GetString(j, "variant"));
    ASSIGN_OR_RETURN(auto os_version, json::GetString(j, "os.version"));
    c.created = created.value_or("");
    c.author = author.value_or("");
    c.platform.os = os.value_or("");
    c.platform.architecture = arch.value_or("");
    c.platform.variant = variant.value_or("");
    c.platform.os_version = os_version.value_or("");
    ASSIGN_OR_RETURN(const Json* config, json::GetObject(j, "config"));
    if (config != nullptr) {
      Status cs = ParseContainerConfig(*config, &c);
      if (!cs.ok()) return std::move(cs).WithContext("config");
    }
    RETURN_IF_ERROR(ParseRootfs(j, &c));
    return ParseHistory(j, &c);
  }();
  if (!s.ok()) return std::move(s).WithContext(what);
  return c;
}

Result<DocumentKind> ClassifyDocument(std::string_view bytes,
                                      std::string_view descriptor_media_type) {
  auto by_type =
      [](std::string_view mt) -> std::optional<Result<DocumentKind>> {
    if (IsIndexMediaType(mt)) return Result<DocumentKind>(DocumentKind::kIndex);
    if (IsManifestMediaType(mt)) {
      return Result<DocumentKind>(DocumentKind::kManifest);
    }
    if (mt == kDockerSchema1 || mt == kDockerSchema1Signed) {
      return Result<DocumentKind>(Schema1Error());
    }
    return std::nullopt;
  };
  if (!descriptor_media_type.empty()) {
    if (auto kind = by_type(descriptor_media_type)) return *kind;
    return UnimplementedError(
        "unsupported media type \"" +
        std::string(descriptor_media_type.substr(0, 100)) + "\"");
  }
  ASSIGN_OR_RETURN(Json j,
                   ParseObject(bytes, "document", caps::kMaxManifestBytes));
  ASSIGN_OR_RETURN(auto media_type, json::GetString(j, "mediaType"));
  if (media_type) {
    if (auto kind = by_type(*media_type)) return *kind;
  }
  ASSIGN_OR_RETURN(std::optional<int64_t> version,
                   json::GetInt(j, "schemaVersion"));
  if (version == 1) return Schema1Error();
  ASSIGN_OR_RETURN(const Json* manifests, json::GetArray(j, "manifests"));
  if (manifests != nullptr) return DocumentKind::kIndex;
  ASSIGN_OR_RETURN(const Json* config, json::GetObject(j, "config"));
  ASSIGN_OR_RETURN(const Json* layers, json::GetArray(j, "layers"));
  if (config != nullptr && layers != nullptr) return DocumentKind::kManifest;
  return DataLossError("document is neither an image index nor a manifest");
}

Descriptor DescriptorOf(std::string_view media_type, std::string_view bytes) {
  Descriptor d;
  d.media_type = std::string(media_type);
  d.digest = Sha256Of(bytes);
  d.size = static_cast<int64_t>(bytes.size());
  return d;
}

}  // namespace strata::oci
