#include "pki/chain.h"

#include <openssl/x509_vfy.h>

#include "pki/internal.h"

namespace strata::pki {

namespace internal {

Result<AuthorityStore> BuildAuthorityStore(const TrustedAuthority& authority,
                                           TimePoint at_time) {
  if (authority.chain_der.empty()) {
    return DataLossError("authority has no certificates");
  }
  ASSIGN_OR_RETURN(std::vector<Certificate> certs,
                   Certificate::ParseDerChain(authority.chain_der));
  Certificate anchor = certs.back();
  certs.pop_back();
  AuthorityStore out{StorePtr(X509_STORE_new()), std::move(certs)};
  if (!out.store || X509_STORE_add_cert(out.store.get(), anchor.get()) != 1) {
    return InternalError("trust store: " + TakeOpenSslError());
  }
  X509_VERIFY_PARAM* param = X509_STORE_get0_param(out.store.get());
  X509_VERIFY_PARAM_set_time(param, ToTimeT(at_time));
  X509_VERIFY_PARAM_set_depth(param, static_cast<int>(kMaxChainCertificates));
  unsigned long flags = X509_V_FLAG_USE_CHECK_TIME | X509_V_FLAG_X509_STRICT;
  if (!anchor.IsSelfIssued()) flags |= X509_V_FLAG_PARTIAL_CHAIN;
  X509_VERIFY_PARAM_set_flags(param, flags);
  return out;
}

}  // namespace internal

namespace {

using internal::StoreCtxPtr;
using internal::TakeOpenSslError;

Result<std::vector<Certificate>> VerifyWithAuthority(
    const Certificate& leaf, std::span<const Certificate> untrusted,
    const TrustedAuthority& authority, TimePoint at_time) {
  ASSIGN_OR_RETURN(internal::AuthorityStore trust,
                   internal::BuildAuthorityStore(authority, at_time));
  std::vector<Certificate> helpers = std::move(trust.intermediates);
  helpers.insert(helpers.end(), untrusted.begin(), untrusted.end());
  internal::X509StackPtr stack = internal::ToStack(helpers);
  StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!stack || !ctx ||
      X509_STORE_CTX_init(ctx.get(), trust.store.get(), leaf.get(),
                          stack.get()) != 1) {
    return InternalError("verify setup: " + TakeOpenSslError());
  }
  if (X509_verify_cert(ctx.get()) != 1) {
    const int err = X509_STORE_CTX_get_error(ctx.get());
    TakeOpenSslError();
    return PermissionDeniedError(X509_verify_cert_error_string(err));
  }
  internal::X509StackPtr chain(X509_STORE_CTX_get1_chain(ctx.get()));
  std::vector<Certificate> out;
  for (int i = 0; chain && i < sk_X509_num(chain.get()); ++i) {
    ASSIGN_OR_RETURN(Certificate c,
                     Certificate::FromX509(sk_X509_value(chain.get(), i)));
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace

Result<std::vector<Certificate>> VerifyChain(
    const Certificate& leaf,
    std::span<const Certificate> untrusted_intermediates,
    std::span<const TrustedAuthority> authorities, TimePoint at_time) {
  if (untrusted_intermediates.size() >= kMaxChainCertificates) {
    return ResourceExhaustedError("more than " +
                                  std::to_string(kMaxChainCertificates - 1) +
                                  " untrusted intermediate certificates");
  }
  for (const Certificate& c : untrusted_intermediates) {
    if (c.IsSelfIssued()) {
      return PermissionDeniedError(
          "untrusted chain contains a root certificate (" + c.SubjectString() +
          ")");
    }
  }
  if (leaf.IsCa()) return PermissionDeniedError("leaf certificate is a CA");
  if (!leaf.HasCodeSigningEku()) {
    return PermissionDeniedError(
        "leaf certificate lacks the code-signing extended key usage");
  }
  std::string reasons;
  for (size_t i = 0; i < authorities.size(); ++i) {
    if (!authorities[i].ValidAt(at_time)) continue;
    auto chain = VerifyWithAuthority(leaf, untrusted_intermediates,
                                     authorities[i], at_time);
    if (chain.ok()) return chain;
    if (chain.status().code() != StatusCode::kPermissionDenied) {
      return std::move(chain).status().WithContext("certificate authority " +
                                                   std::to_string(i));
    }
    if (!reasons.empty()) reasons += "; ";
    reasons +=
        "authority " + std::to_string(i) + ": " + chain.status().message();
  }
  if (reasons.empty()) {
    return PermissionDeniedError(
        "no trusted certificate authority is valid at " + FormatTime(at_time));
  }
  return PermissionDeniedError(
      "certificate does not chain to a trusted certificate authority at " +
      FormatTime(at_time) + " (" + reasons + ")");
}

}  // namespace strata::pki
