#include "registry/testing/pki.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cerrno>

namespace strata::registry::testing {
namespace {

using BioPtr = std::unique_ptr<BIO, CHandleDeleter<BIO, BIO_free_all>>;
using BnPtr = std::unique_ptr<BIGNUM, CHandleDeleter<BIGNUM, BN_free>>;
using MdCtxPtr =
    std::unique_ptr<EVP_MD_CTX, CHandleDeleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using EcdsaSigPtr =
    std::unique_ptr<ECDSA_SIG, CHandleDeleter<ECDSA_SIG, ECDSA_SIG_free>>;
using ExtPtr =
    std::unique_ptr<X509_EXTENSION,
                    CHandleDeleter<X509_EXTENSION, X509_EXTENSION_free>>;

// "what: <first OpenSSL error>", clearing the thread's error queue.
Status OpenSslError(std::string_view what) {
  unsigned long err = ERR_get_error();
  ERR_clear_error();
  std::string msg(what);
  if (err != 0) {
    char buf[256];
    ERR_error_string_n(err, buf, sizeof(buf));
    msg += ": ";
    msg += buf;
  }
  return InternalError(std::move(msg));
}

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return len > 0 ? std::string(data, static_cast<size_t>(len)) : std::string();
}

Result<PkeyPtr> NewP256Key() {
  PkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return OpenSslError("generate P-256 key");
  return key;
}

Status AddExtension(X509* cert, X509* issuer, int nid,
                    const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
    return OpenSslError("add certificate extension " + value);
  }
  return Status::Ok();
}

// A certificate for `key` named `cn`, not yet signed or extended.
Result<X509Ptr> NewCert(EVP_PKEY* key, std::string_view cn,
                        const X509* issuer) {
  X509Ptr cert(X509_new());
  if (!cert) return OpenSslError("allocate certificate");
  BnPtr serial(BN_new());
  if (!serial ||
      !BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) ||
      !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get()))) {
    return OpenSslError("certificate serial");
  }
  std::string cn_str(cn);
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
      !X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) ||
      !X509_gmtime_adj(X509_getm_notAfter(cert.get()),
                       long{kCertValidDays} * 24 * 3600) ||
      X509_NAME_add_entry_by_txt(
          name, "CN", MBSTRING_UTF8,
          reinterpret_cast<const unsigned char*>(cn_str.c_str()), -1, -1,
          0) != 1 ||
      X509_set_issuer_name(
          cert.get(), issuer ? X509_get_subject_name(issuer) : name) != 1 ||
      X509_set_pubkey(cert.get(), key) != 1) {
    return OpenSslError("build certificate " + cn_str);
  }
  return cert;
}

}  // namespace

std::string CertKey::CertPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert.get()) != 1) return "";
  return BioContents(bio.get());
}

std::string CertKey::KeyPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr,
                                       0, nullptr, nullptr) != 1) {
    return "";
  }
  return BioContents(bio.get());
}

