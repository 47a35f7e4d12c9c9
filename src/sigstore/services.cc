#include "sigstore/services.h"

#include <openssl/rand.h>
#include <openssl/ts.h>

#include <cstring>

#include "base/base64.h"
#include "base/hex.h"
#include "base/unique_fd.h"
#include "pki/certificate.h"
#include "sigstore/tlog.h"

namespace strata::sigstore {
namespace {

using json::Json;
using TsReqPtr = std::unique_ptr<TS_REQ, CHandleDeleter<TS_REQ, TS_REQ_free>>;
using TsRespPtr =
    std::unique_ptr<TS_RESP, CHandleDeleter<TS_RESP, TS_RESP_free>>;
using TsVerifyCtxPtr =
    std::unique_ptr<TS_VERIFY_CTX,
                    CHandleDeleter<TS_VERIFY_CTX, TS_VERIFY_CTX_free>>;

// Lowercase or uppercase hex to bytes; kDataLoss naming `what`.
Result<std::string> Unhex(std::string_view text, std::string_view what) {
  std::optional<std::string> raw = HexDecode(text);
  if (!raw) return DataLossError(std::string(what) + " is not hex");
  return std::move(*raw);
}

// The first line of an error body, printable ASCII only, capped.
std::string Quote(std::string_view body) {
  std::string out;
  for (char c : body) {
    if (c == '\n' || c == '\r' || out.size() == kMaxQuotedErrorBytes) break;
    out += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  return out;
}

// POSTs `body` to `url` and returns the 2xx response body (at most
// `max_bytes`); other statuses are errors naming `service`.
Result<std::string> Post(registry::HttpTransport& http,
                         std::string_view service, std::string url,
                         std::string body, std::string content_type,
                         std::string accept, int64_t max_bytes) {
  registry::HttpRequest req;
  req.method = "POST";
  req.url = std::move(url);
  req.headers = {{"Content-Type", std::move(content_type)},
                 {"Accept", std::move(accept)}};
  req.body = std::move(body);
  req.max_body_bytes = max_bytes;
  Result<registry::HttpResponse> r = http.Do(req, nullptr);
  if (!r.ok()) return r.status().WithContext(service);
  if (r->status >= 200 && r->status < 300) return std::move(r->body);
  std::string msg =
      std::string(service) + ": HTTP " + std::to_string(r->status);
  const std::string quoted = Quote(r->body);
  if (!quoted.empty()) msg += ": " + quoted;
  if (r->status >= 500 || r->status == 429) {
    return UnavailableError(std::move(msg));
  }
  return FailedPreconditionError(std::move(msg));
}

// "{base}{path}" with one slash between them.
Result<std::string> Endpoint(std::string_view base, std::string_view path,
                             std::string_view service) {
  Result<registry::Url> u = registry::ParseUrl(base);
  if (!u.ok()) return u.status().WithContext(std::string(service) + " URL");
  std::string s(base);
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s + std::string(path);
}

Result<const Json*> Member(const Json& obj, std::string_view key,
                           std::string_view where) {
  auto it = obj.find(key);
  if (it == obj.end()) {
    return DataLossError(std::string(where) + std::string(key) + " is missing");
  }
  return &*it;
}

Result<std::string> StringMember(const Json& obj, std::string_view key,
                                 std::string_view where) {
  ASSIGN_OR_RETURN(const Json* j, Member(obj, key, where));
  if (!j->is_string()) {
    return DataLossError(std::string(where) + std::string(key) +
                         " must be a string");
  }
  return j->get<std::string>();
}

Result<int64_t> IntMember(const Json& obj, std::string_view key,
                          std::string_view where) {
  ASSIGN_OR_RETURN(const Json* j, Member(obj, key, where));
  if (!j->is_number_integer() ||
      (j->is_number_unsigned() &&
       j->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) ||
      j->get<int64_t>() < 0) {
    return DataLossError(std::string(where) + std::string(key) +
                         " must be a non-negative integer");
  }
  return j->get<int64_t>();
}

Result<std::string> Base64Member(const Json& obj, std::string_view key,
                                 std::string_view where) {
  ASSIGN_OR_RETURN(std::string text, StringMember(obj, key, where));
  Result<std::string> raw = Base64Decode(text);
  if (!raw.ok()) {
    return raw.status().WithContext(std::string(where) + std::string(key));
  }
  return raw;
}

Result<uint64_t> RandomNonce(uint64_t mask) {
  uint64_t n = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&n), sizeof n) != 1) {
    return InternalError("no random bytes for a timestamp nonce");
  }
  n &= mask;
  return n == 0 ? 1 : n;
}

