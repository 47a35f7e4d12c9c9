#include "crypto/keys.h"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <cstring>

#include "crypto/openssl_error.h"

namespace strata::crypto {
namespace {

constexpr int kMinRsaBits = 2048;
constexpr int kMaxRsaBits = 8192;

using BioPtr = std::unique_ptr<BIO, CHandleDeleter<BIO, BIO_free_all>>;
using MdCtxPtr =
    std::unique_ptr<EVP_MD_CTX, CHandleDeleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using PkeyCtxPtr =
    std::unique_ptr<EVP_PKEY_CTX,
                    CHandleDeleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;

const EVP_MD* Md(Hash hash) {
  switch (hash) {
    case Hash::kSha256:
      return EVP_sha256();
    case Hash::kSha384:
      return EVP_sha384();
    case Hash::kSha512:
      return EVP_sha512();
  }
  return EVP_sha256();
}

size_t HashSize(Hash hash) {
  return static_cast<size_t>(EVP_MD_get_size(Md(hash)));
}

// The type of a key we accept, with its size in bits.
Result<std::pair<KeyType, int>> Classify(EVP_PKEY* key) {
  const int bits = EVP_PKEY_get_bits(key);
  if (EVP_PKEY_is_a(key, "EC")) {
    char curve[64] = {};
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, curve,
                                       sizeof curve, &len) != 1) {
      TakeOpenSslError();
      return InvalidArgumentError("EC key without a named curve");
    }
    std::string_view c(curve, len);
    if (c == "prime256v1" || c == "P-256")
      return std::pair{KeyType::kEcdsaP256, bits};
    if (c == "secp384r1" || c == "P-384")
      return std::pair{KeyType::kEcdsaP384, bits};
    if (c == "secp521r1" || c == "P-521")
      return std::pair{KeyType::kEcdsaP521, bits};
    return InvalidArgumentError("unsupported EC curve " + std::string(c) +
                                " (want P-256, P-384 or P-521)");
  }
  if (EVP_PKEY_is_a(key, "RSA") || EVP_PKEY_is_a(key, "RSA-PSS")) {
    if (bits < kMinRsaBits || bits > kMaxRsaBits) {
      return InvalidArgumentError("RSA key of " + std::to_string(bits) +
                                  " bits (want 2048 to 8192)");
    }
    return std::pair{KeyType::kRsa, bits};
  }
  if (EVP_PKEY_is_a(key, "ED25519")) return std::pair{KeyType::kEd25519, 256};
  return InvalidArgumentError(std::string("unsupported key type ") +
                              EVP_PKEY_get0_type_name(key));
}

// The single PEM block of `pem` with label `want` (or any of them), with
// nothing but whitespace around it.
Result<std::string> PemBlock(std::string_view pem,
                             std::initializer_list<std::string_view> want,
                             std::string* label_out) {
  if (pem.size() > kMaxKeyBytes) {
    return ResourceExhaustedError("PEM is over " +
                                  std::to_string(kMaxKeyBytes) + " bytes");
  }
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long len = 0;
  if (PEM_read_bio(bio.get(), &name, &header, &data, &len) != 1) {
    TakeOpenSslError();
    return InvalidArgumentError("not a PEM block");
  }
  std::string label(name),
      der(reinterpret_cast<char*>(data), static_cast<size_t>(len));
  const bool has_headers = header != nullptr && header[0] != '\0';
  OPENSSL_free(name);
  OPENSSL_free(header);
  OPENSSL_free(data);
  if (has_headers) return InvalidArgumentError("PEM block has headers");
  // Anything after the block but whitespace is refused.
  char rest[64];
  int n;
  while ((n = BIO_read(bio.get(), rest, sizeof rest)) > 0) {
    for (int i = 0; i < n; ++i) {
      if (!std::strchr(" \t\r\n", rest[i])) {
        return InvalidArgumentError("data after the PEM block");
      }
    }
  }
  bool ok = false;
  for (std::string_view w : want) ok = ok || label == w;
  if (!ok) {
    return InvalidArgumentError("PEM block is \"" + label + "\", want \"" +
                                std::string(*want.begin()) + "\"");
  }
  if (label_out) *label_out = label;
  return der;
}

std::string Serialize(int (*fn)(BIO*, EVP_PKEY*), EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  fn(bio.get(), key);
  char* p = nullptr;
  long n = BIO_get_mem_data(bio.get(), &p);
  return std::string(p, static_cast<size_t>(n));
}

int WriteSpkiDer(BIO* b, EVP_PKEY* k) { return i2d_PUBKEY_bio(b, k); }
int WriteSpkiPem(BIO* b, EVP_PKEY* k) { return PEM_write_bio_PUBKEY(b, k); }
int WritePkcs8Der(BIO* b, EVP_PKEY* k) {
  return i2d_PKCS8PrivateKeyInfo_bio(b, k);
}
int WritePkcs8Pem(BIO* b, EVP_PKEY* k) {
  return PEM_write_bio_PrivateKey(b, k, nullptr, nullptr, 0, nullptr, nullptr);
}