std::string CertKey::CertDer() const {
  unsigned char* der = nullptr;
  int len = i2d_X509(cert.get(), &der);
  if (len <= 0) return "";
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

namespace {

Status WriteFile(const std::string& path, const std::string& data,
                 mode_t mode) {
  if (data.empty()) return InternalError("nothing to write to " + path);
  UniqueFd fd(
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
  if (!fd.valid()) return ErrnoError("open " + path, errno);
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd.get(), data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("write " + path, errno);
    }
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

}  // namespace

Status CertKey::WritePem(const std::string& cert_path,
                         const std::string& key_path) const {
  RETURN_IF_ERROR(WriteFile(cert_path, CertPem(), 0644));
  return WriteFile(key_path, KeyPem(), 0600);
}

Result<TestCa> TestCa::Create(std::string_view common_name) {
  ASSIGN_OR_RETURN(PkeyPtr key, NewP256Key());
  ASSIGN_OR_RETURN(X509Ptr cert, NewCert(key.get(), common_name, nullptr));
  X509* c = cert.get();
  RETURN_IF_ERROR(
      AddExtension(c, c, NID_basic_constraints, "critical,CA:TRUE"));
  RETURN_IF_ERROR(
      AddExtension(c, c, NID_key_usage, "critical,keyCertSign,cRLSign"));
  RETURN_IF_ERROR(AddExtension(c, c, NID_subject_key_identifier, "hash"));
  if (X509_sign(c, key.get(), EVP_sha256()) <= 0) {
    return OpenSslError("sign ca certificate");
  }
  return TestCa(CertKey{std::move(cert), std::move(key)});
}

Result<CertKey> TestCa::Issue(const CertRequest& request) const {
  ASSIGN_OR_RETURN(PkeyPtr key, NewP256Key());
  ASSIGN_OR_RETURN(X509Ptr cert,
                   NewCert(key.get(), request.common_name, root_.cert.get()));
  X509* c = cert.get();
  X509* ca = root_.cert.get();
  RETURN_IF_ERROR(AddExtension(c, ca, NID_basic_constraints, "CA:FALSE"));
  RETURN_IF_ERROR(
      AddExtension(c, ca, NID_key_usage, "critical,digitalSignature"));
  RETURN_IF_ERROR(AddExtension(c, ca, NID_subject_key_identifier, "hash"));
  RETURN_IF_ERROR(
      AddExtension(c, ca, NID_authority_key_identifier, "keyid:always"));
  if (request.usage != CertUsage::kSigning) {
    RETURN_IF_ERROR(AddExtension(
        c, ca, NID_ext_key_usage,
        request.usage == CertUsage::kServer ? "serverAuth" : "clientAuth"));
  }
  std::string san;
  for (const std::string& dns : request.dns_names) {
    san += (san.empty() ? "DNS:" : ",DNS:") + dns;
  }
  for (const std::string& ip : request.ip_addresses) {
    san += (san.empty() ? "IP:" : ",IP:") + ip;
  }
  if (!san.empty()) {
    RETURN_IF_ERROR(AddExtension(c, ca, NID_subject_alt_name, san));
  }
  if (X509_sign(c, root_.key.get(), EVP_sha256()) <= 0) {
    return OpenSslError("sign certificate " + request.common_name);
  }
  return CertKey{std::move(cert), std::move(key)};
}

Result<std::string> SignEs256(EVP_PKEY* key, std::string_view signing_input) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  size_t der_len = 0;
  if (!ctx ||
      EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) != 1 ||
      EVP_DigestSign(
          ctx.get(), nullptr, &der_len,
          reinterpret_cast<const unsigned char*>(signing_input.data()),
          signing_input.size()) != 1) {
    return OpenSslError("es256 sign");
  }
  std::string der(der_len, '\0');
  if (EVP_DigestSign(
          ctx.get(), reinterpret_cast<unsigned char*>(der.data()), &der_len,
          reinterpret_cast<const unsigned char*>(signing_input.data()),
          signing_input.size()) != 1) {
    return OpenSslError("es256 sign");
  }
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_len)));
  if (!sig) return OpenSslError("decode ecdsa signature");
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  unsigned char raw[64];
  if (BN_bn2binpad(r, raw, 32) != 32 || BN_bn2binpad(s, raw + 32, 32) != 32) {
    return OpenSslError("encode ecdsa signature");
  }
  return Base64Url(std::string_view(reinterpret_cast<char*>(raw), 64));
}

std::string Base64(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(data.data()),
                          static_cast<int>(data.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string Base64Url(std::string_view data) {
  std::string out = Base64(data);
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return out;
}

Result<std::string> DecodeBase64(std::string_view text) {
  if (text.size() % 4 != 0 || text.size() > (1u << 20)) {
    return InvalidArgumentError("invalid base64");
  }
  std::string out(text.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) return InvalidArgumentError("invalid base64");
  // EVP_DecodeBlock counts padding as zero bytes.
  size_t pad = 0;
  if (!text.empty() && text.back() == '=') ++pad;
  if (text.size() > 1 && text[text.size() - 2] == '=') ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

Result<std::string> RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()),
                 static_cast<int>(bytes)) != 1) {
    return OpenSslError("random bytes");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

}  // namespace strata::registry::testing
