// RFC 3161 timestamps as Sigstore bundles carry them
// (timestampVerificationData.rfc3161Timestamps[].signedTimestamp): proof
// from a trusted timestamp authority that a signature existed at a time.
#ifndef STRATA_PKI_TIMESTAMP_H_
#define STRATA_PKI_TIMESTAMP_H_

#include <cstddef>
#include <span>
#include <string_view>

#include "base/status.h"
#include "pki/certificate.h"
#include "pki/chain.h"

namespace strata::pki {

// A timestamp response or token larger than this is refused unparsed.
inline constexpr size_t kMaxTimestampBytes = 64 * 1024;

// Verifies `timestamp_der`, a DER TimeStampResp (status granted) or a bare
// TimeStampToken (CMS SignedData), over `signed_bytes` (for Sigstore: the
// raw signature bytes of the bundle's messageSignature or DSSE signature),
// and returns its genTime (fractional seconds dropped).
//
// The token's message imprint must be SHA-256, SHA-384 or SHA-512 of
// `signed_bytes`. Its signer must chain, at genTime, to one of
// `authorities` whose window contains genTime; each authority's last
// certificate is the anchor and its others (the TSA's own certificate
// included) are untrusted helpers, so a token without embedded
// certificates verifies too, and certificates embedded in the token never
// become trusted. OpenSSL checks the CMS signature, the ESS signing
// certificate binding, the timeStamping key usage and the TSTInfo version.
//
// Errors: kResourceExhausted past kMaxTimestampBytes; kDataLoss for bytes
// that are neither form, or a response that was not granted;
// kPermissionDenied with the reason for each authority tried otherwise
// ("timestamp is not over the given bytes", "no trusted timestamp authority
// is valid at ...", OpenSSL's verify error).
Result<TimePoint> VerifyTimestamp(
    std::string_view timestamp_der, std::string_view signed_bytes,
    std::span<const TrustedAuthority> authorities);

}  // namespace strata::pki

#endif  // STRATA_PKI_TIMESTAMP_H_
