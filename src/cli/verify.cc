#include "cli/verify.h"

#include <charconv>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <optional>

#include "base/base64.h"
#include "base/digest.h"
#include "base/hex.h"
#include "base/json.h"
#include "cli/exit_codes.h"
#include "cli/keys.h"
#include "cli/output.h"
#include "cli/remote.h"
#include "cli/sign.h"
#include "cosign/attest.h"
#include "cosign/go_json.h"
#include "io/file_source.h"
#include "pki/certificate.h"
#include "registry/store.h"
#include "sigstore/bundle.h"
#include "sigstore/dsse.h"
#include "sigstore/verify.h"

namespace strata::cli {
namespace {

using json::Json;

Status BundleError(std::string_view what) {
  return DataLossError("rekor bundle: " + std::string(what));
}

// A single-layer Verdict's reason without its "signature 1: " prefix.
std::string Reason(const cosign::Verdict& v) {
  constexpr std::string_view kPrefix = "signature 1: ";
  std::string r = v.rejections.empty() ? "rejected" : v.rejections.front();
  if (r.starts_with(kPrefix)) r.erase(0, kPrefix.size());
  return r;
}

std::string Numbered(size_t index, std::string_view why) {
  return "signature " + std::to_string(index + 1) + ": " + std::string(why);
}

// The raw 32 bytes of a sha256 digest (its hex is validated lowercase).
std::string RawSha256(const Digest& d) {
  if (d.algorithm() != DigestAlgorithm::kSha256) return "";
  return HexDecode(d.hex()).value_or("");
}

// --insecure-ignore-tlog: the envelope's one signature with `key`, nothing
// else about the bundle.
Status CheckEnvelopeSignature(const sigstore::Bundle& b,
                              const crypto::PublicKey& key) {
  if (!b.public_key_hint) {
    return PermissionDeniedError(
        "the bundle is signed with a certificate: with "
        "--insecure-ignore-tlog only key-signed bundles are accepted");
  }
  const sigstore::DsseEnvelope& e = *b.dsse_envelope;
  if (e.signatures.size() != 1) {
    return PermissionDeniedError("the envelope has " +
                                 std::to_string(e.signatures.size()) +
                                 " signatures, not exactly one");
  }
  Status st = key.Verify(sigstore::Pae(e.payload_type, e.payload),
                         e.signatures[0].sig, crypto::DefaultHash(key.type()));
  if (!st.ok()) {
    return PermissionDeniedError("the envelope's signature does not verify: " +
                                 st.message());
  }
  return Status::Ok();
}

std::string BundleNumbered(size_t index, std::string_view why) {
  return "bundle " + std::to_string(index + 1) + ": " + std::string(why);
}

// The claims and the signature of one layer with `keys`.
Result<cosign::Payload> CheckClaims(const cosign::ImageIdentity& image,
                                    const cosign::SignatureLayer& layer,
                                    std::span<const crypto::PublicKey> keys) {
  cosign::Verdict v = cosign::VerifyImage(image, {&layer, 1}, keys);
  if (!v.accepted()) return PermissionDeniedError(Reason(v));
  return std::move(v.verified.front());
}

// The message signature of a .sig layer: its base64 signature over the
// payload's sha256.
Result<sigstore::MessageSignature> LayerMessageSignature(
    const cosign::SignatureLayer& layer) {
  std::string b64 = layer.signature;
  std::erase_if(b64, [](char c) { return c == '\n' || c == '\r'; });
  ASSIGN_OR_RETURN(std::string signature, Base64Decode(b64));
  return sigstore::MessageSignature{
      "SHA2_256", crypto::HashBytes(crypto::Hash::kSha256, layer.payload),
      std::move(signature)};
}

// The layer's RFC 3161 timestamp annotation, when it has one, as a
// timestamp of the bundle (over the signature bytes: VerifyBundle checks it
// against the root's timestamp authorities).
Status AddLayerTimestamp(const cosign::SignatureLayer& layer,
                         sigstore::Bundle& bundle) {
  if (!layer.rfc3161_timestamp) return Status::Ok();
  ASSIGN_OR_RETURN(std::string der,
                   ParseRfc3161TimestampAnnotation(*layer.rfc3161_timestamp));
  bundle.rfc3161_timestamps.push_back(std::move(der));
  return Status::Ok();
}

// A key signature's Rekor bundle annotation: a log entry of `root` that
// records this payload's digest, this signature and `key`.
Status CheckKeyTlog(const cosign::SignatureLayer& layer,
                    const crypto::PublicKey& key,
                    const sigstore::TrustedRoot& root, int64_t now_unix) {
  if (!layer.bundle) {
    return PermissionDeniedError(
        "no rekor bundle (dev.sigstore.cosign/bundle) to verify the log "
        "entry with --trusted-root (--insecure-ignore-tlog skips it)");
  }
  ASSIGN_OR_RETURN(sigstore::Bundle bundle, LegacyKeyBundle(*layer.bundle));
  ASSIGN_OR_RETURN(bundle.message_signature, LayerMessageSignature(layer));
  RETURN_IF_ERROR(AddLayerTimestamp(layer, bundle));
  sigstore::VerifyPolicy vp;
  vp.key = key;
  vp.now_unix = now_unix;
  return sigstore::VerifyBundle(
             bundle, sigstore::Artifact::FromBytes(layer.payload), root, vp)
      .status();
}

// The claims and signature with `keys` and, with a root, the log entry: for
// the first key the signature verifies with.
Result<cosign::Payload> CheckKeyLayer(const cosign::ImageIdentity& image,
                                      const cosign::SignatureLayer& layer,
                                      std::span<const crypto::PublicKey> keys,
                                      const sigstore::TrustedRoot* root,
                                      int64_t now_unix) {
  if (root == nullptr) return CheckClaims(image, layer, keys);
  for (const crypto::PublicKey& key : keys) {
    Result<cosign::Payload> p = CheckClaims(image, layer, {&key, 1});
    if (!p.ok()) continue;
    RETURN_IF_ERROR(CheckKeyTlog(layer, key, *root, now_unix));
    return p;
  }
  return CheckClaims(image, layer, keys).status();
}

Result<cosign::Payload> CheckKeyless(const cosign::ImageIdentity& image,
                                     const cosign::SignatureLayer& layer,
                                     const KeylessPolicy& policy) {
  if (!layer.certificate) {
    return PermissionDeniedError("no certificate (not a keyless signature)");
  }
  Result<pki::Certificate> leaf = pki::Certificate::FromPem(*layer.certificate);
  if (!leaf.ok()) return leaf.status().WithContext("certificate");
  ASSIGN_OR_RETURN(crypto::PublicKey key, leaf->PublicKey());
  ASSIGN_OR_RETURN(cosign::Payload payload,
                   CheckClaims(image, layer, {&key, 1}));
  if (!layer.bundle) {
    return PermissionDeniedError(
        "no rekor bundle (dev.sigstore.cosign/bundle)");
  }
  ASSIGN_OR_RETURN(
      sigstore::Bundle bundle,
      LegacyKeylessBundle(*layer.certificate, layer.chain, *layer.bundle));
  ASSIGN_OR_RETURN(bundle.message_signature, LayerMessageSignature(layer));
  RETURN_IF_ERROR(AddLayerTimestamp(layer, bundle));
  sigstore::VerifyPolicy vp;
  vp.identity = policy.identity;
  vp.now_unix = policy.now_unix;
  RETURN_IF_ERROR(sigstore::VerifyBundle(
                      bundle, sigstore::Artifact::FromBytes(layer.payload),
                      *policy.root, vp)
                      .status());
  return payload;
}

// Go's encoding/json form of a value decoded into interface{} (objects as
// maps: keys sorted; numbers as float64).
void AppendGoValue(const Json& j, std::string& out) {
  switch (j.type()) {
    case Json::value_t::object: {
      out += '{';
      bool first = true;
      for (auto it = j.begin(); it != j.end(); ++it) {
        if (!first) out += ',';
        first = false;
        cosign::AppendGoJsonString(it.key(), out);
        out += ':';
        AppendGoValue(it.value(), out);
      }
      out += '}';
      return;
    }
    case Json::value_t::array: {
      out += '[';
      for (size_t i = 0; i < j.size(); ++i) {
        if (i) out += ',';
        AppendGoValue(j[i], out);
      }
      out += ']';
      return;
    }
    case Json::value_t::string:
      cosign::AppendGoJsonString(j.get_ref<const std::string&>(), out);
      return;
    case Json::value_t::boolean:
      out += j.get<bool>() ? "true" : "false";
      return;
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float: {
      // float64, as Go formats it: plain digits below 1e21, else exponent.
      const double d = j.get<double>();
      char buf[64];
      const double a = d < 0 ? -d : d;
      auto fmt = (a == 0 || (a >= 1e-6 && a < 1e21))
                     ? std::chars_format::fixed
                     : std::chars_format::scientific;
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d, fmt);
      out.append(buf, ec == std::errc() ? end : buf);
      return;
    }
    default:
      out += "null";
  }
}

}  // namespace

