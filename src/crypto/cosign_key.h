// cosign's password-encrypted private key files.
//
// A PEM block, "ENCRYPTED SIGSTORE PRIVATE KEY" (cosign 2 and later) or
// "ENCRYPTED COSIGN PRIVATE KEY" (older cosign; containers/image and skopeo
// still write it), whose body is this JSON (go-securesystemslib's
// "encrypted" format):
//
//   {"kdf":{"name":"scrypt","params":{"N":32768,"r":8,"p":1},
//           "salt":"<base64, 32 bytes>"},
//    "cipher":{"name":"nacl/secretbox","nonce":"<base64, 24 bytes>"},
//    "ciphertext":"<base64>"}
//
// key = scrypt(password, salt, N, r, p, 32 bytes); ciphertext = NaCl
// secretbox (XSalsa20-Poly1305) of the PKCS#8 DER private key under that key
// and the nonce. The public half is a separate "PUBLIC KEY" PEM file
// (PublicKey::FromPem).
//
// Key files are hostile input: the file, every field and the scrypt cost are
// capped (constants below) before any work is done, so a crafted file cannot
// make us allocate gigabytes or spend minutes deriving a key.
//
// Thread-safety: all functions are thread-safe.
#ifndef STRATA_CRYPTO_COSIGN_KEY_H_
#define STRATA_CRYPTO_COSIGN_KEY_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "crypto/keys.h"

namespace strata::crypto {

// A key file larger than this is refused before parsing.
inline constexpr size_t kMaxCosignKeyFileBytes = 64 * 1024;
// scrypt cost caps. N must be a power of two in [2, kMaxScryptN]; the memory
// scrypt needs (128 * N * r bytes) and the work (N * r * p) are capped too.
// cosign writes N=2^15, r=8, p=1 (32 MiB); skopeo N=2^16 (64 MiB); the
// OWASP preset of go-securesystemslib N=2^17 (128 MiB).
inline constexpr int64_t kMaxScryptN = int64_t{1} << 20;
inline constexpr int64_t kMaxScryptMemoryBytes = int64_t{256} << 20;
inline constexpr int64_t kMaxScryptWork = int64_t{1} << 22;  // N * r * p
// Sizes the format fixes.
inline constexpr size_t kCosignSaltBytes = 32;
inline constexpr size_t kCosignNonceBytes = 24;   // XSalsa20
inline constexpr size_t kCosignKeyBytes = 32;     // scrypt output
inline constexpr size_t kSecretboxMacBytes = 16;  // Poly1305 tag

inline constexpr std::string_view kSigstorePrivateKeyPemType =
    "ENCRYPTED SIGSTORE PRIVATE KEY";
inline constexpr std::string_view kCosignPrivateKeyPemType =
    "ENCRYPTED COSIGN PRIVATE KEY";

enum class CosignPemType {
  kSigstore,  // "ENCRYPTED SIGSTORE PRIVATE KEY" (what we write by default)
  kCosign,    // "ENCRYPTED COSIGN PRIVATE KEY" (legacy)
};

struct ScryptParams {
  int64_t n = 32768;
  int64_t r = 8;
  int64_t p = 1;
};

// The parsed, validated contents of an encrypted key file; nothing decrypted.
struct EncryptedCosignKey {
  CosignPemType pem_type = CosignPemType::kSigstore;
  ScryptParams scrypt;
  std::string salt;        // kCosignSaltBytes
  std::string nonce;       // kCosignNonceBytes
  std::string ciphertext;  // secretbox output: MAC + encrypted PKCS#8 DER
};

// Checks `params` against the caps above: kInvalidArgument for values scrypt
// does not accept (N not a power of two above 1, r or p below 1),
// kResourceExhausted for a cost over a cap.
Status CheckScryptParams(const ScryptParams& params);

// Parses and validates the PEM block and its JSON: exactly one PEM block of
// either type with nothing but whitespace around it, kdf.name "scrypt",
// cipher.name "nacl/secretbox", integer N/r/p within the caps, salt and
// nonce of their exact sizes, a ciphertext longer than the MAC. Unknown JSON
// members are ignored (as cosign does). Errors are kDataLoss (malformed),
// kInvalidArgument (not this kind of PEM) or kResourceExhausted (over a cap).
Result<EncryptedCosignKey> ParseCosignPrivateKey(std::string_view pem);

// ParseCosignPrivateKey, then scrypt and secretbox-open with `password`, then
// PrivateKey::FromPkcs8Der. A wrong password and a ciphertext that fails
// authentication are the same kInvalidArgument error,
// "wrong password or corrupted key".
Result<PrivateKey> DecryptCosignPrivateKey(std::string_view pem,
                                           std::string_view password);

// Encrypts `key` (its PKCS#8 DER) under `password` with a fresh random salt
// and nonce and returns the PEM file (JSON members in cosign's order, no
// whitespace; PEM lines of 64 characters, trailing newline).
Result<std::string> EncryptCosignPrivateKey(
    const PrivateKey& key, std::string_view password,
    CosignPemType pem_type = CosignPemType::kSigstore,
    const ScryptParams& params = ScryptParams());

}  // namespace strata::crypto

#endif  // STRATA_CRYPTO_COSIGN_KEY_H_
