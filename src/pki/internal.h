// Helpers shared by the pki sources; not part of the layer's API.
#ifndef STRATA_PKI_INTERNAL_H_
#define STRATA_PKI_INTERNAL_H_

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <chrono>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/unique_fd.h"
#include "crypto/openssl_error.h"
#include "pki/certificate.h"
#include "pki/chain.h"

namespace strata::pki::internal {

using BioPtr = std::unique_ptr<BIO, CHandleDeleter<BIO, BIO_free_all>>;
using StorePtr =
    std::unique_ptr<X509_STORE, CHandleDeleter<X509_STORE, X509_STORE_free>>;
using StoreCtxPtr =
    std::unique_ptr<X509_STORE_CTX,
                    CHandleDeleter<X509_STORE_CTX, X509_STORE_CTX_free>>;
inline void FreeX509Stack(STACK_OF(X509) * s) {
  sk_X509_pop_free(s, X509_free);
}
using X509StackPtr =
    std::unique_ptr<STACK_OF(X509),
                    CHandleDeleter<STACK_OF(X509), FreeX509Stack>>;

using crypto::TakeOpenSslError;

// A read-only memory BIO over `data` (which must outlive it).
inline BioPtr MemBio(std::string_view data) {
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

// A new stack holding references to `certs` (nullptr on allocation failure).
X509StackPtr ToStack(std::span<const Certificate> certs);

// A verify-time value for X509_VERIFY_PARAM_set_time / CT (seconds).
inline time_t ToTimeT(TimePoint t) {
  return std::chrono::system_clock::to_time_t(t);
}

// An authority's trust material for one verification at `at_time`: its
// last certificate as the only trusted one (with OpenSSL's partial-chain
// flag when that anchor is not self-issued), checks at `at_time`, and its
// other certificates as untrusted helpers.
struct AuthorityStore {
  StorePtr store;
  std::vector<Certificate> intermediates;
};
Result<AuthorityStore> BuildAuthorityStore(const TrustedAuthority& authority,
                                           TimePoint at_time);

}  // namespace strata::pki::internal

#endif  // STRATA_PKI_INTERNAL_H_
