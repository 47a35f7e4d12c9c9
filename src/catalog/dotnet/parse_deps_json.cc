#include "catalog/dotnet/parse_deps_json.h"

#include <map>
#include <optional>
#include <set>
#include <utility>

#include "base/caps.h"
#include "base/json.h"

namespace strata::catalog::dotnet {
namespace {

// Libraries in one deps.json (large applications list a few hundred), entries
// over all its targets (one per library and target framework or runtime),
// and the bytes of a library key quoted in a problem.
constexpr size_t kMaxLibraries = 100'000;
constexpr size_t kMaxTargetEntries = 2 * kMaxLibraries;
constexpr size_t kMaxQuotedKeyBytes = 128;

constexpr std::string_view kWhat = "deps.json";

std::string Quoted(std::string_view key) {
  if (key.size() <= kMaxQuotedKeyBytes) return "\"" + std::string(key) + "\"";
  return "\"" + std::string(key.substr(0, kMaxQuotedKeyBytes)) + "...\"";
}

// Dependency names of every "Name/Version" key, over all targets.
Result<std::map<std::string, std::set<std::string>>> TargetDependencies(
    const json::Json& doc) {
  std::map<std::string, std::set<std::string>> deps;
  Result<const json::Json*> targets = json::GetObject(doc, "targets");
  if (!targets.ok()) {
    return DataLossError("deps.json: " + targets.status().message());
  }
  if (*targets == nullptr) return deps;
  size_t entries = 0;
  for (auto t = (*targets)->begin(); t != (*targets)->end(); ++t) {
    if (!t.value().is_object()) {
      return DataLossError("deps.json: target " + Quoted(t.key()) +
                           " is not an object");
    }
    for (auto e = t.value().begin(); e != t.value().end(); ++e) {
      if (++entries > kMaxTargetEntries) {
        return ResourceExhaustedError("deps.json has more than " +
                                      std::to_string(kMaxTargetEntries) +
                                      " target entries");
      }
      if (!e.value().is_object()) continue;
      auto d = e.value().find("dependencies");
      if (d == e.value().end() || !d->is_object()) continue;
      std::set<std::string>& names = deps[e.key()];
      for (auto n = d->begin(); n != d->end(); ++n) names.insert(n.key());
    }
  }
  return deps;
}

Result<sbom::Package> ReadLibrary(
    const std::string& key, const json::Json& library,
    const std::map<std::string, std::set<std::string>>& deps) {
  size_t slash = key.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == key.size()) {
    return DataLossError("key is not \"name/version\"");
  }
  ASSIGN_OR_RETURN(std::optional<std::string> sha512,
                   json::GetString(library, "sha512"));
  ASSIGN_OR_RETURN(std::optional<std::string> path,
                   json::GetString(library, "path"));
  sbom::Package p;
  p.type = sbom::PackageType::kDotnet;
  p.name = key.substr(0, slash);
  p.version = key.substr(slash + 1);
  if (auto it = deps.find(key); it != deps.end()) {
    p.depends.assign(it->second.begin(), it->second.end());
  }
  if (sha512 && !sha512->empty()) p.extra["nuget.sha512"] = *std::move(sha512);
  if (path && !path->empty()) p.extra["nuget.path"] = *std::move(path);
  return p;
}

}  // namespace

Result<DepsJson> ParseDepsJson(std::string_view bytes) {
  ASSIGN_OR_RETURN(json::Json doc,
                   json::Parse(bytes, kWhat, caps::kMaxCapturedFileBytes));
  if (!doc.is_object()) return DataLossError("deps.json is not an object");
  Result<const json::Json*> libraries = json::GetObject(doc, "libraries");
  if (!libraries.ok() || *libraries == nullptr) {
    return DataLossError("deps.json has no \"libraries\" object");
  }
  if ((*libraries)->size() > kMaxLibraries) {
    return ResourceExhaustedError("deps.json lists more than " +
                                  std::to_string(kMaxLibraries) + " libraries");
  }
  ASSIGN_OR_RETURN(auto deps, TargetDependencies(doc));
  DepsJson out;
  for (auto l = (*libraries)->begin(); l != (*libraries)->end(); ++l) {
    auto problem = [&](const Status& s) {
      out.problems.push_back("library " + Quoted(l.key()) + ": " + s.message());
    };
    if (!l.value().is_object()) {
      problem(DataLossError("not an object"));
      continue;
    }
    Result<std::optional<std::string>> type =
        json::GetString(l.value(), "type");
    if (!type.ok()) {
      problem(type.status());
      continue;
    }
    if (*type != "package") continue;  // the app's projects, references, ...
    Result<sbom::Package> p = ReadLibrary(l.key(), l.value(), deps);
    if (p.ok()) {
      out.packages.push_back(*std::move(p));
    } else {
      problem(p.status());
    }
  }
  return out;
}

}  // namespace strata::catalog::dotnet
