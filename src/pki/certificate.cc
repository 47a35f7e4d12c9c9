#include "pki/certificate.h"

#include <openssl/asn1.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cstring>
#include <ctime>

#include "pki/internal.h"

namespace strata::pki {
namespace {

using internal::BioPtr;
using internal::TakeOpenSslError;

using GeneralNamesPtr =
    std::unique_ptr<GENERAL_NAMES,
                    CHandleDeleter<GENERAL_NAMES, GENERAL_NAMES_free>>;
using ObjectPtr =
    std::unique_ptr<ASN1_OBJECT, CHandleDeleter<ASN1_OBJECT, ASN1_OBJECT_free>>;
using Utf8StringPtr =
    std::unique_ptr<ASN1_UTF8STRING,
                    CHandleDeleter<ASN1_UTF8STRING, ASN1_UTF8STRING_free>>;

constexpr std::string_view kWhitespace = " \t\r\n";
constexpr std::string_view kPemBegin = "-----BEGIN";

std::string_view TrimLeft(std::string_view s) {
  size_t i = s.find_first_not_of(kWhitespace);
  return i == std::string_view::npos ? std::string_view() : s.substr(i);
}

Result<std::string> AsnStringValue(const ASN1_STRING* s,
                                   std::string_view what) {
  std::string value(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                    static_cast<size_t>(ASN1_STRING_length(s)));
  if (value.find('\0') != std::string::npos) {
    return DataLossError(std::string(what) + " contains a NUL byte");
  }
  return value;
}

// The single extension with OID `oid`, nullptr when absent.
Result<X509_EXTENSION*> UniqueExtension(X509* x, const char* oid) {
  ObjectPtr obj(OBJ_txt2obj(oid, /*no_name=*/1));
  if (!obj) return InternalError("bad OID " + std::string(oid));
  int idx = X509_get_ext_by_OBJ(x, obj.get(), -1);
  if (idx < 0) return static_cast<X509_EXTENSION*>(nullptr);
  if (X509_get_ext_by_OBJ(x, obj.get(), idx) >= 0) {
    return DataLossError("certificate repeats extension " + std::string(oid));
  }
  return X509_get_ext(x, idx);
}

}  // namespace

Result<TimePoint> FromAsn1Time(const ASN1_TIME* t) {
  struct tm tm = {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
    TakeOpenSslError();
    return DataLossError("malformed time");
  }
  const time_t secs = timegm(&tm);
  using std::chrono::seconds;
  // system_clock counts nanoseconds on this platform (years 1677..2262);
  // "never expires" dates such as 9999-12-31 are clamped to the ends.
  constexpr auto kMax =
      std::chrono::duration_cast<seconds>(TimePoint::max().time_since_epoch());
  constexpr auto kMin =
      std::chrono::duration_cast<seconds>(TimePoint::min().time_since_epoch());
  if (secs >= kMax.count()) return TimePoint(kMax);
  if (secs <= kMin.count()) return TimePoint(kMin);
  return TimePoint(seconds(secs));
}

std::string FormatTime(TimePoint t) {
  const time_t secs = std::chrono::system_clock::to_time_t(t);
  struct tm tm = {};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Result<Certificate> Certificate::Checked(X509Ptr x509) {
  if (X509_get_extension_flags(x509.get()) & EXFLAG_INVALID) {
    TakeOpenSslError();
    return DataLossError("certificate has malformed extensions");
  }
  auto not_before = FromAsn1Time(X509_get0_notBefore(x509.get()));
  if (!not_before.ok())
    return DataLossError("certificate has a malformed notBefore");
  auto not_after = FromAsn1Time(X509_get0_notAfter(x509.get()));
  if (!not_after.ok())
    return DataLossError("certificate has a malformed notAfter");
  return Certificate(std::move(x509), *not_before, *not_after);
}

Result<Certificate> Certificate::FromX509(X509* x509) {
  if (x509 == nullptr) return InvalidArgumentError("no certificate");
  X509_up_ref(x509);
  return Checked(X509Ptr(x509));
}

Result<Certificate> Certificate::FromDer(std::string_view der) {
  if (der.size() > kMaxCertificateBytes) {
    return ResourceExhaustedError("certificate is over " +
                                  std::to_string(kMaxCertificateBytes) +
                                  " bytes");
  }
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  X509Ptr x509(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!x509) {
    TakeOpenSslError();
    return DataLossError("not a DER certificate");
  }
  if (p != reinterpret_cast<const unsigned char*>(der.data() + der.size())) {
    return DataLossError("data after the certificate");
  }
  ASSIGN_OR_RETURN(Certificate cert, Checked(std::move(x509)));
  // OpenSSL accepts some BER (e.g. a signature BIT STRING with unused
  // bits) and re-encodes it; one certificate has one encoding here.
  if (cert.ToDer() != der) {
    return DataLossError("certificate is not in canonical DER");
  }
  return cert;
}

Result<Certificate> Certificate::FromPem(std::string_view pem) {
  ASSIGN_OR_RETURN(std::vector<Certificate> certs, ParsePemChain(pem));
  if (certs.size() != 1) {
    return DataLossError("want one PEM certificate, got " +
                         std::to_string(certs.size()));
  }
  return std::move(certs[0]);
}

Result<Certificate> Certificate::Parse(std::string_view der_or_pem) {
  if (TrimLeft(der_or_pem).starts_with(kPemBegin)) return FromPem(der_or_pem);
  return FromDer(der_or_pem);
}

Result<std::vector<Certificate>> Certificate::ParsePemChain(
    std::string_view pem) {
  if (pem.size() > kMaxChainCertificates * kMaxCertificateBytes) {
    return ResourceExhaustedError(
        "PEM chain is over " +
        std::to_string(kMaxChainCertificates * kMaxCertificateBytes) +
        " bytes");
  }
  BioPtr bio = internal::MemBio(pem);
  std::vector<Certificate> certs;
  while (true) {
    char* rest = nullptr;
    const long left = BIO_get_mem_data(bio.get(), &rest);
    std::string_view remaining = TrimLeft(
        std::string_view(rest, left > 0 ? static_cast<size_t>(left) : 0));
    if (remaining.empty()) break;
    if (!remaining.starts_with(kPemBegin)) {
      return DataLossError("data outside the PEM blocks");
    }
    if (certs.size() == kMaxChainCertificates) {
      return ResourceExhaustedError("more than " +
                                    std::to_string(kMaxChainCertificates) +
                                    " certificates in a chain");
    }
    char* name = nullptr;
    char* header = nullptr;
    unsigned char* data = nullptr;
    long len = 0;
    if (PEM_read_bio(bio.get(), &name, &header, &data, &len) != 1) {
      TakeOpenSslError();
      return DataLossError("malformed PEM block");
    }
    const bool is_cert = std::strcmp(name, "CERTIFICATE") == 0;
    const bool has_headers = header != nullptr && header[0] != '\0';
    std::string der(reinterpret_cast<char*>(data), static_cast<size_t>(len));
    std::string label(name);
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(data);
    if (!is_cert) {
      return DataLossError("PEM block is \"" + label +
                           "\", want \"CERTIFICATE\"");
    }
    if (has_headers) return DataLossError("PEM block has headers");
    ASSIGN_OR_RETURN(Certificate cert, FromDer(der));
    certs.push_back(std::move(cert));
  }
  if (certs.empty()) return DataLossError("no PEM certificate");
  return certs;
}

Result<std::vector<Certificate>> Certificate::ParseDerChain(
    std::span<const std::string> ders) {
  if (ders.size() > kMaxChainCertificates) {
    return ResourceExhaustedError("more than " +
                                  std::to_string(kMaxChainCertificates) +
                                  " certificates in a chain");
  }
  std::vector<Certificate> certs;
  for (size_t i = 0; i < ders.size(); ++i) {
    auto cert = FromDer(ders[i]);
    if (!cert.ok()) {
      return std::move(cert).status().WithContext("certificate " +
                                                  std::to_string(i));
    }
    certs.push_back(std::move(*cert));
  }
  return certs;
}

Certificate::Certificate(const Certificate& other)
    : not_before_(other.not_before_), not_after_(other.not_after_) {
  X509_up_ref(other.x509_.get());
  x509_.reset(other.x509_.get());
}

Certificate& Certificate::operator=(const Certificate& other) {
  if (this != &other) *this = Certificate(other);
  return *this;
}

std::string Certificate::ToDer() const {
  unsigned char* out = nullptr;
  const int n = i2d_X509(x509_.get(), &out);
  if (n <= 0) return std::string();
  std::string der(reinterpret_cast<char*>(out), static_cast<size_t>(n));
  OPENSSL_free(out);
  return der;
}

std::string Certificate::ToPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), x509_.get());
  char* p = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &p);
  return std::string(p, static_cast<size_t>(n));
}

