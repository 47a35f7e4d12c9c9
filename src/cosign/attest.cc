#include "cosign/attest.h"

#include <array>
#include <utility>

#include "base/base64.h"
#include "base/caps.h"
#include "base/json.h"
#include "cosign/go_json.h"

namespace strata::cosign {
namespace {

struct NamedType {
  std::string_view name;
  std::string_view uri;
};

// cosign's --type names (cmd/cosign/cli/options/predicate.go).
constexpr std::array<NamedType, 10> kPredicateTypes = {{
    {"custom", kCosignCustomPredicateType},
    {"slsaprovenance", "https://slsa.dev/provenance/v0.2"},
    {"slsaprovenance02", "https://slsa.dev/provenance/v0.2"},
    {"slsaprovenance1", "https://slsa.dev/provenance/v1"},
    {"spdx", "https://spdx.dev/Document"},
    {"spdxjson", "https://spdx.dev/Document"},
    {"cyclonedx", "https://cyclonedx.org/bom"},
    {"link", "https://in-toto.io/Link/v1"},
    {"vuln", "https://cosign.sigstore.dev/attestation/vuln/v1"},
    {"openvex", "https://openvex.dev/ns"},
}};

bool LooksLikeUri(std::string_view s) {
  size_t colon = s.find(':');
  if (colon == 0 || colon == std::string_view::npos || colon + 1 == s.size()) {
    return false;
  }
  auto alpha = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  };
  if (!alpha(s[0])) return false;
  for (size_t i = 1; i < colon; ++i) {
    char c = s[i];
    if (!alpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' &&
        c != '.') {
      return false;
    }
  }
  for (char c : s) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
  }
  return true;
}

std::string Reject(size_t index, std::string_view why) {
  return "attestation " + std::to_string(index + 1) + ": " + std::string(why);
}

// Why `layer` is not an accepted attestation, or its statement.
// The DSSE signatures against `keys`: any one verifying is enough.
Status CheckWithKeys(const sigstore::DsseEnvelope& envelope,
                     std::span<const crypto::PublicKey> keys) {
  const std::string pae =
      sigstore::Pae(envelope.payload_type, envelope.payload);
  for (const sigstore::DsseSignature& sig : envelope.signatures) {
    for (const crypto::PublicKey& key : keys) {
      if (key.Verify(pae, sig.sig, crypto::DefaultHash(key.type())).ok()) {
        return Status::Ok();
      }
    }
  }
  return PermissionDeniedError(keys.size() == 1
                                   ? "no signature verifies with the key"
                                   : "no signature verifies with any of the "
                                     "keys");
}

Result<sigstore::InTotoStatement> CheckLayer(const Digest& image,
                                             const AttachmentLayer& layer,
                                             const EnvelopeCheck& check,
                                             std::string_view predicate_type) {
  if (layer.descriptor.media_type != kDsseEnvelopeMediaType) {
    return PermissionDeniedError("media type \"" + layer.descriptor.media_type +
                                 "\" is not " +
                                 std::string(kDsseEnvelopeMediaType));
  }
  if (static_cast<int64_t>(layer.blob.size()) > kMaxEnvelopeBytes) {
    return ResourceExhaustedError(
        "envelope is " + std::to_string(layer.blob.size()) +
        " bytes, over the cap of " + std::to_string(kMaxEnvelopeBytes));
  }
  ASSIGN_OR_RETURN(json::Json j,
                   json::Parse(layer.blob, "DSSE envelope", kMaxEnvelopeBytes));
  ASSIGN_OR_RETURN(sigstore::DsseEnvelope envelope,
                   sigstore::ParseDsseEnvelope(j));
  RETURN_IF_ERROR(check(image, layer, envelope));
  return CheckAttestationStatement(envelope.payload_type, envelope.payload,
                                   image, predicate_type);
}

}  // namespace

Result<sigstore::InTotoStatement> CheckAttestationStatement(
    std::string_view payload_type, std::string_view payload,
    const Digest& image, std::string_view predicate_type) {
  if (payload_type != sigstore::kInTotoPayloadType) {
    return PermissionDeniedError("payload type \"" + std::string(payload_type) +
                                 "\" is not " +
                                 std::string(sigstore::kInTotoPayloadType));
  }
  ASSIGN_OR_RETURN(sigstore::InTotoStatement st,
                   sigstore::ParseInTotoStatement(payload));
  if (!sigstore::HasSubjectDigest(st, image.algorithm_name(), image.hex())) {
    return PermissionDeniedError("no subject is the image " + image.ToString());
  }
  if (st.predicate_type != predicate_type) {
    return PermissionDeniedError("predicate type \"" + st.predicate_type +
                                 "\" is not the wanted \"" +
                                 std::string(predicate_type) + "\"");
  }
  return st;
}

Result<std::string> PredicateTypeUri(std::string_view type_name) {
  for (const NamedType& t : kPredicateTypes) {
    if (t.name == type_name) return std::string(t.uri);
  }
  if (LooksLikeUri(type_name)) return std::string(type_name);
  return InvalidArgumentError("invalid predicate type \"" +
                              std::string(type_name) + "\"");
}