Result<TsReqPtr> ParseQuery(std::string_view der) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  TsReqPtr req(d2i_TS_REQ(nullptr, &p, static_cast<long>(der.size())));
  if (!req) return InternalError("timestamp request does not parse");
  return req;
}

}  // namespace

// --- Fulcio -----------------------------------------------------------------

Result<std::string> TokenSubject(std::string_view token) {
  if (token.size() > kMaxIdentityTokenBytes) {
    return InvalidArgumentError("identity token is over " +
                                std::to_string(kMaxIdentityTokenBytes) +
                                " bytes");
  }
  const size_t dot1 = token.find('.');
  const size_t dot2 =
      dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos) {
    return InvalidArgumentError(
        "identity token is not a JWT (header.payload.signature)");
  }
  std::string_view payload_b64 = token.substr(dot1 + 1, dot2 - dot1 - 1);
  Result<std::string> payload = Base64Decode(payload_b64, Base64Alphabet::kUrl);
  if (!payload.ok()) {
    return InvalidArgumentError("identity token payload is not base64url");
  }
  Result<Json> claims =
      json::Parse(*payload, "identity token payload",
                  static_cast<int64_t>(kMaxIdentityTokenBytes));
  if (!claims.ok() || !claims->is_object()) {
    return InvalidArgumentError("identity token payload is not a JSON object");
  }
  for (const char* claim : {"email", "sub"}) {
    Result<std::optional<std::string>> v = json::GetString(*claims, claim);
    if (!v.ok()) {
      return InvalidArgumentError(std::string("identity token claim \"") +
                                  claim + "\" must be a string");
    }
    if (*v && !(*v)->empty()) return **v;
  }
  return InvalidArgumentError(
      "identity token has neither an \"email\" nor a \"sub\" claim");
}

Result<std::vector<std::string>> ParseSigningCertResponse(
    std::string_view body) {
  ASSIGN_OR_RETURN(
      Json doc, json::Parse(body, "fulcio response", kMaxFulcioResponseBytes));
  if (!doc.is_object()) {
    return DataLossError("fulcio response is not a JSON object");
  }
  const Json* signed_cert = nullptr;
  for (const char* name :
       {"signedCertificateEmbeddedSct", "signedCertificateDetachedSct"}) {
    auto it = doc.find(name);
    if (it != doc.end()) signed_cert = &*it;
  }
  if (signed_cert == nullptr || !signed_cert->is_object()) {
    return DataLossError(
        "fulcio response has no signedCertificateEmbeddedSct or "
        "signedCertificateDetachedSct");
  }
  auto chain = signed_cert->find("chain");
  if (chain == signed_cert->end() || !chain->is_object()) {
    return DataLossError("fulcio response has no certificate chain");
  }
  Result<std::optional<std::vector<std::string>>> pems =
      json::GetStringArray(*chain, "certificates");
  if (!pems.ok()) return pems.status().WithContext("fulcio response chain");
  if (!*pems || (*pems)->empty()) {
    return DataLossError("fulcio response chain has no certificates");
  }
  if ((*pems)->size() > pki::kMaxChainCertificates) {
    return DataLossError("fulcio response chain has more than " +
                         std::to_string(pki::kMaxChainCertificates) +
                         " certificates");
  }
  std::vector<std::string> ders;
  for (size_t i = 0; i < (*pems)->size(); ++i) {
    Result<pki::Certificate> c = pki::Certificate::FromPem((**pems)[i]);
    if (!c.ok()) {
      return c.status().WithContext("fulcio response certificate " +
                                    std::to_string(i));
    }
    ders.push_back(c->ToDer());
  }
  return ders;
}

