// X.509 certificates as Sigstore keyless verification reads them: parsing
// (DER or PEM, capped), subject alternative names, Fulcio's OIDC issuer
// extension, validity, code-signing EKU, CA-ness and the public key.
//
// Certificates come from bundles and trusted roots: hostile input. Parsing
// checks sizes and refuses trailing data and certificates whose extensions
// OpenSSL cannot decode; the accessors never crash on odd certificates.
//
// Thread-safety: a Certificate is immutable after parsing; copies share the
// underlying X509 (reference counted) and may be used from any thread.
#ifndef STRATA_PKI_CERTIFICATE_H_
#define STRATA_PKI_CERTIFICATE_H_

#include <openssl/x509.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/unique_fd.h"
#include "crypto/keys.h"

namespace strata::pki {

using TimePoint = std::chrono::system_clock::time_point;

// A DER or PEM certificate larger than this is refused before parsing.
inline constexpr size_t kMaxCertificateBytes = 64 * 1024;
// Certificates in one chain (PEM bundle, bundle chain, trusted-root chain).
inline constexpr size_t kMaxChainCertificates = 10;
// Subject alternative names read from one certificate.
inline constexpr size_t kMaxSubjectAltNames = 64;

// Fulcio's extensions (https://github.com/sigstore/fulcio docs/oid-info.md).
inline constexpr char kFulcioIssuerV1Oid[] = "1.3.6.1.4.1.57264.1.1";
inline constexpr char kFulcioIssuerV2Oid[] = "1.3.6.1.4.1.57264.1.8";
// The GitHub Actions workflow extensions of Fulcio v1 (deprecated, still
// in certificates and in cosign verify's output): trigger, sha, name,
// repository, ref.
inline constexpr char kFulcioGithubWorkflowTriggerOid[] =
    "1.3.6.1.4.1.57264.1.2";
inline constexpr char kFulcioGithubWorkflowShaOid[] = "1.3.6.1.4.1.57264.1.3";
inline constexpr char kFulcioGithubWorkflowNameOid[] = "1.3.6.1.4.1.57264.1.4";
inline constexpr char kFulcioGithubWorkflowRepositoryOid[] =
    "1.3.6.1.4.1.57264.1.5";
inline constexpr char kFulcioGithubWorkflowRefOid[] = "1.3.6.1.4.1.57264.1.6";
// The OtherName type Fulcio uses for "username" identities.
inline constexpr char kSigstoreUsernameOid[] = "1.3.6.1.4.1.57264.1.7";

enum class SanType {
  kEmail,     // rfc822Name
  kUri,       // uniformResourceIdentifier
  kUsername,  // otherName 1.3.6.1.4.1.57264.1.7, UTF8String
};

struct SubjectAltName {
  SanType type;
  std::string value;
  friend bool operator==(const SubjectAltName&,
                         const SubjectAltName&) = default;
};

using X509Ptr = std::unique_ptr<X509, CHandleDeleter<X509, X509_free>>;

class Certificate {
 public:
  // One DER certificate in its canonical encoding (what OpenSSL would
  // write back); no trailing bytes.
  static Result<Certificate> FromDer(std::string_view der);
  // Exactly one "-----BEGIN CERTIFICATE-----" block, nothing around it but
  // whitespace.
  static Result<Certificate> FromPem(std::string_view pem);
  // PEM if the text starts (after whitespace) with "-----BEGIN", else DER.
  static Result<Certificate> Parse(std::string_view der_or_pem);
  // One or more CERTIFICATE blocks (at most kMaxChainCertificates), only
  // whitespace between and around them; in file order.
  static Result<std::vector<Certificate>> ParsePemChain(std::string_view pem);
  // DER certificates in order (at most kMaxChainCertificates).
  static Result<std::vector<Certificate>> ParseDerChain(
      std::span<const std::string> ders);
  // Takes a new reference to `x509` (e.g. from a verified X509 chain) and
  // checks it as FromDer does.
  static Result<Certificate> FromX509(X509* x509);

  Certificate(const Certificate& other);
  Certificate& operator=(const Certificate& other);
  Certificate(Certificate&&) noexcept = default;
  Certificate& operator=(Certificate&&) noexcept = default;

  // The certificate's own encoding.
  std::string ToDer() const;
  std::string ToPem() const;

  // Email, URI and Sigstore-username SANs in certificate order; other name
  // types are skipped. A SAN of a known type that is malformed (embedded
  // NUL, wrong OtherName value type) or more than kMaxSubjectAltNames names
  // is kDataLoss. No SAN extension: empty.
  Result<std::vector<SubjectAltName>> SubjectAltNames() const;
  // The OIDC issuer Fulcio recorded: extension 1.3.6.1.4.1.57264.1.8 (a DER
  // UTF8String) or, when absent, 1.3.6.1.4.1.57264.1.1 (raw bytes). Neither:
  // nullopt. Malformed or repeated: kDataLoss.
  Result<std::optional<std::string>> FulcioIssuer() const;

  // The raw value of extension `oid` (dotted) as text, the way Fulcio's
  // deprecated v1 extensions (1.3.6.1.4.1.57264.1.1-.6) store strings.
  // Absent: nullopt. Repeated, or holding a NUL byte: kDataLoss.
  Result<std::optional<std::string>> RawExtensionText(const char* oid) const;

  TimePoint not_before() const { return not_before_; }
  TimePoint not_after() const { return not_after_; }
  // Extended key usage lists id-kp-codeSigning.
  bool HasCodeSigningEku() const;
  // basicConstraints CA, keyCertSign or a self-signed v1 certificate
  // (OpenSSL's X509_check_ca).
  bool IsCa() const;
  // Self-issued: subject equals issuer and the key identifiers (when
  // present) agree, as a root's are. The signature is not checked.
  bool IsSelfIssued() const;
  // The subject public key, checked as crypto::PublicKey does (supported
  // algorithms and sizes only).
  Result<crypto::PublicKey> PublicKey() const;
  // One-line subject ("CN=..., O=...") for messages.
  std::string SubjectString() const;

  // Borrowed; lives as long as this Certificate (or a copy of it).
  X509* get() const { return x509_.get(); }

  bool operator==(const Certificate& o) const;

 private:
  Certificate(X509Ptr x509, TimePoint not_before, TimePoint not_after)
      : x509_(std::move(x509)),
        not_before_(not_before),
        not_after_(not_after) {}
  static Result<Certificate> Checked(X509Ptr x509);

  X509Ptr x509_;
  TimePoint not_before_;
  TimePoint not_after_;
};

// Seconds-precision conversion of an ASN1_TIME (UTCTime or GeneralizedTime;
// fractional seconds dropped).
Result<TimePoint> FromAsn1Time(const ASN1_TIME* t);
// RFC 3339 UTC form for messages: "2024-03-19T17:26:26Z".
std::string FormatTime(TimePoint t);

}  // namespace strata::pki

#endif  // STRATA_PKI_CERTIFICATE_H_
