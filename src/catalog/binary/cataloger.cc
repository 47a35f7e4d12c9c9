#include "catalog/binary/cataloger.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <tuple>
#include <utility>
#include <vector>

#include "base/caps.h"
#include "catalog/binary/classifiers.h"
#include "fs/file_tree.h"

namespace strata::catalog::binary {
namespace {

constexpr std::string_view kName = "binary-classifier-cataloger";
constexpr std::string_view kRuleName = "binary-classifier";
// Largest binary looked into (official node and JDK binaries approach
// 100 MiB).
constexpr int64_t kMaxBinaryBytes = 128 * caps::kMiB;

class Run {
 public:
  Run(const Context& ctx, sbom::Sbom* out) : image_(ctx.image), out_(out) {}

  void Binaries() {
    for (const image::CapturedFile* f :
         image::CurrentCaptured(image_, kRuleName)) {
      if (f->truncated) {
        AddUnknown(*f, "larger than the " +
                           std::to_string(kMaxBinaryBytes / caps::kMiB) +
                           " MiB cap");
      } else if (!f->error.empty()) {
        AddUnknown(*f, f->error);
      } else {
        ParseHits(*f);
      }
    }
  }

  void TextFiles() {
    const std::vector<std::string> globs = ClassifierGlobs(/*text=*/true);
    for (const image::CapturedFile* f : image::CurrentCaptured(image_, "")) {
      if (!fs::GlobMatchAny(globs, f->path)) continue;
      if (f->truncated) {
        AddUnknown(*f, "larger than the capture cap");
        continue;
      }
      for (Hit& h : Classify(f->path, f->content, /*text=*/true)) {
        Add(*f, *h.classifier, std::move(h.version), std::move(h.evidence));
      }
    }
  }

  void Finish() {
    for (auto& [key, p] : merged_) {
      std::sort(p.locations.begin(), p.locations.end());
      out_->packages.push_back(std::move(p));
    }
  }

 private:
  // Reads back the lines ReduceBinary wrote, window after window: per row,
  // the hit of its lowest pattern index, the first among equals.
  void ParseHits(const image::CapturedFile& f) {
    struct Best {
      size_t pattern;
      std::string_view version, evidence;
    };
    const std::vector<Classifier>& table = Classifiers();
    std::map<size_t, Best> best;  // table index -> hit
    std::string_view rest = f.content;
    while (!rest.empty()) {
      std::string_view line = rest.substr(0, rest.find('\n'));
      rest.remove_prefix(std::min(rest.size(), line.size() + 1));
      std::string_view fields[4];
      for (std::string_view& field : fields) {
        size_t tab = line.find('\t');
        field = line.substr(0, tab);
        line.remove_prefix(std::min(line.size(), field.size() + 1));
      }
      const Classifier* c = FindClassifier(fields[0]);
      size_t pattern = 0;
      auto [end, ec] = std::from_chars(
          fields[1].data(), fields[1].data() + fields[1].size(), pattern);
      if (!c || ec != std::errc() ||
          end != fields[1].data() + fields[1].size() ||
          pattern >= c->patterns.size() || fields[2].empty()) {
        AddUnknown(f, "malformed classifier result");
        break;
      }
      Best hit{pattern, fields[2], fields[3]};
      auto [it, added] = best.try_emplace(c - table.data(), hit);
      if (!added && pattern < it->second.pattern) it->second = hit;
    }
    for (const auto& [row, hit] : best) {
      Add(f, table[row], std::string(hit.version), std::string(hit.evidence));
    }
  }

  void Add(const image::CapturedFile& f, const Classifier& c,
           std::string version, std::string evidence) {
    sbom::Location location = LocationOf(image_, f);
    std::string purl = PurlFor(c, version);
    auto key = std::make_tuple(std::string(c.package), version, purl);
    auto [it, added] = merged_.try_emplace(std::move(key));
    sbom::Package& p = it->second;
    if (!added) {
      if (std::find(p.locations.begin(), p.locations.end(), location) ==
          p.locations.end()) {
        p.locations.push_back(std::move(location));
      }
      return;
    }
    p.type = sbom::PackageType::kBinary;
    p.name = std::string(c.package);
    p.cpes = CpesFor(c, version);
    p.version = std::move(version);
    p.purl = std::move(purl);
    p.locations = {std::move(location)};
    p.cataloger = std::string(kName);
    p.extra["binary.class"] = std::string(c.klass);
    p.extra["binary.evidence"] = std::move(evidence);
  }

  void AddUnknown(const image::CapturedFile& f, std::string reason) {
    out_->unknowns.push_back(
        {LocationOf(image_, f), std::string(kName), std::move(reason)});
  }

  const image::LoadedImage& image_;
  sbom::Sbom* out_;
  // (name, version, purl) -> the package, in key order.
  std::map<std::tuple<std::string, std::string, std::string>, sbom::Package>
      merged_;
};

Status RunBinary(const Context& ctx, sbom::Sbom* out) {
  Run run(ctx, out);
  run.Binaries();
  run.TextFiles();
  run.Finish();
  return Status::Ok();
}

}  // namespace

Result<std::optional<std::string>> ReduceBinary(std::string_view path,
                                                std::string_view bytes) {
  std::string out;
  for (const Hit& h : Classify(path, bytes, /*text=*/false)) {
    out += h.classifier->klass;
    out += '\t';
    out += std::to_string(h.pattern);
    out += '\t';
    out += h.version;
    out += '\t';
    out += h.evidence;
    out += '\n';
  }
  if (out.empty()) return std::optional<std::string>();
  return std::optional<std::string>(std::move(out));
}

Cataloger MakeBinaryCataloger() {
  std::vector<std::string_view> text_globs;
  for (const Classifier& c : Classifiers()) {
    if (c.text)
      text_globs.insert(text_globs.end(), c.globs.begin(), c.globs.end());
  }
  return Cataloger{
      .name = kName,
      .globs = std::move(text_globs),
      .rules = {image::CaptureRule{
          .name = kRuleName,
          .globs = ClassifierGlobs(/*text=*/false),
          .magic = "\x7f"
                   "ELF",
          .max_file_bytes = kMaxBinaryBytes,
          .window_bytes = kWindowBytes,
          .window_overlap = kWindowOverlap,
          .reduce = ReduceBinary,
      }},
      .run = RunBinary,
  };
}

}  // namespace strata::catalog::binary