Result<std::vector<SubjectAltName>> Certificate::SubjectAltNames() const {
  int crit = 0;
  GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(x509_.get(), NID_subject_alt_name, &crit, nullptr)));
  std::vector<SubjectAltName> out;
  if (!names) {
    TakeOpenSslError();
    if (crit == -1) return out;  // no SAN extension
    if (crit == -2)
      return DataLossError("certificate repeats the SAN extension");
    return DataLossError("malformed subject alternative name extension");
  }
  const int count = sk_GENERAL_NAME_num(names.get());
  if (count > static_cast<int>(kMaxSubjectAltNames)) {
    return ResourceExhaustedError("more than " +
                                  std::to_string(kMaxSubjectAltNames) +
                                  " subject alternative names");
  }
  for (int i = 0; i < count; ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    switch (name->type) {
      case GEN_EMAIL: {
        ASSIGN_OR_RETURN(std::string v,
                         AsnStringValue(name->d.rfc822Name, "email SAN"));
        out.push_back({SanType::kEmail, std::move(v)});
        break;
      }
      case GEN_URI: {
        ASSIGN_OR_RETURN(
            std::string v,
            AsnStringValue(name->d.uniformResourceIdentifier, "URI SAN"));
        out.push_back({SanType::kUri, std::move(v)});
        break;
      }
      case GEN_OTHERNAME: {
        const OTHERNAME* other = name->d.otherName;
        char oid[80];
        if (OBJ_obj2txt(oid, sizeof oid, other->type_id, /*no_name=*/1) <= 0 ||
            std::strcmp(oid, kSigstoreUsernameOid) != 0) {
          break;  // an OtherName we do not know
        }
        if (other->value == nullptr ||
            other->value->type != V_ASN1_UTF8STRING) {
          return DataLossError("username SAN is not a UTF8String");
        }
        ASSIGN_OR_RETURN(
            std::string v,
            AsnStringValue(other->value->value.utf8string, "username SAN"));
        out.push_back({SanType::kUsername, std::move(v)});
        break;
      }
      default:
        break;
    }
  }
  return out;
}

