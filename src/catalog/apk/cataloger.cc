#include "catalog/apk/cataloger.h"

#include <map>
#include <set>
#include <string>
#include <utility>

#include "catalog/apk/parse_installed.h"

namespace strata::catalog::apk {

namespace {

constexpr std::string_view kName = "apk-db-cataloger";
// apk-tools 2 keeps its database under lib/, apk-tools 3 under usr/lib/
// (often with lib/apk a symlink to it: the same file is read once).
constexpr std::string_view kDbPaths[] = {"lib/apk/db/installed",
                                         "usr/lib/apk/db/installed"};

std::string Key(const sbom::Package& p) {
  return p.name + '\0' + p.version + '\0' + p.architecture;
}

// For each package key, the lowest layer below `layer` whose copy of the
// db lists it.
std::map<std::string, int> FirstLayers(const image::LoadedImage& image,
                                       const std::string& path, int layer) {
  std::map<std::string, int> first;
  for (const image::CapturedFile* copy : EarlierCopies(image, path, layer)) {
    Result<InstalledDb> db = ParseInstalled(copy->content);
    if (!db.ok()) continue;  // that copy tells nothing reliable
    for (const sbom::Package& p : db->packages) {
      first.emplace(Key(p), copy->layer);
    }
  }
  return first;
}

void CatalogDb(const Context& ctx, const std::string& path, sbom::Sbom* out) {
  sbom::Location loc = LocationOf(ctx.image, path);
  auto unknown = [&](std::string reason) {
    out->unknowns.push_back({loc, std::string(kName), std::move(reason)});
  };
  Result<std::string> bytes = image::ReadFile(ctx.image, path);
  if (!bytes.ok()) {
    if (bytes.status().code() != StatusCode::kNotFound) {
      unknown(bytes.status().ToString());
    }
    return;
  }
  Result<InstalledDb> db = ParseInstalled(*bytes);
  if (!db.ok()) {
    unknown(db.status().ToString());
    return;
  }
  std::map<std::string, int> first = FirstLayers(ctx.image, path, loc.layer);
  for (sbom::Package& p : db->packages) {
    auto it = first.find(Key(p));
    p.introduced_layer = it != first.end() ? it->second : loc.layer;
    p.locations = {loc};
    p.cataloger = std::string(kName);
    out->packages.push_back(std::move(p));
  }
  for (RecordIssue& issue : db->issues) unknown(std::move(issue.reason));
}

Status Run(const Context& ctx, sbom::Sbom* out) {
  std::set<std::string> done;
  for (std::string_view path : kDbPaths) {
    Result<fs::ResolveResult> resolved = ctx.image.tree.Resolve(path);
    if (!resolved.ok()) {
      if (resolved.status().code() != StatusCode::kNotFound) {
        out->unknowns.push_back({LocationOf(ctx.image, path),
                                 std::string(kName),
                                 resolved.status().ToString()});
      }
      continue;
    }
    if (done.insert(resolved->path).second) {
      CatalogDb(ctx, resolved->path, out);
    }
  }
  return Status::Ok();
}

}  // namespace

Cataloger MakeApkCataloger() {
  return Cataloger{
      .name = kName,
      .globs = {kDbPaths[0], kDbPaths[1]},
      .rules = {},
      .run = Run,
  };
}

}  // namespace strata::catalog::apk
