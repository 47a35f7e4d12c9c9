#include "cosign/verify.h"

#include "base/base64.h"

namespace strata::cosign {

namespace {

std::string Repo(const oci::ImageRef& r) {
  return r.registry + "/" + r.repository;
}

// Whether the reference text names a tag itself (ParseRegistryName adds
// "latest" when it does not): a ':' after the last '/' before any '@'.
bool HasExplicitTag(std::string_view ref) {
  ref = ref.substr(0, ref.find('@'));
  size_t colon = ref.rfind(':');
  if (colon == std::string_view::npos) return false;
  size_t slash = ref.rfind('/');
  return slash == std::string_view::npos || colon > slash;
}

Status Deny(std::string msg) { return PermissionDeniedError(std::move(msg)); }

// Why one layer is not accepted, or its payload.
Result<Payload> CheckLayer(const ImageIdentity& image,
                           const SignatureLayer& layer,
                           std::span<const crypto::PublicKey> keys) {
  if (layer.media_type != kSimpleSigningMediaType) {
    return Deny("media type \"" + layer.media_type.substr(0, 100) +
                "\" is not a cosign simple signing payload");
  }
  if (layer.signature.empty()) {
    return Deny("no " + std::string(kSignatureAnnotation) + " annotation");
  }
  std::string b64;
  for (char c : layer.signature) {
    if (c != '\n' && c != '\r') b64.push_back(c);
  }
  Result<std::string> sig = Base64Decode(b64);
  if (!sig.ok()) return Deny("signature is not valid base64");
  bool verified = false;
  for (const crypto::PublicKey& key : keys) {
    if (key.Verify(layer.payload, *sig, crypto::DefaultHash(key.type())).ok()) {
      verified = true;
      break;
    }
  }
  if (!verified) {
    return Deny(keys.size() == 1 ? "signature does not verify with the key"
                                 : "signature does not verify with any of " +
                                       std::to_string(keys.size()) + " keys");
  }
  Result<Payload> payload = ParsePayload(layer.payload);
  if (!payload.ok()) return Deny(payload.status().message());
  if (payload->manifest_digest != image.manifest_digest) {
    return Deny("signed manifest digest " +
                payload->manifest_digest.ToString() + " is not the image's " +
                image.manifest_digest.ToString());
  }
  RETURN_IF_ERROR(MatchIdentity(image.reference, payload->docker_reference));
  return payload;
}

}  // namespace

Status Verdict::ToStatus() const {
  if (accepted()) return Status::Ok();
  std::string msg = "no valid signature";
  for (size_t i = 0; i < rejections.size(); ++i) {
    msg += (i ? "; " : ": ") + rejections[i];
  }
  return PermissionDeniedError(std::move(msg));
}

Status MatchIdentity(const oci::ImageRef& image,
                     std::string_view docker_reference) {
  Result<oci::ImageRef> signed_ref = oci::ParseRegistryName(docker_reference);
  if (!signed_ref.ok()) {
    return Deny("signed docker-reference is invalid: " +
                signed_ref.status().message());
  }
  std::string quoted = "signed identity \"" +
                       std::string(docker_reference.substr(0, 300)) + "\"";
  if (Repo(*signed_ref) != Repo(image)) {
    return Deny(quoted + " is not repository " + Repo(image));
  }
  if (image.digest) return Status::Ok();  // by digest: any tag
  const std::string tag = image.tag.empty() ? "latest" : image.tag;
  if (signed_ref->digest || !HasExplicitTag(docker_reference) ||
      signed_ref->tag != tag) {
    return Deny(quoted + " is not " + Repo(image) + ":" + tag);
  }
  return Status::Ok();
}

Verdict VerifyImage(const ImageIdentity& image,
                    std::span<const SignatureLayer> signatures,
                    std::span<const crypto::PublicKey> keys) {
  Verdict verdict;
  if (keys.empty()) {
    verdict.rejections.push_back("no public keys given");
    return verdict;
  }
  if (image.reference.digest &&
      *image.reference.digest != image.manifest_digest) {
    verdict.rejections.push_back(
        "reference digest " + image.reference.digest->ToString() +
        " is not the manifest digest " + image.manifest_digest.ToString());
    return verdict;
  }
  if (signatures.empty()) {
    verdict.rejections.push_back("no signatures");
    return verdict;
  }
  for (size_t i = 0; i < signatures.size(); ++i) {
    Result<Payload> payload = CheckLayer(image, signatures[i], keys);
    if (payload.ok()) {
      verdict.verified.push_back(*std::move(payload));
    } else {
      verdict.rejections.push_back("signature " + std::to_string(i + 1) + ": " +
                                   payload.status().message());
    }
  }
  return verdict;
}

}  // namespace strata::cosign
