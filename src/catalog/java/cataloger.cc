#include "catalog/java/cataloger.h"

#include <optional>
#include <string>
#include <utility>

#include "base/path.h"
#include "catalog/java/archive.h"
#include "catalog/java/summary.h"

namespace strata::catalog::java {
namespace {

constexpr std::string_view kName = "java-archive-cataloger";
constexpr std::string_view kRule = "java-archive";
constexpr int64_t kMaxArchiveBytes = ScanLimits{}.max_archive_bytes;

Result<std::optional<std::string>> Reduce(std::string_view file,
                                          std::string_view bytes) {
  ASSIGN_OR_RETURN(ScanResult scan, ScanArchive(bytes));
  Summary summary = Summarize(path::Basename(file), scan);
  if (summary.packages.empty() && summary.problems.empty()) {
    return std::optional<std::string>();
  }
  return std::optional<std::string>(EncodeSummary(summary));
}

class Run {
 public:
  Run(const Context& ctx, sbom::Sbom* out) : image_(ctx.image), out_(out) {}

  void Archive(const image::CapturedFile& file) {
    const sbom::Location location = LocationOf(image_, file);
    if (file.truncated) {
      AddUnknown(location, "",
                 "larger than the " +
                     std::to_string(kMaxArchiveBytes / caps::kMiB) +
                     " MiB cap on java archives");
      return;
    }
    if (!file.error.empty()) {
      AddUnknown(location, "", file.error);
      return;
    }
    Result<Summary> summary = DecodeSummary(file.content);
    if (!summary.ok()) {
      AddUnknown(location, "", summary.status().ToString());
      return;
    }
    for (const Problem& p : summary->problems) {
      AddUnknown(location, p.path, p.reason);
    }
    std::vector<std::string> ids;
    for (JavaPackage& jp : summary->packages) {
      sbom::Package p;
      p.id = std::string(kName) + ":" + std::to_string(next_id_++);
      p.type = sbom::PackageType::kJavaArchive;
      p.name = std::move(jp.name);
      p.group = std::move(jp.group);
      p.version = std::move(jp.version);
      p.licenses = std::move(jp.licenses);
      p.locations = {Inside(location, jp.path)};
      if (!jp.sha1.empty()) p.digests["SHA-1"] = std::move(jp.sha1);
      p.extra = std::move(jp.extra);
      p.cataloger = std::string(kName);
      if (jp.parent >= 0) {
        out_->relationships.push_back({ids[jp.parent], p.id, "contains"});
      }
      ids.push_back(p.id);
      out_->packages.push_back(std::move(p));
    }
  }

 private:
  // `location` with "!/<inner>" appended to its path ("" = itself).
  static sbom::Location Inside(sbom::Location location,
                               std::string_view inner) {
    if (!inner.empty()) location.path += "!/" + std::string(inner);
    return location;
  }

  void AddUnknown(const sbom::Location& location, std::string_view inner,
                  std::string reason) {
    out_->unknowns.push_back(
        {Inside(location, inner), std::string(kName), std::move(reason)});
  }

  const image::LoadedImage& image_;
  sbom::Sbom* out_;
  int next_id_ = 0;
};

Status RunJava(const Context& ctx, sbom::Sbom* out) {
  Run run(ctx, out);
  for (const image::CapturedFile* f :
       image::CurrentCaptured(ctx.image, kRule)) {
    run.Archive(*f);
  }
  return Status::Ok();
}

std::vector<std::string> ArchiveGlobs() {
  std::vector<std::string> globs;
  for (std::string_view ext : kArchiveExtensions) {
    globs.push_back("**/*" + std::string(ext));
  }
  return globs;
}

}  // namespace

Cataloger MakeJavaCataloger() {
  return Cataloger{
      .name = kName,
      .globs = {},
      .rules = {image::CaptureRule{
          .name = kRule,
          .globs = ArchiveGlobs(),
          .magic = std::string("PK\x03\x04", 4),
          .max_file_bytes = kMaxArchiveBytes,
          .reduce = Reduce,
      }},
      .run = RunJava,
  };
}

}  // namespace strata::catalog::java
