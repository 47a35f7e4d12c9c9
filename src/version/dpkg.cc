// dpkg version ordering: dpkg's parseversion() and verrevcmp() (dpkg 1.21,
// Debian Policy 5.6.12). What dpkg only warns about (an upstream version not
// starting with a digit, characters outside the policy set) is accepted, as
// `dpkg --compare-versions` does; what dpkg rejects is invalid here too.
#include <climits>
#include <cstdint>
#include <string>

#include "version/version.h"

namespace strata::version {
namespace {

struct DpkgVersion {
  int64_t epoch = 0;
  std::string_view upstream;
  std::string_view revision;  // empty when the version has no '-'
};

bool IsBlank(char c) { return c == ' ' || c == '\t'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
// The characters strtol() skips before a number (C isspace).
bool IsSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

Status Invalid(std::string_view v) {
  return InvalidArgumentError("invalid dpkg version \"" +
                              std::string(v.substr(0, 100)) + "\"");
}

// Parses the epoch before the first ':' the way dpkg does with strtol():
// optional white space and sign, at least one digit, then the colon.
bool ParseEpoch(std::string_view s, int64_t* epoch) {
  size_t i = 0;
  while (i < s.size() && IsSpace(s[i])) ++i;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  if (i == s.size()) return false;
  int64_t value = 0;
  for (; i < s.size(); ++i) {
    if (!IsDigit(s[i])) return false;
    value = value * 10 + (s[i] - '0');
    if (value > INT_MAX) return false;
  }
  if (negative && value != 0) return false;
  *epoch = value;
  return true;
}

Result<DpkgVersion> ParseDpkg(std::string_view v) {
  if (v.size() > kMaxVersionLength || v.find('\0') != std::string_view::npos) {
    return Invalid(v);
  }
  std::string_view s = v;
  while (!s.empty() && IsBlank(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsBlank(s.back())) s.remove_suffix(1);
  if (s.empty()) return Invalid(v);
  for (char c : s) {
    if (IsBlank(c)) return Invalid(v);
  }
  DpkgVersion out;
  if (size_t colon = s.find(':'); colon != std::string_view::npos) {
    if (!ParseEpoch(s.substr(0, colon), &out.epoch)) return Invalid(v);
    s.remove_prefix(colon + 1);
    if (s.empty()) return Invalid(v);
  }
  out.upstream = s;
  if (size_t hyphen = s.rfind('-'); hyphen != std::string_view::npos) {
    out.upstream = s.substr(0, hyphen);
    out.revision = s.substr(hyphen + 1);
    if (out.revision.empty()) return Invalid(v);
  }
  if (out.upstream.empty()) return Invalid(v);
  return out;
}

// dpkg's order(): '~' before the end, the end before letters, letters before
// everything else. dpkg reads `char`, which is signed on the platforms it
// ships for, so bytes >= 0x80 land between letters and ASCII punctuation.
int Order(std::string_view s, size_t i) {
  if (i >= s.size()) return 0;
  int c = static_cast<signed char>(s[i]);
  if (IsDigit(s[i])) return 0;
  if (IsAlpha(s[i])) return c;
  if (c == '~') return -1;
  return c + 256;
}

int VerRevCmp(std::string_view a, std::string_view b) {
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    while ((i < a.size() && !IsDigit(a[i])) ||
           (j < b.size() && !IsDigit(b[j]))) {
      int ac = Order(a, i);
      int bc = Order(b, j);
      if (ac != bc) return ac < bc ? -1 : 1;
      ++i;
      ++j;
    }
    while (i < a.size() && a[i] == '0') ++i;
    while (j < b.size() && b[j] == '0') ++j;
    int first_diff = 0;
    while (i < a.size() && IsDigit(a[i]) && j < b.size() && IsDigit(b[j])) {
      if (first_diff == 0) first_diff = a[i] - b[j];
      ++i;
      ++j;
    }
    if (i < a.size() && IsDigit(a[i])) return 1;
    if (j < b.size() && IsDigit(b[j])) return -1;
    if (first_diff != 0) return first_diff < 0 ? -1 : 1;
  }
  return 0;
}

}  // namespace

Result<int> CompareDpkg(std::string_view a, std::string_view b) {
  ASSIGN_OR_RETURN(DpkgVersion va, ParseDpkg(a));
  ASSIGN_OR_RETURN(DpkgVersion vb, ParseDpkg(b));
  if (va.epoch != vb.epoch) return va.epoch < vb.epoch ? -1 : 1;
  if (int r = VerRevCmp(va.upstream, vb.upstream); r != 0) return r;
  return VerRevCmp(va.revision, vb.revision);
}

}  // namespace strata::version
