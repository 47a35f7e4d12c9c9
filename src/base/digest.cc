#include "base/digest.h"

#include <openssl/evp.h>

#include <cstdlib>

namespace strata {
namespace {

const EVP_MD* MdFor(DigestAlgorithm alg) {
  return alg == DigestAlgorithm::kSha512 ? EVP_sha512() : EVP_sha256();
}

bool IsLowerHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

Result<Digest> Digest::Parse(std::string_view s) {
  size_t colon = s.find(':');
  if (colon == std::string_view::npos) {
    return InvalidArgumentError("invalid digest \"" +
                                std::string(s.substr(0, 80)) +
                                "\": missing algorithm");
  }
  std::string_view alg = s.substr(0, colon);
  std::string_view hex = s.substr(colon + 1);
  Digest d;
  size_t want;
  if (alg == "sha256") {
    d.alg_ = DigestAlgorithm::kSha256;
    want = 64;
  } else if (alg == "sha512") {
    d.alg_ = DigestAlgorithm::kSha512;
    want = 128;
  } else {
    return InvalidArgumentError("unsupported digest algorithm \"" +
                                std::string(alg.substr(0, 32)) + "\"");
  }
  if (hex.size() != want || !IsLowerHex(hex)) {
    return InvalidArgumentError("invalid digest \"" +
                                std::string(s.substr(0, 140)) + "\": want " +
                                std::to_string(want) + " lowercase hex digits");
  }
  d.hex_ = std::string(hex);
  return d;
}

Digest Digest::FromRaw(DigestAlgorithm alg, std::span<const uint8_t> raw) {
  static constexpr char kHex[] = "0123456789abcdef";
  Digest d;
  d.alg_ = alg;
  d.hex_.resize(raw.size() * 2);
  for (size_t i = 0; i < raw.size(); ++i) {
    d.hex_[2 * i] = kHex[raw[i] >> 4];
    d.hex_[2 * i + 1] = kHex[raw[i] & 15];
  }
  return d;
}

std::string_view Digest::algorithm_name() const {
  return alg_ == DigestAlgorithm::kSha512 ? "sha512" : "sha256";
}

std::string Digest::ToString() const {
  return std::string(algorithm_name()) + ":" + hex_;
}

std::string Digest::Short() const {
  return std::string(algorithm_name()) + ":" + hex_.substr(0, 12);
}

Hasher::Hasher(DigestAlgorithm alg) : alg_(alg), ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), MdFor(alg), nullptr) != 1) {
    std::abort();  // OpenSSL without SHA-2 cannot run strata at all.
  }
}

void Hasher::Update(std::span<const uint8_t> data) {
  if (!data.empty()) EVP_DigestUpdate(ctx_.get(), data.data(), data.size());
}

Digest Hasher::Finish() {
  uint8_t md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx_.get(), md, &len);
  return Digest::FromRaw(alg_, std::span<const uint8_t>(md, len));
}

Digest Sha256Of(std::string_view data) {
  Hasher h(DigestAlgorithm::kSha256);
  h.Update(data);
  return h.Finish();
}

}  // namespace strata
