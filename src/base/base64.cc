#include "base/base64.h"

#include <cstdint>

namespace strata {
namespace {

std::string Encode(std::string_view in, const char* alphabet, bool pad) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t v = (static_cast<uint8_t>(in[i]) << 16) |
                       (static_cast<uint8_t>(in[i + 1]) << 8) |
                       static_cast<uint8_t>(in[i + 2]);
    for (int k = 18; k >= 0; k -= 6) out += alphabet[(v >> k) & 63];
  }
  if (i < in.size()) {
    const bool two = i + 1 < in.size();
    uint32_t v = static_cast<uint8_t>(in[i]) << 16;
    if (two) v |= static_cast<uint8_t>(in[i + 1]) << 8;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    if (two) out += alphabet[(v >> 6) & 63];
    if (pad) out.append(two ? 1 : 2, '=');
  }
  return out;
}

// The value of `c`, or -1; `url` says which alphabet (see Decode).
int Value(char c, int* url) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  const int is_url = (c == '-' || c == '_')   ? 1
                     : (c == '+' || c == '/') ? 0
                                              : -1;
  if (is_url < 0) return -1;
  if (*url >= 0 && *url != is_url) return -1;  // mixed alphabets
  *url = is_url;
  return (c == '+' || c == '-') ? 62 : 63;
}

}  // namespace

std::string Base64Encode(std::string_view data) {
  return Encode(
      data, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
      true);
}

std::string Base64UrlEncode(std::string_view data) {
  return Encode(
      data, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
      false);
}

Result<std::string> Base64Decode(std::string_view text,
                                 Base64Alphabet alphabet) {
  size_t pad = 0;
  while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') {
    ++pad;
  }
  std::string_view body = text.substr(0, text.size() - pad);
  if (pad > 0 && text.size() % 4 != 0) {
    return DataLossError("bad base64 padding");
  }
  if (body.size() % 4 == 1) return DataLossError("bad base64 length");
  if (pad > 0 && (body.size() + pad) % 4 != 0) {
    return DataLossError("bad base64 padding");
  }
  // -1: not yet known; 0 standard; 1 URL.
  int url = alphabet == Base64Alphabet::kStandard ? 0
            : alphabet == Base64Alphabet::kUrl    ? 1
                                                  : -1;
  std::string out;
  out.reserve(body.size() / 4 * 3 + 2);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : body) {
    const int v = Value(c, &url);
    if (v < 0) return DataLossError("bad base64 character");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  if ((acc & ((1u << bits) - 1)) != 0) {
    return DataLossError("bad base64: nonzero trailing bits");
  }
  return out;
}

}  // namespace strata
