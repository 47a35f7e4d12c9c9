// Go module version ordering: the rules of golang.org/x/mod/semver Compare.
// A version is vMAJOR[.MINOR[.PATCH[-PRERELEASE][+BUILD]]]; the shorthands
// vMAJOR and vMAJOR.MINOR (no prerelease or build) mean vMAJOR.0.0 and
// vMAJOR.MINOR.0. Build metadata, "+incompatible" included, is ignored in
// order. Pseudo-versions (v0.0.0-20191109021931-daa7c04131f5,
// v1.2.4-0.20191109021931-daa7c04131f5, v1.2.3-pre.0.2019...) need no special
// case: they are the SemVer prereleases they spell. OSV's Go ecosystem writes
// versions without the 'v' ("1.2.3"): a missing 'v' is taken as present.
// Unlike x/mod/semver, where an invalid version sorts below every valid one,
// an invalid version is an error here.
#include <string>

#include "version/version.h"

namespace strata::version {
namespace {

struct GoVersion {
  std::string_view major;
  std::string_view minor;       // "0" for the vMAJOR shorthand
  std::string_view patch;       // "0" for the shorthands
  std::string_view prerelease;  // without the '-'; empty when absent
};

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

Status Invalid(std::string_view v) {
  return InvalidArgumentError("invalid go version \"" +
                              std::string(v.substr(0, 100)) + "\"");
}

// x/mod/semver parseInt: 0 or [1-9][0-9]*.
bool ConsumeNumber(std::string_view& s, std::string_view* out) {
  size_t n = 0;
  while (n < s.size() && IsDigit(s[n])) ++n;
  if (n == 0 || (n > 1 && s[0] == '0')) return false;
  *out = s.substr(0, n);
  s.remove_prefix(n);
  return true;
}

// x/mod/semver parsePrerelease / parseBuild: non-empty dot-separated
// identifiers of [0-9A-Za-z-]; numeric prerelease identifiers without
// leading zeros.
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

Result<GoVersion> ParseGo(std::string_view v) {
  if (v.size() > kMaxVersionLength) return Invalid(v);
  std::string_view s = v;
  if (!s.empty() && s[0] == 'v') s.remove_prefix(1);
  GoVersion out;
  out.minor = "0";
  out.patch = "0";
  if (!ConsumeNumber(s, &out.major)) return Invalid(v);
  if (s.empty()) return out;  // vMAJOR
  if (s[0] != '.') return Invalid(v);
  s.remove_prefix(1);
  if (!ConsumeNumber(s, &out.minor)) return Invalid(v);
  if (s.empty()) return out;  // vMAJOR.MINOR
  if (s[0] != '.') return Invalid(v);
  s.remove_prefix(1);
  if (!ConsumeNumber(s, &out.patch)) return Invalid(v);
  size_t plus = s.find('+');
  if (plus != std::string_view::npos) {
    if (!ValidIdentifiers(s.substr(plus + 1), /*allow_leading_zeros=*/true)) {
      return Invalid(v);
    }
    s = s.substr(0, plus);
  }
  if (!s.empty()) {
    if (s[0] != '-') return Invalid(v);
    out.prerelease = s.substr(1);
    if (!ValidIdentifiers(out.prerelease, /*allow_leading_zeros=*/false)) {
      return Invalid(v);
    }
  }
  return out;
}

int Sign(int c) { return c < 0 ? -1 : (c > 0 ? 1 : 0); }

// x/mod/semver compareInt: the longer number is larger, else by digits.
int CompareNumbers(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  return Sign(a.compare(b));
}

// x/mod/semver comparePrerelease: no prerelease sorts last; identifiers
// pairwise (numeric below alphanumeric, numbers by value, others bytewise);
// a prefix sorts first.
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

Result<int> CompareGo(std::string_view a, std::string_view b) {
  ASSIGN_OR_RETURN(GoVersion va, ParseGo(a));
  ASSIGN_OR_RETURN(GoVersion vb, ParseGo(b));
  if (int c = CompareNumbers(va.major, vb.major); c != 0) return c;
  if (int c = CompareNumbers(va.minor, vb.minor); c != 0) return c;
  if (int c = CompareNumbers(va.patch, vb.patch); c != 0) return c;
  return ComparePrerelease(va.prerelease, vb.prerelease);
}

}  // namespace strata::version
