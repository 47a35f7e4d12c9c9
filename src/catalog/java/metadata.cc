#include "catalog/java/metadata.h"

#include <algorithm>
#include <cctype>

#include "sbom/model.h"

namespace strata::catalog::java {
namespace {

// Licences kept from one pom.xml.
constexpr size_t kMaxPomLicenses = 32;
constexpr size_t kMaxValueBytes = 256;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n\f\v";
  size_t b = s.find_first_not_of(kSpace);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(kSpace) - b + 1);
}

// Splits text into lines ending in LF, CRLF or CR (terminators dropped).
std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find_first_of("\r\n", start);
    if (end == std::string_view::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
    if (text[end] == '\r' && start < text.size() && text[start] == '\n') {
      ++start;
    }
  }
  return lines;
}

bool IsHeaderNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    *out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out += static_cast<char>(0xC0 | (cp >> 6));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *out += static_cast<char>(0xE0 | (cp >> 12));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

uint32_t HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  return (std::tolower(static_cast<unsigned char>(c)) - 'a') + 10;
}

// Decodes java.util.Properties escapes (\t \n \r \f \uXXXX, \x -> x).
std::string Unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    char c = s[++i];
    switch (c) {
      case 't':
        out += '\t';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 'f':
        out += '\f';
        break;
      case 'u': {
        uint32_t cp = 0;
        size_t j = 0;
        for (; j < 4 && i + 1 + j < s.size() &&
               std::isxdigit(static_cast<unsigned char>(s[i + 1 + j]));
             ++j) {
          cp = cp * 16 + HexValue(s[i + 1 + j]);
        }
        if (j < 4) {
          out += 'u';  // malformed: Java throws; keep the text
          break;
        }
        i += 4;
        AppendUtf8(cp >= 0xD800 && cp <= 0xDFFF ? 0xFFFD : cp, &out);
        break;
      }
      default:
        out += c;
    }
  }
  return out;
}

// True when `line` ends with an odd number of backslashes.
bool Continues(std::string_view line) {
  size_t n = 0;
  while (n < line.size() && line[line.size() - 1 - n] == '\\') ++n;
  return n % 2 == 1;
}

std::string DecodeXmlText(std::string_view s) {
  static constexpr std::pair<std::string_view, char> kEntities[] = {
      {"&amp;", '&'},
      {"&lt;", '<'},
      {"&gt;", '>'},
      {"&quot;", '"'},
      {"&apos;", '\''}};
  std::string out;
  for (size_t i = 0; i < s.size();) {
    bool replaced = false;
    if (s[i] == '&') {
      for (const auto& [entity, c] : kEntities) {
        if (s.substr(i).starts_with(entity)) {
          out += c;
          i += entity.size();
          replaced = true;
          break;
        }
      }
    }
    if (!replaced) out += s[i++];
  }
  // Collapse the whitespace of multi-line names.
  std::string collapsed;
  for (char c : Trim(out)) {
    bool space = std::isspace(static_cast<unsigned char>(c));
    if (space && !collapsed.empty() && collapsed.back() == ' ') continue;
    collapsed += space ? ' ' : c;
  }
  return collapsed;
}

// The text of the first <tag>...</tag> inside `xml` (tag may carry
// attributes), or nullopt.
std::optional<std::string_view> Element(std::string_view xml,
                                        std::string_view tag,
                                        size_t* end = nullptr) {
  const std::string open = "<" + std::string(tag);
  const std::string close = "</" + std::string(tag) + ">";
  size_t pos = 0;
  while ((pos = xml.find(open, pos)) != std::string_view::npos) {
    size_t after = pos + open.size();
    if (after < xml.size() &&
        (xml[after] == '>' || xml[after] == ' ' || xml[after] == '\t' ||
         xml[after] == '\n' || xml[after] == '\r')) {
      size_t gt = xml.find('>', after);
      if (gt == std::string_view::npos) return std::nullopt;
      if (xml[gt - 1] == '/') {  // <tag/>
        pos = gt;
        continue;
      }
      size_t stop = xml.find(close, gt + 1);
      if (stop == std::string_view::npos) return std::nullopt;
      if (end) *end = stop + close.size();
      return xml.substr(gt + 1, stop - gt - 1);
    }
    pos = after;
  }
  return std::nullopt;
}

