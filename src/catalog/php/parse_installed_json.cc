#include "catalog/php/parse_installed_json.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>
#include <utility>

#include "base/caps.h"
#include "base/json.h"
#include "catalog/cataloger.h"

namespace strata::catalog::php {
namespace {

// Packages in one installed.json (large applications install a few
// hundred).
constexpr size_t kMaxPackages = 100'000;

constexpr std::string_view kWhat = "installed.json";

bool IsSha1Hex(std::string_view s) {
  return s.size() == 40 && std::all_of(s.begin(), s.end(), [](char c) {
           return std::isxdigit(static_cast<unsigned char>(c));
         });
}

// "license": an array of strings, or one string.
Result<std::vector<std::string>> Licenses(const json::Json& entry) {
  std::vector<std::string> texts;
  auto it = entry.find("license");
  if (it == entry.end() || it->is_null()) return texts;
  if (it->is_string()) {
    texts.push_back(it->get<std::string>());
  } else if (it->is_array() &&
             std::all_of(it->begin(), it->end(),
                         [](const json::Json& e) { return e.is_string(); })) {
    for (const json::Json& e : *it) texts.push_back(e.get<std::string>());
  } else {
    return DataLossError(
        "field \"license\" must be a string or an array of strings");
  }
  std::vector<std::string> out;
  for (const std::string& t : texts) {
    if (auto l = DeclaredLicense(t);
        l && std::find(out.begin(), out.end(), *l) == out.end()) {
      out.push_back(*std::move(l));
    }
  }
  return out;
}

// The package names among the "require" keys (PHP writes an empty object
// as []).
Result<std::vector<std::string>> Requires(const json::Json& entry) {
  std::vector<std::string> out;
  auto it = entry.find("require");
  if (it == entry.end() || it->is_null() || (it->is_array() && it->empty())) {
    return out;
  }
  ASSIGN_OR_RETURN(const json::Json* require,
                   json::GetObject(entry, "require"));
  for (auto r = require->begin(); r != require->end(); ++r) {
    if (r.key().find('/') != std::string::npos) out.push_back(r.key());
  }
  return out;
}

Result<sbom::Package> ReadPackage(const json::Json& entry,
                                  const std::set<std::string>& dev) {
  if (!entry.is_object()) return DataLossError("not an object");
  ASSIGN_OR_RETURN(std::optional<std::string> name,
                   json::GetString(entry, "name"));
  if (!name || name->empty()) return DataLossError("no name");
  ASSIGN_OR_RETURN(std::optional<std::string> version,
                   json::GetString(entry, "version"));
  if (!version || version->empty()) return DataLossError("no version");
  ASSIGN_OR_RETURN(std::optional<std::string> normalized,
                   json::GetString(entry, "version_normalized"));
  ASSIGN_OR_RETURN(std::optional<std::string> type,
                   json::GetString(entry, "type"));
  ASSIGN_OR_RETURN(std::optional<std::string> description,
                   json::GetString(entry, "description"));
  ASSIGN_OR_RETURN(const json::Json* dist, json::GetObject(entry, "dist"));
  std::optional<std::string> shasum;
  if (dist) {
    ASSIGN_OR_RETURN(shasum, json::GetString(*dist, "shasum"));
  }

  sbom::Package p;
  p.type = sbom::PackageType::kPhpComposer;
  ASSIGN_OR_RETURN(p.licenses, Licenses(entry));
  ASSIGN_OR_RETURN(p.depends, Requires(entry));
  if (description)
    p.description = description->substr(0, description->find('\n'));
  if (shasum && IsSha1Hex(*shasum)) {
    std::string hex = *shasum;
    for (char& c : hex) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    p.digests["SHA-1"] = std::move(hex);
  }
  if (normalized && !normalized->empty()) {
    p.extra["composer.version_normalized"] = *std::move(normalized);
  }
  if (type && !type->empty()) p.extra["composer.type"] = *std::move(type);
  if (dev.contains(*name)) p.extra["composer.dev"] = "true";
  p.name = *std::move(name);
  p.version = *std::move(version);
  return p;
}

}  // namespace

Result<InstalledJson> ParseInstalledJson(std::string_view bytes) {
  ASSIGN_OR_RETURN(json::Json doc,
                   json::Parse(bytes, kWhat, caps::kMaxCapturedFileBytes));
  const json::Json* packages = nullptr;
  std::set<std::string> dev;
  if (doc.is_array()) {
    packages = &doc;  // Composer 1
  } else if (doc.is_object()) {
    auto list = json::GetArray(doc, "packages");
    if (!list.ok() || *list == nullptr) {
      return DataLossError("installed.json has no \"packages\" array");
    }
    packages = *list;
    auto names = json::GetStringArray(doc, "dev-package-names");
    if (!names.ok()) {
      return DataLossError("installed.json: " + names.status().message());
    }
    if (*names) dev.insert((*names)->begin(), (*names)->end());
  } else {
    return DataLossError("installed.json is neither an array nor an object");
  }
  if (packages->size() > kMaxPackages) {
    return ResourceExhaustedError("installed.json lists more than " +
                                  std::to_string(kMaxPackages) + " packages");
  }
  InstalledJson out;
  for (size_t i = 0; i < packages->size(); ++i) {
    Result<sbom::Package> p = ReadPackage((*packages)[i], dev);
    if (p.ok()) {
      out.packages.push_back(*std::move(p));
    } else {
      out.problems.push_back("package " + std::to_string(i + 1) + ": " +
                             p.status().message());
    }
  }
  return out;
}

}  // namespace strata::catalog::php
