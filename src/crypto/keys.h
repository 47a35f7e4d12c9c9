// Public and private signing keys over OpenSSL 3: ECDSA (P-256, P-384,
// P-521), RSA (2048 to 8192 bits; PKCS#1 v1.5 and PSS) and Ed25519, read
// from PEM or DER (SubjectPublicKeyInfo, PKCS#8) and checked before use.
//
// Signatures are what cosign and Sigstore use: ECDSA as ASN.1 DER
// (r, s), RSA as the raw modulus-sized block, Ed25519 as 64 raw bytes over
// the message itself (it has no prehash).
#ifndef STRATA_CRYPTO_KEYS_H_
#define STRATA_CRYPTO_KEYS_H_

#include <openssl/evp.h>

#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "base/unique_fd.h"

namespace strata::crypto {

// A PEM or DER key, certificate or signature bigger than this is refused
// before any parsing.
inline constexpr size_t kMaxKeyBytes = 64 * 1024;

enum class KeyType { kEcdsaP256, kEcdsaP384, kEcdsaP521, kRsa, kEd25519 };
enum class Hash { kSha256, kSha384, kSha512 };
enum class RsaPadding { kPkcs1v15, kPss };

// "ecdsa-p256", "rsa-3072", "ed25519": for messages and output.
std::string KeyTypeName(KeyType type, int bits);
// The hash Sigstore pairs with a key type: P-384 with SHA-384, P-521 with
// SHA-512, everything else with SHA-256 (Ed25519: not used).
Hash DefaultHash(KeyType type);
// Raw digest bytes of `data`.
std::string HashBytes(Hash hash, std::string_view data);

using EvpPkeyPtr =
    std::unique_ptr<EVP_PKEY, CHandleDeleter<EVP_PKEY, EVP_PKEY_free>>;

class PublicKey {
 public:
  // "-----BEGIN PUBLIC KEY-----" (SubjectPublicKeyInfo); nothing else may
  // come before or after it but whitespace.
  static Result<PublicKey> FromPem(std::string_view pem);
  static Result<PublicKey> FromDer(std::string_view spki_der);
  // Takes a reference to `key` (e.g. a certificate's key); checks it.
  static Result<PublicKey> FromEvp(EVP_PKEY* key);

  // Copies share the key (OpenSSL reference count); it is immutable.
  PublicKey(const PublicKey& o);
  PublicKey& operator=(const PublicKey& o);
  PublicKey(PublicKey&&) noexcept = default;
  PublicKey& operator=(PublicKey&&) noexcept = default;

  KeyType type() const { return type_; }
  int bits() const { return bits_; }
  std::string TypeName() const { return KeyTypeName(type_, bits_); }
  std::string ToDer() const;  // SubjectPublicKeyInfo
  std::string ToPem() const;
  EVP_PKEY* get() const { return key_.get(); }

  // Verifies `signature` over `message` hashed with `hash` (Ed25519: over
  // the message; `hash` must be kSha512 or DefaultHash, it is ignored).
  Status Verify(std::string_view message, std::string_view signature, Hash hash,
                RsaPadding padding = RsaPadding::kPkcs1v15) const;
  // Verifies over a digest computed elsewhere (ECDSA and RSA only).
  Status VerifyDigest(std::string_view digest, std::string_view signature,
                      Hash hash,
                      RsaPadding padding = RsaPadding::kPkcs1v15) const;

  bool operator==(const PublicKey& o) const;

 private:
  PublicKey(EvpPkeyPtr key, KeyType type, int bits)
      : key_(std::move(key)), type_(type), bits_(bits) {}
  EvpPkeyPtr key_;
  KeyType type_;
  int bits_;
  friend class PrivateKey;
};

class PrivateKey {
 public:
  static Result<PrivateKey> GenerateEcdsaP256();
  // PKCS#8 PrivateKeyInfo, unencrypted.
  static Result<PrivateKey> FromPkcs8Der(std::string_view der);
  // "PRIVATE KEY" (PKCS#8), "EC PRIVATE KEY" (SEC 1) or "RSA PRIVATE KEY".
  static Result<PrivateKey> FromPem(std::string_view pem);

  KeyType type() const { return type_; }
  std::string ToPkcs8Der() const;
  std::string ToPkcs8Pem() const;  // unencrypted; for tests and --output
  Result<PublicKey> Public() const;
  EVP_PKEY* get() const { return key_.get(); }

  // Signs `message` (hashed with `hash`; Ed25519 signs it directly).
  Result<std::string> Sign(std::string_view message, Hash hash) const;

 private:
  PrivateKey(EvpPkeyPtr key, KeyType type)
      : key_(std::move(key)), type_(type) {}
  static Result<PrivateKey> Checked(EvpPkeyPtr key);
  EvpPkeyPtr key_;
  KeyType type_;
};

}  // namespace strata::crypto

#endif  // STRATA_CRYPTO_KEYS_H_
