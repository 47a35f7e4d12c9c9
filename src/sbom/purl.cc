#include "sbom/purl.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <utility>

namespace strata::sbom {

namespace {

// Most CPE candidates one package yields.
constexpr size_t kMaxCpes = 4;

bool IsPurlUnreserved(unsigned char c) {
  return std::isalnum(c) || c == '.' || c == '-' || c == '_' || c == '~';
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view DefaultNamespace(PackageType t) {
  switch (t) {
    case PackageType::kDeb:
      return "debian";
    case PackageType::kApk:
      return "alpine";
    case PackageType::kRpm:
      return "redhat";
    default:
      return "";
  }
}

std::string Namespace(const Package& p, const Distro& d) {
  if (d.id.empty()) return std::string(DefaultNamespace(p.type));
  std::string ns = Lower(d.id);
  // syft and the purl rpm examples name Red Hat's namespace "redhat".
  if (p.type == PackageType::kRpm && ns == "rhel") ns = "redhat";
  return ns;
}

// The `upstream` qualifier: the source package when it differs from the
// binary package (with "@<version>" when the source version differs too).
std::string Upstream(const Package& p) {
  if (p.source_name.empty()) return "";
  bool version_differs =
      !p.source_version.empty() && p.source_version != p.version;
  if (p.source_name == p.name && !version_differs) return "";
  std::string up = p.source_name;
  if (version_differs) up += "@" + p.source_version;
  return up;
}

std::string_view DistroVendor(const Distro& d) {
  static constexpr std::pair<std::string_view, std::string_view> kVendors[] = {
      {"alpine", "alpinelinux"}, {"centos", "centos"},
      {"debian", "debian"},      {"fedora", "fedoraproject"},
      {"opensuse", "opensuse"},  {"rhel", "redhat"},
      {"sles", "suse"},          {"ubuntu", "canonical"},
  };
  for (const auto& [id, vendor] : kVendors) {
    if (d.id == id) return vendor;
  }
  return "";
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    int hi = HexValue(s[i + 1]), lo = HexValue(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

}  // namespace

std::string CpeEscape(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c <= 0x20 || c >= 0x7f) return "";
    if (!std::isalnum(c) && c != '_' && c != '-' && c != '.') out += '\\';
    out += static_cast<char>(c);
  }
  return out;
}

std::string PurlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (IsPurlUnreserved(c)) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

namespace {

// Each '/'-separated segment percent-encoded on its own.
std::string EncodeSegments(std::string_view s) {
  std::string out;
  size_t start = 0;
  while (true) {
    size_t slash = s.find('/', start);
    out += PurlEncode(s.substr(start, slash - start));
    if (slash == std::string_view::npos) break;
    out += '/';
    start = slash + 1;
  }
  return out;
}

// pkg:<type>/[<namespace>/]<name>@<version> for language packages and
// binaries, with each ecosystem's name rules from the purl spec.
std::string LanguagePurl(const Package& p) {
  std::string ns;
  std::string name = p.name;
  switch (p.type) {
    case PackageType::kPython:
      // The pypi type: lowercase, '_' -> '-' (purl-spec PURL-TYPES).
      name = Lower(name);
      std::replace(name.begin(), name.end(), '_', '-');
      break;
    case PackageType::kJavaArchive:
      ns = p.group;
      break;
    case PackageType::kNpm:
    case PackageType::kGoModule:
    case PackageType::kPhpComposer:
      if (size_t slash = name.rfind('/'); slash != std::string::npos) {
        ns = name.substr(0, slash);
        name = name.substr(slash + 1);
      }
      if (p.type == PackageType::kNpm) ns = Lower(ns), name = Lower(name);
      break;
    default:
      break;
  }
  std::string out = "pkg:";
  out += PurlType(p.type);
  out += '/';
  if (!ns.empty()) out += EncodeSegments(ns) + "/";
  out += PurlEncode(name);
  if (!p.version.empty()) out += "@" + PurlEncode(p.version);
  return out;
}

}  // namespace

std::string MakePurl(const Package& p, const Distro& d) {
  if (p.name.empty()) return "";
  if (!IsOsPackage(p.type)) return LanguagePurl(p);
  std::map<std::string, std::string> qualifiers;  // sorted by key
  qualifiers["arch"] = p.architecture;
  if (p.type == PackageType::kRpm) qualifiers["epoch"] = p.epoch;
  qualifiers["upstream"] = Upstream(p);
  if (!d.id.empty()) {
    std::string distro = Lower(d.id);
    if (!d.version_id.empty()) distro += "-" + d.version_id;
    qualifiers["distro"] = distro;
  }

  std::string out = "pkg:";
  out += PackageTypeName(p.type);
  out += '/';
  out += PurlEncode(Namespace(p, d));
  out += '/';
  out += PurlEncode(p.name);
  if (!p.version.empty()) out += "@" + PurlEncode(p.version);
  char sep = '?';
  for (const auto& [key, value] : qualifiers) {
    if (value.empty()) continue;
    out += sep;
    out += key;
    out += '=';
    out += PurlEncode(value);
    sep = '&';
  }
  return out;
}

std::vector<std::string> MakeCpes(const Package& p, const Distro& d) {
  std::vector<std::pair<std::string, std::string>>
      candidates;  // vendor, product
  std::string name = Lower(p.name);
  std::string owner;  // the org part of a language package's name or group
  if (!IsOsPackage(p.type)) {
    // "github.com/foo/bar" -> product "bar", vendor "foo"; "@scope/x" ->
    // "x", "scope"; Maven "org.apache.logging.log4j" -> vendor "apache".
    if (size_t slash = name.rfind('/'); slash != std::string::npos) {
      std::string ns = name.substr(0, slash);
      name = name.substr(slash + 1);
      size_t prev = ns.rfind('/');
      owner = prev == std::string::npos ? ns : ns.substr(prev + 1);
      if (!owner.empty() && owner.front() == '@') owner.erase(0, 1);
    } else if (!p.group.empty()) {
      std::string g = Lower(p.group);
      size_t dot = g.find('.');
      owner = dot == std::string::npos ? g : g.substr(dot + 1);
      owner = owner.substr(0, owner.find('.'));
    }
  }
  std::string source = Lower(p.source_name);
  candidates.emplace_back(name, name);
  // One '-'/'_' variant of the product: NVD spells many projects with '_'.
  std::string variant = name;
  if (name.find('-') != std::string::npos) {
    std::replace(variant.begin(), variant.end(), '-', '_');
  } else {
    std::replace(variant.begin(), variant.end(), '_', '-');
  }
  if (!source.empty() && source != name)
    candidates.emplace_back(source, source);
  if (variant != name) candidates.emplace_back(variant, variant);
  if (!owner.empty() && owner != name) candidates.emplace_back(owner, name);
  if (std::string_view vendor = DistroVendor(d);
      !vendor.empty() && IsOsPackage(p.type)) {
    candidates.emplace_back(std::string(vendor), name);
  }

  std::string version = p.version.empty() ? "*" : CpeEscape(p.version);
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& [vendor, product] : candidates) {
    std::string v = CpeEscape(vendor), pr = CpeEscape(product);
    if (v.empty() || pr.empty() || version.empty()) continue;
    std::string cpe =
        "cpe:2.3:a:" + v + ":" + pr + ":" + version + ":*:*:*:*:*:*:*";
    if (seen.insert(cpe).second) out.push_back(std::move(cpe));
    if (out.size() == kMaxCpes) break;
  }
  return out;
}

std::optional<Purl> ParsePurl(std::string_view s) {
  if (s.size() < 4 || Lower(s.substr(0, 4)) != "pkg:") return std::nullopt;
  s.remove_prefix(4);
  Purl p;
  if (size_t hash = s.find('#'); hash != std::string_view::npos) {
    std::string_view sub = s.substr(hash + 1);
    while (!sub.empty() && sub.front() == '/') sub.remove_prefix(1);
    while (!sub.empty() && sub.back() == '/') sub.remove_suffix(1);
    auto d = PercentDecode(sub);
    if (!d) return std::nullopt;
    p.subpath = *d;
    s = s.substr(0, hash);
  }
  if (size_t q = s.find('?'); q != std::string_view::npos) {
    std::string_view rest = s.substr(q + 1);
    s = s.substr(0, q);
    while (!rest.empty()) {
      size_t amp = rest.find('&');
      std::string_view pair = rest.substr(0, amp);
      rest = amp == std::string_view::npos ? std::string_view()
                                           : rest.substr(amp + 1);
      size_t eq = pair.find('=');
      if (eq == std::string_view::npos || eq == 0) return std::nullopt;
      auto value = PercentDecode(pair.substr(eq + 1));
      if (!value) return std::nullopt;
      if (value->empty()) continue;
      p.qualifiers[Lower(pair.substr(0, eq))] = *value;
    }
  }
  while (!s.empty() && s.front() == '/') s.remove_prefix(1);
  // The version is after the last '@' that follows the last '/' (an
  // unencoded npm scope "@angular" is not a version).
  size_t at = s.rfind('@');
  size_t last_slash = s.rfind('/');
  if (at != std::string_view::npos &&
      (last_slash == std::string_view::npos || at > last_slash)) {
    auto v = PercentDecode(s.substr(at + 1));
    if (!v) return std::nullopt;
    p.version = *v;
    s = s.substr(0, at);
  }
  while (!s.empty() && s.back() == '/') s.remove_suffix(1);
  size_t slash = s.find('/');
  if (slash == std::string_view::npos || slash == 0) return std::nullopt;
  p.type = Lower(s.substr(0, slash));
  std::string_view path = s.substr(slash + 1);
  size_t last = path.rfind('/');
  std::string_view name =
      last == std::string_view::npos ? path : path.substr(last + 1);
  if (name.empty()) return std::nullopt;
  auto n = PercentDecode(name);
  if (!n) return std::nullopt;
  p.name = *n;
  if (last != std::string_view::npos) {
    auto ns = PercentDecode(path.substr(0, last));
    if (!ns) return std::nullopt;
    p.namespace_ = *ns;
  }
  return p;
}

}  // namespace strata::sbom
