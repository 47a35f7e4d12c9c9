#include "crypto/cosign_key.h"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/kdf.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <sodium.h>

#include <cstring>
#include <memory>

#include "base/base64.h"
#include "base/json.h"
#include "base/unique_fd.h"
#include "crypto/openssl_error.h"

namespace strata::crypto {
namespace {

static_assert(kCosignNonceBytes == crypto_secretbox_NONCEBYTES);
static_assert(kCosignKeyBytes == crypto_secretbox_KEYBYTES);
static_assert(kSecretboxMacBytes == crypto_secretbox_MACBYTES);

constexpr std::string_view kKdfName = "scrypt";
constexpr std::string_view kCipherName = "nacl/secretbox";

using BioPtr = std::unique_ptr<BIO, CHandleDeleter<BIO, BIO_free_all>>;
using KdfPtr = std::unique_ptr<EVP_KDF, CHandleDeleter<EVP_KDF, EVP_KDF_free>>;
using KdfCtxPtr =
    std::unique_ptr<EVP_KDF_CTX, CHandleDeleter<EVP_KDF_CTX, EVP_KDF_CTX_free>>;

// A string of secret bytes, wiped when it goes out of scope.
class Secret {
 public:
  explicit Secret(std::string s = {}) : s_(std::move(s)) {}
  ~Secret() { OPENSSL_cleanse(s_.data(), s_.size()); }
  Secret(Secret&& o) noexcept : s_(std::move(o.s_)) { o.s_.clear(); }
  Secret& operator=(Secret&&) = delete;
  Secret(const Secret&) = delete;
  Secret& operator=(const Secret&) = delete;
  std::string& str() { return s_; }
  unsigned char* bytes() { return reinterpret_cast<unsigned char*>(s_.data()); }

