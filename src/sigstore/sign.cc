#include "sigstore/sign.h"

#include <chrono>
#include <optional>

#include "base/base64.h"
#include "base/digest.h"
#include "base/hex.h"
#include "pki/certificate.h"
#include "pki/identity.h"
#include "sigstore/dsse.h"
#include "sigstore/services.h"
#include "sigstore/verify.h"

namespace strata::sigstore {
namespace {

// The key that signs and the verification material that names it.
struct Signer {
  std::optional<crypto::PrivateKey> ephemeral;  // keyless
  const crypto::PrivateKey* key = nullptr;
  crypto::PublicKey public_key;
  std::string verifier_pem;     // for Rekor: certificate or key, PEM
  std::string certificate_der;  // keyless: the leaf
};

Status CheckOptions(const SignOptions& o) {
  if (o.http == nullptr) return InvalidArgumentError("no HTTP transport");
  if ((o.key != nullptr) == !o.identity_token.empty()) {
    return InvalidArgumentError(
        "sign with either a key or an identity token (keyless)");
  }
  return Status::Ok();
}

Result<Signer> MakeSigner(const SignOptions& o) {
  if (o.key != nullptr) {
    ASSIGN_OR_RETURN(crypto::PublicKey pub, o.key->Public());
    std::string pem = pub.ToPem();
    return Signer{std::nullopt, o.key, std::move(pub), std::move(pem), ""};
  }
  ASSIGN_OR_RETURN(crypto::PrivateKey eph,
                   crypto::PrivateKey::GenerateEcdsaP256());
  ASSIGN_OR_RETURN(
      std::vector<std::string> chain,
      RequestSigningCertificate(*o.http, o.fulcio_url, o.identity_token, eph));
  ASSIGN_OR_RETURN(pki::Certificate leaf, pki::Certificate::FromDer(chain[0]));
  ASSIGN_OR_RETURN(crypto::PublicKey pub, eph.Public());
  if (o.fulcio_chain != nullptr) *o.fulcio_chain = chain;
  Signer s{std::move(eph), nullptr, std::move(pub), leaf.ToPem(), chain[0]};
  return s;
}

const crypto::PrivateKey& KeyOf(const Signer& s) {
  return s.ephemeral ? *s.ephemeral : *s.key;
}

Bundle EmptyBundle(const Signer& s) {
  Bundle b;
  b.version = BundleVersion::kV03;
  b.media_type = std::string(kBundleMediaTypeV03);
  if (s.certificate_der.empty()) {
    b.public_key_hint = PublicKeyHint(s.public_key);
  } else {
    b.certificates = {s.certificate_der};
  }
  return b;
}

std::string_view ProtoHashName(crypto::Hash h) {
  switch (h) {
    case crypto::Hash::kSha384:
      return "SHA2_384";
    case crypto::Hash::kSha512:
      return "SHA2_512";
    default:
      return "SHA2_256";
  }
}

// Logs and timestamps the signature, then checks the finished bundle.
Result<Bundle> Finish(Bundle b, const Signer& s, const json::Json& entry,
                      std::string_view signature, const Artifact& artifact,
                      const SignOptions& o) {
  if (o.tlog_upload) {
    ASSIGN_OR_RETURN(TransparencyLogEntry e,
                     UploadEntry(*o.http, o.rekor_url, entry));
    RETURN_IF_ERROR(VerifyInclusionProof(e).WithContext("rekor entry"));
    b.tlog_entries.push_back(std::move(e));
  }
  if (!o.tsa_url.empty()) {
    ASSIGN_OR_RETURN(std::string ts,
                     RequestTimestamp(*o.http, o.tsa_url, signature,
                                      TsaFormatForUrl(o.tsa_url)));
    b.rfc3161_timestamps.push_back(std::move(ts));
  }
  // The written form must read back to what we built.
  Result<Bundle> reread = ParseBundle(json::Dump(BundleToJson(b)));
  if (!reread.ok()) {
    return InternalError("the signed bundle does not parse: " +
                         reread.status().ToString());
  }
  if (o.trusted_root == nullptr || b.tlog_entries.empty()) return b;
  VerifyPolicy policy;
  policy.now_unix =
      o.now_unix != 0 ? o.now_unix
                      : std::chrono::ceil<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  if (s.certificate_der.empty()) {
    policy.key = s.public_key;
  } else {
    ASSIGN_OR_RETURN(pki::Certificate leaf,
                     pki::Certificate::FromDer(s.certificate_der));
    ASSIGN_OR_RETURN(std::vector<pki::SubjectAltName> sans,
                     leaf.SubjectAltNames());
    ASSIGN_OR_RETURN(std::optional<std::string> issuer, leaf.FulcioIssuer());
    if (sans.empty() || !issuer) {
      return DataLossError(
          "fulcio's certificate has no identity or no OIDC issuer");
    }
    policy.identity = pki::IdentityPolicy{pki::Matcher::Exact(sans[0].value),
                                          pki::Matcher::Exact(*issuer)};
  }
  Result<VerifiedBundle> v =
      VerifyBundle(*reread, artifact, *o.trusted_root, policy);
  if (!v.ok()) {
    return InternalError("the signed bundle does not verify: " +
                         v.status().ToString());
  }
  return b;
}

}  // namespace

std::string PublicKeyHint(const crypto::PublicKey& key) {
  return Base64Encode(crypto::HashBytes(crypto::Hash::kSha256, key.ToDer()));
}

Result<Bundle> SignBlob(std::string_view artifact, const SignOptions& o) {
  RETURN_IF_ERROR(CheckOptions(o));
  ASSIGN_OR_RETURN(Signer s, MakeSigner(o));
  const crypto::PrivateKey& key = KeyOf(s);
  const crypto::Hash hash = crypto::DefaultHash(key.type());
  const std::string digest = crypto::HashBytes(hash, artifact);
  ASSIGN_OR_RETURN(std::string signature, key.Sign(artifact, hash));
  Status st = key.type() == crypto::KeyType::kEd25519
                  ? s.public_key.Verify(artifact, signature, hash)
                  : s.public_key.VerifyDigest(digest, signature, hash);
  if (!st.ok()) return InternalError("the new signature does not verify");
  Bundle b = EmptyBundle(s);
  b.message_signature =
      MessageSignature{std::string(ProtoHashName(hash)), digest, signature};
  const json::Json entry =
      HashedRekordEntry({hash, digest, signature, s.verifier_pem});
  return Finish(std::move(b), s, entry, signature,
                Artifact::FromBytes(artifact), o);
}

Result<Bundle> SignDsse(std::string_view payload_type, std::string_view payload,
                        const SignOptions& o) {
  RETURN_IF_ERROR(CheckOptions(o));
  if (payload.size() > kMaxDssePayloadBytes) {
    return InvalidArgumentError("DSSE payload is over " +
                                std::to_string(kMaxDssePayloadBytes) +
                                " bytes");
  }
  // What the envelope is about: an in-toto statement's first sha256
  // subject, or the payload itself.
  Artifact artifact = Artifact::FromBytes(payload);
  if (payload_type == kInTotoPayloadType) {
    ASSIGN_OR_RETURN(InTotoStatement stmt, ParseInTotoStatement(payload));
    std::optional<std::string> sha;
    for (const InTotoSubject& subject : stmt.subjects) {
      auto it = subject.digest.find("sha256");
      if (it != subject.digest.end() && it->second.size() == 64) {
        sha = it->second;
        break;
      }
    }
    if (!sha) {
      return InvalidArgumentError(
          "the in-toto statement has no sha256 subject");
    }
    ASSIGN_OR_RETURN(Digest d, Digest::Parse("sha256:" + *sha));
    artifact = Artifact::FromSha256(HexDecode(d.hex()).value_or(""));
  }
  ASSIGN_OR_RETURN(Signer s, MakeSigner(o));
  const crypto::PrivateKey& key = KeyOf(s);
  const crypto::Hash hash = crypto::DefaultHash(key.type());
  const std::string pae = Pae(payload_type, payload);
  ASSIGN_OR_RETURN(std::string signature, key.Sign(pae, hash));
  if (!s.public_key.Verify(pae, signature, hash).ok()) {
    return InternalError("the new signature does not verify");
  }
  Bundle b = EmptyBundle(s);
  b.dsse_envelope = DsseEnvelope{std::string(payload_type),
                                 std::string(payload),
                                 {DsseSignature{signature, ""}}};
  const json::Json entry = DsseEntry(
      json::Dump(DsseEnvelopeToJson(*b.dsse_envelope)), s.verifier_pem);
  return Finish(std::move(b), s, entry, signature, artifact, o);
}

}  // namespace strata::sigstore
