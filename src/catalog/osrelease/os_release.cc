#include "catalog/osrelease/os_release.h"

#include <array>
#include <cctype>
#include <optional>
#include <string>
#include <utility>

namespace strata::catalog::osrelease {
namespace {

// os-release files are a few hundred bytes; a hostile one is read only up
// to these many lines and values of at most this many bytes.
constexpr int kMaxLines = 1024;
constexpr size_t kMaxValueBytes = 4096;
constexpr int kMaxIdLike = 16;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
    s.remove_prefix(1);
  }
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
    s.remove_suffix(1);
  }
  return s;
}

// Calls fn(line) for at most kMaxLines lines.
template <typename Fn>
void ForEachLine(std::string_view content, Fn&& fn) {
  for (int n = 0; n < kMaxLines && !content.empty(); ++n) {
    size_t end = content.find('\n');
    fn(content.substr(0, end));
    content = end == std::string_view::npos ? "" : content.substr(end + 1);
  }
}

// Unquotes an os-release value: "double" (with \" \\ \$ \` escapes),
// 'single' (literal), or bare (backslash escapes the next character).
std::string Unquote(std::string_view v) {
  std::string out;
  char quote = 0;
  for (size_t i = 0; i < v.size() && out.size() < kMaxValueBytes; ++i) {
    char c = v[i];
    if (quote == '\'') {
      if (c == '\'') {
        quote = 0;
      } else {
        out += c;
      }
    } else if (c == '\\' && i + 1 < v.size() && quote != '\'') {
      out += v[++i];
    } else if (quote == '"' && c == '"') {
      quote = 0;
    } else if (quote == 0 && (c == '"' || c == '\'')) {
      quote = c;
    } else if (quote == 0 && c == '#') {
      break;  // a comment after an unquoted value
    } else {
      out += c;
    }
  }
  return std::string(Trim(out));
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

// "12 (bookworm)" -> "bookworm"; "" without parentheses.
std::string ParenthesisedWord(std::string_view s) {
  size_t open = s.find('(');
  size_t close = s.find(')', open);
  if (open == std::string_view::npos || close == std::string_view::npos) {
    return "";
  }
  return std::string(Trim(s.substr(open + 1, close - open - 1)));
}

std::string FirstLine(std::string_view s) {
  return std::string(Trim(s.substr(0, s.find('\n'))));
}

// "<Name> release <version> (<codename>)" files (redhat-release,
// centos-release, system-release).
sbom::Distro ParseRedHatStyle(std::string_view content) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 8>
      kIds = {{
          {"red hat enterprise linux", "rhel"},
          {"centos", "centos"},
          {"fedora", "fedora"},
          {"rocky linux", "rocky"},
          {"almalinux", "almalinux"},
          {"amazon linux", "amzn"},
          {"oracle linux", "ol"},
          {"scientific linux", "scientific"},
      }};
  sbom::Distro d;
  std::string line = FirstLine(content);
  size_t at = line.find(" release ");
  if (at == std::string::npos) return d;
  std::string name = std::string(Trim(std::string_view(line).substr(0, at)));
  std::string_view rest = std::string_view(line).substr(at + 9);
  std::string_view version = rest.substr(0, rest.find_first_of(" \t("));
  std::string lower = Lower(name);
  for (const auto& [prefix, id] : kIds) {
    if (lower.starts_with(prefix)) {
      d.id = std::string(id);
      break;
    }
  }
  if (d.id.empty()) return d;
  d.name = name;
  d.pretty_name = line;
  // CentOS writes "7.9.2009" where its os-release says VERSION_ID="7".
  d.version_id = std::string(
      d.id == "centos" ? version.substr(0, version.find('.')) : version);
  d.codename = ParenthesisedWord(rest);
  return d;
}

// "SUSE Linux Enterprise Server 12 (x86_64)\nVERSION = 12\nPATCHLEVEL = 5".
sbom::Distro ParseSuseRelease(std::string_view content) {
  sbom::Distro d;
  std::string first = FirstLine(content);
  d.id = Lower(first).starts_with("opensuse") ? "opensuse" : "sles";
  d.pretty_name = first;
  d.name = std::string(Trim(first.substr(0, first.find('('))));
  std::string version, patch;
  ForEachLine(content, [&](std::string_view line) {
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) return;
    std::string key = Lower(Trim(line.substr(0, eq)));
    std::string value(Trim(line.substr(eq + 1)).substr(0, kMaxValueBytes));
    if (key == "version") version = value;
    if (key == "patchlevel") patch = value;
  });
  d.version_id =
      patch.empty() || patch == "0" ? version : version + "." + patch;
  return d;
}

