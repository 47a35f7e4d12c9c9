#include "catalog/javascript/cataloger.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "base/path.h"
#include "catalog/javascript/lock.h"
#include "catalog/javascript/package_json.h"

namespace strata::catalog::javascript {
namespace {

constexpr std::string_view kPackageName = "javascript-package-cataloger";
constexpr std::string_view kLockName = "javascript-lock-cataloger";
constexpr std::string_view kManifest = "package.json";
constexpr std::string_view kManifestGlob = "**/package.json";
constexpr std::string_view kNodeModules = "node_modules";
constexpr std::string_view kNpmLock = "package-lock.json";
constexpr std::string_view kShrinkwrap = "npm-shrinkwrap.json";
constexpr std::string_view kYarnLock = "yarn.lock";
constexpr std::string_view kPnpmLock = "pnpm-lock.yaml";
constexpr std::string_view kLockFiles[] = {kNpmLock, kShrinkwrap, kYarnLock,
                                           kPnpmLock};
constexpr std::string_view kLockGlobs[] = {"**/package-lock.json",
                                           "**/npm-shrinkwrap.json",
                                           "**/yarn.lock", "**/pnpm-lock.yaml"};

using Components = std::vector<std::string_view>;

std::string JoinComponents(const Components& c, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    if (i) out += '/';
    out += c[i];
  }
  return out;
}

// True for directories [<name>] or [@<scope>, <name>] (from `from` to the
// end of `dirs`): a package root below a modules directory.
bool IsPackageRoot(const Components& dirs, size_t from) {
  auto named = [](std::string_view d) { return !d.empty() && d[0] != '.'; };
  if (dirs.size() == from + 1) return named(dirs[from]) && dirs[from][0] != '@';
  return dirs.size() == from + 2 && dirs[from].size() > 1 &&
         dirs[from][0] == '@' && named(dirs[from + 1]);
}

// Components of a Debian module root at the start of `dirs` (3 for
// usr/share/nodejs and usr/lib/nodejs, 4 for usr/lib/<triplet>/nodejs), or 0.
size_t DebianRootLength(const Components& dirs) {
  if (dirs.size() < 3 || dirs[0] != "usr") return 0;
  if ((dirs[1] == "share" || dirs[1] == "lib") && dirs[2] == "nodejs") return 3;
  if (dirs.size() >= 4 && dirs[1] == "lib" && dirs[3] == "nodejs") return 4;
  return 0;
}

enum class Kind { kNone, kModule, kDebianModule, kProject };

struct Manifest {
  Kind kind = Kind::kNone;
  // kModule: the directory holding the outermost node_modules; kProject:
  // the manifest's directory. A lock there describes this package.
  std::string project;
};

Manifest Classify(std::string_view manifest_path) {
  Components dirs = path::Split(manifest_path);
  if (dirs.empty() || dirs.back() != kManifest) return {};
  dirs.pop_back();
  auto last = std::find(dirs.rbegin(), dirs.rend(), kNodeModules);
  if (last != dirs.rend()) {
    const size_t after = static_cast<size_t>(dirs.rend() - last);
    if (!IsPackageRoot(dirs, after)) return {};
    const size_t first = static_cast<size_t>(
        std::find(dirs.begin(), dirs.end(), kNodeModules) - dirs.begin());
    return {Kind::kModule, JoinComponents(dirs, first)};
  }
  if (size_t n = DebianRootLength(dirs)) {
    return IsPackageRoot(dirs, n) ? Manifest{Kind::kDebianModule, ""}
                                  : Manifest{};
  }
  return {Kind::kProject, JoinComponents(dirs, dirs.size())};
}

// A lock file inside an installed package describes that package's own
// development, not what is installed.
bool InsidePackage(std::string_view lock_path) {
  Components dirs = path::Split(lock_path);
  dirs.pop_back();
  return std::find(dirs.begin(), dirs.end(), kNodeModules) != dirs.end() ||
         DebianRootLength(dirs) != 0;
}

// A project directory: a node_modules directory or a lock file beside the
// manifest.
bool IsProjectDir(const image::LoadedImage& image, std::string_view dir) {
  if (image.tree.Lookup(path::Join(dir, kNodeModules))) return true;
  for (std::string_view lock : kLockFiles) {
    if (image.tree.Lookup(path::Join(dir, lock))) return true;
  }
  return false;
}

void AddUnknown(const image::LoadedImage& image, const image::CapturedFile& f,
                std::string_view cataloger, std::string reason,
                sbom::Sbom* out) {
  out->unknowns.push_back(
      {LocationOf(image, f), std::string(cataloger), std::move(reason)});
}

constexpr std::string_view kTruncated = "larger than the capture cap";

// A manifest the package cataloger reports, parsed.
struct Installed {
  const image::CapturedFile* file;
  Manifest manifest;
  PackageJson package;
};

// The manifests the package cataloger reports, or with `projects` only
// those of these project directories. Problems become unknowns when `out`
// is given.
std::vector<Installed> ReadManifests(const image::LoadedImage& image,
                                     const std::set<std::string>* projects,
                                     sbom::Sbom* out) {
  std::vector<Installed> result;
  for (const image::CapturedFile* f :
       image::CurrentCaptured(image, "", kManifestGlob)) {
    auto unknown = [&](std::string reason) {
      if (out) AddUnknown(image, *f, kPackageName, std::move(reason), out);
    };
    Manifest m = Classify(f->path);
    if (m.kind == Kind::kNone) continue;
    if (projects &&
        (m.kind == Kind::kDebianModule || !projects->count(m.project))) {
      continue;
    }
    if (m.kind == Kind::kProject && !IsProjectDir(image, m.project)) continue;
    if (f->truncated) {
      unknown(std::string(kTruncated));
      continue;
    }
    Result<PackageJson> parsed = ParsePackageJson(f->content);
    if (!parsed.ok()) {
      unknown(parsed.status().ToString());
      continue;
    }
    if (parsed->name.empty() || parsed->version.empty()) {
      if (m.kind != Kind::kProject) {
        unknown(parsed->name.empty() ? "package.json has no name"
                                     : "package.json has no version");
      }
      continue;
    }
    result.push_back({f, std::move(m), std::move(parsed).value()});
  }
  return result;
}

sbom::Package NewPackage(const image::LoadedImage& image,
                         const image::CapturedFile& f,
                         std::string_view cataloger) {
  sbom::Package p;
  p.type = sbom::PackageType::kNpm;
  p.locations = {LocationOf(image, f)};
  p.introduced_layer = p.locations.front().layer;
  p.cataloger = std::string(cataloger);
  return p;
}

Status RunPackages(const Context& ctx, sbom::Sbom* out) {
  for (Installed& i : ReadManifests(ctx.image, nullptr, out)) {
    sbom::Package p = NewPackage(ctx.image, *i.file, kPackageName);
    p.name = std::move(i.package.name);
    p.version = std::move(i.package.version);
    p.licenses = std::move(i.package.licenses);
    p.description = std::move(i.package.description);
    p.maintainer = std::move(i.package.author);
    p.depends = std::move(i.package.depends);
    if (!i.package.homepage.empty()) {
      p.extra["npm.homepage"] = std::move(i.package.homepage);
    }
    if (!i.package.repository.empty()) {
      p.extra["npm.repository"] = std::move(i.package.repository);
    }
    out->packages.push_back(std::move(p));
  }
  return Status::Ok();
}

Result<ParsedLock> ParseLock(const image::CapturedFile& f) {
  std::string_view base = path::Basename(f.path);
  if (base == kYarnLock) return ParseYarnLock(f.content);
  if (base == kPnpmLock) return ParsePnpmLock(f.content);
  return ParseNpmLock(f.content);
}

Status RunLocks(const Context& ctx, sbom::Sbom* out) {
  std::vector<const image::CapturedFile*> locks;
  for (std::string_view glob : kLockGlobs) {
    for (const image::CapturedFile* f :
         image::CurrentCaptured(ctx.image, "", glob)) {
      if (!InsidePackage(f->path)) locks.push_back(f);
    }
  }
  if (locks.empty()) return Status::Ok();
  std::sort(locks.begin(), locks.end(),
            [](const image::CapturedFile* a, const image::CapturedFile* b) {
              return a->path < b->path;
            });
  std::set<std::string> projects;
  for (const image::CapturedFile* f : locks) {
    projects.emplace(path::Dirname(f->path));
  }
  std::map<std::string, std::set<std::pair<std::string, std::string>>>
      installed;
  for (Installed& i : ReadManifests(ctx.image, &projects, nullptr)) {
    installed[i.manifest.project].emplace(std::move(i.package.name),
                                          std::move(i.package.version));
  }
  for (const image::CapturedFile* f : locks) {
    if (f->truncated) {
      AddUnknown(ctx.image, *f, kLockName, std::string(kTruncated), out);
      continue;
    }
    Result<ParsedLock> lock = ParseLock(*f);
    if (!lock.ok()) {
      AddUnknown(ctx.image, *f, kLockName, lock.status().ToString(), out);
      continue;
    }
    for (std::string& problem : lock->problems) {
      AddUnknown(ctx.image, *f, kLockName, std::move(problem), out);
    }
    const std::string project(path::Dirname(f->path));
    const auto& here = installed[project];
    // With node_modules beside the lock, what is not installed there is
    // not in the image (a lock lists every platform's optional packages):
    // only the installed copies, already reported, count.
    const fs::FileInfo* modules = ctx.image.tree.Lookup(
        project.empty() ? "node_modules" : project + "/node_modules");
    if (modules && modules->type == fs::FileType::kDirectory) continue;
    for (LockPackage& l : lock->packages) {
      if (here.count({l.name, l.version})) continue;
      sbom::Package p = NewPackage(ctx.image, *f, kLockName);
      p.name = std::move(l.name);
      p.version = std::move(l.version);
      p.licenses = std::move(l.licenses);
      p.depends = std::move(l.depends);
      if (!l.resolved.empty()) p.extra["npm.resolved"] = std::move(l.resolved);
      if (!l.integrity.empty()) {
        p.extra["npm.integrity"] = std::move(l.integrity);
      }
      if (l.dev) p.extra["npm.dev"] = "true";
      if (l.optional) p.extra["npm.optional"] = "true";
      out->packages.push_back(std::move(p));
    }
  }
  return Status::Ok();
}

}  // namespace

Cataloger MakeNpmPackageCataloger() {
  return Cataloger{
      .name = kPackageName,
      .globs = {kManifestGlob},
      .rules = {},
      .run = RunPackages,
  };
}

Cataloger MakeJsLockCataloger() {
  std::vector<std::string_view> globs(std::begin(kLockGlobs),
                                      std::end(kLockGlobs));
  globs.push_back(kManifestGlob);  // to tell installed entries apart
  return Cataloger{
      .name = kLockName,
      .globs = std::move(globs),
      .rules = {},
      .run = RunLocks,
  };
}

}  // namespace strata::catalog::javascript
