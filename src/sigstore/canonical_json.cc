#include "sigstore/canonical_json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "base/caps.h"

namespace strata::sigstore {

namespace {

// Decodes UTF-8 `s` into UTF-16 code units; false if `s` is not valid UTF-8
// (overlong forms, surrogates and values above U+10FFFF are refused).
bool ToUtf16(std::string_view s, std::u16string* out) {
  out->clear();
  size_t i = 0;
  while (i < s.size()) {
    const auto b0 = static_cast<uint8_t>(s[i]);
    uint32_t cp = 0;
    size_t len = 0;
    if (b0 < 0x80) {
      cp = b0;
      len = 1;
    } else if ((b0 & 0xE0) == 0xC0) {
      cp = b0 & 0x1F;
      len = 2;
    } else if ((b0 & 0xF0) == 0xE0) {
      cp = b0 & 0x0F;
      len = 3;
    } else if ((b0 & 0xF8) == 0xF0) {
      cp = b0 & 0x07;
      len = 4;
    } else {
      return false;
    }
    if (s.size() - i < len) return false;
    for (size_t k = 1; k < len; ++k) {
      const auto b = static_cast<uint8_t>(s[i + k]);
      if ((b & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3F);
    }
    static constexpr uint32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMinForLength[len] || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out->push_back(static_cast<char16_t>(0xD800 + (cp >> 10)));
      out->push_back(static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
      out->push_back(static_cast<char16_t>(cp));
    }
    i += len;
  }
  return true;
}

Status AppendString(std::string_view s, std::string* out) {
  std::u16string scratch;
  if (!ToUtf16(s, &scratch)) {
    return InvalidArgumentError("canonical json: string is not valid UTF-8");
  }
  out->push_back('"');
  for (char c : s) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (static_cast<uint8_t>(c) < 0x20) {
          static constexpr char kHex[] = "0123456789abcdef";
          out->append("\\u00");
          out->push_back(kHex[(c >> 4) & 0xF]);
          out->push_back(kHex[c & 0xF]);
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
  return Status::Ok();
}

Status AppendNumber(double v, std::string* out) {
  if (!std::isfinite(v)) {
    return InvalidArgumentError("canonical json: number is not finite");
  }
  out->append(FormatJcsNumber(v));
  return Status::Ok();
}

Status Append(const json::Json& v, int depth, std::string* out) {
  if (depth > caps::kMaxJsonDepth) {
    return InvalidArgumentError("canonical json: nested deeper than " +
                                std::to_string(caps::kMaxJsonDepth));
  }
  switch (v.type()) {
    case json::Json::value_t::null:
      out->append("null");
      return Status::Ok();
    case json::Json::value_t::boolean:
      out->append(v.get<bool>() ? "true" : "false");
      return Status::Ok();
    case json::Json::value_t::number_integer:
      return AppendNumber(static_cast<double>(v.get<int64_t>()), out);
    case json::Json::value_t::number_unsigned:
      return AppendNumber(static_cast<double>(v.get<uint64_t>()), out);
    case json::Json::value_t::number_float:
      return AppendNumber(v.get<double>(), out);
    case json::Json::value_t::string:
      return AppendString(v.get_ref<const std::string&>(), out);
    case json::Json::value_t::array: {
      out->push_back('[');
      bool first = true;
      for (const json::Json& item : v) {
        if (!first) out->push_back(',');
        first = false;
        RETURN_IF_ERROR(Append(item, depth + 1, out));
      }
      out->push_back(']');
      return Status::Ok();
    }
    case json::Json::value_t::object: {
      // Sort by UTF-16 code units (RFC 8785 3.2.3), not by UTF-8 bytes.
      std::vector<std::pair<std::u16string, const std::string*>> keys;
      keys.reserve(v.size());
      for (auto it = v.begin(); it != v.end(); ++it) {
        std::u16string units;
        if (!ToUtf16(it.key(), &units)) {
          return InvalidArgumentError(
              "canonical json: member name is not valid UTF-8");
        }
        keys.emplace_back(std::move(units), &it.key());
      }
      std::sort(keys.begin(), keys.end());
      out->push_back('{');
      bool first = true;
      for (const auto& [units, key] : keys) {
        if (!first) out->push_back(',');
        first = false;
        RETURN_IF_ERROR(AppendString(*key, out));
        out->push_back(':');
        RETURN_IF_ERROR(Append(v.at(*key), depth + 1, out));
      }
      out->push_back('}');
      return Status::Ok();
    }
    case json::Json::value_t::binary:
    case json::Json::value_t::discarded:
      break;
  }
  return InvalidArgumentError("canonical json: value has no JSON form");
}

}  // namespace

std::string FormatJcsNumber(double value) {
  if (value == 0) return "0";  // also -0
  std::string out;
  if (value < 0) {
    out.push_back('-');
    value = -value;
  }
  // Shortest round-trip digits, as "d.ddde±x".
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value,
                                 std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(end - buf));
  const size_t e_pos = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e_pos)) {
    if (c != '.') digits.push_back(c);
  }
  int exponent = 0;
  std::from_chars(sci.data() + e_pos + 1 + (sci[e_pos + 1] == '+' ? 1 : 0),
                  sci.data() + sci.size(), exponent);
  // ES2015 7.1.12.1 with k digits and the decimal point after n of them.
  const int k = static_cast<int>(digits.size());
  const int n = exponent + 1;
  if (k <= n && n <= 21) {
    out += digits;
    out.append(static_cast<size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out += digits.substr(0, static_cast<size_t>(n));
    out.push_back('.');
    out += digits.substr(static_cast<size_t>(n));
  } else if (-6 < n && n <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-n), '0');
    out += digits;
  } else {
    out.push_back(digits[0]);
    if (k > 1) {
      out.push_back('.');
      out += digits.substr(1);
    }
    out.push_back('e');
    out.push_back(n - 1 >= 0 ? '+' : '-');
    out += std::to_string(std::abs(n - 1));
  }
  return out;
}

Result<std::string> CanonicalJson(const json::Json& value) {
  std::string out;
  RETURN_IF_ERROR(Append(value, 0, &out));
  return out;
}

}  // namespace strata::sigstore