Result<sigstore::Bundle> LegacyKeylessBundle(
    std::string_view certificate_pem,
    const std::optional<std::string>& chain_pem,
    std::string_view rekor_bundle_json) {
  Result<pki::Certificate> leaf = pki::Certificate::FromPem(certificate_pem);
  if (!leaf.ok()) return leaf.status().WithContext("certificate");
  sigstore::Bundle bundle;
  bundle.certificates.push_back(leaf->ToDer());
  if (chain_pem) {
    Result<std::vector<pki::Certificate>> chain =
        pki::Certificate::ParsePemChain(*chain_pem);
    if (!chain.ok()) return chain.status().WithContext("certificate chain");
    for (const pki::Certificate& c : *chain) {
      if (!c.IsSelfIssued()) bundle.certificates.push_back(c.ToDer());
    }
  }
  ASSIGN_OR_RETURN(sigstore::TransparencyLogEntry entry,
                   ParseRekorBundle(rekor_bundle_json));
  bundle.tlog_entries.push_back(std::move(entry));
  return bundle;
}

Result<sigstore::Bundle> LegacyKeyBundle(std::string_view rekor_bundle_json) {
  sigstore::Bundle bundle;
  bundle.public_key_hint = "";
  ASSIGN_OR_RETURN(sigstore::TransparencyLogEntry entry,
                   ParseRekorBundle(rekor_bundle_json));
  bundle.tlog_entries.push_back(std::move(entry));
  return bundle;
}

