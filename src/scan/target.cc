#include "scan/target.h"

#include <array>

namespace strata::scan {
namespace {

std::string MajorVersion(std::string_view v) {
  return std::string(v.substr(0, v.find('.')));
}

std::string MajorMinor(std::string_view v) {
  size_t dot = v.find('.');
  if (dot == std::string_view::npos) return std::string(v);
  size_t dot2 = v.find('.', dot + 1);
  return std::string(v.substr(0, dot2));
}

struct DistroRule {
  std::string_view id;
  std::string_view ecosystem;
  enum { kMajor, kMajorMinor, kAlpine, kWhole } release;
};

// os-release ID -> OSV ecosystem (https://ossf.github.io/osv-schema/).
constexpr std::array<DistroRule, 12> kDistros = {{
    {"debian", "Debian", DistroRule::kMajor},
    {"ubuntu", "Ubuntu", DistroRule::kMajorMinor},
    {"alpine", "Alpine", DistroRule::kAlpine},
    {"wolfi", "Wolfi", DistroRule::kWhole},
    {"chainguard", "Chainguard", DistroRule::kWhole},
    {"almalinux", "AlmaLinux", DistroRule::kMajor},
    {"rocky", "Rocky Linux", DistroRule::kMajor},
    {"rhel", "Red Hat", DistroRule::kMajor},
    {"ol", "Oracle Linux", DistroRule::kMajor},
    {"amzn", "Amazon Linux", DistroRule::kMajor},
    {"opensuse-leap", "openSUSE", DistroRule::kMajorMinor},
    {"sles", "SUSE", DistroRule::kMajorMinor},
}};

// The rpm EVR advisories write: "[epoch:]version-release".
std::string RpmEvr(const sbom::Package& p) {
  std::string v = p.version;
  if (!p.epoch.empty() && p.epoch != "0") v = p.epoch + ":" + v;
  return v;
}

// A Debian binary whose version carries an epoch its Source: version lacks
// (or the other way round) is compared by the source version as written.
std::string DebVersion(const sbom::Package& p) {
  return p.source_version.empty() ? p.version : p.source_version;
}

}  // namespace

std::string DistroEcosystem(const sbom::Distro& d) {
  for (const DistroRule& r : kDistros) {
    if (d.id != r.id) continue;
    if (r.release == DistroRule::kWhole || d.version_id.empty()) {
      return r.release == DistroRule::kWhole ? std::string(r.ecosystem) : "";
    }
    switch (r.release) {
      case DistroRule::kMajor:
        return std::string(r.ecosystem) + ":" + MajorVersion(d.version_id);
      case DistroRule::kMajorMinor:
        return std::string(r.ecosystem) + ":" + MajorMinor(d.version_id);
      case DistroRule::kAlpine:
        return std::string(r.ecosystem) + ":v" + MajorMinor(d.version_id);
      case DistroRule::kWhole:
        break;
    }
  }
  return "";
}

std::optional<Target> TargetFor(const sbom::Package& p,
                                const sbom::Distro& distro) {
  Target t;
  auto source_first = [&p]() {
    std::vector<std::string> names;
    if (!p.source_name.empty()) names.push_back(p.source_name);
    if (p.source_name != p.name) names.push_back(p.name);
    return names;
  };
  switch (p.type) {
    case sbom::PackageType::kDeb:
      t.ecosystem = DistroEcosystem(distro);
      t.names = p.source_name.empty() ? std::vector<std::string>{p.name}
                                      : std::vector<std::string>{p.source_name};
      t.version = DebVersion(p);
      t.scheme = version::Scheme::kDpkg;
      break;
    case sbom::PackageType::kApk:
      t.ecosystem = DistroEcosystem(distro);
      t.names = source_first();
      t.version = p.version;
      t.scheme = version::Scheme::kApk;
      break;
    case sbom::PackageType::kRpm:
      t.ecosystem = DistroEcosystem(distro);
      t.names = source_first();
      t.version = RpmEvr(p);
      t.scheme = version::Scheme::kRpm;
      break;
    case sbom::PackageType::kPython:
      t = {"PyPI", {p.name}, p.version, version::Scheme::kPep440, {}};
      break;
    case sbom::PackageType::kNpm:
      t = {"npm", {p.name}, p.version, version::Scheme::kSemver, {}};
      break;
    case sbom::PackageType::kGoModule:
      t = {"Go", {p.name}, p.version, version::Scheme::kGo, {}};
      break;
    case sbom::PackageType::kJavaArchive:
      if (p.group.empty()) return std::nullopt;  // no Maven coordinates
      t = {"Maven",
           {p.group + ":" + p.name},
           p.version,
           version::Scheme::kMaven,
           {}};
      break;
    case sbom::PackageType::kRustCrate:
      t = {"crates.io", {p.name}, p.version, version::Scheme::kSemver, {}};
      break;
    case sbom::PackageType::kGem:
      t = {"RubyGems", {p.name}, p.version, version::Scheme::kRubyGems, {}};
      break;
    case sbom::PackageType::kPhpComposer:
      t = {"Packagist", {p.name}, p.version, version::Scheme::kComposer, {}};
      break;
    case sbom::PackageType::kDotnet:
      t = {"NuGet", {p.name}, p.version, version::Scheme::kNuGet, {}};
      break;
    case sbom::PackageType::kBinary:
      return std::nullopt;
  }
  if (t.ecosystem.empty() || t.version.empty() || t.names.empty()) {
    return std::nullopt;
  }
  // osv.dev's Ubuntu data names LTS releases "Ubuntu:22.04:LTS" (and Pro
  // ones "Ubuntu:Pro:22.04:LTS"): April releases of even years.
  if (distro.id == "ubuntu" && t.ecosystem.starts_with("Ubuntu:") &&
      sbom::IsOsPackage(p.type)) {
    std::string release = t.ecosystem.substr(7);
    if (release.size() == 5 && release.ends_with(".04") &&
        (release[1] - '0') % 2 == 0) {
      t.also.push_back(t.ecosystem + ":LTS");
      t.also.push_back("Ubuntu:Pro:" + release + ":LTS");
    }
  }
  return t;
}

}  // namespace strata::scan
