// Fuzzes cosign's encrypted private key files (crypto/cosign_key.h). A
// parsed file satisfies the documented invariants; when its scrypt cost is
// small it is also decrypted with the seeds' password "fuzz", and a key that
// decrypts re-encrypts and decrypts back to itself.
#include <cstdint>
#include <string_view>

#include "crypto/cosign_key.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata::crypto;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto parsed = ParseCosignPrivateKey(input);
  if (!parsed.ok()) return 0;
  if (parsed->salt.size() != kCosignSaltBytes ||
      parsed->nonce.size() != kCosignNonceBytes ||
      parsed->ciphertext.size() <= kSecretboxMacBytes ||
      !CheckScryptParams(parsed->scrypt).ok()) {
    __builtin_trap();
  }
  // Deriving keys at full cost would make each run take milliseconds to
  // seconds; the seeds use N=1024, r=8, p=1.
  if (parsed->scrypt.n * parsed->scrypt.r * parsed->scrypt.p > 8192) return 0;
  auto key = DecryptCosignPrivateKey(input, "fuzz");
  if (!key.ok()) return 0;
  auto again =
      EncryptCosignPrivateKey(*key, "fuzz", parsed->pem_type, parsed->scrypt);
  if (!again.ok()) __builtin_trap();
  auto back = DecryptCosignPrivateKey(*again, "fuzz");
  if (!back.ok() || back->ToPkcs8Der() != key->ToPkcs8Der()) __builtin_trap();
  return 0;
}
