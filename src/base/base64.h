// Base64 (RFC 4648) encoding and strict decoding.
#ifndef STRATA_BASE_BASE64_H_
#define STRATA_BASE_BASE64_H_

#include <string>
#include <string_view>

#include "base/status.h"

namespace strata {

// Standard alphabet, padded.
std::string Base64Encode(std::string_view data);
// URL-safe alphabet, no padding (JWS, RFC 7515).
std::string Base64UrlEncode(std::string_view data);

enum class Base64Alphabet {
  kStandard,  // + and /
  kUrl,       // - and _
  kEither,    // protobuf JSON's bytes: either alphabet, not mixed
};

// Decodes `text`; padding is optional but, when present, must be exactly
// right, and the unused bits of the last character must be zero (so each
// byte string has one encoding). No whitespace. Errors name no input bytes.
Result<std::string> Base64Decode(
    std::string_view text, Base64Alphabet alphabet = Base64Alphabet::kStandard);

}  // namespace strata

#endif  // STRATA_BASE_BASE64_H_
