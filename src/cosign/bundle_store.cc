#include "cosign/bundle_store.h"

#include <memory>

#include "base/byte_source.h"
#include "base/json.h"
#include "sigstore/bundle.h"
#include "sigstore/dsse.h"

namespace strata::cosign {
namespace {

constexpr std::string_view kInTotoStatementV1 =
    "https://in-toto.io/Statement/v1";
constexpr std::string_view kTitleAnnotation = "org.opencontainers.image.title";
constexpr std::string_view kEmptyJson = "{}";

json::Json DescriptorJson(const oci::Descriptor& d) {
  json::Json j = {{"mediaType", d.media_type},
                  {"digest", d.digest.ToString()},
                  {"size", d.size}};
  if (!d.annotations.empty()) j["annotations"] = d.annotations;
  if (!d.artifact_type.empty()) j["artifactType"] = d.artifact_type;
  return j;
}

Status PushBlobIfMissing(registry::Client& client, const std::string& repo,
                         const oci::Descriptor& d, std::string_view bytes) {
  ASSIGN_OR_RETURN(bool exists, client.BlobExists(repo, d));
  if (exists) return Status::Ok();
  return client.PushBlob(repo, d,
                         [bytes]() -> Result<std::unique_ptr<ByteSource>> {
                           return std::unique_ptr<ByteSource>(
                               std::make_unique<MemorySource>(bytes));
                         });
}

// The bundle blob of the referrer `d` of `image`, checked as ReadBundles says.
Result<std::string> ReadOneBundle(registry::Client& client,
                                  const std::string& repo,
                                  const oci::Descriptor& d,
                                  const Digest& image) {
  const std::string what = "bundle manifest " + d.digest.Short();
  if (d.media_type != oci::media::kOciManifest) {
    return DataLossError(what + " has media type " +
                         d.media_type.substr(0, 200) +
                         ", not an OCI image manifest");
  }
  if (d.size < 0 || d.size > kMaxBundleManifestBytes) {
    return ResourceExhaustedError(what + " is " + std::to_string(d.size) +
                                  " bytes, over the cap of " +
                                  std::to_string(kMaxBundleManifestBytes));
  }
  ASSIGN_OR_RETURN(registry::FetchedManifest fetched,
                   client.GetManifest(repo, d.digest.ToString()));
  if (fetched.descriptor.digest != d.digest) {
    return DataLossError(what + ": the registry answered digest " +
                         fetched.descriptor.digest.ToString());
  }
  if (static_cast<int64_t>(fetched.bytes.size()) > kMaxBundleManifestBytes) {
    return ResourceExhaustedError(
        what + " is " + std::to_string(fetched.bytes.size()) +
        " bytes, over the cap of " + std::to_string(kMaxBundleManifestBytes));
  }
  ASSIGN_OR_RETURN(json::Json j,
                   json::Parse(fetched.bytes, what, kMaxBundleManifestBytes));
  if (!j.is_object()) return DataLossError(what + " is not a JSON object");
  ASSIGN_OR_RETURN(std::optional<std::string> artifact_type,
                   json::GetString(j, "artifactType"));
  if (artifact_type.value_or("") != kBundleArtifactType) {
    return DataLossError(what + " has artifactType \"" +
                         artifact_type.value_or("").substr(0, 200) +
                         "\", not " + std::string(kBundleArtifactType));
  }
  ASSIGN_OR_RETURN(oci::Manifest m, oci::ParseManifest(fetched.bytes, what));
  if (!m.subject || m.subject->digest != image) {
    return DataLossError(what + " does not have the subject " +
                         image.ToString());
  }
  if (m.layers.empty() || m.layers[0].media_type != kBundleArtifactType) {
    return DataLossError(what + " has no first layer of media type " +
                         std::string(kBundleArtifactType));
  }
  const oci::Descriptor& layer = m.layers[0];
  if (layer.size < 0 || layer.size > kMaxStoredBundleBytes) {
    return ResourceExhaustedError(
        what + ": bundle is " + std::to_string(layer.size) +
        " bytes, over the cap of " + std::to_string(kMaxStoredBundleBytes));
  }
  std::string blob;
  blob.reserve(static_cast<size_t>(layer.size));
  Status st = client.FetchBlob(
      repo, layer, [&blob, &layer](std::span<const uint8_t> chunk) -> Status {
        if (blob.size() + chunk.size() > static_cast<size_t>(layer.size)) {
          return DataLossError("bundle blob is longer than its descriptor");
        }
        blob.append(reinterpret_cast<const char*>(chunk.data()), chunk.size());
        return Status::Ok();
      });
  if (!st.ok()) return st.WithContext(what);
  return blob;
}

}  // namespace

Result<std::string> MakeSignStatement(
    const Digest& image,
    const std::map<std::string, std::string>& annotations) {
  if (image.algorithm() != DigestAlgorithm::kSha256) {
    return InvalidArgumentError("image digest " + image.Short() +
                                " is not sha256");
  }
  json::Json subject = {{"digest", {{"sha256", image.hex()}}},
                        {"annotations", json::Json::object()}};
  for (const auto& [k, v] : annotations) subject["annotations"][k] = v;
  // Members in cosign's order: _type, subject, predicateType, predicate.
  return "{\"_type\":" +
         json::Dump(json::Json(std::string(kInTotoStatementV1))) +
         ",\"subject\":[" + json::Dump(subject) + "],\"predicateType\":" +
         json::Dump(json::Json(std::string(kCosignSignPredicateType))) +
         ",\"predicate\":{}}";
}

Status CheckSignStatement(std::string_view payload_type,
                          std::string_view payload, const Digest& image) {
  if (payload_type != sigstore::kInTotoPayloadType) {
    return PermissionDeniedError("the signed payload type is \"" +
                                 std::string(payload_type.substr(0, 200)) +
                                 "\", not in-toto");
  }
  Result<sigstore::InTotoStatement> st =
      sigstore::ParseInTotoStatement(payload);
  if (!st.ok()) {
    return PermissionDeniedError("the signed statement does not parse: " +
                                 st.status().message());
  }
  if (st->predicate_type != kCosignSignPredicateType) {
    return PermissionDeniedError("the statement's predicateType is \"" +
                                 st->predicate_type.substr(0, 200) +
                                 "\", not " +
                                 std::string(kCosignSignPredicateType));
  }
  if (image.algorithm() != DigestAlgorithm::kSha256 ||
      !sigstore::HasSubjectDigest(*st, "sha256", image.hex())) {
    return PermissionDeniedError(
        "the statement's subjects do not include the image " +
        image.ToString());
  }
  return Status::Ok();
}

Result<BundleArtifact> BuildBundleArtifact(const oci::Descriptor& subject,
                                           std::string_view bundle_json,
                                           std::string_view created) {
  if (static_cast<int64_t>(bundle_json.size()) > kMaxStoredBundleBytes) {
    return ResourceExhaustedError(
        "bundle is " + std::to_string(bundle_json.size()) +
        " bytes, over the cap of " + std::to_string(kMaxStoredBundleBytes));
  }
  ASSIGN_OR_RETURN(sigstore::Bundle bundle, sigstore::ParseBundle(bundle_json));
  std::map<std::string, std::string> annotations;
  if (bundle.dsse_envelope) {
    annotations[std::string(kBundleContentAnnotation)] = "dsse-envelope";
    if (bundle.dsse_envelope->payload_type == sigstore::kInTotoPayloadType) {
      Result<sigstore::InTotoStatement> st =
          sigstore::ParseInTotoStatement(bundle.dsse_envelope->payload);
      if (st.ok()) {
        annotations[std::string(kBundlePredicateTypeAnnotation)] =
            st->predicate_type;
      }
    }
  } else {
    annotations[std::string(kBundleContentAnnotation)] = "message-signature";
  }
  if (!created.empty()) {
    annotations[std::string(kCreatedAnnotation)] = std::string(created);
  }

  BundleArtifact out;
  out.layer = oci::DescriptorOf(kBundleArtifactType, bundle_json);
  out.layer.annotations[std::string(kTitleAnnotation)] =
      std::string(out.layer.digest.algorithm_name()) + "-" +
      out.layer.digest.hex() + ".sigstore.json";
  oci::Descriptor subject_d;
  subject_d.media_type = subject.media_type;
  subject_d.digest = subject.digest;
  subject_d.size = subject.size;
  json::Json m = {{"schemaVersion", 2},
                  {"mediaType", oci::media::kOciManifest},
                  {"artifactType", kBundleArtifactType},
                  {"config", DescriptorJson(oci::DescriptorOf(kEmptyMediaType,
                                                              kEmptyJson))},
                  {"layers", json::Json::array({DescriptorJson(out.layer)})},
                  {"subject", DescriptorJson(subject_d)},
                  {"annotations", annotations}};
  out.manifest = json::Dump(m);
  out.descriptor = oci::DescriptorOf(oci::media::kOciManifest, out.manifest);
  out.descriptor.artifact_type = std::string(kBundleArtifactType);
  out.descriptor.annotations = std::move(annotations);
  return out;
}

Result<PushedBundle> PushBundle(registry::Client& client,
                                const std::string& repo,
                                const oci::Descriptor& subject,
                                std::string_view bundle_json,
                                std::string_view created) {
  ASSIGN_OR_RETURN(BundleArtifact a,
                   BuildBundleArtifact(subject, bundle_json, created));
  RETURN_IF_ERROR(PushBlobIfMissing(
      client, repo, oci::DescriptorOf(kEmptyMediaType, kEmptyJson),
      kEmptyJson));
  RETURN_IF_ERROR(PushBlobIfMissing(client, repo, a.layer, bundle_json));
  PushedBundle out;
  out.manifest = a.descriptor;
  ASSIGN_OR_RETURN(out.referrers_api,
                   client.PutManifest(repo, a.descriptor.digest.ToString(),
                                      a.descriptor, a.manifest));
  if (!out.referrers_api) {
    RETURN_IF_ERROR(
        client.AddReferrerFallback(repo, subject.digest, a.descriptor));
  }
  return out;
}

Result<std::vector<StoredBundle>> ReadBundles(registry::Client& client,
                                              const std::string& repo,
                                              const Digest& image) {
  ASSIGN_OR_RETURN(
      oci::Index index,
      client.Referrers(repo, image, std::string(kBundleArtifactType)));
  if (index.manifests.size() > static_cast<size_t>(kMaxBundleReferrers)) {
    return ResourceExhaustedError("image " + image.Short() + " has " +
                                  std::to_string(index.manifests.size()) +
                                  " bundle referrers, over the cap of " +
                                  std::to_string(kMaxBundleReferrers));
  }
  std::vector<StoredBundle> out;
  out.reserve(index.manifests.size());
  for (const oci::Descriptor& d : index.manifests) {
    StoredBundle b;
    b.manifest = d.digest;
    if (auto it =
            d.annotations.find(std::string(kBundlePredicateTypeAnnotation));
        it != d.annotations.end()) {
      b.predicate_type = it->second;
    }
    Result<std::string> blob = ReadOneBundle(client, repo, d, image);
    if (blob.ok()) {
      b.bundle = *std::move(blob);
    } else {
      b.status = blob.status();
    }
    out.push_back(std::move(b));
  }
  return out;
}

}  // namespace strata::cosign
