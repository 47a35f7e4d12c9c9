#include "sbom/model.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <string_view>
#include <tuple>
#include <unordered_map>

#include "base/digest.h"
#include "sbom/purl.h"

namespace strata::sbom {

namespace {

const std::string& FirstPath(const Package& p) {
  static const std::string kEmpty;
  return p.locations.empty() ? kEmpty : p.locations.front().path;
}

// Total order: the documented keys first, then the remaining identity
// fields so that equal-looking packages still sort the same every time.
bool PackageLess(const Package& a, const Package& b) {
  return std::tie(a.type, a.name, a.version, a.architecture, a.locations,
                  a.epoch, a.source_name, a.source_version, a.cataloger) <
         std::tie(b.type, b.name, b.version, b.architecture, b.locations,
                  b.epoch, b.source_name, b.source_version, b.cataloger);
}

// "<type>:<name>@<version>:<arch>:<first 16 hex of sha256(first location)>",
// with "-<n>" appended to the second and later package of the same key.
std::string BaseId(const Package& p) {
  std::string id(PackageTypeName(p.type));
  id += ':';
  id += p.name;
  id += '@';
  id += p.version;
  id += ':';
  id += p.architecture;
  id += ':';
  id += Sha256Of(FirstPath(p)).hex().substr(0, 16);
  return id;
}

void AssignIds(std::vector<Package>& packages) {
  std::unordered_map<std::string, int> seen;
  for (Package& p : packages) {
    std::string base = BaseId(p);
    int n = ++seen[base];
    p.id = n == 1 ? base : base + "-" + std::to_string(n);
  }
}

void ResolveDepends(const std::vector<Package>& packages,
                    std::vector<Relationship>& out) {
  // (type, name) -> package indexes; same for provides.
  using Key = std::pair<PackageType, std::string_view>;
  std::map<Key, std::vector<size_t>> by_name, by_provides;
  for (size_t i = 0; i < packages.size(); ++i) {
    const Package& p = packages[i];
    by_name[{p.type, p.name}].push_back(i);
    for (const std::string& prov : p.provides) {
      by_provides[{p.type, prov}].push_back(i);
    }
  }
  for (const Package& from : packages) {
    for (const std::string& dep : from.depends) {
      if (dep.empty() || dep.front() == '!') continue;  // apk conflict
      const std::vector<size_t>* targets = nullptr;
      if (auto it = by_name.find({from.type, dep}); it != by_name.end()) {
        targets = &it->second;
      } else if (auto pit = by_provides.find({from.type, dep});
                 pit != by_provides.end()) {
        targets = &pit->second;
      } else {
        continue;
      }
      // Prefer providers recorded in the same database as the dependant.
      bool any_same_db = std::any_of(
          targets->begin(), targets->end(),
          [&](size_t i) { return FirstPath(packages[i]) == FirstPath(from); });
      for (size_t i : *targets) {
        const Package& to = packages[i];
        if (to.id == from.id) continue;
        if (any_same_db && FirstPath(to) != FirstPath(from)) continue;
        out.push_back({from.id, to.id, "depends-on"});
      }
    }
  }
}

}  // namespace

namespace {
struct TypeRow {
  PackageType type;
  std::string_view name;
  std::string_view purl_type;
};
constexpr TypeRow kTypes[] = {
    {PackageType::kDeb, "deb", "deb"},
    {PackageType::kApk, "apk", "apk"},
    {PackageType::kRpm, "rpm", "rpm"},
    {PackageType::kPython, "python", "pypi"},
    {PackageType::kNpm, "npm", "npm"},
    {PackageType::kGoModule, "go-module", "golang"},
    {PackageType::kJavaArchive, "java-archive", "maven"},
    {PackageType::kRustCrate, "rust-crate", "cargo"},
    {PackageType::kGem, "gem", "gem"},
    {PackageType::kPhpComposer, "php-composer", "composer"},
    {PackageType::kDotnet, "dotnet", "nuget"},
    {PackageType::kBinary, "binary", "generic"},
};
const TypeRow& Row(PackageType t) {
  for (const TypeRow& r : kTypes) {
    if (r.type == t) return r;
  }
  return kTypes[0];  // unreachable: every enumerator has a row
}
}  // namespace

std::string_view PackageTypeName(PackageType t) { return Row(t).name; }
std::string_view PurlType(PackageType t) { return Row(t).purl_type; }

std::optional<PackageType> PackageTypeFromName(std::string_view name) {
  for (const TypeRow& r : kTypes) {
    if (r.name == name) return r.type;
  }
  return std::nullopt;
}

std::optional<PackageType> PackageTypeFromPurlType(std::string_view purl_type) {
  for (const TypeRow& r : kTypes) {
    if (r.purl_type == purl_type) return r.type;
  }
  return std::nullopt;
}

bool IsOsPackage(PackageType t) {
  return t == PackageType::kDeb || t == PackageType::kApk ||
         t == PackageType::kRpm;
}

std::string LicenseRefFor(std::string_view name) {
  std::string ref = "LicenseRef-";
  for (unsigned char c : name) {
    ref +=
        (std::isalnum(c) || c == '.' || c == '-') ? static_cast<char>(c) : '-';
  }
  return ref;
}

void Finalize(Sbom& sbom) {
  std::stable_sort(sbom.packages.begin(), sbom.packages.end(), PackageLess);
  // Relationships already present (read from a document) refer to the old
  // ids: carry them over to the new ones, and drop any that dangle.
  std::vector<std::string> old_ids;
  old_ids.reserve(sbom.packages.size());
  for (const Package& p : sbom.packages) old_ids.push_back(p.id);
  AssignIds(sbom.packages);
  std::map<std::string, std::string> remap;
  for (size_t i = 0; i < old_ids.size(); ++i) {
    if (!old_ids[i].empty()) remap.emplace(old_ids[i], sbom.packages[i].id);
  }
  std::vector<Relationship> kept;
  for (const Relationship& r : sbom.relationships) {
    auto from = remap.find(r.from);
    auto to = remap.find(r.to);
    if (from != remap.end() && to != remap.end()) {
      kept.push_back({from->second, to->second, r.type});
    }
  }
  sbom.relationships = std::move(kept);
  for (Package& p : sbom.packages) {
    if (p.purl.empty()) p.purl = MakePurl(p, sbom.distro);
    if (p.cpes.empty()) p.cpes = MakeCpes(p, sbom.distro);
  }
  ResolveDepends(sbom.packages, sbom.relationships);
  std::sort(sbom.relationships.begin(), sbom.relationships.end());
  sbom.relationships.erase(
      std::unique(sbom.relationships.begin(), sbom.relationships.end()),
      sbom.relationships.end());
  std::stable_sort(sbom.unknowns.begin(), sbom.unknowns.end(),
                   [](const Unknown& a, const Unknown& b) {
                     return std::tie(a.location, a.cataloger, a.reason) <
                            std::tie(b.location, b.cataloger, b.reason);
                   });
}

}  // namespace strata::sbom
