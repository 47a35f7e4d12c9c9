#include "catalog/python/cataloger.h"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "base/path.h"
#include "catalog/python/licenses.h"
#include "catalog/python/parse_files.h"
#include "catalog/python/parse_metadata.h"

namespace strata::catalog::python {
namespace {

constexpr std::string_view kName = "python-installed-package-cataloger";

constexpr std::string_view kDistInfoMetadata = "**/*.dist-info/METADATA";
constexpr std::string_view kDistInfoRecord = "**/*.dist-info/RECORD";
constexpr std::string_view kEggInfoPkgInfo = "**/*.egg-info/PKG-INFO";
constexpr std::string_view kEggInfoInstalledFiles =
    "**/*.egg-info/installed-files.txt";
constexpr std::string_view kEggInfoRequires = "**/*.egg-info/requires.txt";
constexpr std::string_view kEggInfoFile = "**/*.egg-info";
constexpr std::string_view kEggPkgInfo = "**/*.egg/EGG-INFO/PKG-INFO";
constexpr std::string_view kEggRequires = "**/*.egg/EGG-INFO/requires.txt";

// How a metadata file was installed (decides where its siblings are).
enum class Kind { kDistInfo, kEggInfoDir, kEggInfoFile, kEgg };

class Run {
 public:
  Run(const Context& ctx, sbom::Sbom* out) : image_(ctx.image), out_(out) {}

  void Catalog(std::string_view glob, Kind kind) {
    for (const image::CapturedFile* f :
         image::CurrentCaptured(image_, "", glob)) {
      Distribution(*f, kind);
    }
  }

  void Finish() {
    for (sbom::Package& p : packages_) out_->packages.push_back(std::move(p));
  }

 private:
  void Distribution(const image::CapturedFile& f, Kind kind) {
    const sbom::Location location = LocationOf(image_, f);
    if (f.truncated) {
      AddUnknown(location, "larger than the capture cap");
      return;
    }
    Result<Metadata> m = ParseMetadata(f.content);
    if (!m.ok()) {
      AddUnknown(location, m.status().ToString());
      return;
    }
    // The metadata directory (.dist-info, .egg-info, EGG-INFO) and the site
    // directory holding it.
    const std::string meta_dir(path::Dirname(f.path));
    std::string site;
    switch (kind) {
      case Kind::kEggInfoFile:
        site = meta_dir;
        break;
      case Kind::kEgg:
        site = path::Dirname(path::Dirname(meta_dir));
        break;
      default:
        site = path::Dirname(meta_dir);
    }

    sbom::Package p;
    p.type = sbom::PackageType::kPython;
    p.licenses = Licenses(m->license_expression, m->license, m->classifiers);
    p.name = std::move(m->name);
    p.version = std::move(m->version);
    p.description = std::move(m->summary);
    p.depends = std::move(m->depends);
    if (kind == Kind::kDistInfo) {
      p.files = Files(meta_dir + "/RECORD", site, ParseRecord);
    } else if (kind == Kind::kEggInfoDir) {
      p.files = Files(meta_dir + "/installed-files.txt", meta_dir,
                      ParseInstalledFiles);
    }
    if (kind == Kind::kEggInfoDir || kind == Kind::kEgg) {
      if (auto requires_txt = ReadOptional(meta_dir + "/requires.txt")) {
        std::set<std::string> seen(p.depends.begin(), p.depends.end());
        for (std::string& d : ParseRequiresTxt(*requires_txt)) {
          if (seen.insert(d).second) p.depends.push_back(std::move(d));
        }
      }
    }
    std::string normalized = NormalizeName(p.name);
    if (normalized != p.name) p.provides = {normalized};
    p.extra["python.site"] = site;
    p.locations = {location};
    p.cataloger = std::string(kName);

    // One package per distribution and site directory.
    std::string key = site + '\0' + normalized + '\0' + p.version;
    auto [it, inserted] = index_.try_emplace(std::move(key), packages_.size());
    if (inserted) {
      packages_.push_back(std::move(p));
      return;
    }
    sbom::Package& first = packages_[it->second];
    first.locations.push_back(location);
    if (first.files.empty()) first.files = std::move(p.files);
  }

  // Paths of the file list at `list_path`, relative to `dir`; none when it
  // is absent; a list that cannot be read becomes an unknown.
  std::vector<std::string> Files(const std::string& list_path,
                                 std::string_view dir,
                                 Result<std::vector<std::string>> (*parse)(
                                     std::string_view, std::string_view)) {
    std::optional<std::string> content = ReadOptional(list_path);
    if (!content) return {};
    Result<std::vector<std::string>> files = parse(*content, dir);
    if (!files.ok()) {
      AddUnknown(LocationOf(image_, list_path), files.status().ToString());
      return {};
    }
    return *std::move(files);
  }

  // Reads an optional sibling file: nullopt when absent; other failures
  // (over the capture cap) become unknowns.
  std::optional<std::string> ReadOptional(const std::string& path) {
    Result<std::string> content = image::ReadFile(image_, path);
    if (content.ok()) return *std::move(content);
    if (content.status().code() != StatusCode::kNotFound) {
      AddUnknown(LocationOf(image_, path), content.status().ToString());
    }
    return std::nullopt;
  }

  void AddUnknown(sbom::Location location, std::string reason) {
    out_->unknowns.push_back(
        {std::move(location), std::string(kName), std::move(reason)});
  }

  const image::LoadedImage& image_;
  sbom::Sbom* out_;
  std::vector<sbom::Package> packages_;
  std::map<std::string, size_t> index_;  // site, name, version -> package
};

Status RunPython(const Context& ctx, sbom::Sbom* out) {
  Run run(ctx, out);
  run.Catalog(kDistInfoMetadata, Kind::kDistInfo);
  run.Catalog(kEggInfoPkgInfo, Kind::kEggInfoDir);
  run.Catalog(kEggInfoFile, Kind::kEggInfoFile);
  run.Catalog(kEggPkgInfo, Kind::kEgg);
  run.Finish();
  return Status::Ok();
}

}  // namespace

Cataloger MakePythonCataloger() {
  return Cataloger{
      .name = kName,
      .globs = {kDistInfoMetadata, kDistInfoRecord, kEggInfoPkgInfo,
                kEggInfoInstalledFiles, kEggInfoRequires, kEggInfoFile,
                kEggPkgInfo, kEggRequires},
      .rules = {},
      .run = RunPython,
  };
}

}  // namespace strata::catalog::python
