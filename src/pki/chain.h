// Certificate path validation for Sigstore keyless verification: a Fulcio
// leaf must chain, at the time the signature was made, to a certificate
// authority of the trusted root that was valid at that time.
#ifndef STRATA_PKI_CHAIN_H_
#define STRATA_PKI_CHAIN_H_

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "pki/certificate.h"

namespace strata::pki {

// A trusted authority (a trusted root's certificateAuthorities[] or
// timestampAuthorities[] entry): its chain, leaf-most first and root last,
// as DER, and the window in which the trusted root says it may be used.
// Both ends of the window are inclusive; no end means still valid.
struct TrustedAuthority {
  std::vector<std::string> chain_der;
  TimePoint valid_from;
  std::optional<TimePoint> valid_until;

  bool ValidAt(TimePoint t) const {
    return t >= valid_from && (!valid_until || t <= *valid_until);
  }
};

// Verifies `leaf` at `at_time` against each authority in `authorities`
// whose window contains `at_time`, and returns the first verified chain,
// leaf first, ending at that authority's anchor.
//
// The authority's last certificate is the trust anchor; its other
// certificates and `untrusted_intermediates` (e.g. the rest of a bundle's
// x509CertificateChain) only help build the path. When the anchor is not
// self-issued (a trusted root that pins an intermediate) the path may end
// there (OpenSSL's partial chain); otherwise it must reach the
// self-issued root. Every certificate on the path must be valid at
// `at_time`. A self-issued certificate among `untrusted_intermediates` is
// refused (a bundle must not carry its own root), as are more than
// kMaxChainCertificates - 1 of them. The leaf must have the code-signing
// extended key usage and must not be a CA.
//
// Errors: kPermissionDenied with the reasons (OpenSSL's verify error for
// each authority tried, e.g. "certificate has expired", or that no
// authority is valid at `at_time`); kDataLoss (with the authority's index
// as context) for an unreadable authority chain.
// `at_time` is when the signature was made, as a transparency log or a
// timestamp authority vouches for it (Fulcio leaves live ten minutes).
Result<std::vector<Certificate>> VerifyChain(
    const Certificate& leaf,
    std::span<const Certificate> untrusted_intermediates,
    std::span<const TrustedAuthority> authorities, TimePoint at_time);

}  // namespace strata::pki

#endif  // STRATA_PKI_CHAIN_H_