Result<pki::Matcher> MatcherFromFlags(const std::string& exact,
                                      const std::string& regexp,
                                      std::string_view flag) {
  const std::string f(flag);
  if (!exact.empty() && !regexp.empty()) {
    return InvalidArgumentError("give --" + f + " or --" + f +
                                "-regexp, not both");
  }
  if (!regexp.empty()) {
    Result<pki::Matcher> m = pki::Matcher::Regexp(regexp);
    if (!m.ok()) return m.status().WithContext("--" + f + "-regexp");
    return m;
  }
  if (exact.empty()) {
    return InvalidArgumentError("--" + f + " or --" + f +
                                "-regexp is required for keyless "
                                "verification");
  }
  return pki::Matcher::Exact(exact);
}

Result<pki::IdentityPolicy> IdentityFromFlags(
    const std::string& identity, const std::string& identity_regexp,
    const std::string& issuer, const std::string& issuer_regexp) {
  ASSIGN_OR_RETURN(
      pki::Matcher subject,
      MatcherFromFlags(identity, identity_regexp, "certificate-identity"));
  ASSIGN_OR_RETURN(
      pki::Matcher oidc,
      MatcherFromFlags(issuer, issuer_regexp, "certificate-oidc-issuer"));
  return pki::IdentityPolicy{std::move(subject), std::move(oidc)};
}

Result<std::string> ParseRfc3161TimestampAnnotation(std::string_view text) {
  if (text.size() > kMaxRekorBundleBytes) {
    return ResourceExhaustedError(
        "rfc3161 timestamp annotation is larger than " +
        std::to_string(kMaxRekorBundleBytes) + " bytes");
  }
  auto bad = [](std::string_view what) {
    return DataLossError("rfc3161 timestamp annotation: " + std::string(what));
  };
  ASSIGN_OR_RETURN(Json doc, json::Parse(text, "rfc3161 timestamp annotation",
                                         static_cast<int64_t>(text.size())));
  auto ts = doc.is_object() ? doc.find("SignedRFC3161Timestamp") : doc.end();
  if (!doc.is_object() || ts == doc.end() || !ts->is_string()) {
    return bad("SignedRFC3161Timestamp must be a string");
  }
  Result<std::string> der = Base64Decode(ts->get_ref<const std::string&>());
  if (!der.ok() || der->empty()) {
    return bad("SignedRFC3161Timestamp is not base64");
  }
  return der;
}

std::string Rfc3161TimestampAnnotation(std::string_view der) {
  return "{\"SignedRFC3161Timestamp\":\"" + Base64Encode(der) + "\"}";
}

