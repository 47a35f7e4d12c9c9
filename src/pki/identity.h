// Who may have signed: the identity policy of keyless verification. A
// Fulcio certificate names the signer in a subject alternative name (email,
// URI or username) and the OIDC issuer that vouched for it in an
// extension; the policy says which values are acceptable.
#ifndef STRATA_PKI_IDENTITY_H_
#define STRATA_PKI_IDENTITY_H_

#include <cstddef>
#include <memory>
#include <regex>
#include <string>
#include <string_view>

#include "base/status.h"
#include "pki/certificate.h"

namespace strata::pki {

// A regular expression longer than this is refused; an identity (SAN or
// issuer) longer than this is never matched against one.
inline constexpr size_t kMaxPatternBytes = 1024;
inline constexpr size_t kMaxIdentityBytes = 4096;

// One acceptable value: an exact string, or an ECMAScript regular
// expression that must match the whole value (std::regex_match: no
// substring or prefix matches; "^...$" is not needed).
//
// The pattern comes from the user's policy, the identity from a hostile
// certificate: a pattern with nested quantifiers can take exponential time
// in std::regex, so policies should keep patterns simple.
// Thread-safety: immutable; copies share the compiled expression.
class Matcher {
 public:
  static Matcher Exact(std::string value);
  // kInvalidArgument for a pattern that does not compile;
  // kResourceExhausted past kMaxPatternBytes.
  static Result<Matcher> Regexp(std::string_view pattern);

  // kResourceExhausted when `value` is over kMaxIdentityBytes and this is
  // a regexp, or when the regexp engine gives up.
  Result<bool> Matches(std::string_view value) const;
  // "\"value\"" or "regexp \"pattern\"", for messages.
  std::string Describe() const;

 private:
  Matcher(std::string text, std::shared_ptr<const std::regex> re)
      : text_(std::move(text)), re_(std::move(re)) {}
  std::string text_;
  std::shared_ptr<const std::regex> re_;  // null: exact
};

struct IdentityPolicy {
  Matcher subject;  // against each email, URI and username SAN
  Matcher issuer;   // against Certificate::FulcioIssuer()
};

// Passes when `leaf`'s Fulcio issuer matches `policy.issuer` and at least
// one of its SANs matches `policy.subject`.
// Errors: kPermissionDenied "certificate issuer \"x\" does not match
// \"y\"", "certificate has no OIDC issuer extension", "no certificate
// identity matches regexp \"p\" (have \"a\", \"b\")"; kDataLoss for
// malformed SANs or issuer extension.
Status CheckIdentity(const Certificate& leaf, const IdentityPolicy& policy);

}  // namespace strata::pki

#endif  // STRATA_PKI_IDENTITY_H_