Result<std::string> MakeStatement(std::string_view type_name,
                                  std::string_view predicate,
                                  std::string_view repository,
                                  const Digest& image,
                                  std::string_view timestamp) {
  ASSIGN_OR_RETURN(std::string uri, PredicateTypeUri(type_name));
  if (image.algorithm() != DigestAlgorithm::kSha256) {
    return InvalidArgumentError("attestation subject " + image.Short() +
                                " must be a sha256 digest");
  }
  if (static_cast<int64_t>(predicate.size()) > kMaxPredicateBytes) {
    return ResourceExhaustedError(
        "predicate is " + std::to_string(predicate.size()) +
        " bytes, over the cap of " + std::to_string(kMaxPredicateBytes));
  }
  std::string body;
  if (type_name == "custom") {
    body = "{\"Data\":";
    AppendGoJsonString(predicate, body);
    body += ",\"Timestamp\":";
    AppendGoJsonString(timestamp, body);
    body += "}";
  } else if (type_name == "spdx") {
    AppendGoJsonString(predicate, body);
  } else {
    Result<json::Json> parsed =
        json::Parse(predicate, "predicate", kMaxPredicateBytes);
    if (parsed.ok() && !parsed->is_object()) {
      parsed = DataLossError("predicate must be a JSON object");
    }
    if (!parsed.ok()) {
      return InvalidArgumentError("invalid JSON payload for predicate type " +
                                  uri + ": " + parsed.status().ToString());
    }
    body = json::Dump(*parsed);
  }
  std::string out = "{\"_type\":";
  AppendGoJsonString(kInTotoStatementType, out);
  out += ",\"predicateType\":";
  AppendGoJsonString(uri, out);
  out += ",\"subject\":[{\"name\":";
  AppendGoJsonString(repository, out);
  out += ",\"digest\":{\"sha256\":";
  AppendGoJsonString(image.hex(), out);
  out += "}}],\"predicate\":" + body + "}";
  return out;
}

Result<std::string> SignStatement(const crypto::PrivateKey& key,
                                  std::string_view statement) {
  ASSIGN_OR_RETURN(
      std::string sig,
      key.Sign(sigstore::Pae(sigstore::kInTotoPayloadType, statement),
               crypto::DefaultHash(key.type())));
  return EnvelopeJson(statement, sig);
}

std::string EnvelopeJson(std::string_view statement, std::string_view sig) {
  std::string out = "{\"payloadType\":";
  AppendGoJsonString(sigstore::kInTotoPayloadType, out);
  out += ",\"payload\":\"" + Base64Encode(statement) +
         "\",\"signatures\":[{\"keyid\":\"\",\"sig\":\"" + Base64Encode(sig) +
         "\"}]}";
  return out;
}

oci::Descriptor AttestationDescriptor(std::string_view envelope,
                                      std::string_view predicate_type) {
  oci::Descriptor d = oci::DescriptorOf(kDsseEnvelopeMediaType, envelope);
  d.annotations.emplace(kSignatureAnnotation, "");
  d.annotations.emplace(kPredicateTypeAnnotation, predicate_type);
  return d;
}

Status PushAttestation(registry::Client& client, const std::string& repo,
                       const Digest& image, std::string_view envelope,
                       std::string_view predicate_type) {
  return PushAttachment(client, repo, image, Attachment::kAttestation,
                        AttestationDescriptor(envelope, predicate_type),
                        std::string(envelope));
}

Result<std::vector<AttachmentLayer>> ReadAttestations(registry::Client& client,
                                                      const std::string& repo,
                                                      const Digest& image) {
  return ReadAttachment(client, repo, image, Attachment::kAttestation,
                        kMaxEnvelopeBytes);
}

Status AttestationVerdict::ToStatus() const {
  if (accepted()) return Status::Ok();
  std::string msg = "no valid attestation";
  for (size_t i = 0; i < rejections.size(); ++i) {
    msg += (i == 0 ? ": " : "; ") + rejections[i];
  }
  return PermissionDeniedError(std::move(msg));
}

AttestationVerdict VerifyAttestations(const Digest& image,
                                      std::span<const AttachmentLayer> layers,
                                      std::span<const crypto::PublicKey> keys,
                                      std::string_view predicate_type) {
  return VerifyAttestations(
      image, layers,
      [keys](const Digest&, const AttachmentLayer&,
             const sigstore::DsseEnvelope& e) {
        return CheckWithKeys(e, keys);
      },
      predicate_type);
}

AttestationVerdict VerifyAttestations(const Digest& image,
                                      std::span<const AttachmentLayer> layers,
                                      const EnvelopeCheck& check,
                                      std::string_view predicate_type) {
  AttestationVerdict v;
  if (layers.empty()) {
    v.rejections.push_back("no attestations");
    return v;
  }
  if (layers.size() > static_cast<size_t>(kMaxSignatureLayers)) {
    v.rejections.push_back(std::to_string(layers.size()) +
                           " attestations, over the cap of " +
                           std::to_string(kMaxSignatureLayers));
    return v;
  }
  for (size_t i = 0; i < layers.size(); ++i) {
    Result<sigstore::InTotoStatement> st =
        CheckLayer(image, layers[i], check, predicate_type);
    if (!st.ok()) {
      v.rejections.push_back(Reject(i, st.status().ToString()));
      continue;
    }
    v.verified.push_back({layers[i].blob, *std::move(st)});
  }
  return v;
}

}  // namespace strata::cosign