Result<sigstore::TransparencyLogEntry> ParseRekorBundle(std::string_view text) {
  if (text.size() > kMaxRekorBundleBytes) {
    return ResourceExhaustedError("rekor bundle is larger than " +
                                  std::to_string(kMaxRekorBundleBytes) +
                                  " bytes");
  }
  ASSIGN_OR_RETURN(Json doc, json::Parse(text, "rekor bundle",
                                         static_cast<int64_t>(text.size())));
  if (!doc.is_object()) return BundleError("not a JSON object");
  auto set = doc.find("SignedEntryTimestamp");
  if (set == doc.end() || !set->is_string()) {
    return BundleError("SignedEntryTimestamp must be a string");
  }
  auto payload = doc.find("Payload");
  if (payload == doc.end() || !payload->is_object()) {
    return BundleError("Payload must be an object");
  }
  sigstore::TransparencyLogEntry e;
  Result<std::string> set_raw =
      Base64Decode(set->get_ref<const std::string&>());
  if (!set_raw.ok()) return BundleError("SignedEntryTimestamp is not base64");
  e.signed_entry_timestamp = *std::move(set_raw);
  auto body = payload->find("body");
  if (body == payload->end() || !body->is_string()) {
    return BundleError("Payload.body must be a string");
  }
  Result<std::string> body_raw =
      Base64Decode(body->get_ref<const std::string&>());
  if (!body_raw.ok()) return BundleError("Payload.body is not base64");
  e.canonicalized_body = *std::move(body_raw);
  for (auto [key, out] : {std::pair{"integratedTime", &e.integrated_time},
                          std::pair{"logIndex", &e.log_index}}) {
    auto it = payload->find(key);
    if (it == payload->end() || !it->is_number_integer() ||
        it->get<int64_t>() < 0) {
      return BundleError(std::string("Payload.") + key +
                         " must be a non-negative integer");
    }
    *out = it->get<int64_t>();
  }
  auto log_id = payload->find("logID");
  if (log_id == payload->end() || !log_id->is_string()) {
    return BundleError("Payload.logID must be a string");
  }
  std::optional<std::string> id =
      HexDecode(log_id->get_ref<const std::string&>());
  if (!id || id->size() != 32) {
    return BundleError("Payload.logID is not 32 bytes of hex");
  }
  e.log_id = std::move(*id);
  Result<Json> body_doc = json::Parse(e.canonicalized_body, "rekor entry body",
                                      sigstore::kMaxCanonicalBodyBytes);
  if (!body_doc.ok()) return body_doc.status().WithContext("rekor bundle");
  if (!body_doc->is_object() || !body_doc->contains("kind") ||
      !(*body_doc)["kind"].is_string() || !body_doc->contains("apiVersion") ||
      !(*body_doc)["apiVersion"].is_string()) {
    return BundleError("Payload.body has no string kind and apiVersion");
  }
  e.kind = (*body_doc)["kind"].get<std::string>();
  e.version = (*body_doc)["apiVersion"].get<std::string>();
  return e;
}

VerifyResult VerifyWithKeys(const cosign::ImageIdentity& image,
                            std::span<const cosign::SignatureLayer> layers,
                            std::span<const crypto::PublicKey> keys,
                            bool require_all_keys,
                            const sigstore::TrustedRoot* tlog_root,
                            int64_t now_unix) {
  VerifyResult r;
  if (layers.empty()) {
    r.rejections.push_back("no signatures");
    return r;
  }
  std::vector<bool> key_used(keys.size(), false);
  for (size_t i = 0; i < layers.size(); ++i) {
    Result<cosign::Payload> p =
        CheckKeyLayer(image, layers[i], keys, tlog_root, now_unix);
    if (!p.ok()) {
      r.rejections.push_back(Numbered(i, p.status().ToString()));
      continue;
    }
    r.verified.push_back({i, *std::move(p)});
    if (require_all_keys) {
      for (size_t k = 0; k < keys.size(); ++k) {
        key_used[k] =
            key_used[k] ||
            CheckKeyLayer(image, layers[i], {&keys[k], 1}, tlog_root, now_unix)
                .ok();
      }
    }
  }
  r.accepted = !r.verified.empty();
  if (require_all_keys) {
    for (size_t k = 0; k < keys.size(); ++k) {
      if (key_used[k]) continue;
      r.rejections.push_back("key " + std::to_string(k + 1) +
                             ": no signature verifies with it");
      r.accepted = false;
    }
  }
  return r;
}

