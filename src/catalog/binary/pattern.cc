#include "catalog/binary/pattern.h"

#include <algorithm>
#include <functional>

namespace strata::catalog::binary {
namespace {

constexpr size_t kNpos = std::string_view::npos;
constexpr size_t kFileVersionAnchorBytes = 3;  // the shortest: "3.1"

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsSuffix(char c) {
  return IsDigit(c) || IsLower(c) || (c >= 'A' && c <= 'Z') || c == '.' ||
         c == '_' || c == '+' || c == '~' || c == '-';
}

// A pattern spec for error messages: non-printable bytes as \xNN.
std::string Printable(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// Scanners return a length, kNpos (no token: the attempt fails) or kCut
// (the bytes end before the token does: undecided here).
constexpr size_t kCut = kNpos - 1;

// Length of the dotted number [0-9]+(\.[0-9]+)* at bytes[pos].
size_t NumberAt(std::string_view bytes, size_t pos) {
  size_t i = pos;
  while (true) {
    size_t digits = i;
    while (i < bytes.size() && IsDigit(bytes[i])) {
      if (++i - pos > kMaxTokenBytes) return kNpos;
    }
    if (i == bytes.size()) return kCut;
    if (i == digits) return kNpos;
    if (bytes[i] == '.') {
      if (i + 1 == bytes.size()) return kCut;
      if (IsDigit(bytes[i + 1])) {
        ++i;
        continue;
      }
    }
    return i - pos;
  }
}

// Length of the run of bytes in `in_class` at bytes[pos].
size_t RunAt(std::string_view bytes, size_t pos, bool (*in_class)(char)) {
  size_t i = pos;
  while (i < bytes.size() && in_class(bytes[i])) {
    if (++i - pos > kMaxTokenBytes) return kNpos;
  }
  return i == bytes.size() ? kCut : i - pos;
}

// Start of the dotted number that ends right before bytes[end] (the
// anchor), or kNpos, also when the bytes start before the run of digits
// and dots does.
size_t NumberBefore(std::string_view bytes, size_t end) {
  size_t b = end;
  while (b > 0 && (IsDigit(bytes[b - 1]) || bytes[b - 1] == '.')) {
    if (end - --b > kMaxTokenBytes) return kNpos;
  }
  if (b == 0) return kNpos;
  while (b < end && bytes[b] == '.') ++b;  // a leading dot is context
  if (b == end || NumberAt(bytes, b) != end - b) return kNpos;
  return b;
}

}  // namespace

std::string_view FileVersion(std::string_view path) {
  std::string_view base = path.substr(path.rfind('/') + 1);
  size_t b = 0;
  while (b < base.size() && !IsDigit(base[b])) ++b;
  size_t e = b;
  while (e < base.size() && (IsDigit(base[e]) || base[e] == '.')) ++e;
  while (e > b && base[e - 1] == '.') --e;
  std::string_view v = base.substr(b, e - b);
  if (v.size() > kMaxTokenBytes || v.find('.') == kNpos ||
      v.find("..") != kNpos) {
    return {};
  }
  return v;
}

Result<BytePattern> BytePattern::Parse(std::string_view spec) {
  BytePattern p;
  auto fail = [&](std::string_view why) {
    return InvalidArgumentError("pattern \"" + Printable(spec) +
                                "\": " + std::string(why));
  };
  std::string literal;
  auto flush = [&] {
    if (literal.empty()) return;
    p.elements_.push_back({Kind::kLiteral, std::move(literal)});
    literal.clear();
  };
  int opens = 0, closes = 0;
  for (size_t i = 0; i < spec.size(); ++i) {
    char c = spec[i];
    if (c == '\\') {
      if (++i == spec.size()) return fail("ends with a lone backslash");
      literal += spec[i];
    } else if (c == '(' || c == ')') {
      flush();
      if (c == '(') {
        if (opens++ > 0) return fail("needs exactly one capture");
        p.capture_begin_ = p.elements_.size();
      } else {
        if (closes++ > 0 || opens == 0) {
          return fail("needs exactly one capture");
        }
        p.capture_end_ = p.elements_.size();
        if (p.capture_end_ == p.capture_begin_) return fail("empty capture");
      }
    } else if (c == '{') {
      size_t close = spec.find('}', i);
      if (close == kNpos) return fail("unclosed {");
      std::string_view name = spec.substr(i + 1, close - i - 1);
      Kind kind;
      if (name == "N") {
        kind = Kind::kNumber;
      } else if (name == "A") {
        kind = Kind::kLetters;
      } else if (name == "S") {
        kind = Kind::kSuffix;
      } else if (name == "FV") {
        kind = Kind::kFileVersion;
      } else {
        return fail("unknown token {" + Printable(name) + "}");
      }
      flush();
      p.elements_.push_back({kind, ""});
      i = close;
    } else {
      literal += c;
    }
  }
  flush();
  if (opens != 1 || closes != 1) return fail("needs exactly one capture");
  size_t tokens = 0, literal_bytes = 0;
  for (const Element& e : p.elements_) {
    if (e.kind == Kind::kLiteral) {
      literal_bytes += e.literal.size();
    } else {
      ++tokens;
    }
  }
  if (tokens > kMaxTokens) {
    return fail("more than " + std::to_string(kMaxTokens) + " tokens");
  }
  if (literal_bytes > kMaxLiteralBytes) {
    return fail("literals longer than " + std::to_string(kMaxLiteralBytes) +
                " bytes");
  }

  auto anchors = [](const Element& e) {
    return e.kind == Kind::kLiteral || e.kind == Kind::kFileVersion;
  };
  const size_t n = p.elements_.size();
  while (p.anchor_begin_ < n && !anchors(p.elements_[p.anchor_begin_])) {
    ++p.anchor_begin_;
  }
  if (p.anchor_begin_ > 1 ||
      (p.anchor_begin_ == 1 && p.elements_[0].kind != Kind::kNumber)) {
    return fail("only one {N} may precede the anchor");
  }
  size_t anchor_bytes = 0;
  p.anchor_end_ = p.anchor_begin_;
  while (p.anchor_end_ < n && anchors(p.elements_[p.anchor_end_])) {
    const Element& e = p.elements_[p.anchor_end_++];
    anchor_bytes +=
        e.kind == Kind::kLiteral ? e.literal.size() : kFileVersionAnchorBytes;
  }
  if (anchor_bytes < kMinAnchorBytes) {
    return fail("anchor shorter than " + std::to_string(kMinAnchorBytes) +
                " bytes");
  }
  return p;
}

BytePattern::Attempt BytePattern::MatchAt(std::string_view bytes, size_t hit,
                                          std::string_view file_version,
                                          std::vector<size_t>* at) const {
  const size_t n = elements_.size();
  std::vector<size_t>& pos = *at;
  pos[anchor_begin_] = hit;
  for (size_t k = anchor_begin_; k < anchor_end_; ++k) {
    const Element& e = elements_[k];
    pos[k + 1] = pos[k] + (e.kind == Kind::kLiteral ? e.literal.size()
                                                    : file_version.size());
  }
  if (anchor_begin_ == 1) {
    size_t b = NumberBefore(bytes, hit);
    if (b == kNpos) return Attempt::kNoMatch;
    pos[0] = b;
  }
  for (size_t k = anchor_end_; k < n; ++k) {
    const Element& e = elements_[k];
    size_t len = kNpos;
    switch (e.kind) {
      case Kind::kLiteral:
      case Kind::kFileVersion: {
        std::string_view want =
            e.kind == Kind::kLiteral ? e.literal : file_version;
        std::string_view got = bytes.substr(pos[k], want.size());
        if (want.starts_with(got)) {
          len = got.size() == want.size() ? want.size() : kCut;
        }
        break;
      }
      case Kind::kNumber:
        len = NumberAt(bytes, pos[k]);
        break;
      case Kind::kLetters:
        len = RunAt(bytes, pos[k], IsLower);
        break;
      case Kind::kSuffix:
        len = RunAt(bytes, pos[k], IsSuffix);
        break;
    }
    if (len == kNpos) return Attempt::kNoMatch;
    if (len == kCut) return Attempt::kCutAtEnd;
    pos[k + 1] = pos[k] + len;
  }
  return pos[capture_end_] > pos[capture_begin_] &&
                 IsDigit(bytes[pos[capture_begin_]])
             ? Attempt::kMatch
             : Attempt::kNoMatch;
}

std::optional<PatternMatch> BytePattern::Find(
    std::string_view bytes, std::string_view file_version) const {
  std::string anchor;
  for (size_t k = anchor_begin_; k < anchor_end_; ++k) {
    const Element& e = elements_[k];
    if (e.kind == Kind::kLiteral) {
      anchor += e.literal;
    } else if (file_version.empty()) {
      return std::nullopt;
    } else {
      anchor += file_version;
    }
  }
  for (size_t k = anchor_end_; k < elements_.size(); ++k) {
    if (elements_[k].kind == Kind::kFileVersion && file_version.empty()) {
      return std::nullopt;
    }
  }
  const std::boyer_moore_horspool_searcher searcher(anchor.begin(),
                                                    anchor.end());
  std::vector<size_t> at(elements_.size() + 1);
  auto it = bytes.begin();
  while (true) {
    it = std::search(it, bytes.end(), searcher);
    if (it == bytes.end()) return std::nullopt;
    size_t hit = static_cast<size_t>(it - bytes.begin());
    switch (MatchAt(bytes, hit, file_version, &at)) {
      case Attempt::kMatch:
        return PatternMatch{
            .version = bytes.substr(at[capture_begin_],
                                    at[capture_end_] - at[capture_begin_]),
            .evidence = bytes.substr(at.front(), at.back() - at.front()),
        };
      case Attempt::kCutAtEnd:
        return std::nullopt;
      case Attempt::kNoMatch:
        break;
    }
    ++it;
  }
}

}  // namespace strata::catalog::binary
