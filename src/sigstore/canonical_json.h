// RFC 8785 JSON Canonicalization Scheme (JCS).
//
// Rekor signs its Signed Entry Timestamp over the JCS form of a small JSON
// object; this is the serialiser that rebuilds those bytes. It follows RFC
// 8785 section 3.2: no whitespace, object members sorted by the UTF-16 code
// units of their names, strings with the minimal escaping of section
// 3.2.2.2, numbers in the ECMAScript Number.prototype.toString form of their
// IEEE 754 double value (integers beyond 2^53 are rounded, as I-JSON
// requires).
#ifndef STRATA_SIGSTORE_CANONICAL_JSON_H_
#define STRATA_SIGSTORE_CANONICAL_JSON_H_

#include <string>

#include "base/json.h"
#include "base/status.h"

namespace strata::sigstore {

// Serialises `value` canonically. Fails (kInvalidArgument) on NaN or
// infinite numbers, on strings or member names that are not valid UTF-8, on
// binary values, and on nesting deeper than caps::kMaxJsonDepth.
Result<std::string> CanonicalJson(const json::Json& value);

// The ECMAScript (ES2015 7.1.12.1) string form of a finite double, the number
// format JCS uses: "0", "4.5", "1e+30", "-5e-324", "0.000001".
// Precondition: std::isfinite(value).
std::string FormatJcsNumber(double value);

}  // namespace strata::sigstore

#endif  // STRATA_SIGSTORE_CANONICAL_JSON_H_
