#include "sigstore/verify.h"

#include <chrono>

#include "base/base64.h"
#include "base/digest.h"
#include "base/hex.h"
#include "pki/certificate.h"
#include "pki/chain.h"
#include "pki/sct.h"
#include "pki/timestamp.h"
#include "sigstore/tlog.h"

namespace strata::sigstore {
namespace {

using json::Json;

pki::TimePoint ToTimePoint(Timestamp t) {
  return pki::TimePoint(std::chrono::seconds(t.seconds));
}

Timestamp FromTimePoint(pki::TimePoint t) {
  return Timestamp::FromUnix(
      std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch())
          .count());
}

std::string TimeString(Timestamp t) { return pki::FormatTime(ToTimePoint(t)); }

// A trusted root authority in the pki layer's terms.
pki::TrustedAuthority Authority(const CertificateAuthority& ca) {
  pki::TrustedAuthority a;
  a.chain_der = ca.cert_chain;
  a.valid_from = ToTimePoint(ca.valid_for.start);
  if (ca.valid_for.end) a.valid_until = ToTimePoint(*ca.valid_for.end);
  return a;
}

std::vector<pki::TrustedAuthority> Authorities(
    const std::vector<CertificateAuthority>& cas) {
  std::vector<pki::TrustedAuthority> out;
  for (const CertificateAuthority& ca : cas) out.push_back(Authority(ca));
  return out;
}

std::vector<pki::CtLog> CtLogs(const TrustedRoot& root) {
  std::vector<pki::CtLog> out;
  for (const TransparencyLog& log : root.ctlogs) {
    if (!log.public_key.valid_for) continue;
    pki::CtLog l;
    l.public_key_der = log.public_key.raw_bytes;
    l.valid_from = ToTimePoint(log.public_key.valid_for->start);
    if (log.public_key.valid_for->end) {
      l.valid_until = ToTimePoint(*log.public_key.valid_for->end);
    }
    out.push_back(std::move(l));
  }
  return out;
}

Result<crypto::Hash> HashOf(std::string_view proto_name) {
  if (proto_name.empty() || proto_name == "SHA2_256") {
    return crypto::Hash::kSha256;
  }
  if (proto_name == "SHA2_384") return crypto::Hash::kSha384;
  if (proto_name == "SHA2_512") return crypto::Hash::kSha512;
  return DataLossError("unsupported message digest algorithm \"" +
                       std::string(proto_name.substr(0, 64)) + "\"");
}

// The signer: a certificate (keyless) or a key.
struct Signer {
  std::optional<pki::Certificate> leaf;
  std::vector<pki::Certificate> intermediates;
  crypto::PublicKey key;
};

Result<Signer> ResolveSigner(const Bundle& b, const VerifyPolicy& policy) {
  if (policy.key.has_value() == policy.identity.has_value()) {
    return InvalidArgumentError(
        "verify with either a public key or a certificate identity");
  }
  if (b.public_key_hint) {
    if (!policy.key) {
      return FailedPreconditionError(
          "the bundle is signed with a key, not a certificate: verify it "
          "with the public key");
    }
    return Signer{std::nullopt, {}, *policy.key};
  }
  Result<pki::Certificate> leaf = pki::Certificate::FromDer(b.certificates[0]);
  if (!leaf.ok()) return leaf.status().WithContext("signing certificate");
  ASSIGN_OR_RETURN(crypto::PublicKey key, leaf->PublicKey());
  std::vector<pki::Certificate> rest;
  for (size_t i = 1; i < b.certificates.size(); ++i) {
    Result<pki::Certificate> c = pki::Certificate::FromDer(b.certificates[i]);
    if (!c.ok()) {
      return c.status().WithContext("certificate " + std::to_string(i));
    }
    rest.push_back(std::move(*c));
  }
  if (policy.key && !(key == *policy.key)) {
    return PermissionDeniedError(
        "the bundle's certificate is not for the given public key");
  }
  return Signer{std::move(*leaf), std::move(rest), std::move(key)};
}

// What the content binds: filled by VerifyContent, checked against each
// log entry's body.
struct Content {
  std::string signature;  // the raw signature bytes (TSA imprint input)
  crypto::Hash hash = crypto::Hash::kSha256;
  std::string digest;  // message: the artifact's; DSSE: of PAE
  // DSSE only.
  bool dsse = false;
  std::string payload_type;
  std::string payload;
};

Result<Content> VerifyContent(const Bundle& b, const Artifact& artifact,
                              const Signer& signer) {
  Content c;
  if (b.message_signature) {
    const MessageSignature& m = *b.message_signature;
    ASSIGN_OR_RETURN(c.hash, HashOf(m.digest_algorithm));
    if (artifact.bytes) {
      c.digest = crypto::HashBytes(c.hash, *artifact.bytes);
    } else if (c.hash == crypto::Hash::kSha256) {
      c.digest = artifact.sha256;
    } else {
      return InvalidArgumentError(
          "the bundle signs a " + std::string(RekorHashName(c.hash)) +
          " digest; give the artifact, not its sha256 digest");
    }
    if (!m.digest.empty() && m.digest != c.digest) {
      return PermissionDeniedError(
          "the bundle's message digest does not match the artifact");
    }
    c.signature = m.signature;
    Status st =
        signer.key.type() == crypto::KeyType::kEd25519
            ? (artifact.bytes
                   ? signer.key.Verify(*artifact.bytes, m.signature, c.hash)
                   : InvalidArgumentError(
                         "an Ed25519 signature needs the artifact, "
                         "not its digest"))
            : signer.key.VerifyDigest(c.digest, m.signature, c.hash);
    if (!st.ok()) return st.WithContext("message signature");
    return c;
  }
  const DsseEnvelope& e = *b.dsse_envelope;
  if (e.signatures.size() != 1) {
    return PermissionDeniedError(
        "a bundle's DSSE envelope must have exactly "
        "one signature, it has " +
        std::to_string(e.signatures.size()));
  }
  c.dsse = true;
  c.payload_type = e.payload_type;
  c.payload = e.payload;
  c.signature = e.signatures[0].sig;
  c.hash = crypto::DefaultHash(signer.key.type());
  const std::string pae = Pae(e.payload_type, e.payload);
  c.digest = crypto::HashBytes(crypto::Hash::kSha256, pae);
  Status st = signer.key.Verify(pae, c.signature, c.hash);
  if (!st.ok()) return st.WithContext("DSSE signature");
  const std::string want = HexEncode(artifact.sha256);
  if (e.payload_type == kInTotoPayloadType) {
    Result<InTotoStatement> s = ParseInTotoStatement(e.payload);
    if (!s.ok()) return s.status().WithContext("DSSE payload");
    if (!HasSubjectDigest(*s, "sha256", want)) {
      return PermissionDeniedError(
          "no in-toto subject has the artifact's sha256 digest " + want);
    }
  } else if (HexEncode(crypto::HashBytes(crypto::Hash::kSha256, e.payload)) !=
             want) {
    return PermissionDeniedError(
        "the DSSE payload is not the artifact (sha256 differs)");
  }
  return c;
}

// The verifier a log entry names (base64 of PEM, or DER bytes) is the
// signer's certificate or key.
Status SameVerifier(std::string_view what, std::string_view encoded,
                    bool pem_in_base64, const Signer& signer) {
  std::string bytes(encoded);
  if (pem_in_base64) {
    Result<std::string> pem = Base64Decode(encoded, Base64Alphabet::kEither);
    if (!pem.ok()) return pem.status().WithContext(std::string(what));
    bytes = std::move(*pem);
  }
  if (signer.leaf) {
    Result<pki::Certificate> c = pki::Certificate::Parse(bytes);
    if (c.ok() && *c == *signer.leaf) return Status::Ok();
    return PermissionDeniedError(std::string(what) +
                                 " is not the bundle's signing certificate");
  }
  Result<crypto::PublicKey> k = pem_in_base64
                                    ? crypto::PublicKey::FromPem(bytes)
                                    : crypto::PublicKey::FromDer(bytes);
  if (k.ok() && *k == signer.key) return Status::Ok();
  return PermissionDeniedError(std::string(what) + " is not the given key");
}

Result<std::string> StringAt(const Json& j,
                             std::initializer_list<const char*> path) {
  const Json* cur = &j;
  std::string where;
  for (const char* key : path) {
    where += where.empty() ? key : std::string(".") + key;
    if (!cur->is_object()) return DataLossError(where + " is missing");
    auto it = cur->find(key);
    if (it == cur->end()) return DataLossError(where + " is missing");
    cur = &*it;
  }
  if (!cur->is_string()) return DataLossError(where + " must be a string");
  return cur->get<std::string>();
}

Status Expect(bool ok, std::string_view what) {
  return ok ? Status::Ok()
            : PermissionDeniedError("the log entry's " + std::string(what) +
                                    " does not match the bundle");
}

Result<std::string> B64(const Json& body,
                        std::initializer_list<const char*> path) {
  ASSIGN_OR_RETURN(std::string text, StringAt(body, path));
  return Base64Decode(text, Base64Alphabet::kEither);
}

// The entry's body records this signature, signer and artifact.
Status MatchBody(const TransparencyLogEntry& entry, const Content& c,
                 const Signer& signer) {
  ASSIGN_OR_RETURN(Json body,
                   json::Parse(entry.canonicalized_body, "log entry body",
                               kMaxCanonicalBodyBytes));
  ASSIGN_OR_RETURN(std::string kind, StringAt(body, {"kind"}));
  ASSIGN_OR_RETURN(std::string version, StringAt(body, {"apiVersion"}));
  if (kind != entry.kind || version != entry.version) {
    return PermissionDeniedError("the log entry's body is " + kind + " " +
                                 version + ", its kindVersion " + entry.kind +
                                 " " + entry.version);
  }
  if (kind == "hashedrekord" && version == "0.0.1") {
    if (c.dsse)
      return PermissionDeniedError(
          "a DSSE bundle in a hashedrekord "
          "0.0.1 entry");
    ASSIGN_OR_RETURN(std::string alg,
                     StringAt(body, {"spec", "data", "hash", "algorithm"}));
    ASSIGN_OR_RETURN(std::string value,
                     StringAt(body, {"spec", "data", "hash", "value"}));
    RETURN_IF_ERROR(
        Expect(alg == RekorHashName(c.hash) && value == HexEncode(c.digest),
               "artifact hash"));
    ASSIGN_OR_RETURN(std::string sig,
                     B64(body, {"spec", "signature", "content"}));
    RETURN_IF_ERROR(Expect(sig == c.signature, "signature"));
    ASSIGN_OR_RETURN(std::string key, StringAt(body, {"spec", "signature",
                                                      "publicKey", "content"}));
    return SameVerifier("log entry's public key", key, true, signer);
  }
  if (kind == "hashedrekord" && version == "0.0.2") {
    ASSIGN_OR_RETURN(
        std::string alg,
        StringAt(body, {"spec", "hashedRekordV002", "data", "algorithm"}));
    ASSIGN_OR_RETURN(std::string digest,
                     B64(body, {"spec", "hashedRekordV002", "data", "digest"}));
    const crypto::Hash h = c.dsse ? crypto::Hash::kSha256 : c.hash;
    RETURN_IF_ERROR(
        Expect(HashOf(alg).ok() && *HashOf(alg) == h && digest == c.digest,
               "artifact digest"));
    ASSIGN_OR_RETURN(std::string sig, B64(body, {"spec", "hashedRekordV002",
                                                 "signature", "content"}));
    RETURN_IF_ERROR(Expect(sig == c.signature, "signature"));
    const Json& verifier = body["spec"]["hashedRekordV002"]["signature"].value(
        "verifier", Json::object());
    if (verifier.contains("x509Certificate")) {
      ASSIGN_OR_RETURN(std::string der,
                       B64(verifier, {"x509Certificate", "rawBytes"}));
      return SameVerifier("log entry's certificate", der, false, signer);
    }
    ASSIGN_OR_RETURN(std::string der, B64(verifier, {"publicKey", "rawBytes"}));
    return SameVerifier("log entry's public key", der, false, signer);
  }
  if (!c.dsse) {
    return PermissionDeniedError("a message signature in a " + kind + " entry");
  }
  const std::string payload_hash =
      HexEncode(crypto::HashBytes(crypto::Hash::kSha256, c.payload));
  if (kind == "dsse" && version == "0.0.1") {
    ASSIGN_OR_RETURN(std::string alg,
                     StringAt(body, {"spec", "payloadHash", "algorithm"}));
    ASSIGN_OR_RETURN(std::string value,
                     StringAt(body, {"spec", "payloadHash", "value"}));
    RETURN_IF_ERROR(
        Expect(alg == "sha256" && value == payload_hash, "payload hash"));
    const Json* sigs =
        body["spec"].is_object() && body["spec"].contains("signatures")
            ? &body["spec"]["signatures"]
            : nullptr;
    if (sigs == nullptr || !sigs->is_array() || sigs->size() != 1) {
      return PermissionDeniedError(
          "the log entry does not record exactly the envelope's signature");
    }
    ASSIGN_OR_RETURN(std::string sig, B64((*sigs)[0], {"signature"}));
    RETURN_IF_ERROR(Expect(sig == c.signature, "signature"));
    ASSIGN_OR_RETURN(std::string verifier, StringAt((*sigs)[0], {"verifier"}));
    return SameVerifier("log entry's verifier", verifier, true, signer);
  }
  if (kind == "intoto" && version == "0.0.2") {
    ASSIGN_OR_RETURN(
        std::string alg,
        StringAt(body, {"spec", "content", "payloadHash", "algorithm"}));
    ASSIGN_OR_RETURN(
        std::string value,
        StringAt(body, {"spec", "content", "payloadHash", "value"}));
    RETURN_IF_ERROR(
        Expect(alg == "sha256" && value == payload_hash, "payload hash"));
    const Json& env = body["spec"]["content"].value("envelope", Json::object());
    ASSIGN_OR_RETURN(std::string type, StringAt(env, {"payloadType"}));
    RETURN_IF_ERROR(Expect(type == c.payload_type, "payload type"));
    const Json sigs = env.value("signatures", Json::array());
    if (!sigs.is_array() || sigs.size() != 1) {
      return PermissionDeniedError(
          "the log entry does not record exactly the envelope's signature");
    }
    // intoto 0.0.2 stores the envelope's base64 fields base64-encoded again.
    ASSIGN_OR_RETURN(std::string sig_b64, B64(sigs[0], {"sig"}));
    Result<std::string> sig = Base64Decode(sig_b64, Base64Alphabet::kEither);
    RETURN_IF_ERROR(Expect(sig.ok() && *sig == c.signature, "signature"));
    ASSIGN_OR_RETURN(std::string key, StringAt(sigs[0], {"publicKey"}));
    return SameVerifier("log entry's public key", key, true, signer);
  }
  return PermissionDeniedError("unsupported log entry kind " + kind + " " +
                               version);
}

// Verifies one entry; returns its integrated time when its SET verified.
Result<std::optional<Timestamp>> VerifyEntry(const TransparencyLogEntry& e,
                                             const Content& c,
                                             const Signer& signer,
                                             const TrustedRoot& root,
                                             int64_t now_unix) {
  if (root.FindTlog(e.log_id) == nullptr) {
    return NotFoundError("the entry's log is not in the trusted root");
  }
  RETURN_IF_ERROR(MatchBody(e, c, signer));
  std::optional<Timestamp> time;
  if (e.signed_entry_timestamp) {
    RETURN_IF_ERROR(VerifySet(e, root));
    RETURN_IF_ERROR(VerifyIntegratedTime(e, now_unix));
    time = Timestamp::FromUnix(e.integrated_time);
  }
  if (e.inclusion_proof) {
    RETURN_IF_ERROR(VerifyInclusionProof(e));
    if (!e.inclusion_proof->checkpoint.empty()) {
      RETURN_IF_ERROR(VerifyCheckpoint(e, root));
    } else if (!e.signed_entry_timestamp) {
      return PermissionDeniedError(
          "the inclusion proof has no checkpoint and the entry no SET");
    }
  }
  if (!e.signed_entry_timestamp && !e.inclusion_proof) {
    return PermissionDeniedError(
        "the entry has neither a SET nor an "
        "inclusion proof");
  }
  return time;
}

}  // namespace

