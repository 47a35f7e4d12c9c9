#include "cli/common.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <mutex>

#include "oci/reference.h"

namespace strata::cli {
namespace {

// A one-line progress display on stderr, redrawn at most 10 times a second.
class ProgressLine {
 public:
  void Update(const image::Progress& p) {
    std::lock_guard<std::mutex> lock(mu_);
    auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(100) &&
        p.layers_done != p.layers_total) {
      return;
    }
    last_ = now;
    std::fprintf(stderr, "\r\033[Kreading layers %d/%d  %s / %s", p.layers_done,
                 p.layers_total, HumanBytes(p.compressed_done).c_str(),
                 HumanBytes(p.compressed_total).c_str());
    std::fflush(stderr);
    shown_ = true;
  }
  ~ProgressLine() {
    if (shown_) {
      std::fprintf(stderr, "\r\033[K");
      std::fflush(stderr);
    }
  }

 private:
  std::mutex mu_;
  std::chrono::steady_clock::time_point last_{};
  bool shown_ = false;
};

}  // namespace

void AddSourceOptions(CLI::App* cmd, SourceOptions* opts) {
  cmd->add_option("--platform", opts->platform,
                  "platform to pick from a multi-platform image, "
                  "os/arch[/variant] (default: this machine's)");
  cmd->add_option("--max-expanded-bytes", opts->max_expanded_bytes,
                  "cap on bytes expanded from all layers (decompression "
                  "bombs)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--max-entries", opts->max_entries,
                  "cap on tar entries across all layers")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--threads", opts->threads,
                  "layers read in parallel (default: one per core)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--verify-diffids", opts->verify_diff_ids,
                "recompute every layer's diffID and check it against the "
                "config (blob digests are always verified)");
  cmd->add_flag("-q,--quiet", opts->quiet, "no progress display");
  AddRegistryFlags(cmd, &opts->registry, /*with_cache=*/true);
}

Result<image::LoadedImage> LoadFromCli(const std::string& reference,
                                       const SourceOptions& opts) {
  ASSIGN_OR_RETURN(oci::ImageRef ref, oci::ParseReference(reference));
  image::LoadOptions lo;
  if (!opts.platform.empty()) {
    ASSIGN_OR_RETURN(lo.open.platform, oci::ParsePlatform(opts.platform));
  }
  lo.max_expanded_bytes = opts.max_expanded_bytes;
  lo.max_entries = opts.max_entries;
  lo.threads = opts.threads;
  lo.verify_diff_ids = opts.verify_diff_ids;
  lo.capture_globs = opts.capture_globs;
  lo.capture_rules = opts.capture_rules;
  std::unique_ptr<ProgressLine> progress;
  if (!opts.quiet && ::isatty(STDERR_FILENO)) {
    progress = std::make_unique<ProgressLine>();
    lo.on_progress = [p = progress.get()](const image::Progress& pr) {
      p->Update(pr);
    };
  }
  if (ref.transport != oci::Transport::kRegistry) return image::Load(ref, lo);
  ASSIGN_OR_RETURN(std::shared_ptr<registry::BlobCache> cache,
                   OpenCache(opts.registry));
  ASSIGN_OR_RETURN(oci::ImageSource source,
                   OpenAnySource(ref, opts.registry, std::move(cache)));
  ASSIGN_OR_RETURN(std::unique_ptr<oci::Image> image,
                   oci::ResolveImage(std::move(source.store), source.top,
                                     lo.open, std::move(source.base)));
  return image::LoadImage(std::move(image), ref, lo);
}

std::string HumanBytes(int64_t n) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  if (u == 0) {
    std::snprintf(buf, sizeof(buf), "%lld B", static_cast<long long>(n));
  } else {
    std::snprintf(buf, sizeof(buf), "%.1f %s", v, kUnits[u]);
  }
  return buf;
}

}  // namespace strata::cli