Status SetRsaPadding(EVP_PKEY_CTX* ctx, KeyType type, RsaPadding padding,
                     const EVP_MD* md) {
  if (type != KeyType::kRsa) return Status::Ok();
  if (padding == RsaPadding::kPss) {
    if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, RSA_PSS_SALTLEN_AUTO) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) != 1) {
      return InternalError("RSA-PSS setup: " + TakeOpenSslError());
    }
  } else if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) != 1) {
    return InternalError("RSA setup: " + TakeOpenSslError());
  }
  return Status::Ok();
}

}  // namespace

std::string KeyTypeName(KeyType type, int bits) {
  switch (type) {
    case KeyType::kEcdsaP256:
      return "ecdsa-p256";
    case KeyType::kEcdsaP384:
      return "ecdsa-p384";
    case KeyType::kEcdsaP521:
      return "ecdsa-p521";
    case KeyType::kRsa:
      return "rsa-" + std::to_string(bits);
    case KeyType::kEd25519:
      return "ed25519";
  }
  return "unknown";
}

Hash DefaultHash(KeyType type) {
  switch (type) {
    case KeyType::kEcdsaP384:
      return Hash::kSha384;
    case KeyType::kEcdsaP521:
      return Hash::kSha512;
    default:
      return Hash::kSha256;
  }
}

std::string HashBytes(Hash hash, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), out, &n, Md(hash), nullptr);
  return std::string(reinterpret_cast<char*>(out), n);
}

Result<PublicKey> PublicKey::FromEvp(EVP_PKEY* key) {
  if (key == nullptr) return InvalidArgumentError("no public key");
  ASSIGN_OR_RETURN(auto kind, Classify(key));
  EVP_PKEY_up_ref(key);
  return PublicKey(EvpPkeyPtr(key), kind.first, kind.second);
}

PublicKey::PublicKey(const PublicKey& o)
    : key_(o.key_.get()), type_(o.type_), bits_(o.bits_) {
  EVP_PKEY_up_ref(key_.get());
}

PublicKey& PublicKey::operator=(const PublicKey& o) {
  if (this != &o) *this = PublicKey(o);
  return *this;
}

Result<PublicKey> PublicKey::FromDer(std::string_view der) {
  if (der.size() > kMaxKeyBytes) {
    return ResourceExhaustedError("public key is over " +
                                  std::to_string(kMaxKeyBytes) + " bytes");
  }
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  EvpPkeyPtr key(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  if (!key) {
    TakeOpenSslError();
    return InvalidArgumentError("not a DER SubjectPublicKeyInfo");
  }
  if (p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    return InvalidArgumentError("data after the public key");
  }
  ASSIGN_OR_RETURN(auto kind, Classify(key.get()));
  return PublicKey(std::move(key), kind.first, kind.second);
}

Result<PublicKey> PublicKey::FromPem(std::string_view pem) {
  ASSIGN_OR_RETURN(std::string der, PemBlock(pem, {"PUBLIC KEY"}, nullptr));
  return FromDer(der);
}

std::string PublicKey::ToDer() const {
  return Serialize(WriteSpkiDer, key_.get());
}

std::string PublicKey::ToPem() const {
  return Serialize(WriteSpkiPem, key_.get());
}

bool PublicKey::operator==(const PublicKey& o) const {
  return EVP_PKEY_eq(key_.get(), o.key_.get()) == 1;
}

Status PublicKey::Verify(std::string_view message, std::string_view signature,
                         Hash hash, RsaPadding padding) const {
  if (signature.size() > kMaxKeyBytes) {
    return InvalidArgumentError("signature is too large");
  }
  MdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  const EVP_MD* md = type_ == KeyType::kEd25519 ? nullptr : Md(hash);
  if (EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, key_.get()) != 1) {
    return InternalError("verify setup: " + TakeOpenSslError());
  }
  RETURN_IF_ERROR(SetRsaPadding(pctx, type_, padding, md));
  const int rc = EVP_DigestVerify(
      ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
      signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
      message.size());
  TakeOpenSslError();
  if (rc != 1) {
    return PermissionDeniedError("signature does not verify with the " +
                                 TypeName() + " key");
  }
  return Status::Ok();
}