struct LicenseName {
  std::string_view key;  // lowercased name, id or URL without scheme
  std::string_view spdx;
};
constexpr LicenseName kLicenses[] = {
    {"apache license, version 2.0", "Apache-2.0"},
    {"the apache license, version 2.0", "Apache-2.0"},
    {"the apache software license, version 2.0", "Apache-2.0"},
    {"apache software license - version 2.0", "Apache-2.0"},
    {"apache license 2.0", "Apache-2.0"},
    {"apache 2.0", "Apache-2.0"},
    {"apache 2", "Apache-2.0"},
    {"apache-2.0", "Apache-2.0"},
    {"asl 2.0", "Apache-2.0"},
    {"www.apache.org/licenses/license-2.0", "Apache-2.0"},
    {"www.apache.org/licenses/license-2.0.txt", "Apache-2.0"},
    {"www.apache.org/licenses/license-2.0.html", "Apache-2.0"},
    {"opensource.org/licenses/apache-2.0", "Apache-2.0"},
    {"mit", "MIT"},
    {"mit license", "MIT"},
    {"the mit license", "MIT"},
    {"the mit license (mit)", "MIT"},
    {"opensource.org/licenses/mit", "MIT"},
    {"opensource.org/licenses/mit-license.php", "MIT"},
    {"bsd-2-clause", "BSD-2-Clause"},
    {"the bsd 2-clause license", "BSD-2-Clause"},
    {"bsd-3-clause", "BSD-3-Clause"},
    {"the bsd 3-clause license", "BSD-3-Clause"},
    {"bsd 3-clause license", "BSD-3-Clause"},
    {"new bsd license", "BSD-3-Clause"},
    {"opensource.org/licenses/bsd-3-clause", "BSD-3-Clause"},
    {"epl-1.0", "EPL-1.0"},
    {"eclipse public license - v 1.0", "EPL-1.0"},
    {"eclipse public license 1.0", "EPL-1.0"},
    {"www.eclipse.org/legal/epl-v10.html", "EPL-1.0"},
    {"epl-2.0", "EPL-2.0"},
    {"eclipse public license - v 2.0", "EPL-2.0"},
    {"eclipse public license v. 2.0", "EPL-2.0"},
    {"eclipse public license 2.0", "EPL-2.0"},
    {"www.eclipse.org/legal/epl-2.0", "EPL-2.0"},
    {"www.eclipse.org/legal/epl-2.0/", "EPL-2.0"},
    {"edl 1.0", "BSD-3-Clause"},
    {"eclipse distribution license - v 1.0", "BSD-3-Clause"},
    {"cc0-1.0", "CC0-1.0"},
    {"cc0", "CC0-1.0"},
    {"public domain, per creative commons cc0", "CC0-1.0"},
    {"mpl-2.0", "MPL-2.0"},
    {"mozilla public license version 2.0", "MPL-2.0"},
    {"lgpl-2.1-only", "LGPL-2.1-only"},
    {"lgpl-2.1-or-later", "LGPL-2.1-or-later"},
    {"gpl-2.0-with-classpath-exception", "GPL-2.0-with-classpath-exception"},
};

}  // namespace

std::optional<std::string> Manifest::Get(std::string_view name) const {
  auto it = attributes.find(Lower(name));
  if (it == attributes.end()) return std::nullopt;
  return std::string(Trim(it->second));
}

Result<Manifest> ParseManifest(std::string_view text) {
  Manifest m;
  std::string* last = nullptr;
  int n = 0;
  for (std::string_view line : Lines(text)) {
    ++n;
    if (line.empty()) break;  // end of the main section
    if (line[0] == ' ') {
      if (last == nullptr) {
        return DataLossError("line " + std::to_string(n) + ": invalid header");
      }
      *last += line.substr(1);
      continue;
    }
    size_t colon = line.find(':');
    std::string_view name = line.substr(0, colon);
    if (colon == std::string_view::npos || name.empty() ||
        !std::all_of(name.begin(), name.end(), IsHeaderNameChar)) {
      return DataLossError("line " + std::to_string(n) + ": invalid header");
    }
    std::string_view value = line.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
    last = &(m.attributes[Lower(name)] = std::string(value));
  }
  return m;
}