 private:
  std::string s_;
};

Status InitSodium() {
  if (sodium_init() < 0) return InternalError("libsodium failed to initialise");
  return Status::Ok();
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// The body of the single PEM block of `pem` and its type; nothing but
// whitespace may come before or after it, and it may have no headers.
Result<std::pair<CosignPemType, std::string>> ReadPem(std::string_view pem) {
  size_t start = 0;
  while (start < pem.size() && IsSpace(pem[start])) ++start;
  pem.remove_prefix(start);
  if (!pem.starts_with("-----BEGIN ")) {
    return InvalidArgumentError("not a PEM block");
  }
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return InternalError("BIO_new_mem_buf: " + TakeOpenSslError());
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long len = 0;
  if (PEM_read_bio(bio.get(), &name, &header, &data, &len) != 1) {
    TakeOpenSslError();
    return InvalidArgumentError("not a PEM block");
  }
  std::string label(name);
  Secret body(
      std::string(reinterpret_cast<char*>(data), static_cast<size_t>(len)));
  const bool has_headers = header != nullptr && header[0] != '\0';
  OPENSSL_free(name);
  OPENSSL_free(header);
  OPENSSL_clear_free(data, static_cast<size_t>(len));
  if (has_headers) return InvalidArgumentError("PEM block has headers");
  char rest[64];
  int n;
  while ((n = BIO_read(bio.get(), rest, sizeof rest)) > 0) {
    for (int i = 0; i < n; ++i) {
      if (!IsSpace(rest[i])) {
        return InvalidArgumentError("data after the PEM block");
      }
    }
  }
  CosignPemType type;
  if (label == kSigstorePrivateKeyPemType) {
    type = CosignPemType::kSigstore;
  } else if (label == kCosignPrivateKeyPemType) {
    type = CosignPemType::kCosign;
  } else {
    return InvalidArgumentError("PEM block is \"" + label + "\", want \"" +
                                std::string(kSigstorePrivateKeyPemType) +
                                "\" or \"" +
                                std::string(kCosignPrivateKeyPemType) + "\"");
  }
  return std::pair{type, std::move(body.str())};
}

Status MissingField(std::string_view path) {
  return DataLossError("encrypted key: missing field \"" + std::string(path) +
                       "\"");
}

// The object member `key` of `obj` (named `path` in errors); must exist.
Result<const json::Json*> RequiredObject(const json::Json& obj,
                                         std::string_view key,
                                         std::string_view path) {
  Result<const json::Json*> r = json::GetObject(obj, key);
  if (!r.ok()) return r.status().WithContext("encrypted key");
  if (*r == nullptr) return MissingField(path);
  return *r;
}

Result<std::string> RequiredString(const json::Json& obj, std::string_view key,
                                   std::string_view path) {
  Result<std::optional<std::string>> r = json::GetString(obj, key);
  if (!r.ok()) return r.status().WithContext("encrypted key");
  if (!r->has_value()) return MissingField(path);
  return **r;
}

Result<int64_t> RequiredInt(const json::Json& obj, std::string_view key,
                            std::string_view path) {
  Result<std::optional<int64_t>> r = json::GetInt(obj, key);
  if (!r.ok()) return r.status().WithContext("encrypted key");
  if (!r->has_value()) return MissingField(path);
  return **r;
}

// A base64 member decoded; `exact_bytes` (when not 0) fixes its size. The
// file cap bounds what decoding can allocate.
Result<std::string> RequiredBytes(const json::Json& obj, std::string_view key,
                                  std::string_view path, size_t exact_bytes) {
  ASSIGN_OR_RETURN(std::string text, RequiredString(obj, key, path));
  Result<std::string> bytes = Base64Decode(text);
  if (!bytes.ok()) {
    return std::move(bytes).status().WithContext("encrypted key \"" +
                                                 std::string(path) + "\"");
  }
  if (exact_bytes != 0 && bytes->size() != exact_bytes) {
    return DataLossError("encrypted key: \"" + std::string(path) + "\" is " +
                         std::to_string(bytes->size()) + " bytes, want " +
                         std::to_string(exact_bytes));
  }
  return bytes;
}

Status ExpectName(const json::Json& obj, std::string_view path,
                  std::string_view want) {
  ASSIGN_OR_RETURN(std::string name, RequiredString(obj, "name", path));
  if (name != want) {
    return DataLossError("encrypted key: unsupported " +
                         std::string(path.substr(0, path.find('.'))) + " \"" +
                         name + "\" (want \"" + std::string(want) + "\")");
  }
  return Status::Ok();
}

Result<Secret> Scrypt(std::string_view password, std::string_view salt,
                      const ScryptParams& params) {
  RETURN_IF_ERROR(CheckScryptParams(params));
  KdfPtr kdf(EVP_KDF_fetch(nullptr, "SCRYPT", nullptr));
  if (!kdf) return InternalError("scrypt: " + TakeOpenSslError());
  KdfCtxPtr ctx(EVP_KDF_CTX_new(kdf.get()));
  if (!ctx) return InternalError("scrypt: " + TakeOpenSslError());
  uint64_t n = static_cast<uint64_t>(params.n);
  uint32_t r = static_cast<uint32_t>(params.r);
  uint32_t p = static_cast<uint32_t>(params.p);
  // What OpenSSL will allocate (V and B), with room to spare; the caps
  // above already bound it.
  uint64_t maxmem =
      128 * uint64_t{r} * (n + 2) + 128 * uint64_t{r} * p + (uint64_t{1} << 20);
  // A non-null pointer even for an empty password.
  char empty = 0;
  OSSL_PARAM ossl_params[] = {
      OSSL_PARAM_construct_octet_string(
          OSSL_KDF_PARAM_PASSWORD,
          password.empty() ? &empty : const_cast<char*>(password.data()),
          password.size()),
      OSSL_PARAM_construct_octet_string(
          OSSL_KDF_PARAM_SALT, const_cast<char*>(salt.data()), salt.size()),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem),
      OSSL_PARAM_construct_end(),
  };
  Secret key(std::string(kCosignKeyBytes, '\0'));
  if (EVP_KDF_derive(ctx.get(), key.bytes(), kCosignKeyBytes, ossl_params) !=
      1) {
    return InternalError("scrypt: " + TakeOpenSslError());
  }
  return key;
}

std::string CosignJson(const EncryptedCosignKey& k) {
  // Built by hand so the member order is cosign's (kdf, cipher, ciphertext;
  // N, r, p), which nlohmann's sorted objects would not keep. Every value
  // is a name we chose, an integer or base64.
  return "{\"kdf\":{\"name\":\"" + std::string(kKdfName) +
         "\",\"params\":{\"N\":" + std::to_string(k.scrypt.n) +
         ",\"r\":" + std::to_string(k.scrypt.r) +
         ",\"p\":" + std::to_string(k.scrypt.p) + "},\"salt\":\"" +
         Base64Encode(k.salt) + "\"},\"cipher\":{\"name\":\"" +
         std::string(kCipherName) + "\",\"nonce\":\"" + Base64Encode(k.nonce) +
         "\"},\"ciphertext\":\"" + Base64Encode(k.ciphertext) + "\"}";
}

}  // namespace

Status CheckScryptParams(const ScryptParams& params) {
  const int64_t n = params.n, r = params.r, p = params.p;
  if (n < 2 || (n & (n - 1)) != 0) {
    return InvalidArgumentError("scrypt N " + std::to_string(n) +
                                " is not a power of two above 1");
  }
  if (r < 1 || p < 1) {
    return InvalidArgumentError("scrypt r and p must be at least 1");
  }
  if (n > kMaxScryptN) {
    return ResourceExhaustedError("scrypt N " + std::to_string(n) +
                                  " is over the cap " +
                                  std::to_string(kMaxScryptN));
  }
  // n <= 2^20 here, so the products below overflow only for huge r or p,
  // which the first comparisons rule out.
  if (r > kMaxScryptMemoryBytes / 128 / n) {
    return ResourceExhaustedError(
        "scrypt N=" + std::to_string(n) + " r=" + std::to_string(r) +
        " needs more than " + std::to_string(kMaxScryptMemoryBytes >> 20) +
        " MiB");
  }
  if (p > kMaxScryptWork / (n * r)) {
    return ResourceExhaustedError(
        "scrypt N=" + std::to_string(n) + " r=" + std::to_string(r) +
        " p=" + std::to_string(p) +
        " is over the work cap N*r*p <= " + std::to_string(kMaxScryptWork));
  }
  return Status::Ok();
}

Result<EncryptedCosignKey> ParseCosignPrivateKey(std::string_view pem) {
  if (pem.size() > kMaxCosignKeyFileBytes) {
    return ResourceExhaustedError("encrypted key is over " +
                                  std::to_string(kMaxCosignKeyFileBytes) +
                                  " bytes");
  }
  ASSIGN_OR_RETURN(auto block, ReadPem(pem));
  EncryptedCosignKey out;
  out.pem_type = block.first;
  ASSIGN_OR_RETURN(json::Json doc, json::Parse(block.second, "encrypted key",
                                               kMaxCosignKeyFileBytes));
  if (!doc.is_object()) {
    return DataLossError("encrypted key: JSON is not an object");
  }
  ASSIGN_OR_RETURN(const json::Json* kdf, RequiredObject(doc, "kdf", "kdf"));
  RETURN_IF_ERROR(ExpectName(*kdf, "kdf.name", kKdfName));
  ASSIGN_OR_RETURN(const json::Json* params,
                   RequiredObject(*kdf, "params", "kdf.params"));
  ASSIGN_OR_RETURN(out.scrypt.n, RequiredInt(*params, "N", "kdf.params.N"));
  ASSIGN_OR_RETURN(out.scrypt.r, RequiredInt(*params, "r", "kdf.params.r"));
  ASSIGN_OR_RETURN(out.scrypt.p, RequiredInt(*params, "p", "kdf.params.p"));
  Status st = CheckScryptParams(out.scrypt);
  if (!st.ok()) return std::move(st).WithContext("encrypted key");
  ASSIGN_OR_RETURN(out.salt,
                   RequiredBytes(*kdf, "salt", "kdf.salt", kCosignSaltBytes));
  ASSIGN_OR_RETURN(const json::Json* cipher,
                   RequiredObject(doc, "cipher", "cipher"));
  RETURN_IF_ERROR(ExpectName(*cipher, "cipher.name", kCipherName));
  ASSIGN_OR_RETURN(out.nonce, RequiredBytes(*cipher, "nonce", "cipher.nonce",
                                            kCosignNonceBytes));
  ASSIGN_OR_RETURN(out.ciphertext,
                   RequiredBytes(doc, "ciphertext", "ciphertext", 0));
  if (out.ciphertext.size() <= kSecretboxMacBytes) {
    return DataLossError("encrypted key: ciphertext is " +
                         std::to_string(out.ciphertext.size()) +
                         " bytes, shorter than its authenticator");
  }
  return out;
}

Result<PrivateKey> DecryptCosignPrivateKey(std::string_view pem,
                                           std::string_view password) {
  RETURN_IF_ERROR(InitSodium());
  ASSIGN_OR_RETURN(EncryptedCosignKey enc, ParseCosignPrivateKey(pem));
  ASSIGN_OR_RETURN(Secret key, Scrypt(password, enc.salt, enc.scrypt));
  Secret der(std::string(enc.ciphertext.size() - kSecretboxMacBytes, '\0'));
  if (crypto_secretbox_open_easy(
          der.bytes(),
          reinterpret_cast<const unsigned char*>(enc.ciphertext.data()),
          enc.ciphertext.size(),
          reinterpret_cast<const unsigned char*>(enc.nonce.data()),
          key.bytes()) != 0) {
    return InvalidArgumentError("wrong password or corrupted key");
  }
  Result<PrivateKey> out = PrivateKey::FromPkcs8Der(der.str());
  if (!out.ok()) return std::move(out).status().WithContext("encrypted key");
  return out;
}

Result<std::string> EncryptCosignPrivateKey(const PrivateKey& key,
                                            std::string_view password,
                                            CosignPemType pem_type,
                                            const ScryptParams& params) {
  RETURN_IF_ERROR(InitSodium());
  RETURN_IF_ERROR(CheckScryptParams(params));
  EncryptedCosignKey enc;
  enc.pem_type = pem_type;
  enc.scrypt = params;
  enc.salt.resize(kCosignSaltBytes);
  enc.nonce.resize(kCosignNonceBytes);
  if (RAND_bytes(reinterpret_cast<unsigned char*>(enc.salt.data()),
                 static_cast<int>(enc.salt.size())) != 1 ||
      RAND_bytes(reinterpret_cast<unsigned char*>(enc.nonce.data()),
                 static_cast<int>(enc.nonce.size())) != 1) {
    return InternalError("random bytes: " + TakeOpenSslError());
  }
  ASSIGN_OR_RETURN(Secret box_key, Scrypt(password, enc.salt, params));
  Secret der(key.ToPkcs8Der());
  if (der.str().empty()) return InternalError("private key: no PKCS#8 form");
  enc.ciphertext.resize(der.str().size() + kSecretboxMacBytes);
  if (crypto_secretbox_easy(
          reinterpret_cast<unsigned char*>(enc.ciphertext.data()), der.bytes(),
          der.str().size(),
          reinterpret_cast<const unsigned char*>(enc.nonce.data()),
          box_key.bytes()) != 0) {
    return InternalError("secretbox failed");
  }
  const std::string body = CosignJson(enc);
  const std::string label(pem_type == CosignPemType::kSigstore
                              ? kSigstorePrivateKeyPemType
                              : kCosignPrivateKeyPemType);
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio(bio.get(), label.c_str(), "",
                            reinterpret_cast<const unsigned char*>(body.data()),
                            static_cast<long>(body.size())) <= 0) {
    return InternalError("PEM encoding: " + TakeOpenSslError());
  }
  char* p = nullptr;
  long n = BIO_get_mem_data(bio.get(), &p);
  return std::string(p, static_cast<size_t>(n));
}

}  // namespace strata::crypto
