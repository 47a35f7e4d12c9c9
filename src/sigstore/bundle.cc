#include "sigstore/bundle.h"

#include "base/base64.h"
#include "sigstore/trusted_root.h"

namespace strata::sigstore {
namespace {

Status Missing(std::string_view what) {
  return DataLossError(std::string(what) + " is missing");
}

Result<std::string> RequiredBytes(const json::Json& obj, std::string_view key,
                                  std::string_view what) {
  ASSIGN_OR_RETURN(std::optional<std::string> v, GetProtoBytes(obj, key));
  if (!v || v->empty()) return Missing(what);
  return std::move(*v);
}

Result<BundleVersion> VersionOf(std::string_view media_type) {
  if (media_type == "application/vnd.dev.sigstore.bundle+json;version=0.1") {
    return BundleVersion::kV01;
  }
  if (media_type == "application/vnd.dev.sigstore.bundle+json;version=0.2" ||
      media_type == "application/vnd.dev.sigstore.bundle.v0.2+json") {
    return BundleVersion::kV02;
  }
  if (media_type == "application/vnd.dev.sigstore.bundle+json;version=0.3" ||
      media_type == kBundleMediaTypeV03) {
    return BundleVersion::kV03;
  }
  std::string shown(media_type.substr(0, 100));
  return DataLossError("unsupported bundle media type \"" + shown + "\"");
}

Status ParseMaterial(const json::Json& vm, Bundle& b) {
  int kinds = 0;
  if (auto it = vm.find("publicKey"); it != vm.end() && !it->is_null()) {
    ++kinds;
    if (!it->is_object()) return DataLossError("publicKey must be an object");
    ASSIGN_OR_RETURN(std::optional<std::string> hint,
                     json::GetString(*it, "hint"));
    b.public_key_hint = hint.value_or("");
  }
  if (auto it = vm.find("x509CertificateChain");
      it != vm.end() && !it->is_null()) {
    ++kinds;
    b.certificate_chain = true;
    if (!it->is_object()) {
      return DataLossError("x509CertificateChain must be an object");
    }
    ASSIGN_OR_RETURN(const json::Json* certs,
                     json::GetArray(*it, "certificates"));
    if (certs == nullptr || certs->empty()) {
      return DataLossError("the certificate chain is empty");
    }
    if (certs->size() > kMaxBundleCertificates) {
      return ResourceExhaustedError("the certificate chain has more than " +
                                    std::to_string(kMaxBundleCertificates) +
                                    " certificates");
    }
    for (const json::Json& c : *certs) {
      if (!c.is_object())
        return DataLossError("a certificate must be an object");
      ASSIGN_OR_RETURN(std::string der,
                       RequiredBytes(c, "rawBytes", "certificate rawBytes"));
      b.certificates.push_back(std::move(der));
    }
  }
  if (auto it = vm.find("certificate"); it != vm.end() && !it->is_null()) {
    ++kinds;
    if (!it->is_object()) return DataLossError("certificate must be an object");
    ASSIGN_OR_RETURN(std::string der,
                     RequiredBytes(*it, "rawBytes", "certificate rawBytes"));
    b.certificates.push_back(std::move(der));
  }
  if (kinds != 1) {
    return DataLossError(
        "verification material must have exactly one of publicKey, "
        "x509CertificateChain and certificate");
  }
  if (b.version == BundleVersion::kV03 && b.certificate_chain) {
    // v0.3 carries the leaf alone; sigstore clients refuse the old field.
    return DataLossError(
        "a v0.3 bundle must use certificate, not "
        "x509CertificateChain");
  }
  return Status::Ok();
}

Status ParseTlogEntries(const json::Json& vm, Bundle& b) {
  ASSIGN_OR_RETURN(const json::Json* entries,
                   json::GetArray(vm, "tlogEntries"));
  if (entries == nullptr) return Status::Ok();
  if (entries->size() > kMaxTlogEntries) {
    return ResourceExhaustedError("more than " +
                                  std::to_string(kMaxTlogEntries) +
                                  " transparency log entries");
  }
  for (size_t i = 0; i < entries->size(); ++i) {
    Result<TransparencyLogEntry> e = ParseTlogEntry((*entries)[i]);
    if (!e.ok()) {
      return e.status().WithContext("tlogEntries[" + std::to_string(i) + "]");
    }
    const std::string where = "tlogEntries[" + std::to_string(i) + "]";
    if (b.version == BundleVersion::kV01 && !e->signed_entry_timestamp) {
      return DataLossError(where +
                           ": a v0.1 bundle entry needs an inclusion "
                           "promise");
    }
    if (b.version != BundleVersion::kV01 && !e->inclusion_proof) {
      return DataLossError(where +
                           ": a v0.2+ bundle entry needs an "
                           "inclusion proof");
    }
    if (e->canonicalized_body.empty()) {
      return DataLossError(where + ": canonicalizedBody is missing");
    }
    b.tlog_entries.push_back(std::move(*e));
  }
  return Status::Ok();
}

Status ParseTimestamps(const json::Json& vm, Bundle& b) {
  ASSIGN_OR_RETURN(const json::Json* tvd,
                   json::GetObject(vm, "timestampVerificationData"));
  if (tvd == nullptr) return Status::Ok();
  ASSIGN_OR_RETURN(const json::Json* list,
                   json::GetArray(*tvd, "rfc3161Timestamps"));
  if (list == nullptr) return Status::Ok();
  if (list->size() > kMaxTimestamps) {
    return ResourceExhaustedError(
        "more than " + std::to_string(kMaxTimestamps) + " RFC 3161 timestamps");
  }
  for (const json::Json& t : *list) {
    if (!t.is_object()) return DataLossError("a timestamp must be an object");
    ASSIGN_OR_RETURN(std::string der,
                     RequiredBytes(t, "signedTimestamp", "signedTimestamp"));
    b.rfc3161_timestamps.push_back(std::move(der));
  }
  return Status::Ok();
}

Status ParseContent(const json::Json& j, Bundle& b) {
  const auto ms = j.find("messageSignature");
  const auto env = j.find("dsseEnvelope");
  const bool has_ms = ms != j.end() && !ms->is_null();
  const bool has_env = env != j.end() && !env->is_null();
  if (has_ms == has_env) {
    return DataLossError(
        "a bundle must have exactly one of messageSignature and "
        "dsseEnvelope");
  }
  if (has_env) {
    Result<DsseEnvelope> e = ParseDsseEnvelope(*env);
    if (!e.ok()) return e.status().WithContext("dsseEnvelope");
    b.dsse_envelope = std::move(*e);
    return Status::Ok();
  }
  if (!ms->is_object()) {
    return DataLossError("messageSignature must be an object");
  }
  MessageSignature m;
  ASSIGN_OR_RETURN(m.signature, RequiredBytes(*ms, "signature",
                                              "messageSignature.signature"));
  ASSIGN_OR_RETURN(const json::Json* md, json::GetObject(*ms, "messageDigest"));
  if (md != nullptr) {
    ASSIGN_OR_RETURN(std::optional<std::string> alg,
                     json::GetString(*md, "algorithm"));
    m.digest_algorithm = alg.value_or("");
    ASSIGN_OR_RETURN(std::optional<std::string> digest,
                     GetProtoBytes(*md, "digest"));
    m.digest = digest.value_or("");
  }
  b.message_signature = std::move(m);
  return Status::Ok();
}

json::Json TlogEntryToJson(const TransparencyLogEntry& e) {
  json::Json j = {
      {"logIndex", std::to_string(e.log_index)},
      {"logId", {{"keyId", Base64Encode(e.log_id)}}},
      {"kindVersion", {{"kind", e.kind}, {"version", e.version}}},
  };
  if (e.integrated_time > 0) {
    j["integratedTime"] = std::to_string(e.integrated_time);
  }
  if (e.signed_entry_timestamp) {
    j["inclusionPromise"] = {
        {"signedEntryTimestamp", Base64Encode(*e.signed_entry_timestamp)}};
  }
  if (e.inclusion_proof) {
    const InclusionProof& p = *e.inclusion_proof;
    json::Json hashes = json::Json::array();
    for (const std::string& h : p.hashes) hashes.push_back(Base64Encode(h));
    j["inclusionProof"] = {{"logIndex", std::to_string(p.log_index)},
                           {"rootHash", Base64Encode(p.root_hash)},
                           {"treeSize", std::to_string(p.tree_size)},
                           {"hashes", std::move(hashes)}};
    if (!p.checkpoint.empty()) {
      j["inclusionProof"]["checkpoint"] = {{"envelope", p.checkpoint}};
    }
  }
  j["canonicalizedBody"] = Base64Encode(e.canonicalized_body);
  return j;
}

}  // namespace

Result<Bundle> ParseBundle(std::string_view bytes) {
  ASSIGN_OR_RETURN(json::Json j, json::Parse(bytes, "bundle", kMaxBundleBytes));
  if (!j.is_object()) return DataLossError("a bundle must be a JSON object");
  Bundle b;
  ASSIGN_OR_RETURN(std::optional<std::string> media_type,
                   json::GetString(j, "mediaType"));
  if (!media_type) return Missing("mediaType");
  b.media_type = *media_type;
  ASSIGN_OR_RETURN(b.version, VersionOf(b.media_type));
  ASSIGN_OR_RETURN(const json::Json* vm,
                   json::GetObject(j, "verificationMaterial"));
  if (vm == nullptr) return Missing("verificationMaterial");
  RETURN_IF_ERROR(ParseMaterial(*vm, b));
  RETURN_IF_ERROR(ParseTlogEntries(*vm, b));
  RETURN_IF_ERROR(ParseTimestamps(*vm, b));
  RETURN_IF_ERROR(ParseContent(j, b));
  return b;
}

json::Json BundleToJson(const Bundle& b) {
  json::Json vm = json::Json::object();
  if (b.public_key_hint) {
    vm["publicKey"] = {{"hint", *b.public_key_hint}};
  } else if (b.certificate_chain) {
    json::Json certs = json::Json::array();
    for (const std::string& c : b.certificates) {
      certs.push_back({{"rawBytes", Base64Encode(c)}});
    }
    vm["x509CertificateChain"] = {{"certificates", std::move(certs)}};
  } else if (!b.certificates.empty()) {
    vm["certificate"] = {{"rawBytes", Base64Encode(b.certificates.front())}};
  }
  json::Json entries = json::Json::array();
  for (const TransparencyLogEntry& e : b.tlog_entries) {
    entries.push_back(TlogEntryToJson(e));
  }
  vm["tlogEntries"] = std::move(entries);
  if (!b.rfc3161_timestamps.empty()) {
    json::Json ts = json::Json::array();
    for (const std::string& t : b.rfc3161_timestamps) {
      ts.push_back({{"signedTimestamp", Base64Encode(t)}});
    }
    vm["timestampVerificationData"] = {{"rfc3161Timestamps", std::move(ts)}};
  }
  json::Json j = {
      {"mediaType",
       b.media_type.empty() ? std::string(kBundleMediaTypeV03) : b.media_type},
      {"verificationMaterial", std::move(vm)}};
  if (b.dsse_envelope) {
    j["dsseEnvelope"] = DsseEnvelopeToJson(*b.dsse_envelope);
  } else if (b.message_signature) {
    const MessageSignature& m = *b.message_signature;
    json::Json ms = {{"signature", Base64Encode(m.signature)}};
    if (!m.digest.empty()) {
      ms["messageDigest"] = {{"algorithm", m.digest_algorithm},
                             {"digest", Base64Encode(m.digest)}};
    }
    j["messageSignature"] = std::move(ms);
  }
  return j;
}

}  // namespace strata::sigstore
