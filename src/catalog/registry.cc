#include "catalog/registry.h"

#include <algorithm>
#include <atomic>
#include <iterator>
#include <thread>

#include "catalog/apk/cataloger.h"
#include "catalog/binary/cataloger.h"
#include "catalog/dotnet/cataloger.h"
#include "catalog/dpkg/cataloger.h"
#include "catalog/golang/cataloger.h"
#include "catalog/java/cataloger.h"
#include "catalog/javascript/cataloger.h"
#include "catalog/osrelease/os_release.h"
#include "catalog/php/cataloger.h"
#include "catalog/python/cataloger.h"
#include "catalog/rpm/cataloger.h"
#include "catalog/ruby/cataloger.h"
#include "catalog/rust/cataloger.h"
#include "sbom/model.h"

namespace strata::catalog {
namespace {

sbom::Source SourceOf(const image::LoadedImage& image) {
  sbom::Source s;
  s.reference = image.ref.ToString();
  s.transport = std::string(oci::TransportName(image.ref.transport));
  if (image.metadata) {
    const oci::ImageMetadata& md = *image.metadata;
    s.manifest_digest = md.manifest.digest.ToString();
    s.media_type = md.manifest.media_type;
    s.config_digest = md.config_descriptor.digest.ToString();
    s.platform = md.config.platform.ToString();
    s.repo_tags = md.repo_tags;
  }
  for (const image::LayerStats& l : image.layers) {
    if (!l.diff_id.empty()) s.layer_diff_ids.push_back(l.diff_id.ToString());
  }
  if (image.metadata && !image.metadata->repo_tags.empty() &&
      image.ref.transport == oci::Transport::kDockerArchive) {
    s.name = image.metadata->repo_tags.front();
  } else {
    std::string p = image.ref.path;
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    size_t slash = p.rfind('/');
    s.name = slash == std::string::npos ? p : p.substr(slash + 1);
    if (!image.ref.tag.empty()) s.name += ":" + image.ref.tag;
  }
  return s;
}

}  // namespace

const std::vector<Cataloger>& Catalogers() {
  static const std::vector<Cataloger> kTable = {
      // OS package databases.
      dpkg::MakeDpkgCataloger(),
      apk::MakeApkCataloger(),
      rpm::MakeRpmCataloger(),
      // Language ecosystems.
      python::MakePythonCataloger(),
      javascript::MakeNpmPackageCataloger(),
      javascript::MakeJsLockCataloger(),
      java::MakeJavaCataloger(),
      golang::MakeGolangCataloger(),
      rust::MakeRustCataloger(),
      ruby::MakeRubyCataloger(),
      php::MakePhpCataloger(),
      dotnet::MakeDotnetCataloger(),
      // Unpackaged binaries.
      binary::MakeBinaryCataloger(),
  };
  return kTable;
}

std::vector<std::string> CaptureGlobs() {
  std::vector<std::string> out;
  for (std::string_view g : osrelease::Globs()) out.emplace_back(g);
  for (const Cataloger& c : Catalogers()) {
    for (std::string_view g : c.globs) out.emplace_back(g);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<image::CaptureRule> CaptureRules() {
  std::vector<image::CaptureRule> out;
  for (const Cataloger& c : Catalogers()) {
    out.insert(out.end(), c.rules.begin(), c.rules.end());
  }
  return out;
}

Result<sbom::Sbom> Catalog(const image::LoadedImage& image) {
  sbom::Sbom out;
  out.source = SourceOf(image);
  out.distro = osrelease::Detect(image);
  Context ctx{image, out.distro};
  // Catalogers only read the image: they run in parallel, each into its
  // own part, merged in table order so the result never depends on timing.
  const std::vector<Cataloger>& table = Catalogers();
  std::vector<sbom::Sbom> parts(table.size());
  std::vector<Status> statuses(table.size());
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next++; i < table.size(); i = next++) {
      statuses[i] = table[i].run(ctx, &parts[i]);
    }
  };
  size_t threads =
      std::clamp<size_t>(std::thread::hardware_concurrency(), 1, table.size());
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();
  for (size_t i = 0; i < table.size(); ++i) {
    if (!statuses[i].ok()) {
      return statuses[i].WithContext(std::string(table[i].name));
    }
    sbom::Sbom& part = parts[i];
    std::move(part.packages.begin(), part.packages.end(),
              std::back_inserter(out.packages));
    std::move(part.relationships.begin(), part.relationships.end(),
              std::back_inserter(out.relationships));
    std::move(part.unknowns.begin(), part.unknowns.end(),
              std::back_inserter(out.unknowns));
  }
  LinkOwners(image, &out);
  sbom::Finalize(out);
  return out;
}

}  // namespace strata::catalog
