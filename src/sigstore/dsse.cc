#include "sigstore/dsse.h"

#include "base/base64.h"

namespace strata::sigstore {
namespace {

bool IsLowerHex(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Result<std::string> RequiredString(const json::Json& j, std::string_view key) {
  ASSIGN_OR_RETURN(std::optional<std::string> v, json::GetString(j, key));
  if (!v) return DataLossError("field \"" + std::string(key) + "\" is missing");
  return std::move(*v);
}

Result<std::string> RequiredBase64(const json::Json& j, std::string_view key) {
  ASSIGN_OR_RETURN(std::string text, RequiredString(j, key));
  Result<std::string> raw = Base64Decode(text, Base64Alphabet::kEither);
  if (!raw.ok()) {
    return DataLossError("field \"" + std::string(key) +
                         "\": " + raw.status().ToString());
  }
  return std::move(*raw);
}

}  // namespace

std::string Pae(std::string_view payload_type, std::string_view payload) {
  std::string out = "DSSEv1 ";
  out += std::to_string(payload_type.size());
  out += ' ';
  out += payload_type;
  out += ' ';
  out += std::to_string(payload.size());
  out += ' ';
  out += payload;
  return out;
}

Result<DsseEnvelope> ParseDsseEnvelope(const json::Json& j) {
  if (!j.is_object()) return DataLossError("DSSE envelope must be an object");
  DsseEnvelope e;
  ASSIGN_OR_RETURN(e.payload_type, RequiredString(j, "payloadType"));
  ASSIGN_OR_RETURN(e.payload, RequiredBase64(j, "payload"));
  if (e.payload.size() > kMaxDssePayloadBytes) {
    return ResourceExhaustedError("DSSE payload is over " +
                                  std::to_string(kMaxDssePayloadBytes) +
                                  " bytes");
  }
  ASSIGN_OR_RETURN(const json::Json* sigs, json::GetArray(j, "signatures"));
  if (sigs == nullptr || sigs->empty()) {
    return DataLossError("DSSE envelope has no signatures");
  }
  if (sigs->size() > kMaxDsseSignatures) {
    return ResourceExhaustedError("DSSE envelope has more than " +
                                  std::to_string(kMaxDsseSignatures) +
                                  " signatures");
  }
  for (const json::Json& s : *sigs) {
    if (!s.is_object())
      return DataLossError("a DSSE signature must be an object");
    DsseSignature sig;
    ASSIGN_OR_RETURN(sig.sig, RequiredBase64(s, "sig"));
    if (sig.sig.empty()) return DataLossError("DSSE signature is empty");
    ASSIGN_OR_RETURN(std::optional<std::string> keyid,
                     json::GetString(s, "keyid"));
    sig.keyid = keyid.value_or("");
    e.signatures.push_back(std::move(sig));
  }
  return e;
}

json::Json DsseEnvelopeToJson(const DsseEnvelope& e) {
  json::Json sigs = json::Json::array();
  for (const DsseSignature& s : e.signatures) {
    json::Json o = {{"sig", Base64Encode(s.sig)}};
    if (!s.keyid.empty()) o["keyid"] = s.keyid;
    sigs.push_back(std::move(o));
  }
  return {{"payload", Base64Encode(e.payload)},
          {"payloadType", e.payload_type},
          {"signatures", std::move(sigs)}};
}

Result<InTotoStatement> ParseInTotoStatement(std::string_view bytes) {
  ASSIGN_OR_RETURN(json::Json j, json::Parse(bytes, "in-toto statement",
                                             kMaxDssePayloadBytes));
  if (!j.is_object())
    return DataLossError("in-toto statement must be an object");
  InTotoStatement st;
  ASSIGN_OR_RETURN(st.type, RequiredString(j, "_type"));
  if (st.type != "https://in-toto.io/Statement/v1" &&
      st.type != "https://in-toto.io/Statement/v0.1") {
    return DataLossError("unknown in-toto statement type \"" + st.type + "\"");
  }
  ASSIGN_OR_RETURN(st.predicate_type, RequiredString(j, "predicateType"));
  if (st.predicate_type.empty()) return DataLossError("empty predicateType");
  ASSIGN_OR_RETURN(const json::Json* subjects, json::GetArray(j, "subject"));
  if (subjects == nullptr || subjects->empty()) {
    return DataLossError("in-toto statement has no subject");
  }
  if (subjects->size() > kMaxInTotoSubjects) {
    return ResourceExhaustedError("in-toto statement has more than " +
                                  std::to_string(kMaxInTotoSubjects) +
                                  " subjects");
  }
  for (const json::Json& s : *subjects) {
    if (!s.is_object()) return DataLossError("a subject must be an object");
    InTotoSubject sub;
    ASSIGN_OR_RETURN(std::optional<std::string> name,
                     json::GetString(s, "name"));
    sub.name = name.value_or("");
    ASSIGN_OR_RETURN(auto digest, json::GetStringMap(s, "digest"));
    if (!digest || digest->empty()) {
      return DataLossError("a subject has no digest");
    }
    for (const auto& [alg, hex] : *digest) {
      if (!IsLowerHex(hex)) {
        return DataLossError("subject digest " + alg + " is not lowercase hex");
      }
    }
    sub.digest = std::move(*digest);
    st.subjects.push_back(std::move(sub));
  }
  if (auto it = j.find("predicate"); it != j.end()) st.predicate = *it;
  return st;
}

bool HasSubjectDigest(const InTotoStatement& s, std::string_view algorithm,
                      std::string_view hex) {
  for (const InTotoSubject& sub : s.subjects) {
    auto it = sub.digest.find(std::string(algorithm));
    if (it != sub.digest.end() && it->second == hex) return true;
  }
  return false;
}

}  // namespace strata::sigstore