// Ubuntu-style etc/lsb-release (DISTRIB_ID=Ubuntu ...).
sbom::Distro ParseLsbRelease(std::string_view content) {
  sbom::Distro d;
  ForEachLine(content, [&](std::string_view line) {
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) return;
    std::string_view key = Trim(line.substr(0, eq));
    std::string value = Unquote(Trim(line.substr(eq + 1)));
    if (key == "DISTRIB_ID") {
      d.id = Lower(value);
      d.name = value;
    } else if (key == "DISTRIB_RELEASE") {
      d.version_id = value;
    } else if (key == "DISTRIB_CODENAME") {
      d.codename = value;
    } else if (key == "DISTRIB_DESCRIPTION") {
      d.pretty_name = value;
    }
  });
  return d;
}

sbom::Distro ParseDebianVersion(std::string_view content) {
  sbom::Distro d;
  d.id = "debian";
  d.name = "Debian GNU/Linux";
  std::string v = FirstLine(content).substr(0, kMaxValueBytes);
  if (!v.empty() && std::isdigit(static_cast<unsigned char>(v[0]))) {
    d.version_id = v.substr(0, v.find('.'));  // "12.5" -> "12"
  } else {
    d.codename = v.substr(0, v.find('/'));  // "bookworm/sid" -> "bookworm"
  }
  return d;
}

}  // namespace

std::vector<std::string_view> Globs() {
  return {"etc/os-release",     "usr/lib/os-release", "etc/alpine-release",
          "etc/debian_version", "etc/redhat-release", "etc/centos-release",
          "etc/system-release", "etc/SuSE-release",   "etc/lsb-release"};
}

sbom::Distro ParseOsRelease(std::string_view content) {
  sbom::Distro d;
  std::string version;
  ForEachLine(content, [&](std::string_view line) {
    line = Trim(line);
    if (line.empty() || line.front() == '#') return;
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) return;
    std::string_view key = line.substr(0, eq);
    std::string value = Unquote(line.substr(eq + 1));
    if (key == "ID") {
      d.id = std::move(value);
    } else if (key == "VERSION_ID") {
      d.version_id = std::move(value);
    } else if (key == "VERSION_CODENAME") {
      d.codename = std::move(value);
    } else if (key == "VERSION") {
      version = std::move(value);
    } else if (key == "NAME") {
      d.name = std::move(value);
    } else if (key == "PRETTY_NAME") {
      d.pretty_name = std::move(value);
    } else if (key == "ID_LIKE") {
      d.id_like.clear();
      std::string_view rest = value;
      while (!(rest = Trim(rest)).empty() &&
             static_cast<int>(d.id_like.size()) < kMaxIdLike) {
        size_t end = rest.find_first_of(" \t");
        d.id_like.emplace_back(rest.substr(0, end));
        rest = end == std::string_view::npos ? "" : rest.substr(end);
      }
    }
  });
  if (d.codename.empty()) d.codename = ParenthesisedWord(version);
  return d;
}

sbom::Distro Detect(const image::LoadedImage& image) {
  auto read = [&](std::string_view path) -> std::optional<std::string> {
    auto content = image::ReadFile(image, path);
    if (!content.ok()) return std::nullopt;
    return std::move(content).value();
  };
  for (std::string_view path : {"etc/os-release", "usr/lib/os-release"}) {
    if (auto c = read(path)) {
      sbom::Distro d = ParseOsRelease(*c);
      if (!d.empty()) return d;
    }
  }
  if (auto c = read("etc/alpine-release")) {
    sbom::Distro d;
    d.id = "alpine";
    d.name = "Alpine Linux";
    d.version_id = FirstLine(*c).substr(0, kMaxValueBytes);
    return d;
  }
  if (auto c = read("etc/debian_version")) return ParseDebianVersion(*c);
  for (std::string_view path :
       {"etc/redhat-release", "etc/centos-release", "etc/system-release"}) {
    if (auto c = read(path)) {
      sbom::Distro d = ParseRedHatStyle(*c);
      if (!d.empty()) return d;
    }
  }
  if (auto c = read("etc/SuSE-release")) return ParseSuseRelease(*c);
  if (auto c = read("etc/lsb-release")) {
    sbom::Distro d = ParseLsbRelease(*c);
    if (!d.empty()) return d;
  }
  return {};
}

}  // namespace strata::catalog::osrelease