Result<std::vector<std::string>> RequestSigningCertificate(
    registry::HttpTransport& http, std::string_view fulcio_url,
    std::string_view identity_token, const crypto::PrivateKey& key) {
  ASSIGN_OR_RETURN(std::string subject, TokenSubject(identity_token));
  ASSIGN_OR_RETURN(crypto::PublicKey pub, key.Public());
  ASSIGN_OR_RETURN(std::string proof, key.Sign(subject, crypto::Hash::kSha256));
  Json req = {
      {"credentials", {{"oidcIdentityToken", std::string(identity_token)}}},
      {"publicKeyRequest",
       {{"publicKey", {{"algorithm", "ECDSA"}, {"content", pub.ToPem()}}},
        {"proofOfPossession", Base64Encode(proof)}}}};
  ASSIGN_OR_RETURN(std::string url,
                   Endpoint(fulcio_url, "/api/v2/signingCert", "fulcio"));
  ASSIGN_OR_RETURN(
      std::string body,
      Post(http, "fulcio", url, json::Dump(req), "application/json",
           "application/json", kMaxFulcioResponseBytes));
  ASSIGN_OR_RETURN(std::vector<std::string> chain,
                   ParseSigningCertResponse(body));
  ASSIGN_OR_RETURN(pki::Certificate leaf, pki::Certificate::FromDer(chain[0]));
  ASSIGN_OR_RETURN(crypto::PublicKey leaf_key, leaf.PublicKey());
  if (!(leaf_key == pub)) {
    return DataLossError(
        "fulcio issued a certificate for a different public key");
  }
  return chain;
}

// --- Rekor
// --------------------------------------------------------------------

json::Json HashedRekordEntry(const HashedRekord& r) {
  return {{"apiVersion", "0.0.1"},
          {"kind", "hashedrekord"},
          {"spec",
           {{"data",
             {{"hash",
               {{"algorithm", RekorHashName(r.hash)},
                {"value", HexEncode(r.digest)}}}}},
            {"signature",
             {{"content", Base64Encode(r.signature)},
              {"publicKey", {{"content", Base64Encode(r.verifier_pem)}}}}}}}};
}

json::Json DsseEntry(std::string_view envelope_json,
                     std::string_view verifier_pem) {
  return {{"apiVersion", "0.0.1"},
          {"kind", "dsse"},
          {"spec",
           {{"proposedContent",
             {{"envelope", std::string(envelope_json)},
              {"verifiers", Json::array({Base64Encode(verifier_pem)})}}}}}};
}

