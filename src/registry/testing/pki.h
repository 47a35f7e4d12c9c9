// Throwaway PKI for registry tests, built with the OpenSSL 3 API: ECDSA
// P-256 keys, a self-signed CA, certificates it issues for TLS servers
// (IP/DNS subject alternative names), TLS clients and token signing; JWS
// ES256 signatures; base64 helpers. Certificates are valid from one hour
// ago for kCertValidDays days.
//
// Thread-safety: the functions are thread-safe; a TestCa or CertKey may be
// used from several threads for const calls.
#ifndef STRATA_REGISTRY_TESTING_PKI_H_
#define STRATA_REGISTRY_TESTING_PKI_H_

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/unique_fd.h"

namespace strata::registry::testing {

inline constexpr int kCertValidDays = 7;

using PkeyPtr =
    std::unique_ptr<EVP_PKEY, CHandleDeleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, CHandleDeleter<X509, X509_free>>;

enum class CertUsage {
  kServer,   // extendedKeyUsage serverAuth
  kClient,   // extendedKeyUsage clientAuth
  kSigning,  // digitalSignature only (JWT signing)
};

struct CertRequest {
  std::string common_name;
  std::vector<std::string> dns_names = {};     // subjectAltName DNS entries
  std::vector<std::string> ip_addresses = {};  // subjectAltName IP entries
  CertUsage usage = CertUsage::kServer;
};

// A certificate with its private key.
struct CertKey {
  X509Ptr cert;
  PkeyPtr key;

  std::string CertPem() const;
  std::string KeyPem() const;  // unencrypted PKCS#8
  std::string CertDer() const;
  // Writes both PEM files (the key with mode 0600).
  Status WritePem(const std::string& cert_path,
                  const std::string& key_path) const;
};

// A self-signed certificate authority (basicConstraints CA:TRUE, keyUsage
// keyCertSign). Move-only.
class TestCa {
 public:
  static Result<TestCa> Create(std::string_view common_name);

  // Issues a certificate for a fresh P-256 key, signed by this CA.
  Result<CertKey> Issue(const CertRequest& request) const;
  const CertKey& root() const { return root_; }

 private:
  explicit TestCa(CertKey root) : root_(std::move(root)) {}
  CertKey root_;
};

// A JWS ES256 signature of `signing_input` by the P-256 `key`: base64url of
// the raw 64-byte r||s (RFC 7518 3.4), as JWT verifiers expect.
Result<std::string> SignEs256(EVP_PKEY* key, std::string_view signing_input);

std::string Base64(std::string_view data);     // standard, padded
std::string Base64Url(std::string_view data);  // URL alphabet, no padding
// Decodes standard base64 (padding required, no whitespace).
Result<std::string> DecodeBase64(std::string_view text);
// `bytes` random bytes from OpenSSL's CSPRNG, as lowercase hex.
Result<std::string> RandomHex(size_t bytes);

}  // namespace strata::registry::testing

#endif  // STRATA_REGISTRY_TESTING_PKI_H_