Result<std::optional<std::string>> Certificate::FulcioIssuer() const {
  ASSIGN_OR_RETURN(X509_EXTENSION * v2,
                   UniqueExtension(x509_.get(), kFulcioIssuerV2Oid));
  if (v2 != nullptr) {
    const ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(v2);
    const unsigned char* p = ASN1_STRING_get0_data(data);
    const unsigned char* end = p + ASN1_STRING_length(data);
    Utf8StringPtr str(d2i_ASN1_UTF8STRING(nullptr, &p, end - p));
    if (!str || p != end) {
      TakeOpenSslError();
      return DataLossError("issuer extension " +
                           std::string(kFulcioIssuerV2Oid) +
                           " is not one DER UTF8String");
    }
    ASSIGN_OR_RETURN(std::string v, AsnStringValue(str.get(), "issuer"));
    return std::optional<std::string>(std::move(v));
  }
  ASSIGN_OR_RETURN(X509_EXTENSION * v1,
                   UniqueExtension(x509_.get(), kFulcioIssuerV1Oid));
  if (v1 == nullptr) return std::optional<std::string>();
  ASSIGN_OR_RETURN(std::string v,
                   AsnStringValue(X509_EXTENSION_get_data(v1), "issuer"));
  return std::optional<std::string>(std::move(v));
}

Result<std::optional<std::string>> Certificate::RawExtensionText(
    const char* oid) const {
  ASSIGN_OR_RETURN(X509_EXTENSION * ext, UniqueExtension(x509_.get(), oid));
  if (ext == nullptr) return std::optional<std::string>();
  ASSIGN_OR_RETURN(std::string v,
                   AsnStringValue(X509_EXTENSION_get_data(ext),
                                  "extension " + std::string(oid)));
  return std::optional<std::string>(std::move(v));
}

bool Certificate::HasCodeSigningEku() const {
  return (X509_get_extension_flags(x509_.get()) & EXFLAG_XKUSAGE) &&
         (X509_get_extended_key_usage(x509_.get()) & XKU_CODE_SIGN);
}

bool Certificate::IsCa() const { return X509_check_ca(x509_.get()) != 0; }

bool Certificate::IsSelfIssued() const {
  return X509_self_signed(x509_.get(), /*verify_signature=*/0) == 1;
}

Result<crypto::PublicKey> Certificate::PublicKey() const {
  EVP_PKEY* key = X509_get0_pubkey(x509_.get());
  if (key == nullptr) {
    TakeOpenSslError();
    return DataLossError("certificate has an unreadable public key");
  }
  return crypto::PublicKey::FromEvp(key);
}

std::string Certificate::SubjectString() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), X509_get_subject_name(x509_.get()), 0,
                     XN_FLAG_RFC2253);
  char* p = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &p);
  constexpr size_t kMaxShown = 256;
  std::string s(p, static_cast<size_t>(n > 0 ? n : 0));
  if (s.size() > kMaxShown) s.resize(kMaxShown);
  return s;
}

bool Certificate::operator==(const Certificate& o) const {
  return X509_cmp(x509_.get(), o.x509_.get()) == 0;
}

namespace internal {

X509StackPtr ToStack(std::span<const Certificate> certs) {
  X509StackPtr stack(sk_X509_new_null());
  if (!stack) return stack;
  for (const Certificate& c : certs) {
    X509_up_ref(c.get());
    if (!sk_X509_push(stack.get(), c.get())) {
      X509_free(c.get());
      return X509StackPtr();
    }
  }
  return stack;
}

}  // namespace internal
}  // namespace strata::pki