Result<TransparencyLogEntry> ParseRekorResponse(std::string_view body) {
  ASSIGN_OR_RETURN(Json doc,
                   json::Parse(body, "rekor response", kMaxRekorResponseBytes));
  if (!doc.is_object() || doc.size() != 1 || !doc.begin()->is_object()) {
    return DataLossError(
        "rekor response is not an object with exactly one entry");
  }
  const Json& e = doc.begin().value();
  TransparencyLogEntry out;
  ASSIGN_OR_RETURN(std::string body_text, Base64Member(e, "body", ""));
  if (static_cast<int64_t>(body_text.size()) > kMaxCanonicalBodyBytes) {
    return ResourceExhaustedError("rekor entry body is over " +
                                  std::to_string(kMaxCanonicalBodyBytes) +
                                  " bytes");
  }
  ASSIGN_OR_RETURN(Json parsed_body, json::Parse(body_text, "rekor entry body",
                                                 kMaxCanonicalBodyBytes));
  if (!parsed_body.is_object()) {
    return DataLossError("rekor entry body is not a JSON object");
  }
  ASSIGN_OR_RETURN(out.kind, StringMember(parsed_body, "kind", "body."));
  ASSIGN_OR_RETURN(out.version,
                   StringMember(parsed_body, "apiVersion", "body."));
  out.canonicalized_body = std::move(body_text);
  ASSIGN_OR_RETURN(out.integrated_time, IntMember(e, "integratedTime", ""));
  ASSIGN_OR_RETURN(out.log_index, IntMember(e, "logIndex", ""));
  ASSIGN_OR_RETURN(std::string log_id_hex, StringMember(e, "logID", ""));
  ASSIGN_OR_RETURN(out.log_id, Unhex(log_id_hex, "logID"));
  if (out.log_id.size() != 32) {
    return DataLossError("logID must be 32 bytes");
  }
  ASSIGN_OR_RETURN(const Json* v, Member(e, "verification", ""));
  if (!v->is_object()) {
    return DataLossError("verification must be an object");
  }
  ASSIGN_OR_RETURN(out.signed_entry_timestamp,
                   Base64Member(*v, "signedEntryTimestamp", "verification."));
  if (out.signed_entry_timestamp->size() > crypto::kMaxKeyBytes) {
    return DataLossError("verification.signedEntryTimestamp is too long");
  }
  ASSIGN_OR_RETURN(const Json* p,
                   Member(*v, "inclusionProof", "verification."));
  if (!p->is_object()) {
    return DataLossError("verification.inclusionProof must be an object");
  }
  constexpr std::string_view kProof = "verification.inclusionProof.";
  InclusionProof proof;
  ASSIGN_OR_RETURN(proof.log_index, IntMember(*p, "logIndex", kProof));
  ASSIGN_OR_RETURN(proof.tree_size, IntMember(*p, "treeSize", kProof));
  ASSIGN_OR_RETURN(std::string root_hex, StringMember(*p, "rootHash", kProof));
  ASSIGN_OR_RETURN(proof.root_hash, Unhex(root_hex, "inclusionProof.rootHash"));
  ASSIGN_OR_RETURN(proof.checkpoint, StringMember(*p, "checkpoint", kProof));
  if (proof.checkpoint.size() > kMaxCheckpointBytes) {
    return ResourceExhaustedError("inclusionProof.checkpoint is over " +
                                  std::to_string(kMaxCheckpointBytes) +
                                  " bytes");
  }
  ASSIGN_OR_RETURN(const Json* hashes, Member(*p, "hashes", kProof));
  if (!hashes->is_array()) {
    return DataLossError("inclusionProof.hashes must be an array");
  }
  if (hashes->size() > kMaxProofHashes) {
    return ResourceExhaustedError("inclusionProof.hashes has more than " +
                                  std::to_string(kMaxProofHashes) + " hashes");
  }
  for (const Json& h : *hashes) {
    if (!h.is_string()) {
      return DataLossError("inclusionProof.hashes must hold strings");
    }
    ASSIGN_OR_RETURN(std::string raw,
                     Unhex(h.get<std::string>(), "inclusionProof.hashes"));
    proof.hashes.push_back(std::move(raw));
  }
  out.inclusion_proof = std::move(proof);
  return out;
}

Result<TransparencyLogEntry> UploadEntry(registry::HttpTransport& http,
                                         std::string_view rekor_url,
                                         const json::Json& proposed_entry) {
  ASSIGN_OR_RETURN(std::string url,
                   Endpoint(rekor_url, "/api/v1/log/entries", "rekor"));
  ASSIGN_OR_RETURN(
      std::string body,
      Post(http, "rekor", url, json::Dump(proposed_entry), "application/json",
           "application/json", kMaxRekorResponseBytes));
  return ParseRekorResponse(body);
}

// --- TSA
// ------------------------------------------------------------------------

TsaRequestFormat TsaFormatForUrl(std::string_view tsa_url) {
  Result<registry::Url> u = registry::ParseUrl(tsa_url);
  std::string_view path = u.ok() ? std::string_view(u->path) : "";
  path = path.substr(0, path.find('?'));
  while (path.ends_with('/')) path.remove_suffix(1);
  return path.ends_with("/api/v1/timestamp") ? TsaRequestFormat::kSigstoreJson
                                             : TsaRequestFormat::kRfc3161;
}

