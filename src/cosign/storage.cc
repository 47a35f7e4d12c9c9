#include "cosign/storage.h"

#include <fstream>
#include <memory>

#include "base/base64.h"
#include "base/byte_source.h"
#include "base/json.h"
#include "cosign/go_json.h"
#include "cosign/payload.h"

namespace strata::cosign {

namespace {

constexpr std::string_view kSigstoreJsonHeader("\x00sigstore-json\n", 15);

void AppendDescriptor(const oci::Descriptor& d, std::string& out) {
  out += "{\"mediaType\":";
  AppendGoJsonString(d.media_type, out);
  out += ",\"size\":" + std::to_string(d.size) + ",\"digest\":";
  AppendGoJsonString(d.digest.ToString(), out);
  if (!d.annotations.empty()) {
    out += ",\"annotations\":{";
    bool first = true;
    for (const auto& [k, v] : d.annotations) {  // sorted, as Go sorts maps
      if (!first) out.push_back(',');
      first = false;
      AppendGoJsonString(k, out);
      out.push_back(':');
      AppendGoJsonString(v, out);
    }
    out.push_back('}');
  }
  out.push_back('}');
}

std::string_view AttachmentName(Attachment kind) {
  switch (kind) {
    case Attachment::kSignature:
      return "signature";
    case Attachment::kAttestation:
      return "attestation";
    case Attachment::kSbom:
      return "sbom";
  }
  return "attachment";
}

Result<std::string> FetchSmallBlob(registry::Client& client,
                                   const std::string& repo,
                                   const oci::Descriptor& d, Attachment kind,
                                   int64_t max_bytes) {
  const std::string what =
      std::string(AttachmentName(kind)) + " layer " + d.digest.Short();
  if (d.size < 0 || d.size > max_bytes) {
    return ResourceExhaustedError(what + " is " + std::to_string(d.size) +
                                  " bytes, over the cap of " +
                                  std::to_string(max_bytes));
  }
  std::string blob;
  blob.reserve(static_cast<size_t>(d.size));
  RETURN_IF_ERROR(
      client.FetchBlob(repo, d, [&](std::span<const uint8_t> chunk) -> Status {
        if (blob.size() + chunk.size() > static_cast<size_t>(d.size)) {
          return DataLossError(what + " is longer than its descriptor says");
        }
        blob.append(reinterpret_cast<const char*>(chunk.data()), chunk.size());
        return Status::Ok();
      }));
  return blob;
}

Status PushBlobIfMissing(registry::Client& client, const std::string& repo,
                         const oci::Descriptor& d, const std::string& bytes) {
  ASSIGN_OR_RETURN(bool exists, client.BlobExists(repo, d));
  if (exists) return Status::Ok();
  return client.PushBlob(repo, d, [&]() -> Result<std::unique_ptr<ByteSource>> {
    return std::unique_ptr<ByteSource>(std::make_unique<MemorySource>(bytes));
  });
}

}  // namespace

std::string AttachmentTag(const Digest& subject, Attachment kind) {
  std::string tag = std::string(subject.algorithm_name()) + "-" + subject.hex();
  switch (kind) {
    case Attachment::kSignature:
      return tag + ".sig";
    case Attachment::kAttestation:
      return tag + ".att";
    case Attachment::kSbom:
      return tag + ".sbom";
  }
  return tag;
}

oci::Descriptor LayerDescriptor(const SignatureLayer& layer) {
  oci::Descriptor d = oci::DescriptorOf(layer.media_type, layer.payload);
  d.annotations.emplace(kSignatureAnnotation, layer.signature);
  if (layer.certificate) {
    d.annotations.emplace(kCertificateAnnotation, *layer.certificate);
  }
  if (layer.chain) d.annotations.emplace(kChainAnnotation, *layer.chain);
  if (layer.bundle) d.annotations.emplace(kBundleAnnotation, *layer.bundle);
  if (layer.rfc3161_timestamp) {
    d.annotations.emplace(kRfc3161TimestampAnnotation,
                          *layer.rfc3161_timestamp);
  }
  return d;
}

SignatureLayer LayerFromDescriptor(const oci::Descriptor& d,
                                   std::string payload) {
  SignatureLayer layer;
  layer.media_type = d.media_type;
  layer.payload = std::move(payload);
  auto get = [&](std::string_view key) -> std::optional<std::string> {
    auto it = d.annotations.find(std::string(key));
    if (it == d.annotations.end()) return std::nullopt;
    return it->second;
  };
  layer.signature = get(kSignatureAnnotation).value_or("");
  layer.certificate = get(kCertificateAnnotation);
  layer.chain = get(kChainAnnotation);
  layer.bundle = get(kBundleAnnotation);
  layer.rfc3161_timestamp = get(kRfc3161TimestampAnnotation);
  return layer;
}

bool AppendLayer(std::vector<oci::Descriptor>& layers,
                 const oci::Descriptor& layer) {
  for (const oci::Descriptor& d : layers) {
    if (d.media_type == layer.media_type && d.digest == layer.digest &&
        d.size == layer.size && d.annotations == layer.annotations) {
      return false;
    }
  }
  layers.push_back(layer);
  return true;
}

SignatureImage BuildSignatureImage(const std::vector<oci::Descriptor>& layers) {
  constexpr std::string_view kZeroTime = "0001-01-01T00:00:00Z";
  SignatureImage out;
  std::string& c = out.config;
  c = "{\"architecture\":\"\",\"created\":\"" + std::string(kZeroTime) + "\"";
  if (!layers.empty()) {  // history is omitempty
    c += ",\"history\":[";
    for (size_t i = 0; i < layers.size(); ++i) {
      if (i) c.push_back(',');
      c += "{\"created\":\"" + std::string(kZeroTime) + "\"}";
    }
    c.push_back(']');
  }
  c += ",\"os\":\"\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":";
  if (layers.empty()) {
    c += "null";  // a nil slice
  } else {
    c.push_back('[');
    for (size_t i = 0; i < layers.size(); ++i) {
      if (i) c.push_back(',');
      AppendGoJsonString(layers[i].digest.ToString(), c);
    }
    c.push_back(']');
  }
  c += "},\"config\":{}}";
  out.config_descriptor = oci::DescriptorOf(oci::media::kOciConfig, c);

  std::string& m = out.manifest;
  m = "{\"schemaVersion\":2,\"mediaType\":";
  AppendGoJsonString(oci::media::kOciManifest, m);
  m += ",\"config\":";
  AppendDescriptor(out.config_descriptor, m);
  m += ",\"layers\":[";
  for (size_t i = 0; i < layers.size(); ++i) {
    if (i) m.push_back(',');
    AppendDescriptor(layers[i], m);
  }
  m += "]}";
  out.manifest_descriptor = oci::DescriptorOf(oci::media::kOciManifest, m);
  return out;
}

Status PushAttachment(registry::Client& client, const std::string& repo,
                      const Digest& image, Attachment kind,
                      const oci::Descriptor& d, const std::string& blob) {
  const std::string tag = AttachmentTag(image, kind);
  const std::string what =
      std::string(AttachmentName(kind)) + " manifest " + repo + ":" + tag;
  std::vector<oci::Descriptor> layers;
  Result<registry::FetchedManifest> existing = client.GetManifest(repo, tag);
  if (existing.ok()) {
    if (static_cast<int64_t>(existing->bytes.size()) >
        kMaxSignatureManifestBytes) {
      return ResourceExhaustedError(what + " is over the cap of " +
                                    std::to_string(kMaxSignatureManifestBytes) +
                                    " bytes");
    }
    ASSIGN_OR_RETURN(oci::Manifest m,
                     oci::ParseManifest(existing->bytes, what));
    layers = std::move(m.layers);
  } else if (existing.status().code() != StatusCode::kNotFound) {
    return existing.status();
  }
  if (!AppendLayer(layers, d)) return Status::Ok();
  if (static_cast<int>(layers.size()) > kMaxSignatureLayers) {
    return ResourceExhaustedError(what + " would have more than " +
                                  std::to_string(kMaxSignatureLayers) +
                                  " layers");
  }
  SignatureImage img = BuildSignatureImage(layers);
  RETURN_IF_ERROR(PushBlobIfMissing(client, repo, d, blob));
  RETURN_IF_ERROR(
      PushBlobIfMissing(client, repo, img.config_descriptor, img.config));
  return client.PutManifest(repo, tag, img.manifest_descriptor, img.manifest)
      .status();
}

Result<std::vector<AttachmentLayer>> ReadAttachment(registry::Client& client,
                                                    const std::string& repo,
                                                    const Digest& image,
                                                    Attachment kind,
                                                    int64_t max_blob_bytes) {
  const std::string tag = AttachmentTag(image, kind);
  const std::string what =
      std::string(AttachmentName(kind)) + " manifest " + repo + ":" + tag;
  Result<registry::FetchedManifest> fetched = client.GetManifest(repo, tag);
  if (!fetched.ok()) {
    if (fetched.status().code() == StatusCode::kNotFound) {
      return std::vector<AttachmentLayer>();
    }
    return fetched.status();
  }
  if (static_cast<int64_t>(fetched->bytes.size()) >
      kMaxSignatureManifestBytes) {
    return ResourceExhaustedError(what + " is " +
                                  std::to_string(fetched->bytes.size()) +
                                  " bytes, over the cap of " +
                                  std::to_string(kMaxSignatureManifestBytes));
  }
  ASSIGN_OR_RETURN(oci::Manifest m, oci::ParseManifest(fetched->bytes, what));
  if (static_cast<int>(m.layers.size()) > kMaxSignatureLayers) {
    return ResourceExhaustedError(
        what + " has " + std::to_string(m.layers.size()) +
        " layers, over the cap of " + std::to_string(kMaxSignatureLayers));
  }
  std::vector<AttachmentLayer> out;
  out.reserve(m.layers.size());
  for (const oci::Descriptor& d : m.layers) {
    Result<std::string> blob =
        FetchSmallBlob(client, repo, d, kind, max_blob_bytes);
    if (!blob.ok()) return std::move(blob).status().WithContext(what);
    out.push_back({d, *std::move(blob)});
  }
  return out;
}

Status PushSignature(registry::Client& client, const std::string& repo,
                     const Digest& image, const SignatureLayer& layer) {
  return PushAttachment(client, repo, image, Attachment::kSignature,
                        LayerDescriptor(layer), layer.payload);
}

Result<std::vector<SignatureLayer>> ReadSignatures(registry::Client& client,
                                                   const std::string& repo,
                                                   const Digest& image) {
  ASSIGN_OR_RETURN(std::vector<AttachmentLayer> layers,
                   ReadAttachment(client, repo, image, Attachment::kSignature,
                                  kMaxPayloadBytes));
  std::vector<SignatureLayer> out;
  out.reserve(layers.size());
  for (AttachmentLayer& l : layers) {
    out.push_back(LayerFromDescriptor(l.descriptor, std::move(l.blob)));
  }
  return out;
}

Result<SignatureLayer> ParseSigstoreJson(std::string_view bytes) {
  constexpr std::string_view kWhat = "sigstore-json signature";
  if (static_cast<int64_t>(bytes.size()) > kMaxSigstoreJsonBytes) {
    return ResourceExhaustedError(
        std::string(kWhat) + " is " + std::to_string(bytes.size()) +
        " bytes, over the cap of " + std::to_string(kMaxSigstoreJsonBytes));
  }
  if (!bytes.starts_with(kSigstoreJsonHeader)) {
    return DataLossError(std::string(kWhat) +
                         ": missing the \"\\x00sigstore-json\\n\" header");
  }
  ASSIGN_OR_RETURN(json::Json j,
                   json::Parse(bytes.substr(kSigstoreJsonHeader.size()), kWhat,
                               kMaxSigstoreJsonBytes));
  if (!j.is_object()) {
    return DataLossError(std::string(kWhat) + ": must be a JSON object");
  }
  auto field = [&](Status s) { return std::move(s).WithContext(kWhat); };
  Result<std::optional<std::string>> mime = json::GetString(j, "mimeType");
  if (!mime.ok()) return field(mime.status());
  Result<std::optional<std::string>> payload = json::GetString(j, "payload");
  if (!payload.ok()) return field(payload.status());
  Result<std::optional<std::map<std::string, std::string>>> annotations =
      json::GetStringMap(j, "annotations");
  if (!annotations.ok()) return field(annotations.status());
  if (!*mime) return DataLossError(std::string(kWhat) + ": missing mimeType");
  if (!*payload) return DataLossError(std::string(kWhat) + ": missing payload");
  const Status too_big =
      ResourceExhaustedError(std::string(kWhat) + ": payload over the cap of " +
                             std::to_string(kMaxPayloadBytes) + " bytes");
  // Checked before decoding (4 characters per 3 bytes), and after.
  if (static_cast<int64_t>((*payload)->size()) >
      (kMaxPayloadBytes + 2) / 3 * 4) {
    return too_big;
  }
  Result<std::string> decoded = Base64Decode(**payload);
  if (!decoded.ok()) {
    return DataLossError(std::string(kWhat) + ": payload is not valid base64");
  }
  if (static_cast<int64_t>(decoded->size()) > kMaxPayloadBytes) return too_big;
  oci::Descriptor d;
  d.media_type = **mime;
  if (*annotations) d.annotations = **annotations;
  return LayerFromDescriptor(d, *std::move(decoded));
}

Result<std::vector<SignatureLayer>> ReadDirSignatures(const std::string& dir) {
  std::vector<SignatureLayer> out;
  for (int i = 1;; ++i) {
    std::string path = dir + "/signature-" + std::to_string(i);
    std::ifstream in(path, std::ios::binary);
    if (!in) break;
    if (i > kMaxSignatureLayers) {
      return ResourceExhaustedError(dir + ": more than " +
                                    std::to_string(kMaxSignatureLayers) +
                                    " signatures");
    }
    std::string bytes(static_cast<size_t>(kMaxSigstoreJsonBytes) + 1, '\0');
    in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (in.bad()) return DataLossError("read " + path + " failed");
    bytes.resize(static_cast<size_t>(in.gcount()));
    Result<SignatureLayer> layer = ParseSigstoreJson(bytes);
    if (!layer.ok()) return std::move(layer).status().WithContext(path);
    out.push_back(*std::move(layer));
  }
  return out;
}

}  // namespace strata::cosign
