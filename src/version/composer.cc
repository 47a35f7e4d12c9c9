// Composer (Packagist) version ordering: composer/semver's
// VersionParser::normalize (2.x/3.x), then PHP's version_compare() over the
// normalised strings, which is what Comparator::compare does once branches
// are allowed to compare.
//
// normalize, in order: trim; drop an alias ("1.0 as 2.0" -> "1.0") and an
// "@stability" flag; master/trunk/default and "dev-*" are branches
// ("dev-<name>"); drop "+build"; then the classical form
// v?N{1,5}(.N){0,3} + modifier -> "N.N.N.N[-stability[n]][-dev]", the date
// form (20100102, 2010-01-02.5) -> dots for separators + modifier, and the
// numbered branches "1.x-dev" -> "1.9999999.9999999.9999999-dev". The modifier
// is [._-]?((stable|beta|b|RC|alpha|a|patch|pl|p)([.-]?N)*)?([.-]?dev)?, case
// insensitive, with a/b/p/pl/rc spelled alpha/beta/patch/patch/RC.
//
// version_compare splits at '.', '-', '_', '+' and at digit/letter changes;
// numbers compare numerically (saturating like strtol), words by their
// special form: any other word < dev < alpha = a < beta = b < RC = rc < number
// < pl = p (a prefix match: "patch" is "p"); the remainder after equal parts
// decides (a further number is larger, a further word against a number).
//
// Composer leaves two different branches unordered; to stay total, strata
// orders them by version_compare and then bytewise, so a comparison is 0 for
// two branches only when their names are equal. Every branch sorts below
// every numbered version, as in version_compare. A control character (below
// 0x20, 0x7f) anywhere makes a version invalid, where PHP's trim() would drop
// surrounding tabs and newlines.
#include <cstdint>
#include <optional>
#include <string>

#include "version/version.h"

namespace strata::version {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool IsAlnum(char c) { return IsDigit(c) || IsAlpha(c); }
char Lower(char c) { return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c; }
bool IsControl(char c) {
  return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
}
// PCRE's \s (C locale) and PHP trim()'s set, once control bytes are refused.
bool IsSpace(char c) { return c == ' '; }

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}
bool IStartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() &&
         IEquals(s.substr(0, prefix.size()), prefix);
}

Status Invalid(std::string_view v) {
  return InvalidArgumentError("invalid composer version \"" +
                              std::string(v.substr(0, 100)) + "\"");
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// Index of the first ',' or blank (or `extra`) in s, or npos.
size_t FindStop(std::string_view s, char extra) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == ',' || IsSpace(s[i]) || s[i] == extra) return i;
  }
  return std::string_view::npos;
}

// {^([^,\s]++) ++as ++([^,\s]++)$}: keeps the part before " as ".
std::string_view StripAlias(std::string_view s) {
  size_t i = FindStop(s, ',');
  if (i == 0 || i == std::string_view::npos) return s;
  size_t j = i;
  while (j < s.size() && s[j] == ' ') ++j;
  if (j == i || s.substr(j, 2) != "as") return s;
  size_t k = j + 2;
  size_t l = k;
  while (l < s.size() && s[l] == ' ') ++l;
  std::string_view target = s.substr(l);
  if (l == k || target.empty() ||
      FindStop(target, ',') != std::string_view::npos) {
    return s;
  }
  return s.substr(0, i);
}

// {@(?:stable|RC|beta|alpha|dev)$}i
std::string_view StripStabilityFlag(std::string_view s) {
  for (std::string_view flag : {"stable", "RC", "beta", "alpha", "dev"}) {
    if (s.size() > flag.size() && s[s.size() - flag.size() - 1] == '@' &&
        IEquals(s.substr(s.size() - flag.size()), flag)) {
      return s.substr(0, s.size() - flag.size() - 1);
    }
  }
  return s;
}

// {^([^,\s+]++)\+[^\s]++$}: drops "+build".
std::string_view StripBuild(std::string_view s) {
  size_t i = FindStop(s, '+');
  if (i == 0 || i == std::string_view::npos || s[i] != '+' ||
      i + 1 == s.size()) {
    return s;
  }
  for (size_t j = i + 1; j < s.size(); ++j) {
    if (IsSpace(s[j])) return s;
  }
  return s.substr(0, i);
}

struct Modifier {
  std::string_view stability;  // as written; empty when absent
  std::string_view number;     // "(?:[.-]?\d+)*" after the stability
  bool dev = false;
};