Status PublicKey::VerifyDigest(std::string_view digest,
                               std::string_view signature, Hash hash,
                               RsaPadding padding) const {
  if (type_ == KeyType::kEd25519) {
    return InvalidArgumentError("an Ed25519 key cannot verify a digest");
  }
  if (digest.size() != HashSize(hash)) {
    return InvalidArgumentError("digest of " + std::to_string(digest.size()) +
                                " bytes for a " +
                                std::to_string(HashSize(hash)) + "-byte hash");
  }
  if (signature.size() > kMaxKeyBytes) {
    return InvalidArgumentError("signature is too large");
  }
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new(key_.get(), nullptr));
  if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_signature_md(ctx.get(), Md(hash)) != 1) {
    return InternalError("verify setup: " + TakeOpenSslError());
  }
  RETURN_IF_ERROR(SetRsaPadding(ctx.get(), type_, padding, Md(hash)));
  const int rc = EVP_PKEY_verify(
      ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
      signature.size(), reinterpret_cast<const unsigned char*>(digest.data()),
      digest.size());
  TakeOpenSslError();
  if (rc != 1) {
    return PermissionDeniedError("signature does not verify with the " +
                                 TypeName() + " key");
  }
  return Status::Ok();
}

Result<PrivateKey> PrivateKey::Checked(EvpPkeyPtr key) {
  ASSIGN_OR_RETURN(auto kind, Classify(key.get()));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new(key.get(), nullptr));
  if (!ctx || EVP_PKEY_private_check(ctx.get()) != 1) {
    TakeOpenSslError();
    return InvalidArgumentError("private key fails its consistency check");
  }
  return PrivateKey(std::move(key), kind.first);
}

Result<PrivateKey> PrivateKey::GenerateEcdsaP256() {
  EvpPkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return InternalError("P-256 key generation: " + TakeOpenSslError());
  return PrivateKey(std::move(key), KeyType::kEcdsaP256);
}

Result<PrivateKey> PrivateKey::FromPkcs8Der(std::string_view der) {
  if (der.size() > kMaxKeyBytes) {
    return ResourceExhaustedError("private key is over " +
                                  std::to_string(kMaxKeyBytes) + " bytes");
  }
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  PKCS8_PRIV_KEY_INFO* info =
      d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(der.size()));
  if (info == nullptr) {
    TakeOpenSslError();
    return InvalidArgumentError("not a DER PKCS#8 private key");
  }
  const bool trailing =
      p != reinterpret_cast<const unsigned char*>(der.data()) + der.size();
  EvpPkeyPtr key(EVP_PKCS82PKEY(info));
  PKCS8_PRIV_KEY_INFO_free(info);
  if (trailing) return InvalidArgumentError("data after the private key");
  if (!key) {
    TakeOpenSslError();
    return InvalidArgumentError("unreadable PKCS#8 private key");
  }
  return Checked(std::move(key));
}

Result<PrivateKey> PrivateKey::FromPem(std::string_view pem) {
  std::string label;
  ASSIGN_OR_RETURN(
      std::string der,
      PemBlock(pem, {"PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY"},
               &label));
  if (label == "PRIVATE KEY") return FromPkcs8Der(der);
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  EvpPkeyPtr key(
      d2i_PrivateKey(label == "EC PRIVATE KEY" ? EVP_PKEY_EC : EVP_PKEY_RSA,
                     nullptr, &p, static_cast<long>(der.size())));
  if (!key) {
    TakeOpenSslError();
    return InvalidArgumentError("unreadable " + label);
  }
  return Checked(std::move(key));
}

std::string PrivateKey::ToPkcs8Der() const {
  return Serialize(WritePkcs8Der, key_.get());
}

std::string PrivateKey::ToPkcs8Pem() const {
  return Serialize(WritePkcs8Pem, key_.get());
}

Result<PublicKey> PrivateKey::Public() const {
  // Through DER, so the public key holds no private material.
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (i2d_PUBKEY_bio(bio.get(), key_.get()) != 1) {
    return InternalError("public key: " + TakeOpenSslError());
  }
  char* p = nullptr;
  long n = BIO_get_mem_data(bio.get(), &p);
  return PublicKey::FromDer(std::string_view(p, static_cast<size_t>(n)));
}

Result<std::string> PrivateKey::Sign(std::string_view message,
                                     Hash hash) const {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  const EVP_MD* md = type_ == KeyType::kEd25519 ? nullptr : Md(hash);
  if (EVP_DigestSignInit(ctx.get(), &pctx, md, nullptr, key_.get()) != 1) {
    return InternalError("sign setup: " + TakeOpenSslError());
  }
  RETURN_IF_ERROR(SetRsaPadding(pctx, type_, RsaPadding::kPkcs1v15, md));
  size_t len = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(message.data());
  if (EVP_DigestSign(ctx.get(), nullptr, &len, in, message.size()) != 1) {
    return InternalError("sign: " + TakeOpenSslError());
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()),
                     &len, in, message.size()) != 1) {
    return InternalError("sign: " + TakeOpenSslError());
  }
  sig.resize(len);
  return sig;
}

}  // namespace strata::crypto