VerifyResult VerifyKeyless(const cosign::ImageIdentity& image,
                           std::span<const cosign::SignatureLayer> layers,
                           const KeylessPolicy& policy) {
  VerifyResult r;
  if (policy.root == nullptr) {
    r.rejections.push_back("no trusted root");
    return r;
  }
  if (layers.empty()) {
    r.rejections.push_back("no signatures");
    return r;
  }
  for (size_t i = 0; i < layers.size(); ++i) {
    Result<cosign::Payload> p = CheckKeyless(image, layers[i], policy);
    if (p.ok()) {
      r.verified.push_back({i, *std::move(p)});
    } else {
      r.rejections.push_back(Numbered(i, p.status().ToString()));
    }
  }
  r.accepted = !r.verified.empty();
  return r;
}

Result<std::string> VerifiedJson(std::span<const cosign::SignatureLayer> layers,
                                 std::span<const VerifiedSignature> verified) {
  std::string out = "[";
  for (size_t n = 0; n < verified.size(); ++n) {
    const VerifiedSignature& v = verified[n];
    if (v.index >= layers.size()) {
      return InvalidArgumentError("verified signature index out of range");
    }
    const cosign::SignatureLayer& layer = layers[v.index];
    std::optional<Json> optional = v.payload.optional;
    std::optional<std::string> bundle_json;
    if (layer.certificate) {
      Result<pki::Certificate> cert =
          pki::Certificate::FromPem(*layer.certificate);
      if (cert.ok()) {
        if (!optional) optional = Json::object();
        ASSIGN_OR_RETURN(std::vector<pki::SubjectAltName> sans,
                         cert->SubjectAltNames());
        (*optional)["Subject"] = sans.empty() ? "" : sans.front().value;
        ASSIGN_OR_RETURN(std::optional<std::string> issuer,
                         cert->FulcioIssuer());
        if (issuer && !issuer->empty()) {
          (*optional)["Issuer"] = *issuer;
          (*optional)["1.3.6.1.4.1.57264.1.1"] = *issuer;
        }
        // As cosign verify adds them: under the OID and a readable name.
        static constexpr std::pair<const char*, const char*> kGithub[] = {
            {pki::kFulcioGithubWorkflowTriggerOid, "githubWorkflowTrigger"},
            {pki::kFulcioGithubWorkflowShaOid, "githubWorkflowSha"},
            {pki::kFulcioGithubWorkflowNameOid, "githubWorkflowName"},
            {pki::kFulcioGithubWorkflowRepositoryOid,
             "githubWorkflowRepository"},
            {pki::kFulcioGithubWorkflowRefOid, "githubWorkflowRef"}};
        for (const auto& [oid, name] : kGithub) {
          ASSIGN_OR_RETURN(std::optional<std::string> v,
                           cert->RawExtensionText(oid));
          if (v && !v->empty()) {
            (*optional)[oid] = *v;
            (*optional)[name] = *v;
          }
        }
      }
    }
    if (layer.bundle) {
      Result<sigstore::TransparencyLogEntry> e =
          ParseRekorBundle(*layer.bundle);
      if (e.ok()) {
        if (!optional) optional = Json::object();
        ASSIGN_OR_RETURN(bundle_json, LegacyRekorBundle(*e));
        (*optional)["Bundle"] = nullptr;  // placeholder, written in order
      }
    }
    if (layer.rfc3161_timestamp) {
      Result<std::string> der =
          ParseRfc3161TimestampAnnotation(*layer.rfc3161_timestamp);
      if (der.ok()) {
        if (!optional) optional = Json::object();
        (*optional)["RFC3161Timestamp"] =
            Json{{"SignedRFC3161Timestamp", Base64Encode(*der)}};
      }
    }
    if (n) out += ',';
    out += "{\"critical\":{\"identity\":{\"docker-reference\":";
    cosign::AppendGoJsonString(v.payload.docker_reference, out);
    out += "},\"image\":{\"docker-manifest-digest\":";
    cosign::AppendGoJsonString(v.payload.manifest_digest.ToString(), out);
    out += "},\"type\":";
    cosign::AppendGoJsonString(cosign::kPayloadType, out);
    out += "},\"optional\":";
    if (!optional || optional->is_null()) {
      out += "null";
    } else {
      out += '{';
      bool first = true;
      for (auto it = optional->begin(); it != optional->end(); ++it) {
        if (!first) out += ',';
        first = false;
        cosign::AppendGoJsonString(it.key(), out);
        out += ':';
        if (bundle_json && it.key() == "Bundle") {
          out += *bundle_json;
        } else {
          AppendGoValue(it.value(), out);
        }
      }
      out += '}';
    }
    out += '}';
  }
  out += ']';
  return out;
}

