#include "catalog/ruby/cataloger.h"

#include <optional>
#include <string>
#include <utility>

#include "base/path.h"
#include "catalog/ruby/parse_gemspec.h"

namespace strata::catalog::ruby {
namespace {

constexpr std::string_view kName = "ruby-installed-gemspec-cataloger";
constexpr std::string_view kSpecGlob = "**/specifications/*.gemspec";
constexpr std::string_view kDefaultSpecGlob =
    "**/specifications/default/*.gemspec";
constexpr std::string_view kSuffix = ".gemspec";

// s.files as image paths below `gem_dir`; paths climbing out of the image
// are dropped.
std::vector<std::string> Files(const std::vector<std::string>& files,
                               const std::string& gem_dir) {
  std::vector<std::string> out;
  for (const std::string& f : files) {
    if (f.empty() || f.front() == '/') continue;
    Result<std::string> p = path::NormalizeEntryPath(gem_dir + "/" + f);
    if (p.ok() && !p->empty()) out.push_back(*std::move(p));
  }
  return out;
}

void Catalog(const Context& ctx, std::string_view glob, bool default_gems,
             sbom::Sbom* out) {
  for (const image::CapturedFile* f :
       image::CurrentCaptured(ctx.image, "", glob)) {
    const sbom::Location location = LocationOf(ctx.image, *f);
    auto unknown = [&](std::string reason) {
      out->unknowns.push_back(
          {location, std::string(kName), std::move(reason)});
    };
    if (f->truncated) {
      unknown("larger than the capture cap");
      continue;
    }
    Result<Gemspec> spec = ParseGemspec(f->content);
    if (!spec.ok()) {
      unknown(spec.status().ToString());
      continue;
    }
    sbom::Package p;
    p.type = sbom::PackageType::kGem;
    p.name = std::move(spec->name);
    p.version = std::move(spec->version);
    p.description = std::move(spec->summary);
    for (const std::string& l : spec->licenses) {
      if (auto license = DeclaredLicense(l))
        p.licenses.push_back(*std::move(license));
    }
    p.depends = std::move(spec->depends);
    if (!default_gems) {
      // <home>/specifications/<stem>.gemspec -> <home>/gems/<stem>
      std::string_view base = path::Basename(f->path);
      std::string_view home = path::Dirname(path::Dirname(f->path));
      std::string gem_dir = path::Join(
          home,
          "gems/" + std::string(base.substr(0, base.size() - kSuffix.size())));
      // Only where the gem was unpacked there (Debian's gems live in
      // vendor_ruby instead).
      const fs::FileInfo* dir = ctx.image.tree.Lookup(gem_dir);
      if (dir && dir->type == fs::FileType::kDirectory) {
        p.files = Files(spec->files, gem_dir);
      }
    }
    p.locations = {location};
    p.cataloger = std::string(kName);
    out->packages.push_back(std::move(p));
  }
}

Status RunRuby(const Context& ctx, sbom::Sbom* out) {
  Catalog(ctx, kSpecGlob, /*default_gems=*/false, out);
  Catalog(ctx, kDefaultSpecGlob, /*default_gems=*/true, out);
  return Status::Ok();
}

}  // namespace

Cataloger MakeRubyCataloger() {
  return Cataloger{
      .name = kName,
      .globs = {kSpecGlob, kDefaultSpecGlob},
      .rules = {},
      .run = RunRuby,
  };
}

}  // namespace strata::catalog::ruby
