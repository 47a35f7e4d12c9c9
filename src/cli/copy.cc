#include "cli/copy.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <mutex>

#include "cli/common.h"
#include "cli/exit_codes.h"
#include "cli/remote.h"
#include "oci/copy.h"
#include "registry/sink.h"

namespace strata::cli {
namespace {

// "copying 12.0 MiB / 30.1 MiB" on stderr, at most 10 times a second.
class CopyProgress {
 public:
  void Update(int64_t done, int64_t total) {
    std::lock_guard<std::mutex> lock(mu_);
    auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(100) && done != total) return;
    last_ = now;
    std::fprintf(stderr, "\r\033[Kcopying %s / %s", HumanBytes(done).c_str(),
                 HumanBytes(total).c_str());
    std::fflush(stderr);
    shown_ = true;
  }
  ~CopyProgress() {
    if (shown_) std::fprintf(stderr, "\r\033[K");
  }

 private:
  std::mutex mu_;
  std::chrono::steady_clock::time_point last_{};
  bool shown_ = false;
};

struct Args {
  std::string src, dst;
  bool all = false;
  std::string platform;
  int parallel = 4;
  int64_t chunk_size = 0;
  bool quiet = false;
  RegistryFlags registry;
};

Result<oci::ImageRef> ParseDestination(const std::string& dst) {
  // A destination need not exist yet: only prefixed or registry names.
  bool detect = false;
  ASSIGN_OR_RETURN(oci::ImageRef ref, oci::ParseReferenceSyntax(dst, &detect));
  if (ref.transport == oci::Transport::kRootfs) {
    return InvalidArgumentError(
        "destination \"" + dst.substr(0, 200) +
        "\": name a transport (oci:DIR[:TAG], oci-archive:FILE[:TAG], "
        "docker-archive:FILE[:NAME:TAG], docker://NAME)");
  }
  if (detect && ref.transport == oci::Transport::kRegistry) ref.path.clear();
  return ref;
}

Result<oci::CopyReport> RunCopy(const Args& a) {
  ASSIGN_OR_RETURN(oci::ImageRef src, oci::ParseReference(a.src));
  if (src.transport == oci::Transport::kRootfs) {
    return InvalidArgumentError(
        "dir: sources are not images and cannot be "
        "copied");
  }
  ASSIGN_OR_RETURN(oci::ImageRef dst, ParseDestination(a.dst));
  // Copies stream straight through: no cache on either side.
  ASSIGN_OR_RETURN(oci::ImageSource source,
                   OpenAnySource(src, a.registry, nullptr));

  std::unique_ptr<oci::ImageSink> sink;
  if (dst.transport == oci::Transport::kRegistry) {
    registry::RegistryOptions ro;
    ASSIGN_OR_RETURN(ro.client, MakeClientOptions(a.registry));
    ASSIGN_OR_RETURN(std::shared_ptr<registry::Client> client,
                     registry::ClientFor(dst, ro));
    registry::PushOptions po;
    po.chunk_size = a.chunk_size;
    if (src.transport == oci::Transport::kRegistry &&
        src.registry == dst.registry) {
      po.mount_from = src.repository;
    }
    ASSIGN_OR_RETURN(sink, registry::OpenRegistrySink(dst, client, po));
  } else {
    ASSIGN_OR_RETURN(sink, oci::OpenLocalSink(dst, oci::SinkOptions{}));
  }

  oci::CopyOptions co;
  co.all_platforms = a.all;
  if (!a.platform.empty()) {
    ASSIGN_OR_RETURN(co.platform, oci::ParsePlatform(a.platform));
  }
  co.parallel = a.parallel;
  co.tag = dst.tag;
  std::unique_ptr<CopyProgress> progress;
  if (!a.quiet && ::isatty(STDERR_FILENO)) {
    progress = std::make_unique<CopyProgress>();
    co.on_progress = [p = progress.get()](int64_t done, int64_t total) {
      p->Update(done, total);
    };
  }
  return oci::Copy(source, *sink, co);
}

}  // namespace

std::function<int()> SetupCopy(CLI::App* cmd) {
  auto a = std::make_shared<Args>();
  cmd->add_option("SRC", a->src,
                  "source image: docker://NAME, oci:DIR[:TAG], "
                  "oci-archive:FILE[:TAG], docker-archive:FILE")
      ->required();
  cmd->add_option("DST", a->dst,
                  "destination: docker://NAME, oci:DIR[:TAG], "
                  "oci-archive:FILE[:TAG], docker-archive:FILE[:NAME:TAG]")
      ->required();
  cmd->add_flag("-a,--all,--all-platforms", a->all,
                "copy every platform of a multi-platform image (the whole "
                "index)");
  cmd->add_option("--platform", a->platform,
                  "platform to copy from a multi-platform image, "
                  "os/arch[/variant] (default: this machine's)");
  cmd->add_option("--parallel", a->parallel, "blobs copied at once")
      ->check(CLI::Range(1, 64));
  cmd->add_option("--chunk-size", a->chunk_size,
                  "upload blobs to a registry in chunks of this many bytes "
                  "(default: in one request)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("-q,--quiet", a->quiet, "no progress or summary on stderr");
  AddRegistryFlags(cmd, &a->registry, /*with_cache=*/false);
  return [a]() -> int {
    Result<oci::CopyReport> r = RunCopy(*a);
    if (!r.ok()) return ReportError(r.status());
    if (!a->quiet) {
      for (const std::string& note : r->notes) {
        std::fprintf(stderr, "note: %s\n", note.c_str());
      }
      std::fprintf(stderr, "copied %lld blobs (%s), skipped %lld present\n",
                   static_cast<long long>(r->blobs_copied),
                   HumanBytes(r->bytes_copied).c_str(),
                   static_cast<long long>(r->blobs_skipped));
    }
    // The digest of what was written, on stdout (skopeo --digestfile).
    std::printf("%s\n", r->top.digest.ToString().c_str());
    return kExitOk;
  };
}

}  // namespace strata::cli