Result<std::string> MakeTimestampQuery(std::string_view signature,
                                       uint64_t nonce) {
  const std::string digest =
      crypto::HashBytes(crypto::Hash::kSha256, signature);
  TsReqPtr req(TS_REQ_new());
  using AlgPtr =
      std::unique_ptr<X509_ALGOR, CHandleDeleter<X509_ALGOR, X509_ALGOR_free>>;
  using ImprintPtr =
      std::unique_ptr<TS_MSG_IMPRINT,
                      CHandleDeleter<TS_MSG_IMPRINT, TS_MSG_IMPRINT_free>>;
  using IntPtr =
      std::unique_ptr<ASN1_INTEGER,
                      CHandleDeleter<ASN1_INTEGER, ASN1_INTEGER_free>>;
  AlgPtr alg(X509_ALGOR_new());
  ImprintPtr imprint(TS_MSG_IMPRINT_new());
  IntPtr n(ASN1_INTEGER_new());
  if (!req || !alg || !imprint || !n ||
      X509_ALGOR_set0(alg.get(), OBJ_nid2obj(NID_sha256), V_ASN1_NULL,
                      nullptr) != 1 ||
      TS_MSG_IMPRINT_set_algo(imprint.get(), alg.get()) != 1 ||
      TS_MSG_IMPRINT_set_msg(
          imprint.get(),
          reinterpret_cast<unsigned char*>(const_cast<char*>(digest.data())),
          static_cast<int>(digest.size())) != 1 ||
      TS_REQ_set_version(req.get(), 1) != 1 ||
      TS_REQ_set_msg_imprint(req.get(), imprint.get()) != 1 ||
      ASN1_INTEGER_set_uint64(n.get(), nonce) != 1 ||
      TS_REQ_set_nonce(req.get(), n.get()) != 1 ||
      TS_REQ_set_cert_req(req.get(), 1) != 1) {
    return InternalError("cannot build a timestamp request");
  }
  unsigned char* der = nullptr;
  int len = i2d_TS_REQ(req.get(), &der);
  if (len <= 0) return InternalError("cannot encode a timestamp request");
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

Status CheckTimestampResponse(std::string_view response_der,
                              std::string_view query_der) {
  if (static_cast<int64_t>(response_der.size()) > kMaxTsaResponseBytes) {
    return ResourceExhaustedError("tsa response is over " +
                                  std::to_string(kMaxTsaResponseBytes) +
                                  " bytes");
  }
  const unsigned char* p =
      reinterpret_cast<const unsigned char*>(response_der.data());
  TsRespPtr resp(
      d2i_TS_RESP(nullptr, &p, static_cast<long>(response_der.size())));
  if (!resp || p != reinterpret_cast<const unsigned char*>(
                        response_der.data() + response_der.size())) {
    return DataLossError("tsa response is not a DER TimeStampResp");
  }
  ASSIGN_OR_RETURN(TsReqPtr req, ParseQuery(query_der));
  TsVerifyCtxPtr ctx(TS_REQ_to_TS_VERIFY_CTX(req.get(), nullptr));
  if (!ctx) return InternalError("cannot set up a timestamp check");
  if (TS_RESP_verify_response(ctx.get(), resp.get()) != 1) {
    return DataLossError(
        "tsa response does not answer the request (status, version, nonce "
        "or imprint)");
  }
  return Status::Ok();
}

Result<std::string> RequestTimestamp(registry::HttpTransport& http,
                                     std::string_view tsa_url,
                                     std::string_view signature,
                                     TsaRequestFormat format) {
  RETURN_IF_ERROR(registry::ParseUrl(tsa_url).status().WithContext("tsa URL"));
  // JSON numbers stay exact below 2^53 in JavaScript servers.
  ASSIGN_OR_RETURN(uint64_t nonce,
                   RandomNonce(format == TsaRequestFormat::kSigstoreJson
                                   ? (uint64_t{1} << 53) - 1
                                   : (uint64_t{1} << 63) - 1));
  ASSIGN_OR_RETURN(std::string query, MakeTimestampQuery(signature, nonce));
  std::string body = query;
  std::string content_type = "application/timestamp-query";
  if (format == TsaRequestFormat::kSigstoreJson) {
    body = json::Dump(Json{
        {"artifactHash",
         Base64Encode(crypto::HashBytes(crypto::Hash::kSha256, signature))},
        {"hashAlgorithm", "sha256"},
        {"nonce", nonce},
        {"certificates", true}});
    content_type = "application/json";
  }
  ASSIGN_OR_RETURN(std::string response,
                   Post(http, "tsa", std::string(tsa_url), std::move(body),
                        std::move(content_type), "application/timestamp-reply",
                        kMaxTsaResponseBytes));
  RETURN_IF_ERROR(CheckTimestampResponse(response, query));
  return response;
}

}  // namespace strata::sigstore
