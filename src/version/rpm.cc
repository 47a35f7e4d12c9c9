// rpm version ordering: rpm 4.18's parseEVR() and rpmvercmp(), combined the
// way rpm.labelCompare() does (epoch, then version, then release; a missing
// epoch is 0, a missing release sorts before any release). rpm itself
// accepts any string; here the empty string, an empty version part and NUL
// bytes (which no C string can carry) are invalid.
#include <string>

#include "version/version.h"

namespace strata::version {
namespace {

struct Evr {
  std::string_view epoch = "0";
  std::string_view version;
  std::string_view release;
  bool has_release = false;
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool IsAlnum(char c) { return IsDigit(c) || IsAlpha(c); }

Status Invalid(std::string_view v) {
  return InvalidArgumentError("invalid rpm version \"" +
                              std::string(v.substr(0, 100)) + "\"");
}

// parseEVR: leading digits followed by ':' are the epoch (empty means 0);
// the release follows the last '-' after those digits.
Result<Evr> ParseEvr(std::string_view v) {
  if (v.empty() || v.size() > kMaxVersionLength ||
      v.find('\0') != std::string_view::npos) {
    return Invalid(v);
  }
  size_t digits = 0;
  while (digits < v.size() && IsDigit(v[digits])) ++digits;
  Evr out;
  std::string_view rest = v;
  if (digits < v.size() && v[digits] == ':') {
    if (digits > 0) out.epoch = v.substr(0, digits);
    rest = v.substr(digits + 1);
  }
  out.version = rest;
  size_t hyphen = v.rfind('-');
  if (hyphen != std::string_view::npos && hyphen >= digits) {
    size_t at = hyphen - (v.size() - rest.size());
    out.version = rest.substr(0, at);
    out.release = rest.substr(at + 1);
    out.has_release = true;
  }
  if (out.version.empty()) return Invalid(v);
  return out;
}

// rpmvercmp: alphanumeric segments, separators ignored, numeric segments
// newer than alphabetic ones, '~' before everything (the end included), '^'
// after the end but before any further segment.
int RpmVerCmp(std::string_view a, std::string_view b) {
  auto is_segment = [](char c) { return IsAlnum(c) || c == '~' || c == '^'; };
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    while (i < a.size() && !is_segment(a[i])) ++i;
    while (j < b.size() && !is_segment(b[j])) ++j;
    bool a_end = i == a.size(), b_end = j == b.size();
    char ac = a_end ? '\0' : a[i];
    char bc = b_end ? '\0' : b[j];
    if (ac == '~' || bc == '~') {
      if (ac != '~') return 1;
      if (bc != '~') return -1;
      ++i;
      ++j;
      continue;
    }
    if (ac == '^' || bc == '^') {
      if (a_end) return -1;
      if (b_end) return 1;
      if (ac != '^') return 1;
      if (bc != '^') return -1;
      ++i;
      ++j;
      continue;
    }
    if (a_end || b_end) break;
    bool numeric = IsDigit(ac);
    auto in_segment = [numeric](char c) {
      return numeric ? IsDigit(c) : IsAlpha(c);
    };
    size_t a_stop = i, b_stop = j;
    while (a_stop < a.size() && in_segment(a[a_stop])) ++a_stop;
    while (b_stop < b.size() && in_segment(b[b_stop])) ++b_stop;
    // A numeric segment against an alphabetic one: numeric is newer.
    if (b_stop == j) return numeric ? 1 : -1;
    std::string_view sa = a.substr(i, a_stop - i);
    std::string_view sb = b.substr(j, b_stop - j);
    if (numeric) {
      while (!sa.empty() && sa.front() == '0') sa.remove_prefix(1);
      while (!sb.empty() && sb.front() == '0') sb.remove_prefix(1);
      if (sa.size() != sb.size()) return sa.size() < sb.size() ? -1 : 1;
    }
    if (int r = sa.compare(sb); r != 0) return r < 0 ? -1 : 1;
    i = a_stop;
    j = b_stop;
  }
  if (i == a.size() && j == b.size()) return 0;
  return i == a.size() ? -1 : 1;
}

}  // namespace

Result<int> CompareRpm(std::string_view a, std::string_view b) {
  ASSIGN_OR_RETURN(Evr ea, ParseEvr(a));
  ASSIGN_OR_RETURN(Evr eb, ParseEvr(b));
  if (int r = RpmVerCmp(ea.epoch, eb.epoch); r != 0) return r;
  if (int r = RpmVerCmp(ea.version, eb.version); r != 0) return r;
  if (ea.has_release != eb.has_release) return ea.has_release ? 1 : -1;
  return RpmVerCmp(ea.release, eb.release);
}

}  // namespace strata::version
