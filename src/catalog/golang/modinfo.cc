#include "catalog/golang/modinfo.h"

#include <utility>

namespace strata::catalog::golang {
namespace {

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    const size_t at = s.find(sep);
    out.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return out;
    s.remove_prefix(at + 1);
  }
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(uint32_t r, std::string* out) {
  if (r < 0x80) {
    out->push_back(static_cast<char>(r));
  } else if (r < 0x800) {
    out->push_back(static_cast<char>(0xc0 | r >> 6));
    out->push_back(static_cast<char>(0x80 | (r & 0x3f)));
  } else if (r < 0x10000) {
    out->push_back(static_cast<char>(0xe0 | r >> 12));
    out->push_back(static_cast<char>(0x80 | (r >> 6 & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3f)));
  } else {
    out->push_back(static_cast<char>(0xf0 | r >> 18));
    out->push_back(static_cast<char>(0x80 | (r >> 12 & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (r >> 6 & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3f)));
  }
}

// The Go string literal ("..." with Go escapes, or `raw`) at the front of
// `s`: its value and length. nullopt when there is none.
std::optional<std::pair<std::string, size_t>> UnquotePrefix(
    std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::string out;
  if (s[0] == '`') {
    const size_t end = s.find('`', 1);
    if (end == std::string_view::npos) return std::nullopt;
    for (char c : s.substr(1, end - 1)) {
      if (c != '\r') out.push_back(c);  // as Go drops CRs in raw strings
    }
    return std::pair(std::move(out), end + 1);
  }
  if (s[0] != '"') return std::nullopt;
  size_t i = 1;
  while (i < s.size()) {
    const char c = s[i++];
    if (c == '"') return std::pair(std::move(out), i);
    if (c == '\n') return std::nullopt;
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (i == s.size()) return std::nullopt;
    const char e = s[i++];
    switch (e) {
      case 'a':
        out.push_back('\a');
        continue;
      case 'b':
        out.push_back('\b');
        continue;
      case 'f':
        out.push_back('\f');
        continue;
      case 'n':
        out.push_back('\n');
        continue;
      case 'r':
        out.push_back('\r');
        continue;
      case 't':
        out.push_back('\t');
        continue;
      case 'v':
        out.push_back('\v');
        continue;
      case '\\':
        out.push_back('\\');
        continue;
      case '"':
        out.push_back('"');
        continue;
      default:
        break;
    }
    if (e >= '0' && e <= '7') {  // \ooo, at most 0377
      if (s.size() - i < 2) return std::nullopt;
      uint32_t v = e - '0';
      for (int k = 0; k < 2; ++k) {
        const char d = s[i++];
        if (d < '0' || d > '7') return std::nullopt;
        v = v * 8 + (d - '0');
      }
      if (v > 0xff) return std::nullopt;
      out.push_back(static_cast<char>(v));
      continue;
    }
    const size_t digits = e == 'x' ? 2 : e == 'u' ? 4 : e == 'U' ? 8 : 0;
    if (digits == 0 || s.size() - i < digits) return std::nullopt;
    uint32_t v = 0;
    for (size_t k = 0; k < digits; ++k) {
      const int d = HexDigit(s[i++]);
      if (d < 0) return std::nullopt;
      v = v << 4 | static_cast<uint32_t>(d);
    }
    if (e == 'x') {
      out.push_back(static_cast<char>(v));
    } else if (v > 0x10ffff || (v >= 0xd800 && v < 0xe000)) {
      return std::nullopt;
    } else {
      AppendUtf8(v, &out);
    }
  }
  return std::nullopt;
}

bool NeedsQuotingKey(std::string_view key) {
  return key.empty() ||
         key.find_first_of("= \t\r\n\"`") != std::string_view::npos;
}

bool NeedsQuotingValue(std::string_view value) {
  return value.find_first_of(" \t\r\n\"`") != std::string_view::npos;
}

Result<ModuleVersion> ModuleLine(std::string_view rest) {
  const std::vector<std::string_view> elem = Split(rest, '\t');
  if (elem.size() != 2 && elem.size() != 3) {
    return DataLossError("expected 2 or 3 columns, got " +
                         std::to_string(elem.size()));
  }
  return ModuleVersion{std::string(elem[0]), std::string(elem[1]),
                       elem.size() == 3 ? std::string(elem[2]) : ""};
}

Result<BuildSetting> BuildLine(std::string_view kv) {
  if (kv.empty()) return DataLossError("build line missing '='");
  BuildSetting s;
  std::string_view raw_value;
  if (kv[0] == '=') return DataLossError("build line with missing key");
  if (kv[0] == '`' || kv[0] == '"') {
    auto key = UnquotePrefix(kv);
    if (!key) return DataLossError("invalid quoted key in build line");
    if (key->second == kv.size()) {
      return DataLossError("build line missing '=' after quoted key");
    }
    if (kv[key->second] != '=') {
      return DataLossError("unexpected character after quoted key");
    }
    s.key = std::move(key->first);
    raw_value = kv.substr(key->second + 1);
  } else {
    const size_t eq = kv.find('=');
    if (eq == std::string_view::npos) {
      return DataLossError("build line missing '=' after key");
    }
    s.key = std::string(kv.substr(0, eq));
    if (NeedsQuotingKey(s.key)) {
      return DataLossError("unquoted key \"" + s.key + "\" must be quoted");
    }
    raw_value = kv.substr(eq + 1);
  }
  if (!raw_value.empty() && (raw_value[0] == '`' || raw_value[0] == '"')) {
    auto value = UnquotePrefix(raw_value);
    if (!value || value->second != raw_value.size()) {
      return DataLossError("invalid quoted value in build line");
    }
    s.value = std::move(value->first);
  } else {
    if (NeedsQuotingValue(raw_value)) {
      return DataLossError("unquoted value \"" + std::string(raw_value) +
                           "\" must be quoted");
    }
    s.value = std::string(raw_value);
  }
  return s;
}

bool AllDigits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

}  // namespace

Result<BuildInfo> ParseBuildInfo(std::string_view text) {
  const std::vector<std::string_view> lines = Split(text, '\n');
  if (!lines[0].starts_with("go\t") || lines[0].size() == 3) {
    return DataLossError("no go version");
  }
  BuildInfo info;
  info.go_version = std::string(lines[0].substr(3));
  Module* last = nullptr;  // the module a `=>` line may replace
  for (size_t i = 1; i < lines.size(); ++i) {
    const std::string_view line = lines[i];
    Status status;
    if (line.starts_with("path\t")) {
      info.path = std::string(line.substr(5));
    } else if (line.starts_with("mod\t") || line.starts_with("dep\t")) {
      auto m = ModuleLine(line.substr(4));
      if (m.ok()) {
        if (line[0] == 'm') {
          info.main = Module{std::move(m).value(), std::nullopt};
          last = &*info.main;
        } else {
          info.deps.push_back(Module{std::move(m).value(), std::nullopt});
          last = &info.deps.back();
        }
      }
      status = m.status();
    } else if (line.starts_with("=>\t")) {
      const std::vector<std::string_view> elem = Split(line.substr(3), '\t');
      if (elem.size() != 3) {
        status = DataLossError("expected 3 columns for replacement, got " +
                               std::to_string(elem.size()));
      } else if (last == nullptr) {
        status = DataLossError("replacement with no module on previous line");
      } else {
        last->replace = ModuleVersion{
            std::string(elem[0]), std::string(elem[1]), std::string(elem[2])};
        last = nullptr;
      }
    } else if (line.starts_with("build\t")) {
      auto s = BuildLine(line.substr(6));
      if (s.ok()) info.settings.push_back(std::move(s).value());
      status = s.status();
    }
    if (!status.ok()) {
      return std::move(status).WithContext("line " + std::to_string(i + 1));
    }
  }
  return info;
}

std::optional<std::string> GoVersionToSemver(std::string_view go_version) {
  std::string_view v = go_version.substr(0, go_version.find(' '));
  if (!v.starts_with("go")) return std::nullopt;
  v.remove_prefix(2);
  // go1[.minor[.patch]][(rc|beta|alpha)N]
  std::string pre;
  for (std::string_view kind : {"rc", "beta", "alpha"}) {
    const size_t at = v.find(kind);
    if (at == std::string_view::npos) continue;
    const std::string_view n = v.substr(at + kind.size());
    if (!AllDigits(n)) return std::nullopt;
    pre = "-" + std::string(kind) + "." + std::string(n);
    v = v.substr(0, at);
    break;
  }
  const std::vector<std::string_view> parts = Split(v, '.');
  if (parts.size() > 3) return std::nullopt;
  for (std::string_view p : parts) {
    if (!AllDigits(p)) return std::nullopt;
  }
  std::string out = "v" + std::string(parts[0]);
  for (size_t i = 1; i < 3; ++i) {
    out += "." + (i < parts.size() ? std::string(parts[i]) : "0");
  }
  return out + pre;
}

std::vector<sbom::Package> BuildInfoPackages(const BuildInfo& info,
                                             const sbom::Location& location,
                                             std::string_view cataloger) {
  auto make = [&](const Module& m) {
    const ModuleVersion& v = m.replace ? *m.replace : m.module;
    sbom::Package p;
    p.type = sbom::PackageType::kGoModule;
    p.name = v.path;
    p.version = v.version;
    if (!v.sum.empty()) p.extra["go.sum"] = v.sum;
    if (m.replace) {
      p.extra["go.replaces"] =
          m.module.path +
          (m.module.version.empty() ? "" : "@" + m.module.version);
    }
    p.extra["go.version"] = info.go_version;
    p.locations = {location};
    p.introduced_layer = location.layer;
    p.cataloger = std::string(cataloger);
    return p;
  };

  std::vector<sbom::Package> out;
  std::vector<std::string> dep_names;
  for (const Module& m : info.deps) {
    sbom::Package p = make(m);
    if (p.name.empty()) continue;
    dep_names.push_back(p.name);
    out.push_back(std::move(p));
  }

  sbom::Package stdlib = make(Module{{"stdlib", "", ""}, std::nullopt});
  stdlib.version = GoVersionToSemver(info.go_version).value_or(info.go_version);
  out.push_back(std::move(stdlib));

  if (info.main) {
    sbom::Package p = make(*info.main);
    if (!p.name.empty()) {
      if (!info.path.empty()) p.extra["go.path"] = info.path;
      for (const BuildSetting& s : info.settings) {
        p.extra["go.build." + s.key] = s.value;
      }
      p.depends = std::move(dep_names);
      p.depends.push_back("stdlib");
      out.push_back(std::move(p));
    }
  }
  return out;
}

}  // namespace strata::catalog::golang