Artifact Artifact::FromBytes(std::string_view b) {
  Artifact a;
  a.bytes = b;
  a.sha256 = crypto::HashBytes(crypto::Hash::kSha256, b);
  return a;
}

Artifact Artifact::FromSha256(std::string raw_digest) {
  Artifact a;
  a.sha256 = std::move(raw_digest);
  return a;
}

Result<VerifiedBundle> VerifyBundle(const Bundle& b, const Artifact& artifact,
                                    const TrustedRoot& root,
                                    const VerifyPolicy& policy) {
  if (artifact.sha256.size() != 32) {
    return InvalidArgumentError("artifact digest must be 32 bytes of sha256");
  }
  ASSIGN_OR_RETURN(Signer signer, ResolveSigner(b, policy));
  ASSIGN_OR_RETURN(Content content, VerifyContent(b, artifact, signer));

  if (b.tlog_entries.empty()) {
    return PermissionDeniedError("the bundle has no transparency log entry");
  }
  std::vector<Timestamp> times;
  bool needs_timestamp = false;
  for (size_t i = 0; i < b.tlog_entries.size(); ++i) {
    const TransparencyLogEntry& e = b.tlog_entries[i];
    Result<std::optional<Timestamp>> t =
        VerifyEntry(e, content, signer, root, policy.now_unix);
    if (!t.ok()) {
      return t.status().WithContext("log entry " + std::to_string(e.log_index));
    }
    if (*t) times.push_back(**t);
    if (e.integrated_time == 0) needs_timestamp = true;
  }
  const std::vector<pki::TrustedAuthority> tsas =
      Authorities(root.timestamp_authorities);
  size_t verified_timestamps = 0;
  for (size_t i = 0; i < b.rfc3161_timestamps.size(); ++i) {
    Result<pki::TimePoint> t =
        pki::VerifyTimestamp(b.rfc3161_timestamps[i], content.signature, tsas);
    if (!t.ok()) {
      return t.status().WithContext("RFC 3161 timestamp " + std::to_string(i));
    }
    times.push_back(FromTimePoint(*t));
    ++verified_timestamps;
  }
  if (needs_timestamp && verified_timestamps == 0) {
    return PermissionDeniedError(
        "a log entry without an integrated time needs an RFC 3161 timestamp, "
        "and the bundle has none");
  }
  // An entry without a SET was checked by its checkpoint alone: the log's
  // key must have been valid when a trusted timestamp says it signed.
  for (const TransparencyLogEntry& e : b.tlog_entries) {
    if (e.signed_entry_timestamp) continue;
    const TransparencyLog* log = root.FindTlog(e.log_id);
    bool valid = false;
    for (size_t i = times.size() - verified_timestamps; i < times.size(); ++i) {
      valid = valid || log->public_key.ValidAt(times[i]);
    }
    if (!valid) {
      return PermissionDeniedError(
          "log entry " + std::to_string(e.log_index) +
          ": the log's key was not valid at any verified timestamp");
    }
  }

  VerifiedBundle out;
  out.signing_times = times;
  out.payload_type = content.payload_type;
  out.payload = content.payload;
  if (!signer.leaf) {
    out.signer = signer.key.TypeName() + " key";
    return out;
  }
  if (times.empty()) {
    return PermissionDeniedError(
        "no verified signing time (SET or timestamp) for the certificate");
  }
  const std::vector<pki::TrustedAuthority> cas =
      Authorities(root.certificate_authorities);
  const std::vector<pki::CtLog> ctlogs = CtLogs(root);
  std::vector<pki::Certificate> chain;
  for (Timestamp t : times) {
    Result<std::vector<pki::Certificate>> at = pki::VerifyChain(
        *signer.leaf, signer.intermediates, cas, ToTimePoint(t));
    if (!at.ok()) {
      return at.status().WithContext("signing certificate at " + TimeString(t));
    }
    if (chain.empty()) chain = std::move(*at);
  }
  if (chain.size() < 2) {
    return PermissionDeniedError("the signing certificate has no issuer");
  }
  // An SCT is stamped when the certificate was issued, not at signing: the
  // CT logs' windows are checked at "now".
  Status sct = pki::VerifyEmbeddedScts(
      *signer.leaf, chain[1], ctlogs,
      ToTimePoint(
          Timestamp::FromUnix(policy.now_unix + kDefaultClockSkewSeconds)));
  if (!sct.ok()) return sct.WithContext("signing certificate");
  if (policy.identity) {
    RETURN_IF_ERROR(pki::CheckIdentity(*signer.leaf, *policy.identity));
  }
  ASSIGN_OR_RETURN(std::vector<pki::SubjectAltName> sans,
                   signer.leaf->SubjectAltNames());
  if (!sans.empty()) out.signer = sans.front().value;
  ASSIGN_OR_RETURN(std::optional<std::string> issuer,
                   signer.leaf->FulcioIssuer());
  out.issuer = issuer.value_or("");
  return out;
}

}  // namespace strata::sigstore
