// NuGet version ordering: NuGet.Versioning's NuGetVersion.TryParse and
// VersionComparer.Default.
//   - 1 to 4 numeric parts, each a System.Version component (0..2^31-1,
//     leading zeros allowed and dropped); missing parts are 0, so
//     1 == 1.0 == 1.0.0 == 1.0.0.0 and 01.2 == 1.2.
//   - an optional '-' and dot-separated release labels of [0-9A-Za-z-]
//     (no empty label, no numeric label with a leading zero); a version with
//     labels sorts below the same version without.
//   - labels compare pairwise: labels int.TryParse accepts (optional '-',
//     digits, within Int32) numerically and below the others, the others
//     case-insensitively (OrdinalIgnoreCase); fewer labels sort first.
//   - '+' metadata ([0-9A-Za-z-] dot-separated) is checked and ignored.
// NuGet trims surrounding white space and lets System.Version skip blanks
// around components; strata takes no white space at all.
#include <algorithm>
#include <array>
#include <cstdint>
#include <string>

#include "version/semver_parts.h"
#include "version/version.h"

namespace strata::version {
namespace {

constexpr int kMaxNuGetParts = 4;             // Major.Minor.Patch.Revision
constexpr int64_t kMaxNuGetPart = INT32_MAX;  // System.Version components

struct NuGetVersion {
  std::array<int64_t, kMaxNuGetParts> parts = {0, 0, 0, 0};
  std::string_view labels;  // without the '-'; empty when absent
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
char Upper(char c) { return (c >= 'a' && c <= 'z') ? c - 'a' + 'A' : c; }

Status Invalid(std::string_view v) {
  return InvalidArgumentError("invalid nuget version \"" +
                              std::string(v.substr(0, 100)) + "\"");
}

// A non-negative decimal of at most kMaxNuGetPart; leading zeros allowed.
bool ParsePart(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  int64_t value = 0;
  for (char c : s) {
    if (!IsDigit(c)) return false;
    value = value * 10 + (c - '0');
    if (value > kMaxNuGetPart) return false;
  }
  *out = value;
  return true;
}

Result<NuGetVersion> ParseNuGet(std::string_view v) {
  if (v.size() > kMaxVersionLength) return Invalid(v);
  // NuGet's ParseSections: the numbers end at the first '-' or '+', labels
  // at the next '+'.
  size_t numbers_end = v.find_first_of("-+");
  std::string_view numbers = v.substr(0, numbers_end);
  std::string_view rest = numbers_end == std::string_view::npos
                              ? std::string_view()
                              : v.substr(numbers_end);
  NuGetVersion out;
  int count = 0;
  size_t start = 0;
  while (true) {
    size_t dot = numbers.find('.', start);
    if (count == kMaxNuGetParts ||
        !ParsePart(numbers.substr(start, dot == std::string_view::npos
                                             ? std::string_view::npos
                                             : dot - start),
                   &out.parts[count])) {
      return Invalid(v);
    }
    ++count;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (!rest.empty() && rest[0] == '-') {
    size_t plus = rest.find('+');
    out.labels = rest.substr(
        1, plus == std::string_view::npos ? std::string_view::npos : plus - 1);
    if (!internal::ValidIdentifiers(out.labels,
                                    /*allow_leading_zeros=*/false)) {
      return Invalid(v);
    }
    rest =
        plus == std::string_view::npos ? std::string_view() : rest.substr(plus);
  }
  if (!rest.empty() && !internal::ValidIdentifiers(
                           rest.substr(1), /*allow_leading_zeros=*/true)) {
    return Invalid(v);
  }
  return out;
}

// int.TryParse over a label: an optional '-' then digits, within Int32.
bool NumericLabel(std::string_view s, int64_t* out) {
  bool negative = !s.empty() && s[0] == '-';
  if (negative) s.remove_prefix(1);
  if (s.empty()) return false;
  int64_t value = 0;
  for (char c : s) {
    if (!IsDigit(c)) return false;
    value = value * 10 + (c - '0');
    if (value > int64_t{INT32_MAX} + 1) return false;
  }
  if (negative) value = -value;
  if (value > INT32_MAX) return false;
  *out = value;
  return true;
}

// StringComparer.OrdinalIgnoreCase over ASCII: both sides upper-cased.
int CompareIgnoreCase(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    char ca = Upper(a[i]);
    char cb = Upper(b[i]);
    if (ca != cb) return ca < cb ? -1 : 1;
  }
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

// VersionComparer.CompareReleaseLabels over non-empty label lists.
int CompareLabels(std::string_view a, std::string_view b) {
  while (true) {
    size_t ea = a.find('.');
    size_t eb = b.find('.');
    std::string_view la = a.substr(0, ea);
    std::string_view lb = b.substr(0, eb);
    int64_t na = 0;
    int64_t nb = 0;
    bool a_numeric = NumericLabel(la, &na);
    bool b_numeric = NumericLabel(lb, &nb);
    int c;
    if (a_numeric && b_numeric) {
      c = na < nb ? -1 : (na > nb ? 1 : 0);
    } else if (a_numeric != b_numeric) {
      c = a_numeric ? -1 : 1;
    } else {
      c = CompareIgnoreCase(la, lb);
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

Result<int> CompareNuGet(std::string_view a, std::string_view b) {
  ASSIGN_OR_RETURN(NuGetVersion va, ParseNuGet(a));
  ASSIGN_OR_RETURN(NuGetVersion vb, ParseNuGet(b));
  for (int i = 0; i < kMaxNuGetParts; ++i) {
    if (va.parts[i] != vb.parts[i]) return va.parts[i] < vb.parts[i] ? -1 : 1;
  }
  bool a_release = va.labels.empty();
  bool b_release = vb.labels.empty();
  if (a_release || b_release) {
    return a_release == b_release ? 0 : (a_release ? 1 : -1);
  }
  return CompareLabels(va.labels, vb.labels);
}

}  // namespace strata::version
