#include "catalog/dpkg/licenses.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>
#include <utility>

#include "sbom/model.h"

namespace strata::catalog::dpkg {
namespace {

// Distinct licences kept per copyright file, and the longest short name
// considered (longer "names" are free text).
constexpr size_t kMaxLicenses = 64;
constexpr size_t kMaxLicenseNameBytes = 64;

constexpr std::string_view kCommonLicenses = "/usr/share/common-licenses/";

// Debian short names (lowercase) without a GPL-style version, and SPDX ids
// whose canonical spelling we restore from any case.
constexpr std::array<std::pair<std::string_view, std::string_view>, 47>
    kShortNames = {{
        {"0bsd", "0BSD"},
        {"apache-1.0", "Apache-1.0"},
        {"apache-1.1", "Apache-1.1"},
        {"apache-2", "Apache-2.0"},
        {"apache-2.0", "Apache-2.0"},
        {"artistic", "Artistic-1.0-Perl"},
        {"artistic-1.0", "Artistic-1.0"},
        {"artistic-1.0-perl", "Artistic-1.0-Perl"},
        {"artistic-2.0", "Artistic-2.0"},
        {"boost-1.0", "BSL-1.0"},
        {"bsd-2-clause", "BSD-2-Clause"},
        {"bsd-3-clause", "BSD-3-Clause"},
        {"bsd-4-clause", "BSD-4-Clause"},
        {"bsl-1.0", "BSL-1.0"},
        {"bzip2-1.0.6", "bzip2-1.0.6"},
        {"cc-by-3.0", "CC-BY-3.0"},
        {"cc-by-4.0", "CC-BY-4.0"},
        {"cc-by-sa-3.0", "CC-BY-SA-3.0"},
        {"cc-by-sa-4.0", "CC-BY-SA-4.0"},
        {"cc0", "CC0-1.0"},
        {"cc0-1.0", "CC0-1.0"},
        {"cddl-1.0", "CDDL-1.0"},
        {"curl", "curl"},
        {"epl-1.0", "EPL-1.0"},
        {"epl-2.0", "EPL-2.0"},
        {"expat", "MIT"},
        {"fsfap", "FSFAP"},
        {"fsful", "FSFUL"},
        {"fsfullr", "FSFULLR"},
        {"ftl", "FTL"},
        {"isc", "ISC"},
        {"libpng", "Libpng"},
        {"mit", "MIT"},
        {"mit-0", "MIT-0"},
        {"mpl-1.0", "MPL-1.0"},
        {"mpl-1.1", "MPL-1.1"},
        {"mpl-2.0", "MPL-2.0"},
        {"ncsa", "NCSA"},
        {"ofl-1.1", "OFL-1.1"},
        {"openldap-2.8", "OLDAP-2.8"},
        {"openssl", "OpenSSL"},
        {"postgresql", "PostgreSQL"},
        {"psf-2.0", "PSF-2.0"},
        {"python-2.0", "Python-2.0"},
        {"unlicense", "Unlicense"},
        {"x11", "X11"},
        {"zlib", "Zlib"},
    }};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// "gpl-2+", "GPLv3+", "lgpl-2.1", "GPL-2.0+" -> SPDX; "" when `lower` is
// not a versioned GNU licence we know.
std::string GnuLicense(std::string_view lower) {
  struct Family {
    std::string_view prefix, spdx;
    std::array<std::string_view, 3> versions;  // canonical ("2" -> "2.0")
  };
  static constexpr std::array<Family, 4> kFamilies = {{
      {"lgpl", "LGPL", {"2.0", "2.1", "3.0"}},
      {"agpl", "AGPL", {"1.0", "3.0", ""}},
      {"gpl", "GPL", {"1.0", "2.0", "3.0"}},
      {"gfdl", "GFDL", {"1.1", "1.2", "1.3"}},
  }};
  for (const Family& f : kFamilies) {
    if (!lower.starts_with(f.prefix)) continue;
    std::string_view rest = lower.substr(f.prefix.size());
    if (!rest.empty() && (rest.front() == '-' || rest.front() == 'v')) {
      rest.remove_prefix(1);
    }
    bool later = !rest.empty() && rest.back() == '+';
    if (later) rest.remove_suffix(1);
    if (rest.ends_with("-or-later")) {
      later = true;
      rest.remove_suffix(9);
    } else if (rest.ends_with("-only")) {
      rest.remove_suffix(5);
    }
    std::string version(rest);
    if (version.size() == 1) version += ".0";
    for (std::string_view v : f.versions) {
      if (!v.empty() && v == version) {
        return std::string(f.spdx) + "-" + version +
               (later ? "-or-later" : "-only");
      }
    }
    return "";
  }
  return "";
}

// Adds the licence named `name` (maybe "GPL-2+ with OpenSSL exception").
void Add(std::string_view name, std::set<std::string>& out) {
  name = Trim(name);
  std::string lower = Lower(name);
  if (size_t with = lower.find(" with "); with != std::string::npos) {
    name = Trim(name.substr(0, with));
    lower = Lower(name);
  }
  if (name.empty() || name.size() > kMaxLicenseNameBytes ||
      name.find_first_of(" \t\n\r") != std::string_view::npos ||
      out.size() >= kMaxLicenses) {
    return;
  }
  out.insert(DebianLicenseToSpdx(name));
}

// Splits a DEP-5 License expression on " or ", " and ", ",", "|".
void AddExpression(std::string_view expr, std::set<std::string>& out) {
  std::string lower = Lower(expr);
  size_t start = 0;
  for (size_t i = 0; i <= lower.size(); ++i) {
    size_t skip = 0;
    if (i == lower.size()) {
      skip = 1;
    } else if (lower[i] == ',' || lower[i] == '|') {
      skip = 1;
    } else if (lower.compare(i, 4, " or ") == 0) {
      skip = 4;
    } else if (lower.compare(i, 5, " and ") == 0) {
      skip = 5;
    }
    if (skip == 0) continue;
    Add(expr.substr(start, i - start), out);
    start = i + skip;
    i = start - 1;
  }
}

bool IsDep5(std::string_view content) {
  std::string head = Lower(content.substr(0, 7));
  return head == "format:";
}

void ParseDep5(std::string_view content, std::set<std::string>& out) {
  while (!content.empty()) {
    size_t end = content.find('\n');
    std::string_view line = content.substr(0, end);
    content = end == std::string_view::npos ? "" : content.substr(end + 1);
    if (line.size() > 8 && Lower(line.substr(0, 8)) == "license:") {
      AddExpression(Trim(line.substr(8)), out);
    }
  }
}

void ParseCommonLicenses(std::string_view content, std::set<std::string>& out) {
  const bool later =
      Lower(content).find("any later version") != std::string::npos;
  for (size_t at = content.find(kCommonLicenses); at != std::string_view::npos;
       at = content.find(kCommonLicenses, at + 1)) {
    std::string_view name = content.substr(at + kCommonLicenses.size());
    size_t n = 0;
    while (n < name.size() &&
           (std::isalnum(static_cast<unsigned char>(name[n])) ||
            name[n] == '-' || name[n] == '.' || name[n] == '+')) {
      ++n;
    }
    name = name.substr(0, n);
    while (!name.empty() && name.back() == '.') name.remove_suffix(1);
    if (name.empty()) continue;
    std::string lower = Lower(name);
    if (lower == "bsd") {
      out.insert("BSD-3-Clause");  // the file is the 3-clause text
    } else if (std::string gnu = GnuLicense(lower);
               !gnu.empty() && later && !gnu.ends_with("-or-later")) {
      out.insert(gnu.substr(0, gnu.size() - 5) + "-or-later");
    } else {
      Add(name, out);
    }
    if (out.size() >= kMaxLicenses) return;
  }
}

}  // namespace

std::string DebianLicenseToSpdx(std::string_view name) {
  std::string lower = Lower(name);
  if (std::string gnu = GnuLicense(lower); !gnu.empty()) return gnu;
  for (const auto& [key, spdx] : kShortNames) {
    if (key == lower || Lower(spdx) == lower) return std::string(spdx);
  }
  return sbom::LicenseRefFor(name);
}

std::vector<std::string> ParseCopyrightLicenses(std::string_view content) {
  std::set<std::string> out;
  if (IsDep5(content)) {
    ParseDep5(content, out);
  } else {
    ParseCommonLicenses(content, out);
  }
  return {out.begin(), out.end()};
}

}  // namespace strata::catalog::dpkg