BundleVerifyResult VerifyImageBundles(
    const Digest& image, std::span<const cosign::StoredBundle> bundles,
    const BundlePolicy& policy) {
  BundleVerifyResult r;
  const sigstore::Artifact artifact =
      sigstore::Artifact::FromSha256(RawSha256(image));
  const std::string_view wanted = policy.predicate_type.empty()
                                      ? cosign::kCosignSignPredicateType
                                      : std::string_view(policy.predicate_type);
  for (size_t i = 0; i < bundles.size(); ++i) {
    const cosign::StoredBundle& stored = bundles[i];
    if (!stored.predicate_type.empty() && stored.predicate_type != wanted) {
      ++r.passed_over;
      continue;
    }
    if (!stored.status.ok()) {
      r.rejections.push_back(BundleNumbered(i, stored.status.ToString()));
      continue;
    }
    Result<sigstore::Bundle> b = sigstore::ParseBundle(stored.bundle);
    if (!b.ok()) {
      r.rejections.push_back(BundleNumbered(i, b.status().ToString()));
      continue;
    }
    if (!b->dsse_envelope) {
      r.rejections.push_back(
          BundleNumbered(i,
                         "the bundle has no DSSE envelope (cosign signs "
                         "images with an in-toto statement)"));
      continue;
    }
    if (artifact.sha256.size() != 32) {
      r.rejections.push_back(BundleNumbered(
          i, "image digest " + image.Short() + " is not sha256"));
      continue;
    }
    // One attempt per key (or the identity): the first that passes wins.
    const size_t attempts = policy.identity ? 1 : policy.keys.size();
    Status last = PermissionDeniedError("no key to verify it with");
    for (size_t k = 0; k < attempts; ++k) {
      VerifiedImageBundle v;
      v.index = i;
      v.key_index = k;
      Status st;
      if (!policy.identity && policy.ignore_tlog) {
        st = CheckEnvelopeSignature(*b, policy.keys[k]);
        v.signer = policy.keys[k].TypeName();
        v.payload = b->dsse_envelope->payload;
      } else if (policy.root == nullptr) {
        st = PermissionDeniedError(
            "a transparency log entry must be verified: give --trusted-root, "
            "or --insecure-ignore-tlog to skip it");
      } else {
        sigstore::VerifyPolicy vp;
        if (policy.identity) {
          vp.identity = *policy.identity;
        } else {
          vp.key = policy.keys[k];
        }
        vp.now_unix = policy.now_unix;
        Result<sigstore::VerifiedBundle> ok =
            sigstore::VerifyBundle(*b, artifact, *policy.root, vp);
        if (ok.ok()) {
          v.signer = ok->signer;
          v.issuer = ok->issuer;
          v.payload = ok->payload;
        } else {
          st = ok.status();
        }
      }
      if (st.ok()) {
        st = policy.predicate_type.empty()
                 ? cosign::CheckSignStatement(b->dsse_envelope->payload_type,
                                              v.payload, image)
                 : cosign::CheckAttestationStatement(
                       b->dsse_envelope->payload_type, v.payload, image,
                       policy.predicate_type)
                       .status();
      }
      if (st.ok()) {
        v.envelope = *b->dsse_envelope;
        r.verified.push_back(std::move(v));
        last = Status::Ok();
        break;
      }
      last = st;
    }
    if (!last.ok()) {
      r.rejections.push_back(BundleNumbered(i, last.ToString()));
    }
  }
  return r;
}

std::string BundleVerifiedJson(std::string_view docker_reference,
                               const Digest& image,
                               std::span<const VerifiedImageBundle> verified) {
  std::string out;
  for (size_t n = 0; n < verified.size(); ++n) {
    const VerifiedImageBundle& v = verified[n];
    if (n) out += ',';
    out += "{\"critical\":{\"identity\":{\"docker-reference\":";
    cosign::AppendGoJsonString(docker_reference, out);
    out += "},\"image\":{\"docker-manifest-digest\":";
    cosign::AppendGoJsonString(image.ToString(), out);
    out += "},\"type\":";
    cosign::AppendGoJsonString(cosign::kCosignSignPredicateType, out);
    out += "},\"optional\":{";
    if (!v.issuer.empty()) {
      out += "\"Issuer\":";
      cosign::AppendGoJsonString(v.issuer, out);
      out += ",\"Subject\":";
      cosign::AppendGoJsonString(v.signer, out);
    }
    out += "}}";
  }
  return out;
}

