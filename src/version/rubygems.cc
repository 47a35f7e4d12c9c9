// RubyGems ordering as Gem::Version implements it: versions must match
// ANCHORED_VERSION_PATTERN (an empty or blank string is "0"), '-' reads as
// ".pre.", segments are runs of digits or of letters, zeros that end the
// numeric part are dropped (canonical_segments: "1.0.a" = "1.a"; the zeros it
// also drops at the very end cannot change an order, since <=> pads with 0),
// and <=> puts strings before numbers and compares strings bytewise, numbers
// by value (as decimal strings: no overflow).
#include <cstddef>
#include <string>
#include <vector>

#include "version/version.h"

namespace strata::version {
namespace {

// Ruby's \s.
bool IsSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLetter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool IsAlnum(char c) { return IsDigit(c) || IsLetter(c); }

int Sign(int c) { return c < 0 ? -1 : (c > 0 ? 1 : 0); }

struct Segment {
  bool numeric;
  std::string_view text;  // digits without leading zeros, or letters
};

// [0-9]+ (\.[0-9a-zA-Z]+)* (-[0-9A-Za-z-]+ (\.[0-9A-Za-z-]+)*)?
bool Matches(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && IsDigit(s[i])) ++i;
  if (i == 0) return false;
  while (i < s.size() && s[i] == '.') {
    size_t start = ++i;
    while (i < s.size() && IsAlnum(s[i])) ++i;
    if (i == start) return false;
  }
  if (i == s.size()) return true;
  if (s[i] != '-') return false;
  while (true) {
    size_t start = ++i;  // past '-' or '.'
    while (i < s.size() && (IsAlnum(s[i]) || s[i] == '-')) ++i;
    if (i == start) return false;
    if (i == s.size()) return true;
    if (s[i] != '.') return false;
  }
}

std::vector<Segment> CanonicalSegments(std::string_view s) {
  std::vector<Segment> segments;
  size_t i = 0;
  while (i < s.size()) {
    size_t start = i;
    if (IsDigit(s[i])) {
      while (i < s.size() && IsDigit(s[i])) ++i;
      std::string_view digits = s.substr(start, i - start);
      size_t nz = digits.find_first_not_of('0');
      segments.push_back(
          {true, nz == std::string_view::npos ? "" : digits.substr(nz)});
    } else if (IsLetter(s[i])) {
      while (i < s.size() && IsLetter(s[i])) ++i;
      segments.push_back({false, s.substr(start, i - start)});
    } else {
      if (s[i] == '-') segments.push_back({false, "pre"});
      ++i;
    }
  }
  size_t first_string = 0;
  while (first_string < segments.size() && segments[first_string].numeric) {
    ++first_string;
  }
  size_t numeric_end = first_string;
  while (numeric_end > 0 && segments[numeric_end - 1].text.empty()) {
    --numeric_end;  // a numeric segment with no digits left is 0
  }
  segments.erase(segments.begin() + static_cast<ptrdiff_t>(numeric_end),
                 segments.begin() + static_cast<ptrdiff_t>(first_string));
  return segments;
}

Result<std::vector<Segment>> Parse(std::string_view text) {
  if (text.size() <= kMaxVersionLength) {
    std::string_view s = text;
    while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
    while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
    if (s.empty() || Matches(s)) return CanonicalSegments(s);
  }
  return InvalidArgumentError("invalid rubygems version \"" +
                              std::string(text.substr(0, 100)) + "\"");
}

int CompareSegments(const Segment& a, const Segment& b) {
  if (a.numeric != b.numeric) return a.numeric ? 1 : -1;
  if (a.numeric && a.text.size() != b.text.size()) {
    return a.text.size() < b.text.size() ? -1 : 1;
  }
  return Sign(a.text.compare(b.text));
}

}  // namespace

Result<int> CompareRubyGems(std::string_view a, std::string_view b) {
  ASSIGN_OR_RETURN(std::vector<Segment> sa, Parse(a));
  ASSIGN_OR_RETURN(std::vector<Segment> sb, Parse(b));
  constexpr Segment kZero = {true, ""};
  for (size_t i = 0; i < sa.size() || i < sb.size(); ++i) {
    const Segment& x = i < sa.size() ? sa[i] : kZero;
    const Segment& y = i < sb.size() ? sb[i] : kZero;
    if (int c = CompareSegments(x, y); c != 0) return c;
  }
  return 0;
}

}  // namespace strata::version
