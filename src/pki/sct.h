// Certificate Transparency for Fulcio certificates: the signed certificate
// timestamps (RFC 6962) embedded in a leaf must include at least one valid
// SCT from a CT log the trusted root knows.
#ifndef STRATA_PKI_SCT_H_
#define STRATA_PKI_SCT_H_

#include <cstddef>
#include <optional>
#include <span>
#include <string>

#include "base/status.h"
#include "pki/certificate.h"

namespace strata::pki {

// SCTs read from one certificate, and CT logs accepted in one call.
inline constexpr size_t kMaxScts = 32;
inline constexpr size_t kMaxCtLogs = 64;

// A trusted root's ctlogs[] entry: the key as SubjectPublicKeyInfo DER or,
// for keyDetails PKCS1_RSA_PKCS1V5, a PKCS#1 RSAPublicKey. The log id is
// SHA-256 of the key's SubjectPublicKeyInfo DER (RFC 6962 3.2), computed
// here: an id the trusted root states is not trusted. The window (both ends
// inclusive, no end: still valid) bounds the SCT timestamps the log may vouch
// for.
struct CtLog {
  std::string public_key_der;
  TimePoint valid_from;
  std::optional<TimePoint> valid_until;
};

// Verifies the SCTs in `leaf`'s extension 1.3.6.1.4.1.11129.2.4.2 as
// precertificate entries issued by `issuer` (the next certificate of the
// verified chain). `at_time` is the time of verification (now): a log
// stamps an SCT milliseconds after the certificate's notBefore second, so
// the signing time of a bundle is too early. Passes when at least one SCT
// is from a log in `logs`, carries a timestamp inside that log's window and
// not after `at_time`,
// and verifies with the log's key (OpenSSL SCT_validate; SCT extensions are
// signed data and allowed). SCTs from unknown logs are ignored.
//
// Errors: kPermissionDenied "no valid SCT from a trusted CT log (SCT 0 (log
// <first 8 bytes of id, hex>): unknown log; ...)"; kDataLoss for a
// malformed SCT list or log key; kResourceExhausted past kMaxScts or
// kMaxCtLogs.
Status VerifyEmbeddedScts(const Certificate& leaf, const Certificate& issuer,
                          std::span<const CtLog> logs, TimePoint at_time);

}  // namespace strata::pki

#endif  // STRATA_PKI_SCT_H_
