// SemVer 2.0.0 precedence (https://semver.org/spec/v2.0.0.html section 11),
// strict: MAJOR.MINOR.PATCH without leading zeros, dot-separated prerelease
// identifiers ([0-9A-Za-z-], numeric ones without leading zeros), build
// metadata identifiers ([0-9A-Za-z-]) ignored in order. One leading 'v' is
// accepted (node-semver and OSV SEMVER events allow it). Numbers of any
// length compare exactly (by length, then digits): there is no overflow.
#include <string>

#include "version/semver_parts.h"
#include "version/version.h"

namespace strata::version {
namespace internal {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentifierChar(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         c == '-';
}
bool IsNumeric(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

// Consumes a numeric identifier (0 or [1-9][0-9]*) from the front of `s`.
bool ConsumeNumber(std::string_view& s, std::string_view* out) {
  size_t n = 0;
  while (n < s.size() && IsDigit(s[n])) ++n;
  if (n == 0 || (n > 1 && s[0] == '0')) return false;
  *out = s.substr(0, n);
  s.remove_prefix(n);
  return true;
}

bool ConsumeDot(std::string_view& s) {
  if (s.empty() || s[0] != '.') return false;
  s.remove_prefix(1);
  return true;
}

int Sign(int c) { return c < 0 ? -1 : (c > 0 ? 1 : 0); }

// Numbers without leading zeros: the longer is larger, else by digits.
int CompareNumbers(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  return Sign(a.compare(b));
}

// Section 11.4: numeric identifiers numerically and below alphanumeric ones,
// alphanumeric ones in ASCII order, a shorter list of equal identifiers first.
int ComparePrerelease(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) {
    return a.empty() == b.empty() ? 0 : (a.empty() ? 1 : -1);
  }
  while (true) {
    size_t ea = a.find('.');
    size_t eb = b.find('.');
    std::string_view ia = a.substr(0, ea);
    std::string_view ib = b.substr(0, eb);
    bool na = IsNumeric(ia);
    bool nb = IsNumeric(ib);
    int c;
    if (na && nb) {
      c = CompareNumbers(ia, ib);
    } else if (na != nb) {
      c = na ? -1 : 1;
    } else {
      c = Sign(ia.compare(ib));
    }
    if (c != 0) return c;
    bool more_a = ea != std::string_view::npos;
    bool more_b = eb != std::string_view::npos;
    if (!more_a || !more_b) return more_a == more_b ? 0 : (more_a ? 1 : -1);
    a.remove_prefix(ea + 1);
    b.remove_prefix(eb + 1);
  }
}

}  // namespace

bool ValidIdentifiers(std::string_view s, bool allow_leading_zeros) {
  size_t start = 0;
  while (true) {
    size_t end = s.find('.', start);
    std::string_view id =
        s.substr(start, end == std::string_view::npos ? std::string_view::npos
                                                      : end - start);
    if (id.empty()) return false;
    for (char c : id) {
      if (!IsIdentifierChar(c)) return false;
    }
    if (!allow_leading_zeros && id.size() > 1 && id[0] == '0' &&
        IsNumeric(id)) {
      return false;
    }
    if (end == std::string_view::npos) return true;
    start = end + 1;
  }
}

bool ParseSemverParts(std::string_view v, bool go_shorthands,
                      SemverParts* out) {
  if (v.size() > kMaxVersionLength) return false;
  std::string_view s = v;
  if (!s.empty() && s[0] == 'v') s.remove_prefix(1);
  *out = SemverParts{};
  out->minor = "0";
  out->patch = "0";
  if (!ConsumeNumber(s, &out->major)) return false;
  if (go_shorthands && s.empty()) return true;  // vMAJOR
  if (!ConsumeDot(s) || !ConsumeNumber(s, &out->minor)) return false;
  if (go_shorthands && s.empty()) return true;  // vMAJOR.MINOR
  if (!ConsumeDot(s) || !ConsumeNumber(s, &out->patch)) return false;
  size_t plus = s.find('+');
  if (plus != std::string_view::npos) {
    if (!ValidIdentifiers(s.substr(plus + 1), /*allow_leading_zeros=*/true)) {
      return false;
    }
    s = s.substr(0, plus);
  }
  if (!s.empty()) {
    if (s[0] != '-') return false;
    out->prerelease = s.substr(1);
    if (!ValidIdentifiers(out->prerelease, /*allow_leading_zeros=*/false)) {
      return false;
    }
  }
  return true;
}

int CompareSemverParts(const SemverParts& a, const SemverParts& b) {
  if (int c = CompareNumbers(a.major, b.major); c != 0) return c;
  if (int c = CompareNumbers(a.minor, b.minor); c != 0) return c;
  if (int c = CompareNumbers(a.patch, b.patch); c != 0) return c;
  return ComparePrerelease(a.prerelease, b.prerelease);
}

}  // namespace internal

Result<int> CompareSemver(std::string_view a, std::string_view b) {
  internal::SemverParts va, vb;
  for (auto [v, parts] : {std::pair{a, &va}, std::pair{b, &vb}}) {
    if (!internal::ParseSemverParts(v, /*go_shorthands=*/false, parts)) {
      return InvalidArgumentError("invalid semver version \"" +
                                  std::string(v.substr(0, 100)) + "\"");
    }
  }
  return internal::CompareSemverParts(va, vb);
}

}  // namespace strata::version