// {([.-]?dev)?$}i over the whole of s.
bool MatchDevTail(std::string_view s, bool* dev) {
  if (s.empty()) {
    *dev = false;
    return true;
  }
  if (s[0] == '.' || s[0] == '-') s.remove_prefix(1);
  *dev = IEquals(s, "dev");
  return *dev;
}

// The modifier regex anchored at both ends, alternatives tried in the
// regex's order (so "alpha" wins over "a", "pl" over "p").
std::optional<Modifier> MatchModifier(std::string_view s) {
  static constexpr std::string_view kStabilities[] = {
      "stable", "beta", "b", "RC", "alpha", "a", "patch", "pl", "p"};
  bool has_separator =
      !s.empty() && (s[0] == '.' || s[0] == '_' || s[0] == '-');
  for (int skip = has_separator ? 1 : 0; skip >= 0; --skip) {
    std::string_view r = s.substr(skip);
    Modifier m;
    for (std::string_view word : kStabilities) {
      if (!IStartsWith(r, word)) continue;
      std::string_view after = r.substr(word.size());
      size_t n = 0;  // possessive (?:[.-]?\d+)*
      while (true) {
        size_t p = n;
        if (p < after.size() && (after[p] == '.' || after[p] == '-')) ++p;
        if (p >= after.size() || !IsDigit(after[p])) break;
        while (p < after.size() && IsDigit(after[p])) ++p;
        n = p;
      }
      if (MatchDevTail(after.substr(n), &m.dev)) {
        m.stability = r.substr(0, word.size());
        m.number = after.substr(0, n);
        return m;
      }
    }
    if (MatchDevTail(r, &m.dev)) return m;
  }
  return std::nullopt;
}

// VersionParser::expandStability
std::string ExpandStability(std::string_view stability) {
  std::string s;
  for (char c : stability) s.push_back(Lower(c));
  if (s == "a") return "alpha";
  if (s == "b") return "beta";
  if (s == "p" || s == "pl") return "patch";
  if (s == "rc") return "RC";
  return s;
}

std::string ApplyModifier(std::string version, const Modifier& m) {
  if (!m.stability.empty()) {
    if (m.stability == "stable") return version;
    std::string_view number = m.number;
    while (!number.empty() && (number[0] == '.' || number[0] == '-')) {
      number.remove_prefix(1);
    }
    version += "-" + ExpandStability(m.stability) + std::string(number);
  }
  if (m.dev) version += "-dev";
  return version;
}

size_t SkipV(std::string_view s) {
  return !s.empty() && (s[0] == 'v' || s[0] == 'V') ? 1 : 0;
}

// The numeric head of a classical or date version ends at its last digit
// before the first character outside [0-9.:-]: the modifier cannot start
// with a digit, so the regex has no other split.
size_t NumericHeadEnd(std::string_view s, size_t pos) {
  size_t end = pos;
  for (size_t i = pos; i < s.size(); ++i) {
    if (IsDigit(s[i])) {
      end = i + 1;
    } else if (s[i] != '.' && s[i] != ':' && s[i] != '-') {
      break;
    }
  }
  return end;
}

// {^v?(\d{1,5})(\.\d++)?(\.\d++)?(\.\d++)?MODIFIER$}i
std::optional<std::string> MatchClassical(std::string_view s) {
  size_t pos = SkipV(s);
  size_t head_end = NumericHeadEnd(s, pos);
  std::string_view head = s.substr(pos, head_end - pos);
  std::string out;
  int parts = 0;
  size_t i = 0;
  while (i < head.size()) {
    if (parts > 0) {
      if (head[i] != '.') return std::nullopt;
      out.push_back('.');
      ++i;
    }
    size_t start = i;
    while (i < head.size() && IsDigit(head[i])) ++i;
    size_t digits = i - start;
    if (digits == 0 || (parts == 0 && digits > 5) || parts == 4) {
      return std::nullopt;
    }
    out.append(head.substr(start, digits));
    ++parts;
  }
  if (parts == 0) return std::nullopt;
  for (; parts < 4; ++parts) out += ".0";
  std::optional<Modifier> m = MatchModifier(s.substr(head_end));
  if (!m) return std::nullopt;
  return ApplyModifier(std::move(out), *m);
}

