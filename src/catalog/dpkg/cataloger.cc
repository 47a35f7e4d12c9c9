#include "catalog/dpkg/cataloger.h"

#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "catalog/dpkg/licenses.h"
#include "catalog/dpkg/parse_status.h"

namespace strata::catalog::dpkg {
namespace {

constexpr std::string_view kName = "dpkg-db-cataloger";
constexpr std::string_view kStatusPath = "var/lib/dpkg/status";
constexpr std::string_view kStatusDirGlob = "var/lib/dpkg/status.d/*";
constexpr std::string_view kInfoDir = "var/lib/dpkg/info/";
constexpr std::string_view kMd5sumsSuffix = ".md5sums";

std::string Key(const StatusRecord& r) {
  std::string key = r.package;
  key += '\0';
  key += r.version;
  key += '\0';
  key += r.architecture;
  return key;
}

// A package name or architecture usable as one path component.
bool SafeComponent(std::string_view s) {
  return !s.empty() && s != "." && s != ".." && s.size() <= 255 &&
         s.find_first_of(std::string_view("/\0", 2)) == std::string_view::npos;
}

class Run {
 public:
  Run(const Context& ctx, sbom::Sbom* out) : image_(ctx.image), out_(out) {}

  // Catalogs one database file (status or a status.d file).
  void Database(std::string_view path, bool status_d) {
    auto content = image::ReadFile(image_, path);
    if (!content.ok()) {
      // A status.d directory entry that is not a regular file is no db.
      if (content.status().code() != StatusCode::kNotFound) {
        AddUnknown(path, content.status().ToString());
      }
      return;
    }
    ParsedStatus parsed = ParseStatus(*content);
    for (const StanzaProblem& p : parsed.problems) AddUnknown(path, p.reason);
    if (parsed.records.empty()) return;
    const sbom::Location location = LocationOf(image_, path);
    const std::unordered_map<std::string, int> first =
        FirstLayers(path, location.layer);
    for (StatusRecord& r : parsed.records) {
      sbom::Package p;
      p.type = sbom::PackageType::kDeb;
      auto it = first.find(Key(r));
      p.introduced_layer = it != first.end() ? it->second : location.layer;
      p.files = OwnedFiles(r, status_d ? std::string(path) : "");
      p.licenses = Licenses(r.package);
      p.name = std::move(r.package);
      p.version = std::move(r.version);
      p.architecture = std::move(r.architecture);
      p.source_name = std::move(r.source_name);
      p.source_version = std::move(r.source_version);
      p.maintainer = std::move(r.maintainer);
      p.description = std::move(r.description);
      p.depends = std::move(r.depends);
      p.provides = std::move(r.provides);
      p.locations = {location};
      p.cataloger = std::string(kName);
      out_->packages.push_back(std::move(p));
    }
  }

 private:
  void AddUnknown(std::string_view path, std::string reason) {
    out_->unknowns.push_back(
        {LocationOf(image_, path), std::string(kName), std::move(reason)});
  }

  // The first layer below `layer` whose copy of `path` lists each (name,
  // version, arch): every earlier copy parsed once, lowest layer first.
  std::unordered_map<std::string, int> FirstLayers(std::string_view path,
                                                   int layer) {
    std::unordered_map<std::string, int> first;
    for (const image::CapturedFile* copy : EarlierCopies(image_, path, layer)) {
      for (const StatusRecord& r : ParseStatus(copy->content).records) {
        first.try_emplace(Key(r), copy->layer);
      }
    }
    return first;
  }

  // Reads an optional auxiliary file: nullopt when absent; other failures
  // (over the capture cap, not captured) become unknowns.
  std::optional<std::string> ReadOptional(const std::string& path) {
    auto content = image::ReadFile(image_, path);
    if (content.ok()) return std::move(content).value();
    if (content.status().code() != StatusCode::kNotFound) {
      AddUnknown(path, content.status().ToString());
    }
    return std::nullopt;
  }

  // Paths from info/<pkg>[:<arch>].list, else from the md5sums (the
  // status.d file's own, then info/'s); directories left out.
  std::vector<std::string> OwnedFiles(const StatusRecord& r,
                                      const std::string& status_d_file) {
    if (!SafeComponent(r.package)) return {};
    std::vector<std::string> names;
    if (SafeComponent(r.architecture)) {
      names.push_back(r.package + ":" + r.architecture);
    }
    names.push_back(r.package);
    std::vector<std::string> files;
    for (const std::string& n : names) {
      if (auto list = ReadOptional(std::string(kInfoDir) + n + ".list")) {
        files = ParseFileList(*list);
        break;
      }
    }
    if (files.empty()) {
      std::vector<std::string> sums;
      if (!status_d_file.empty()) {
        sums.push_back(status_d_file + std::string(kMd5sumsSuffix));
      }
      for (const std::string& n : names) {
        sums.push_back(std::string(kInfoDir) + n + std::string(kMd5sumsSuffix));
      }
      for (const std::string& s : sums) {
        if (auto content = ReadOptional(s)) {
          files = ParseMd5sums(*content);
          break;
        }
      }
    }
    std::erase_if(files, [&](const std::string& f) {
      const fs::FileInfo* info = image_.tree.Lookup(f);
      return info && info->type == fs::FileType::kDirectory;
    });
    return files;
  }

  std::vector<std::string> Licenses(const std::string& package) {
    if (!SafeComponent(package)) return {};
    auto content = ReadOptional("usr/share/doc/" + package + "/copyright");
    return content ? ParseCopyrightLicenses(*content)
                   : std::vector<std::string>{};
  }

  const image::LoadedImage& image_;
  sbom::Sbom* out_;
};

Status RunDpkg(const Context& ctx, sbom::Sbom* out) {
  Run run(ctx, out);
  run.Database(kStatusPath, /*status_d=*/false);
  for (const std::string& path : ctx.image.tree.Glob(kStatusDirGlob)) {
    if (path.ends_with(kMd5sumsSuffix)) continue;
    run.Database(path, /*status_d=*/true);
  }
  return Status::Ok();
}

}  // namespace

Cataloger MakeDpkgCataloger() {
  return Cataloger{
      .name = kName,
      .globs = {kStatusPath, kStatusDirGlob, "var/lib/dpkg/info/*.list",
                "var/lib/dpkg/info/*.md5sums", "usr/share/doc/*/copyright"},
      .rules = {},
      .run = RunDpkg,
  };
}

}  // namespace strata::catalog::dpkg
