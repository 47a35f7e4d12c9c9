// The "simple signing" payload that cosign signs: a JSON document naming
// the image (its manifest digest) and its claimed identity (a docker
// reference), after containers-signature(5) with cosign's type string.
//
//   {"critical":{"identity":{"docker-reference":"reg/repo"},
//                "image":{"docker-manifest-digest":"sha256:..."},
//                "type":"cosign container image signature"},
//    "optional":null}
//
// The payload is the signed message itself (the signature covers these exact
// bytes), so MakePayload writes exactly what cosign writes and ParsePayload
// never re-serialises.
#ifndef STRATA_COSIGN_PAYLOAD_H_
#define STRATA_COSIGN_PAYLOAD_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/digest.h"
#include "base/json.h"
#include "base/status.h"

namespace strata::cosign {

// critical.type of cosign signatures.
inline constexpr std::string_view kPayloadType =
    "cosign container image signature";
// A payload (and a signature layer's blob) larger than this is refused.
inline constexpr int64_t kMaxPayloadBytes = 64 * 1024;

// Builds the payload as cosign does (Go's encoding/json: fields in this
// order, no whitespace, HTML-safe escapes, map keys sorted). No annotations:
// "optional":null; annotations (even an empty map): "optional":{...}.
std::string MakePayload(std::string_view docker_reference,
                        const Digest& manifest_digest,
                        const std::optional<std::map<std::string, std::string>>&
                            annotations = std::nullopt);

struct Payload {
  std::string docker_reference;  // critical.identity.docker-reference
  Digest manifest_digest;        // critical.image.docker-manifest-digest
  // The "optional" object as signed; nullopt when absent or null.
  std::optional<json::Json> optional;
  std::optional<std::string> creator;  // optional.creator
  std::optional<int64_t> timestamp;    // optional.timestamp (Unix seconds)
};

// Parses a payload strictly, after containers-signature(5): the document is
// at most kMaxPayloadBytes; no object at any level repeats a key; the top
// level has "critical" and may have "optional" (absent, null or an object)
// and nothing else; "critical" has exactly "type", "image" and "identity";
// "image" exactly "docker-manifest-digest" (a valid digest); "identity"
// exactly "docker-reference" (a string); keys match case-sensitively;
// critical.type must be kPayloadType; optional.creator, when present, a
// string and optional.timestamp an integer. Errors are kDataLoss
// ("signature payload: unknown field \"critical.foo\""), or
// kResourceExhausted for the size and depth caps. Call it only on bytes
// whose signature verified.
Result<Payload> ParsePayload(std::string_view bytes);

}  // namespace strata::cosign

#endif  // STRATA_COSIGN_PAYLOAD_H_
