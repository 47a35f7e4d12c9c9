#include "version/version.h"

#include <array>

namespace strata::version {
namespace {

struct SchemeEntry {
  Scheme scheme;
  std::string_view name;
  Result<int> (*compare)(std::string_view, std::string_view);
};

// Every scheme, in one table.
constexpr std::array<SchemeEntry, 10> kSchemes = {{
    {Scheme::kDpkg, "dpkg", CompareDpkg},
    {Scheme::kApk, "apk", CompareApk},
    {Scheme::kRpm, "rpm", CompareRpm},
    {Scheme::kSemver, "semver", CompareSemver},
    {Scheme::kPep440, "pep440", ComparePep440},
    {Scheme::kMaven, "maven", CompareMaven},
    {Scheme::kGo, "go", CompareGo},
    {Scheme::kRubyGems, "rubygems", CompareRubyGems},
    {Scheme::kNuGet, "nuget", CompareNuGet},
    {Scheme::kComposer, "composer", CompareComposer},
}};

const SchemeEntry& Entry(Scheme s) {
  for (const SchemeEntry& e : kSchemes) {
    if (e.scheme == s) return e;
  }
  return kSchemes[0];  // unreachable: every enumerator is in the table
}

struct EcosystemEntry {
  std::string_view ecosystem;
  Scheme scheme;
};

// OSV ecosystem names
// (https://ossf.github.io/osv-schema/#affectedpackage-field).
constexpr std::array<EcosystemEntry, 27> kEcosystems = {{
    {"Debian", Scheme::kDpkg},        {"Ubuntu", Scheme::kDpkg},
    {"Alpine", Scheme::kApk},         {"Wolfi", Scheme::kApk},
    {"Chainguard", Scheme::kApk},     {"AlmaLinux", Scheme::kRpm},
    {"Rocky Linux", Scheme::kRpm},    {"Red Hat", Scheme::kRpm},
    {"SUSE", Scheme::kRpm},           {"openSUSE", Scheme::kRpm},
    {"Mageia", Scheme::kRpm},         {"Photon OS", Scheme::kRpm},
    {"openEuler", Scheme::kRpm},      {"Azure Linux", Scheme::kRpm},
    {"Oracle Linux", Scheme::kRpm},   {"Amazon Linux", Scheme::kRpm},
    {"npm", Scheme::kSemver},         {"crates.io", Scheme::kSemver},
    {"Hex", Scheme::kSemver},         {"Pub", Scheme::kSemver},
    {"SwiftURL", Scheme::kSemver},    {"PyPI", Scheme::kPep440},
    {"Maven", Scheme::kMaven},        {"Go", Scheme::kGo},
    {"RubyGems", Scheme::kRubyGems},  {"NuGet", Scheme::kNuGet},
    {"Packagist", Scheme::kComposer},
}};

}  // namespace

std::string_view SchemeName(Scheme s) { return Entry(s).name; }

Result<Scheme> SchemeForEcosystem(std::string_view ecosystem) {
  std::string_view base = ecosystem.substr(0, ecosystem.find(':'));
  for (const EcosystemEntry& e : kEcosystems) {
    if (e.ecosystem == base) return e.scheme;
  }
  return NotFoundError("no version ordering for ecosystem \"" +
                       std::string(ecosystem.substr(0, 100)) + "\"");
}

Result<int> Compare(Scheme s, std::string_view a, std::string_view b) {
  return Entry(s).compare(a, b);
}

Status Validate(Scheme s, std::string_view v) {
  return Entry(s).compare(v, v).status();
}

}  // namespace strata::version
