#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "base/caps.h"
#include "catalog/cataloger.h"
#include "elf/elf.h"
#include "sbom/format_internal.h"

namespace strata::catalog {

namespace {
std::string LayerDigest(const image::LoadedImage& image, int layer) {
  if (layer < 0 || layer >= static_cast<int>(image.layers.size()) ||
      image.layers[layer].diff_id.empty()) {
    return "";
  }
  return image.layers[layer].diff_id.ToString();
}
}  // namespace

sbom::Location LocationOf(const image::LoadedImage& image,
                          std::string_view path) {
  sbom::Location loc;
  loc.path = std::string(path);
  if (const fs::FileInfo* f = image.tree.Lookup(path)) {
    loc.layer = image.metadata ? f->layer : -1;
  }
  loc.layer_digest = LayerDigest(image, loc.layer);
  return loc;
}

sbom::Location LocationOf(const image::LoadedImage& image,
                          const image::CapturedFile& file) {
  sbom::Location loc;
  loc.path = file.path;
  loc.layer = image.metadata ? file.layer : -1;
  loc.layer_digest = LayerDigest(image, loc.layer);
  return loc;
}

std::vector<const image::CapturedFile*> EarlierCopies(
    const image::LoadedImage& image, std::string_view path, int layer) {
  std::vector<const image::CapturedFile*> out;
  if (!image.metadata) return out;
  for (const image::CapturedFile* copy : image::CapturedCopies(image, path)) {
    if (copy->layer < layer && !copy->truncated) out.push_back(copy);
  }
  return out;
}

std::optional<std::string> DeclaredLicense(std::string_view text) {
  constexpr size_t kMaxLicenseNameBytes = 128;
  if (auto expr = sbom::internal::NormalizeSpdxExpression(text)) return expr;
  if (text.empty() || text.size() > kMaxLicenseNameBytes ||
      text.find('\n') != std::string_view::npos) {
    return std::nullopt;
  }
  return sbom::LicenseRefFor(text);
}

void ForEachCaptured(
    const image::LoadedImage& image, std::string_view rule,
    std::string_view glob, std::string_view cataloger,
    std::string_view truncated_reason, sbom::Sbom* out,
    const std::function<void(const image::CapturedFile& file,
                             const sbom::Location& location)>& fn) {
  for (const image::CapturedFile* f :
       image::CurrentCaptured(image, rule, glob)) {
    sbom::Location location = LocationOf(image, *f);
    if (f->truncated || !f->error.empty()) {
      out->unknowns.push_back(
          {std::move(location), std::string(cataloger),
           f->truncated ? std::string(truncated_reason) : f->error});
      continue;
    }
    fn(*f, location);
  }
}

image::CaptureRule ElfBinaryRule(std::string_view name,
                                 decltype(image::CaptureRule::reduce) reduce) {
  return image::CaptureRule{
      .name = name,
      .globs = {},
      .executables = true,
      .magic = std::string(elf::kMagic),
      .max_file_bytes = caps::kMaxAnalysedFileBytes,
      .reduce = std::move(reduce),
  };
}

void ForEachCapturedBinary(
    const image::LoadedImage& image, std::string_view rule,
    std::string_view cataloger, sbom::Sbom* out,
    const std::function<void(const image::CapturedFile& file,
                             const sbom::Location& location)>& fn) {
  static const std::string kTooLarge =
      "larger than the " +
      std::to_string(caps::kMaxAnalysedFileBytes / caps::kMiB) +
      " MiB cap on analysed binaries";
  ForEachCaptured(image, rule, "", cataloger, kTooLarge, out, fn);
}

namespace {

std::string_view BaseName(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// `path` with its directory resolved through the image's symlinks
// (memoised per directory); the path itself when that fails.
class Canonicaliser {
 public:
  explicit Canonicaliser(const image::LoadedImage& image) : image_(image) {}
  std::string operator()(std::string_view path) {
    size_t slash = path.rfind('/');
    if (slash == std::string_view::npos) return std::string(path);
    std::string dir(path.substr(0, slash));
    auto it = dirs_.find(dir);
    if (it == dirs_.end()) {
      Result<fs::ResolveResult> r = image_.tree.Resolve(dir, true);
      it = dirs_.emplace(dir, r.ok() ? r->path : dir).first;
    }
    std::string out = it->second;
    if (!out.empty()) out += '/';
    out += path.substr(slash + 1);
    return out;
  }

 private:
  const image::LoadedImage& image_;
  std::unordered_map<std::string, std::string> dirs_;
};

}  // namespace

void LinkOwners(const image::LoadedImage& image, sbom::Sbom* sbom) {
  std::unordered_set<std::string> ids;
  for (const sbom::Package& p : sbom->packages) {
    if (!p.id.empty()) ids.insert(p.id);
  }
  int n = 0;
  for (sbom::Package& p : sbom->packages) {
    while (p.id.empty()) {
      std::string id = "owned-link:" + std::to_string(n++);
      if (ids.insert(id).second) p.id = std::move(id);
    }
  }
  // Outer file of each non-OS package -> those packages.
  Canonicaliser canonical(image);
  std::unordered_map<std::string, std::vector<size_t>> by_path;
  std::unordered_set<std::string_view> base_names;
  for (size_t i = 0; i < sbom->packages.size(); ++i) {
    const sbom::Package& p = sbom->packages[i];
    if (sbom::IsOsPackage(p.type)) continue;
    for (const sbom::Location& l : p.locations) {
      std::string outer = canonical(l.path.substr(0, l.path.find('!')));
      auto [it, added] = by_path.try_emplace(std::move(outer));
      if (added) base_names.insert(BaseName(it->first));
      if (it->second.empty() || it->second.back() != i) {
        it->second.push_back(i);
      }
    }
  }
  if (by_path.empty()) return;
  for (const sbom::Package& os : sbom->packages) {
    if (!sbom::IsOsPackage(os.type)) continue;
    for (const std::string& f : os.files) {
      if (!base_names.contains(BaseName(f))) continue;  // the common case
      auto it = by_path.find(canonical(f));
      if (it == by_path.end()) continue;
      for (size_t i : it->second) {
        sbom->relationships.push_back(
            {os.id, sbom->packages[i].id, "contains"});
      }
    }
  }
}

}  // namespace strata::catalog
