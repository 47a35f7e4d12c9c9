#include "pki/identity.h"

namespace strata::pki {

Matcher Matcher::Exact(std::string value) {
  return Matcher(std::move(value), nullptr);
}

// std::regex reports errors by throwing: this file is its adapter.
Result<Matcher> Matcher::Regexp(std::string_view pattern) {
  if (pattern.size() > kMaxPatternBytes) {
    return ResourceExhaustedError("identity regexp is over " +
                                  std::to_string(kMaxPatternBytes) + " bytes");
  }
  try {
    auto re = std::make_shared<const std::regex>(pattern.begin(), pattern.end(),
                                                 std::regex::ECMAScript);
    return Matcher(std::string(pattern), std::move(re));
  } catch (const std::regex_error& e) {
    return InvalidArgumentError("identity regexp \"" + std::string(pattern) +
                                "\" does not compile: " + e.what());
  }
}

Result<bool> Matcher::Matches(std::string_view value) const {
  if (re_ == nullptr) return value == text_;
  if (value.size() > kMaxIdentityBytes) {
    return ResourceExhaustedError("identity is over " +
                                  std::to_string(kMaxIdentityBytes) + " bytes");
  }
  try {
    return std::regex_match(value.begin(), value.end(), *re_);
  } catch (const std::regex_error& e) {
    return ResourceExhaustedError("identity regexp \"" + text_ +
                                  "\" gave up: " + e.what());
  }
}

std::string Matcher::Describe() const {
  return (re_ ? "regexp \"" : "\"") + text_ + "\"";
}

Status CheckIdentity(const Certificate& leaf, const IdentityPolicy& policy) {
  ASSIGN_OR_RETURN(std::optional<std::string> issuer, leaf.FulcioIssuer());
  if (!issuer) {
    return PermissionDeniedError("certificate has no OIDC issuer extension");
  }
  ASSIGN_OR_RETURN(bool issuer_ok, policy.issuer.Matches(*issuer));
  if (!issuer_ok) {
    return PermissionDeniedError("certificate issuer \"" + *issuer +
                                 "\" does not match " +
                                 policy.issuer.Describe());
  }
  ASSIGN_OR_RETURN(std::vector<SubjectAltName> sans, leaf.SubjectAltNames());
  std::string have;
  for (const SubjectAltName& san : sans) {
    ASSIGN_OR_RETURN(bool ok, policy.subject.Matches(san.value));
    if (ok) return Status::Ok();
    have += (have.empty() ? "\"" : ", \"") + san.value + "\"";
  }
  return PermissionDeniedError("no certificate identity matches " +
                               policy.subject.Describe() + " (have " +
                               (have.empty() ? "none" : have) + ")");
}

}  // namespace strata::pki