PomProperties ParsePomProperties(std::string_view text) {
  PomProperties p;
  std::vector<std::string_view> lines = Lines(text);
  for (size_t i = 0; i < lines.size(); ++i) {
    size_t lead = lines[i].find_first_not_of(" \t\f");
    if (lead == std::string_view::npos) continue;
    std::string_view natural = lines[i].substr(lead);
    if (natural[0] == '#' || natural[0] == '!') continue;
    // Join continuation lines (leading whitespace of each dropped).
    std::string logical;
    while (true) {
      if (!Continues(natural) || i + 1 >= lines.size()) {
        logical += Continues(natural) ? natural.substr(0, natural.size() - 1)
                                      : natural;
        break;
      }
      logical += natural.substr(0, natural.size() - 1);
      std::string_view next = lines[++i];
      size_t skip = next.find_first_not_of(" \t\f");
      natural = skip == std::string_view::npos ? std::string_view()
                                               : next.substr(skip);
    }
    // The key ends at the first unescaped '=', ':' or whitespace.
    size_t k = 0;
    while (k < logical.size()) {
      char c = logical[k];
      if (c == '\\') {
        k += 2;
        continue;
      }
      if (c == '=' || c == ':' || c == ' ' || c == '\t' || c == '\f') break;
      ++k;
    }
    k = std::min(k, logical.size());
    std::string key = Unescape(std::string_view(logical).substr(0, k));
    size_t v = logical.find_first_not_of(" \t\f", k);
    if (v != std::string::npos && (logical[v] == '=' || logical[v] == ':')) {
      v = logical.find_first_not_of(" \t\f", v + 1);
    }
    std::string value =
        v == std::string::npos
            ? ""
            : std::string(Trim(Unescape(std::string_view(logical).substr(v))));
    if (key == "groupId") p.group_id = std::move(value);
    if (key == "artifactId") p.artifact_id = std::move(value);
    if (key == "version") p.version = std::move(value);
  }
  return p;
}

std::vector<std::string> PomLicenseNames(std::string_view xml) {
  std::vector<std::string> out;
  std::optional<std::string_view> licenses = Element(xml, "licenses");
  if (!licenses) return out;
  std::string_view rest = *licenses;
  size_t end = 0;
  while (out.size() < kMaxPomLicenses) {
    std::optional<std::string_view> license = Element(rest, "license", &end);
    if (!license) break;
    std::string name;
    if (auto n = Element(*license, "name")) name = DecodeXmlText(*n);
    if (name.empty()) {
      if (auto u = Element(*license, "url")) name = DecodeXmlText(*u);
    }
    if (IsUsableValue(name)) out.push_back(std::move(name));
    rest = rest.substr(end);
  }
  return out;
}

std::vector<std::string> BundleLicenses(std::string_view header) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= header.size() && out.size() < kMaxPomLicenses) {
    size_t comma = header.find(',', start);
    std::string_view clause = header.substr(
        start, comma == std::string_view::npos ? std::string_view::npos
                                               : comma - start);
    std::string_view id = Trim(clause.substr(0, clause.find(';')));
    if (IsUsableValue(id)) out.emplace_back(id);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

std::string LicenseId(std::string_view name) {
  std::string key = Lower(Trim(name));
  for (std::string_view scheme : {"https://", "http://"}) {
    if (key.starts_with(scheme)) key.erase(0, scheme.size());
  }
  for (const LicenseName& l : kLicenses) {
    if (l.key == key) return std::string(l.spdx);
  }
  return sbom::LicenseRefFor(Trim(name));
}

FileNameId ParseArchiveFileName(std::string_view file_name) {
  std::string_view stem = file_name;
  if (size_t dot = stem.rfind('.'); dot != std::string_view::npos && dot > 0) {
    stem = stem.substr(0, dot);
  }
  auto digit = [&](size_t i) {
    return i < stem.size() && std::isdigit(static_cast<unsigned char>(stem[i]));
  };
  auto alpha = [&](size_t i) {
    return i < stem.size() && std::isalpha(static_cast<unsigned char>(stem[i]));
  };
  // A version starting at i: a digit, "build<digit>", or "r"/"rc" with
  // digits not followed by a letter.
  auto version_at = [&](size_t i) {
    if (digit(i)) return true;
    std::string_view s = stem.substr(i);
    if (s.starts_with("build") && digit(i + 5)) return true;
    size_t j = s.starts_with("rc") ? i + 2 : s.starts_with("r") ? i + 1 : 0;
    if (j == 0 || !digit(j)) return false;
    while (digit(j)) ++j;
    return !alpha(j);
  };
  if (!alpha(0)) return {};
  for (size_t i = 1; i + 1 < stem.size(); ++i) {
    if (stem[i] == '-' && version_at(i + 1)) {
      return {std::string(stem.substr(0, i)), std::string(stem.substr(i + 1))};
    }
  }
  for (size_t i = 1; i + 1 < stem.size(); ++i) {
    if ((stem[i] == '.' || stem[i] == '_') && digit(i + 1)) {
      return {std::string(stem.substr(0, i)), std::string(stem.substr(i + 1))};
    }
  }
  return {std::string(stem), ""};
}

bool IsUsableValue(std::string_view v) {
  return !v.empty() && v.size() <= kMaxValueBytes &&
         std::none_of(v.begin(), v.end(), [](char c) {
           unsigned char u = static_cast<unsigned char>(c);
           return u < 0x20 || u == 0x7f;
         });
}

}  // namespace strata::catalog::java
