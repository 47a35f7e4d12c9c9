// DSSE envelopes (https://github.com/secure-systems-lab/dsse, protocol v1)
// and the in-toto Statement they carry in attestations.
#ifndef STRATA_SIGSTORE_DSSE_H_
#define STRATA_SIGSTORE_DSSE_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"
#include "base/status.h"

namespace strata::sigstore {

inline constexpr std::string_view kInTotoPayloadType =
    "application/vnd.in-toto+json";
inline constexpr size_t kMaxDssePayloadBytes = 16 * 1024 * 1024;
inline constexpr size_t kMaxDsseSignatures = 16;
inline constexpr size_t kMaxInTotoSubjects = 1024;

struct DsseSignature {
  std::string sig;  // raw signature bytes
  std::string keyid;
};

struct DsseEnvelope {
  std::string payload_type;
  std::string payload;  // raw bytes
  std::vector<DsseSignature> signatures;
};

// The pre-authentication encoding that is signed:
// "DSSEv1" SP len(type) SP type SP len(payload) SP payload.
std::string Pae(std::string_view payload_type, std::string_view payload);

// From the envelope JSON ({"payload": b64, "payloadType": ..., "signatures":
// [{"sig": b64, "keyid": ...}]}, protobuf JSON names; base64 of either
// alphabet). At least one signature; caps above.
Result<DsseEnvelope> ParseDsseEnvelope(const json::Json& j);
// The envelope as JSON (standard base64, padded), for writing.
json::Json DsseEnvelopeToJson(const DsseEnvelope& e);

struct InTotoSubject {
  std::string name;
  std::map<std::string, std::string> digest;  // algorithm -> lowercase hex
};

struct InTotoStatement {
  std::string type;  // "https://in-toto.io/Statement/v1" or v0.1
  std::string predicate_type;
  std::vector<InTotoSubject> subjects;
  json::Json predicate;
};

// Parses a Statement (v1 or v0.1): _type, predicateType and at least one
// subject with a digest are required; digests must be lowercase hex.
Result<InTotoStatement> ParseInTotoStatement(std::string_view bytes);

// Whether some subject has digest `algorithm` equal to `hex`.
bool HasSubjectDigest(const InTotoStatement& s, std::string_view algorithm,
                      std::string_view hex);

}  // namespace strata::sigstore

#endif  // STRATA_SIGSTORE_DSSE_H_