// (?:[.:-]?\d{1,3})?$ over the rest of the date.
bool MatchDateTail(std::string_view s) {
  if (s.empty()) return true;
  if (s[0] == '.' || s[0] == ':' || s[0] == '-') s.remove_prefix(1);
  if (s.empty() || s.size() > 3) return false;
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

// (?:[.:-]?\d{2}){pairs,6}(?:[.:-]?\d{1,3})?$ with `pairs` matched so far.
bool MatchDatePairs(std::string_view s, int pairs) {
  if (pairs < 6) {
    std::string_view t = s;
    if (!t.empty() && (t[0] == '.' || t[0] == ':' || t[0] == '-')) {
      t.remove_prefix(1);
    }
    if (t.size() >= 2 && IsDigit(t[0]) && IsDigit(t[1]) &&
        MatchDatePairs(t.substr(2), pairs + 1)) {
      return true;
    }
  }
  return pairs >= 1 && MatchDateTail(s);
}

// {^v?(\d{4}(?:[.:-]?\d{2}){1,6}(?:[.:-]?\d{1,3})?)MODIFIER$}i
std::optional<std::string> MatchDate(std::string_view s) {
  size_t pos = SkipV(s);
  size_t head_end = NumericHeadEnd(s, pos);
  std::string_view head = s.substr(pos, head_end - pos);
  if (head.size() < 4) return std::nullopt;
  for (int i = 0; i < 4; ++i) {
    if (!IsDigit(head[i])) return std::nullopt;
  }
  if (!MatchDatePairs(head.substr(4), 0)) return std::nullopt;
  std::optional<Modifier> m = MatchModifier(s.substr(head_end));
  if (!m) return std::nullopt;
  std::string out(head);
  for (char& c : out) {
    if (!IsDigit(c)) c = '.';
  }
  return ApplyModifier(std::move(out), *m);
}

// {(.*?)[.-]?dev$}i then normalizeBranch, which must give a numbered branch:
// {^v?(\d++)(\.(?:\d++|[xX*]))?(\.(?:\d++|[xX*]))?(\.(?:\d++|[xX*]))?$}i,
// missing parts and x/X/* become 9999999, "-dev" appended.
std::optional<std::string> MatchNumberedBranch(std::string_view s) {
  if (s.size() < 3 || !IEquals(s.substr(s.size() - 3), "dev")) {
    return std::nullopt;
  }
  std::string_view name = s.substr(0, s.size() - 3);
  if (!name.empty() && (name.back() == '.' || name.back() == '-')) {
    name.remove_suffix(1);
  }
  name = Trim(name);
  size_t i = SkipV(name);
  std::string out;
  int parts = 0;
  while (i < name.size() || parts == 0) {
    if (parts > 0) {
      if (parts == 4 || name[i] != '.') return std::nullopt;
      out.push_back('.');
      ++i;
    }
    size_t start = i;
    while (i < name.size() && IsDigit(name[i])) ++i;
    if (i > start) {
      out.append(name.substr(start, i - start));
    } else if (parts > 0 && i < name.size() &&
               (name[i] == 'x' || name[i] == 'X' || name[i] == '*')) {
      out += "9999999";
      ++i;
    } else {
      return std::nullopt;
    }
    ++parts;
  }
  for (; parts < 4; ++parts) out += ".9999999";
  return out + "-dev";
}

Result<std::string> Normalize(std::string_view v) {
  if (v.size() > kMaxVersionLength) return Invalid(v);
  for (char c : v) {
    if (IsControl(c)) return Invalid(v);
  }
  std::string_view s = StripStabilityFlag(StripAlias(Trim(v)));
  if (s == "master" || s == "trunk" || s == "default") {
    return "dev-" + std::string(s);
  }
  if (IStartsWith(s, "dev-")) return "dev-" + std::string(s.substr(4));
  s = StripBuild(s);
  if (std::optional<std::string> n = MatchClassical(s)) return *n;
  if (std::optional<std::string> n = MatchDate(s)) return *n;
  if (std::optional<std::string> n = MatchNumberedBranch(s)) return *n;
  return Invalid(v);
}

// php_canonicalize_version: '-', '_', '+' and other non-alphanumerics become
// one '.', and a '.' goes between a digit and a non-digit.
std::string Canonicalize(std::string_view v) {
  std::string out;
  if (v.empty()) return out;
  auto is_dig = [](char c) { return IsDigit(c); };
  auto is_ndig = [](char c) { return !IsDigit(c) && c != '.'; };
  out.push_back(v[0]);
  char lp = v[0];
  for (size_t i = 1; i < v.size(); ++i) {
    char c = v[i];
    if (c == '-' || c == '_' || c == '+') {
      if (out.back() != '.') out.push_back('.');
    } else if ((is_ndig(lp) && is_dig(c)) || (is_dig(lp) && is_ndig(c))) {
      if (out.back() != '.') out.push_back('.');
      out.push_back(c);
    } else if (!IsAlnum(c)) {
      if (out.back() != '.') out.push_back('.');
    } else {
      out.push_back(c);
    }
    lp = c;
  }
  return out;
}

// compare_special_version_forms: the order of the first form `s` starts with.
int SpecialForm(std::string_view s) {
  struct Form {
    std::string_view name;
    int order;
  };
  static constexpr Form kForms[] = {
      {"dev", 0}, {"alpha", 1}, {"a", 1}, {"beta", 2}, {"b", 2},
      {"RC", 3},  {"rc", 3},    {"#", 4}, {"pl", 5},   {"p", 5}};
  for (const Form& f : kForms) {
    if (s.starts_with(f.name)) return f.order;
  }
  return -1;
}

int CompareForms(std::string_view a, std::string_view b) {
  int fa = SpecialForm(a);
  int fb = SpecialForm(b);
  return fa < fb ? -1 : (fa > fb ? 1 : 0);
}

// strtol over the leading digits of s, saturating at LONG_MAX.
int64_t LeadingNumber(std::string_view s) {
  int64_t value = 0;
  for (char c : s) {
    if (!IsDigit(c)) break;
    int d = c - '0';
    if (value > (INT64_MAX - d) / 10) return INT64_MAX;
    value = value * 10 + d;
  }
  return value;
}

constexpr std::string_view kNumberForm = "#N#";

// php_version_compare. Recursion happens only on a remainder after equal
// parts, one part shorter each time, so its depth is below the length cap.
int PhpVersionCompare(std::string_view v1, std::string_view v2) {
  if (v1.empty() || v2.empty()) {
    return v1.empty() == v2.empty() ? 0 : (v1.empty() ? -1 : 1);
  }
  std::string c1 = v1[0] == '#' ? std::string(v1) : Canonicalize(v1);
  std::string c2 = v2[0] == '#' ? std::string(v2) : Canonicalize(v2);
  std::string_view s1 = c1;
  std::string_view s2 = c2;
  size_t p1 = 0;
  size_t p2 = 0;
  bool more1 = true;
  bool more2 = true;
  int compare = 0;
  while (p1 < s1.size() && p2 < s2.size() && more1 && more2) {
    size_t n1 = s1.find('.', p1);
    size_t n2 = s2.find('.', p2);
    more1 = n1 != std::string_view::npos;
    more2 = n2 != std::string_view::npos;
    std::string_view e1 =
        s1.substr(p1, more1 ? n1 - p1 : std::string_view::npos);
    std::string_view e2 =
        s2.substr(p2, more2 ? n2 - p2 : std::string_view::npos);
    bool d1 = !e1.empty() && IsDigit(e1[0]);
    bool d2 = !e2.empty() && IsDigit(e2[0]);
    if (d1 && d2) {
      int64_t l1 = LeadingNumber(e1);
      int64_t l2 = LeadingNumber(e2);
      compare = l1 < l2 ? -1 : (l1 > l2 ? 1 : 0);
    } else if (!d1 && !d2) {
      compare = CompareForms(e1, e2);
    } else if (d1) {
      compare = CompareForms(kNumberForm, e2);
    } else {
      compare = CompareForms(e1, kNumberForm);
    }
    if (compare != 0) break;
    if (more1) p1 = n1 + 1;
    if (more2) p2 = n2 + 1;
  }
  if (compare == 0) {
    if (more1) {
      std::string_view rest = s1.substr(p1);
      compare = !rest.empty() && IsDigit(rest[0])
                    ? 1
                    : PhpVersionCompare(rest, kNumberForm);
    } else if (more2) {
      std::string_view rest = s2.substr(p2);
      compare = !rest.empty() && IsDigit(rest[0])
                    ? -1
                    : PhpVersionCompare(kNumberForm, rest);
    }
  }
  return compare;
}

bool IsBranch(std::string_view normalized) {
  return normalized.starts_with("dev-");
}

}  // namespace

Result<int> CompareComposer(std::string_view a, std::string_view b) {
  ASSIGN_OR_RETURN(std::string na, Normalize(a));
  ASSIGN_OR_RETURN(std::string nb, Normalize(b));
  int c = PhpVersionCompare(na, nb);
  if (c == 0 && IsBranch(na) && IsBranch(nb) && na != nb) {
    return na < nb ? -1 : 1;
  }
  return c;
}

}  // namespace strata::version
