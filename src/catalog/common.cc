#include "catalog/cataloger.h"

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

}  // namespace strata::catalog