void AddIdentityFlags(CLI::App* cmd, std::string* identity,
                      std::string* identity_regexp, std::string* issuer,
                      std::string* issuer_regexp) {
  cmd->add_option("--certificate-identity", *identity,
                  "keyless: the signer's identity (certificate SAN), exact");
  cmd->add_option("--certificate-identity-regexp", *identity_regexp,
                  "keyless: a regexp the whole identity must match");
  cmd->add_option("--certificate-oidc-issuer", *issuer,
                  "keyless: the OIDC issuer, exact");
  cmd->add_option("--certificate-oidc-issuer-regexp", *issuer_regexp,
                  "keyless: a regexp the whole OIDC issuer must match");
}

void AddVerifierFlags(CLI::App* cmd, VerifierFlags* flags,
                      std::string_view what) {
  const std::string w(what);
  cmd->add_option("--key", flags->keys,
                  "public key file (PEM); repeat for several (any one "
                  "suffices)")
      ->allow_extra_args(false);
  AddIdentityFlags(cmd, &flags->identity, &flags->identity_regexp,
                   &flags->issuer, &flags->issuer_regexp);
  cmd->add_option("--trusted-root", flags->trusted_root,
                  "a Sigstore trusted_root.json: required keyless; with --key, "
                  "every " +
                      w +
                      "'s log entry is verified against it (nothing is "
                      "fetched)");
  cmd->add_flag("--insecure-ignore-tlog", flags->ignore_tlog,
                "with --key: accept " + w +
                    "s on their signature alone, without a verified "
                    "transparency log entry");
}

Status LoadVerifier(const VerifierFlags& f, Verifier* out) {
  const bool keyless = !f.identity.empty() || !f.identity_regexp.empty() ||
                       !f.issuer.empty() || !f.issuer_regexp.empty() ||
                       (f.keys.empty() && !f.trusted_root.empty());
  if (f.keys.empty() == !keyless) {
    return InvalidArgumentError(
        "verify with --key, or keyless with --certificate-identity[-regexp], "
        "--certificate-oidc-issuer[-regexp] and --trusted-root (not both)");
  }
  if (keyless && f.ignore_tlog) {
    return InvalidArgumentError(
        "--insecure-ignore-tlog applies to --key verification only");
  }
  if (f.keys.size() > kMaxVerifyKeys) {
    return InvalidArgumentError("at most " + std::to_string(kMaxVerifyKeys) +
                                " --key files");
  }
  if (keyless) {
    if (f.identity.empty() == f.identity_regexp.empty()) {
      return InvalidArgumentError(
          "keyless verification needs exactly one of "
          "--certificate-identity and --certificate-identity-regexp");
    }
    if (f.issuer.empty() == f.issuer_regexp.empty()) {
      return InvalidArgumentError(
          "keyless verification needs exactly one of "
          "--certificate-oidc-issuer and --certificate-oidc-issuer-regexp");
    }
    if (f.trusted_root.empty()) {
      return InvalidArgumentError(
          "keyless verification needs --trusted-root (no trust material is "
          "fetched)");
    }
    ASSIGN_OR_RETURN(out->identity,
                     IdentityFromFlags(f.identity, f.identity_regexp, f.issuer,
                                       f.issuer_regexp));
  }
  for (const std::string& path : f.keys) {
    ASSIGN_OR_RETURN(crypto::PublicKey k, LoadPublicKeyFile(path));
    out->keys.push_back(std::move(k));
  }
  if (!f.trusted_root.empty()) {
    ASSIGN_OR_RETURN(out->root, LoadTrustedRootFile(f.trusted_root));
  }
  out->ignore_tlog = f.ignore_tlog;
  out->now_unix = SigningNow();
  return Status::Ok();
}

const sigstore::TrustedRoot* Verifier::key_tlog_root() const {
  return !keyless() && root && !ignore_tlog ? &*root : nullptr;
}

BundlePolicy Verifier::bundle_policy() const {
  BundlePolicy p;
  p.keys = keys;
  p.identity = identity;
  p.root = root ? &*root : nullptr;
  p.ignore_tlog = ignore_tlog;
  p.now_unix = now_unix;
  return p;
}

