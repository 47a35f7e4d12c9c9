// Content digests ("sha256:<hex>") and streaming hashers (OpenSSL EVP).
#ifndef STRATA_BASE_DIGEST_H_
#define STRATA_BASE_DIGEST_H_

#include <openssl/evp.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "base/status.h"

namespace strata {

enum class DigestAlgorithm { kSha256, kSha512 };

// A validated OCI digest: algorithm plus lowercase hex of the right length.
class Digest {
 public:
  Digest() = default;
  // Parses "sha256:<64 hex>" or "sha512:<128 hex>" (lowercase only, as the
  // OCI image spec requires for registered algorithms).
  static Result<Digest> Parse(std::string_view s);
  static Digest FromRaw(DigestAlgorithm alg, std::span<const uint8_t> raw);

  DigestAlgorithm algorithm() const { return alg_; }
  std::string_view algorithm_name() const;
  const std::string& hex() const { return hex_; }
  std::string ToString() const;  // "sha256:..."
  bool empty() const { return hex_.empty(); }
  // A short form for messages: "sha256:0123456789ab".
  std::string Short() const;

  friend bool operator==(const Digest&, const Digest&) = default;
  friend auto operator<=>(const Digest&, const Digest&) = default;

 private:
  DigestAlgorithm alg_ = DigestAlgorithm::kSha256;
  std::string hex_;
};

// Incremental hasher. Not thread-safe; one per stream.
class Hasher {
 public:
  explicit Hasher(DigestAlgorithm alg = DigestAlgorithm::kSha256);
  Hasher(Hasher&&) noexcept = default;
  Hasher& operator=(Hasher&&) noexcept = default;
  void Update(std::span<const uint8_t> data);
  void Update(std::string_view data) {
    Update(std::span<const uint8_t>(
        reinterpret_cast<const uint8_t*>(data.data()), data.size()));
  }
  // Finishes the hash; the hasher must not be used afterwards.
  Digest Finish();
  DigestAlgorithm algorithm() const { return alg_; }

 private:
  struct CtxFree {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
  };
  DigestAlgorithm alg_;
  std::unique_ptr<EVP_MD_CTX, CtxFree> ctx_;
};

Digest Sha256Of(std::string_view data);

}  // namespace strata

#endif  // STRATA_BASE_DIGEST_H_
