#include "catalog/rpm/cataloger.h"

#include <set>
#include <tuple>

#include "rpmdb/rpmdb.h"

namespace strata::catalog::rpm {
namespace {

constexpr std::string_view kName = "rpm-db-cataloger";

// Where rpm keeps its database: the classic path, the newer sysimage path
// (Fedora 36+, SUSE), and the old SUSE path; each in any of the formats.
constexpr std::string_view kDbPaths[] = {
    "var/lib/rpm/rpmdb.sqlite",
    "var/lib/rpm/Packages.db",
    "var/lib/rpm/Packages",
    "usr/lib/sysimage/rpm/rpmdb.sqlite",
    "usr/lib/sysimage/rpm/Packages.db",
    "usr/lib/sysimage/rpm/Packages",
    "usr/share/rpm/rpmdb.sqlite",
    "usr/share/rpm/Packages.db",
    "usr/share/rpm/Packages",
};

// "util-linux-2.32.1-42.el8_8.src.rpm" -> name "util-linux",
// version "2.32.1-42.el8_8". Empty on a malformed name.
std::pair<std::string, std::string> SplitSourceRpm(std::string_view s) {
  for (std::string_view suffix : {".src.rpm", ".nosrc.rpm"}) {
    if (s.size() > suffix.size() && s.ends_with(suffix)) {
      s.remove_suffix(suffix.size());
      size_t r = s.rfind('-');
      if (r == std::string_view::npos || r == 0) return {};
      size_t v = s.rfind('-', r - 1);
      if (v == std::string_view::npos || v == 0) return {};
      return {std::string(s.substr(0, v)), std::string(s.substr(v + 1))};
    }
  }
  return {};
}

using Key = std::tuple<std::string, std::string, std::string, std::string>;

Key KeyOf(const rpmdb::Package& p) {
  return {p.name, p.epoch ? std::to_string(*p.epoch) : "",
          p.version + "-" + p.release, p.arch};
}

sbom::Package ToPackage(const rpmdb::Package& p, const sbom::Location& loc) {
  sbom::Package out;
  out.type = sbom::PackageType::kRpm;
  out.name = p.name;
  out.version = p.version + "-" + p.release;
  if (p.epoch) out.epoch = std::to_string(*p.epoch);
  out.architecture = p.arch;
  auto [src_name, src_version] = SplitSourceRpm(p.source_rpm);
  out.source_name = src_name;
  out.source_version = src_version;
  if (!p.license.empty()) out.licenses.push_back(p.license);
  out.maintainer = p.vendor;
  out.description = p.summary;
  out.files = p.files;
  for (std::string& f : out.files) {
    if (!f.empty() && f.front() == '/') f.erase(0, 1);
  }
  out.depends = p.requires_names;
  out.provides = p.provides_names;
  out.locations.push_back(loc);
  out.cataloger = std::string(kName);
  if (!p.modularity_label.empty()) {
    out.extra["modularityLabel"] = p.modularity_label;
  }
  if (!p.sigmd5.empty()) out.extra["sigmd5"] = p.sigmd5;
  return out;
}

Status Run(const Context& ctx, sbom::Sbom* out) {
  for (std::string_view path : kDbPaths) {
    const fs::FileInfo* info = ctx.image.tree.Lookup(path);
    if (info == nullptr) continue;
    const sbom::Location loc = LocationOf(ctx.image, path);
    auto unknown = [&](std::string reason) {
      out->unknowns.push_back({loc, std::string(kName), std::move(reason)});
    };
    Result<std::string> bytes = image::ReadFile(ctx.image, path);
    if (!bytes.ok()) {
      unknown(bytes.status().ToString());
      continue;
    }
    Result<rpmdb::ReadResult> db = rpmdb::ReadDatabase(*bytes);
    if (!db.ok()) {
      unknown(db.status().ToString());
      continue;
    }
    for (const std::string& p : db->problems) unknown(p);

    // The layer that introduced each package: the first earlier copy of
    // this database that lists it, else this copy's layer.
    std::map<Key, int> first_layer;
    for (const image::CapturedFile* copy :
         EarlierCopies(ctx.image, path, loc.layer)) {
      Result<rpmdb::ReadResult> old = rpmdb::ReadDatabase(copy->content);
      if (!old.ok()) continue;
      for (const rpmdb::Package& p : old->packages) {
        first_layer.emplace(KeyOf(p), copy->layer);
      }
    }
    for (const rpmdb::Package& p : db->packages) {
      sbom::Package pkg = ToPackage(p, loc);
      auto it = first_layer.find(KeyOf(p));
      pkg.introduced_layer = it != first_layer.end() ? it->second : loc.layer;
      out->packages.push_back(std::move(pkg));
    }
  }
  return Status::Ok();
}

}  // namespace

Cataloger MakeRpmCataloger() {
  Cataloger c;
  c.name = kName;
  for (std::string_view p : kDbPaths) c.globs.push_back(p);
  c.run = &Run;
  return c;
}

}  // namespace strata::catalog::rpm