std::function<int()> SetupVerify(CLI::App* cmd) {
  struct Args {
    std::string image;
    VerifierFlags verifier;
    bool require_all_keys = false;
    std::string output = "json";
    RegistryFlags registry;
  };
  auto a = std::make_shared<Args>();
  AddRegistryImageArgs(cmd, &a->image, &a->registry);
  AddVerifierFlags(cmd, &a->verifier, "signature");
  cmd->add_flag("--require-all-keys", a->require_all_keys,
                "every --key must verify at least one signature");
  cmd->add_option("-o,--output", a->output, "json (default) or text")
      ->check(CLI::IsMember({"json", "text"}));
  return [a]() -> int {
    Verifier v;
    if (Status st = LoadVerifier(a->verifier, &v); !st.ok()) {
      return ReportError(st);
    }
    const bool keyless = v.keyless();
    const std::vector<crypto::PublicKey>& keys = v.keys;
    Result<oci::ImageRef> ref = ParseRegistryImage("verify", a->image);
    if (!ref.ok()) return ReportError(ref.status());
    Result<std::shared_ptr<registry::Client>> client =
        MakeRegistryClient(*ref, a->registry);
    if (!client.ok()) return ReportError(client.status());
    Result<RemoteSignatures> remote = FetchSignatures(**client, *ref);
    if (!remote.ok()) return ReportError(remote.status());
    Result<std::vector<cosign::StoredBundle>> stored = cosign::ReadBundles(
        **client, ref->repository, remote->image.manifest_digest);
    if (!stored.ok()) return ReportError(stored.status());
    const BundlePolicy bundle_policy = v.bundle_policy();
    const BundleVerifyResult bundles = VerifyImageBundles(
        remote->image.manifest_digest, *stored, bundle_policy);
    // With --key and --trusted-root, .sig layers need their log entry too.
    const sigstore::TrustedRoot* key_tlog_root = v.key_tlog_root();
    VerifyResult r =
        keyless
            ? VerifyKeyless(remote->image, remote->layers,
                            KeylessPolicy{*v.identity, &*v.root, v.now_unix})
            : VerifyWithKeys(remote->image, remote->layers, keys,
                             /*require_all_keys=*/false, key_tlog_root,
                             bundle_policy.now_unix);
    bool accepted = r.accepted || !bundles.verified.empty();
    std::vector<std::string> rejections = r.rejections;
    // Bundles but no .sig manifest: its "no signatures" says nothing.
    if (remote->layers.empty() && stored->size() > bundles.passed_over) {
      rejections.clear();
    }
    rejections.insert(rejections.end(), bundles.rejections.begin(),
                      bundles.rejections.end());
    if (!keyless && a->require_all_keys) {
      for (size_t k = 0; k < keys.size(); ++k) {
        bool used = VerifyWithKeys(remote->image, remote->layers, {&keys[k], 1},
                                   false, key_tlog_root, bundle_policy.now_unix)
                        .accepted;
        // Each key on its own: a bundle records only the first key that
        // verified it.
        if (!used && !stored->empty()) {
          BundlePolicy one = bundle_policy;
          one.keys = {&keys[k], 1};
          used =
              !VerifyImageBundles(remote->image.manifest_digest, *stored, one)
                   .verified.empty();
        }
        if (used) continue;
        rejections.push_back("key " + std::to_string(k + 1) +
                             ": no signature verifies with it");
        accepted = false;
      }
    }
    if (!accepted) {
      for (const std::string& why : rejections) {
        std::fprintf(stderr, "strata: %s\n", why.c_str());
      }
      std::fprintf(stderr, "strata: error: no valid signature for %s\n",
                   a->image.c_str());
      return kExitCheckFailed;
    }
    std::string checks = "\nVerification for " + a->image +
                         " --\nThe following checks were performed on each "
                         "of these signatures:\n  - The cosign claims were "
                         "validated\n";
    if (keyless || key_tlog_root != nullptr) {
      checks +=
          "  - Existence of the claims in the transparency log was verified "
          "offline\n";
    }
    checks += keyless
                  ? "  - The code-signing certificate was verified using "
                    "trusted certificate authority certificates\n"
                  : "  - The signatures were verified against the specified "
                    "public key\n";
    std::fputs(checks.c_str(), stderr);
    std::string out;
    if (a->output == "text") {
      for (const VerifiedSignature& v : r.verified) {
        out += remote->layers[v.index].payload + "\n";
      }
      for (const VerifiedImageBundle& v : bundles.verified) {
        out += v.payload + "\n";
      }
    } else {
      Result<std::string> j = VerifiedJson(remote->layers, r.verified);
      if (!j.ok()) return ReportError(j.status());
      out = *j;
      if (!bundles.verified.empty()) {
        out.pop_back();  // ']'
        if (!r.verified.empty()) out += ',';
        out += BundleVerifiedJson(a->image, remote->image.manifest_digest,
                                  bundles.verified) +
               "]";
      }
      out += "\n";
    }
    Status st = WriteStdout(out);
    return st.ok() ? kExitOk : ReportError(st);
  };
}

}  // namespace strata::cli
