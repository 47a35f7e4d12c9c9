#include "image/loader.h"

#include <algorithm>
#include <mutex>
#include <thread>
#include <tuple>

#include "base/path.h"
#include "fs/file_tree.h"
#include "image/capture.h"
#include "image/prefetch.h"
#include "io/verify.h"

namespace strata::image {
namespace {

// Layers at least this large (compressed) get a decompression thread of their
// own; small ones are not worth the hand-off.
constexpr int64_t kPrefetchThreshold = 4 * caps::kMiB;
constexpr size_t kPrefetchBufferBytes = caps::kMiB / 2;
constexpr int kPrefetchBuffers = 2;
// Progress is reported at most every this many compressed bytes per layer.
constexpr int64_t kProgressStep = 4 * caps::kMiB;

// Entry names in messages: printable ASCII, quoted, at most 200 bytes.
std::string Printable(std::string_view s) {
  std::string out;
  for (unsigned char c : s.substr(0, 200)) {
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  if (s.size() > 200) out += "...";
  return "\"" + out + "\"";
}

fs::FileType MapType(tar::EntryType t) {
  switch (t) {
    case tar::EntryType::kRegular:
    case tar::EntryType::kHardlink:
      return fs::FileType::kRegular;
    case tar::EntryType::kDirectory:
      return fs::FileType::kDirectory;
    case tar::EntryType::kSymlink:
      return fs::FileType::kSymlink;
    case tar::EntryType::kCharDevice:
      return fs::FileType::kCharDevice;
    case tar::EntryType::kBlockDevice:
      return fs::FileType::kBlockDevice;
    case tar::EntryType::kFifo:
      return fs::FileType::kFifo;
    case tar::EntryType::kOther:
      return fs::FileType::kOther;
  }
  return fs::FileType::kOther;
}

bool CapturedLess(const CapturedFile& a, const CapturedFile& b) {
  return std::tie(a.layer, a.offset, a.path, a.rule) <
         std::tie(b.layer, b.offset, b.path, b.rule);
}

// Counts compressed bytes for progress reporting.
class ProgressSource : public ByteSource {
 public:
  ProgressSource(std::unique_ptr<ByteSource> up,
                 std::function<void(int64_t)> report)
      : up_(std::move(up)), report_(std::move(report)) {}
  Result<size_t> Read(std::span<uint8_t> out) override {
    ASSIGN_OR_RETURN(size_t n, up_->Read(out));
    pending_ += static_cast<int64_t>(n);
    if (pending_ >= kProgressStep || (n == 0 && pending_ > 0)) {
      report_(pending_);
      pending_ = 0;
    }
    return n;
  }

 private:
  std::unique_ptr<ByteSource> up_;
  std::function<void(int64_t)> report_;
  int64_t pending_ = 0;
};

// Counts the bytes passing through.
class CountingSource : public ByteSource {
 public:
  explicit CountingSource(ByteSource& up) : up_(up) {}
  Result<size_t> Read(std::span<uint8_t> out) override {
    ASSIGN_OR_RETURN(size_t n, up_.Read(out));
    count_ += static_cast<int64_t>(n);
    return n;
  }
  Result<int64_t> Skip(int64_t n) override {
    ASSIGN_OR_RETURN(int64_t skipped, up_.Skip(n));
    count_ += skipped;
    return skipped;
  }
  int64_t count() const { return count_; }

 private:
  ByteSource& up_;
  int64_t count_ = 0;
};

// State shared by the workers scanning the layers of one image.
struct ScanShared {
  explicit ScanShared(const LoadOptions& o)
      : options(o),
        capture_left(o.max_captured_total_bytes,
                     std::string(kCapturedBytesWhat)),
        expanded(o.max_expanded_bytes,
                 "expanded layer bytes (--max-expanded-bytes)") {
    capture.globs = &o.capture_globs;
    capture.rules = &o.capture_rules;
    capture.max_file_bytes = o.max_captured_file_bytes;
    capture.total_budget = &capture_left;
  }
  const LoadOptions& options;
  io::ByteBudget capture_left;
  CaptureSpec capture;
  io::ByteBudget expanded;
  std::atomic<int64_t> entries{0};
  std::atomic<bool> failed{false};
  std::mutex progress_mu;
  Progress progress;

  void Report(int64_t compressed, int layers_done) {
    if (!options.on_progress) return;
    Progress copy;
    {
      std::lock_guard<std::mutex> lock(progress_mu);
      progress.compressed_done += compressed;
      progress.layers_done += layers_done;
      copy = progress;
    }
    options.on_progress(copy);
  }
};

struct LayerResult {
  LayerStats stats;
  fs::LayerChanges changes;
  std::vector<CapturedFile> captured;
};

Result<LayerResult> ScanLayer(oci::Image& image, int i, ScanShared& shared) {
  const oci::LayerInfo& info = image.metadata().layers[i];
  LayerResult r;
  r.stats.index = i;
  r.stats.descriptor = info.descriptor;
  ASSIGN_OR_RETURN(std::unique_ptr<ByteSource> blob, image.OpenLayer(i));
  std::unique_ptr<ByteSource> counted = std::make_unique<ProgressSource>(
      std::move(blob), [&shared](int64_t n) { shared.Report(n, 0); });
  const bool large = info.descriptor.size >= kPrefetchThreshold;
  if (large) {
    // Stage 1 (own thread): read and verify the compressed blob.
    counted = std::make_unique<PrefetchSource>(
        std::move(counted), kPrefetchBufferBytes, kPrefetchBuffers);
  }
  ASSIGN_OR_RETURN(
      std::unique_ptr<ByteSource> stream,
      io::OpenDecompressed(std::move(counted), &r.stats.compression));
  if (large) {
    // Stage 2 (own thread): inflate. Stage 3 (this thread): diffID + tar.
    stream = std::make_unique<PrefetchSource>(
        std::move(stream), kPrefetchBufferBytes, kPrefetchBuffers);
  }
  io::BudgetedSource budgeted(*stream, shared.expanded);
  CountingSource counting(budgeted);
  // See LoadOptions::verify_diff_ids for when the diffID is hashed.
  const bool same_bytes =
      r.stats.compression == io::Compression::kNone && info.blob_verified &&
      info.descriptor.digest.algorithm() == DigestAlgorithm::kSha256;
  std::optional<io::HashingSource> hashed;
  if (!same_bytes && (shared.options.verify_diff_ids || !info.blob_verified ||
                      !info.diff_id)) {
    hashed.emplace(counting);
  }
  ByteSource& top = hashed ? static_cast<ByteSource&>(*hashed) : counting;
  tar::Reader reader(top);
  ASSIGN_OR_RETURN(
      r.changes,
      TarToChanges(i, reader, shared.entries, shared.options.max_entries,
                   shared.options.capture_globs.empty() &&
                           shared.options.capture_rules.empty()
                       ? nullptr
                       : &shared.capture,
                   &r.captured));
  // Read the end-of-archive padding too: it is part of the diffID, and the
  // blob verifier checks the digest at end of stream.
  RETURN_IF_ERROR(Drain(top));
  r.stats.uncompressed_bytes = counting.count();
  r.stats.entries = reader.entry_count();
  r.stats.compressed_bytes = info.descriptor.size;
  if (hashed) {
    r.stats.diff_id = hashed->digest();
    r.stats.diff_id_computed = true;
  } else if (same_bytes) {
    r.stats.diff_id = info.descriptor.digest;  // verified while read
    r.stats.diff_id_computed = true;
  } else {
    r.stats.diff_id = *info.diff_id;
  }
  if (info.diff_id && *info.diff_id != r.stats.diff_id) {
    return DataLossError("diffID mismatch: the config says " +
                         info.diff_id->ToString() + ", the content is " +
                         r.stats.diff_id.ToString());
  }
  shared.Report(0, 1);
  return r;
}

Result<LoadedImage> LoadOpened(std::unique_ptr<oci::Image> image,
                               const oci::ImageRef& ref,
                               const LoadOptions& options) {
  const oci::ImageMetadata& md = image->metadata();
  const int n = static_cast<int>(md.layers.size());

  ScanShared shared(options);
  shared.progress.layers_total = n;
  for (const auto& l : md.layers) {
    shared.progress.compressed_total += l.descriptor.size;
  }

  // Largest layers first, so the longest one starts at once.
  std::vector<int> order(n);
  for (int i = 0; i < n; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&md](int a, int b) {
    return md.layers[a].descriptor.size > md.layers[b].descriptor.size;
  });

  std::vector<std::optional<Result<LayerResult>>> results(n);
  std::atomic<int> next{0};
  auto worker = [&] {
    while (!shared.failed.load()) {
      int k = next.fetch_add(1);
      if (k >= n) return;
      int i = order[k];
      Result<LayerResult> r = ScanLayer(*image, i, shared);
      if (!r.ok()) shared.failed = true;
      results[i].emplace(std::move(r));
    }
  };
  int threads = options.threads > 0
                    ? options.threads
                    : static_cast<int>(std::thread::hardware_concurrency());
  threads = std::clamp(threads, 1, std::max(n, 1));
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();

  LoadedImage out;
  out.ref = ref;
  // The first failure in layer order is the one reported.
  for (int i = 0; i < n; ++i) {
    if (results[i] && !results[i]->ok()) {
      return results[i]->status().WithContext(
          "layer " + std::to_string(i) + " (" +
          md.layers[i].descriptor.digest.ToString() + ")");
    }
  }
  for (int i = 0; i < n; ++i) {
    LayerResult& r = results[i]->value();
    Status st = out.tree.ApplyLayer(r.changes);
    if (!st.ok()) {
      return st.WithContext("layer " + std::to_string(i) + " (" +
                            md.layers[i].descriptor.digest.ToString() + ")");
    }
    r.changes = {};  // free the entry list early
    out.layers.push_back(std::move(r.stats));
    for (CapturedFile& f : r.captured) out.captured.push_back(std::move(f));
  }
  std::sort(out.captured.begin(), out.captured.end(), CapturedLess);
  out.metadata = md;
  return out;
}

}  // namespace

Result<fs::LayerChanges> TarToChanges(int layer, tar::Reader& reader,
                                      std::atomic<int64_t>& entry_budget,
                                      int64_t max_entries,
                                      const CaptureSpec* capture,
                                      std::vector<CapturedFile>* captured) {
  fs::LayerChanges out;
  out.layer = layer;
  std::optional<Capturer> capturer;
  if (capture && captured) capturer.emplace(*capture);
  std::string scratch;  // file bytes for capture rules, reused
  auto read = [&reader](std::span<uint8_t> s) { return reader.ReadData(s); };
  tar::Entry e;
  while (true) {
    ASSIGN_OR_RETURN(bool more, reader.Next(&e));
    if (!more) break;
    if (entry_budget.fetch_add(1, std::memory_order_relaxed) + 1 >
        max_entries) {
      return ResourceExhaustedError("image has more than " +
                                    std::to_string(max_entries) +
                                    " tar entries (--max-entries)");
    }
    Result<std::string> norm = path::NormalizeEntryPath(e.name);
    if (!norm.ok()) {
      return norm.status().WithContext("tar entry " + Printable(e.name));
    }
    fs::Change c;
    switch (fs::ClassifyWhiteout(*norm, &c.path)) {
      case fs::WhiteoutKind::kWhiteout:
        c.kind = fs::Change::Kind::kWhiteout;
        out.changes.push_back(std::move(c));
        continue;
      case fs::WhiteoutKind::kOpaque:
        c.kind = fs::Change::Kind::kOpaque;
        out.changes.push_back(std::move(c));
        continue;
      case fs::WhiteoutKind::kIgnore:
        continue;
      case fs::WhiteoutKind::kNone:
        break;
    }
    if (norm->empty()) continue;  // "./": the root directory itself
    c.path = std::move(*norm);
    c.info.type = MapType(e.type);
    c.info.mode = e.mode;
    c.info.uid = e.uid;
    c.info.gid = e.gid;
    c.info.size = e.size;
    c.info.mtime = e.mtime;
    c.info.dev_major = e.dev_major;
    c.info.dev_minor = e.dev_minor;
    c.info.layer = layer;
    if (e.type == tar::EntryType::kHardlink) {
      c.kind = fs::Change::Kind::kHardlink;
      Result<std::string> target = path::NormalizeEntryPath(e.link_target);
      if (!target.ok()) {
        return target.status().WithContext("hardlink " + Printable(e.name));
      }
      c.target = std::move(*target);
    } else {
      c.kind = fs::Change::Kind::kAdd;
      if (e.type == tar::EntryType::kSymlink) {
        c.info.link_target = std::move(e.link_target);
      } else if (e.type == tar::EntryType::kRegular) {
        c.info.content = {layer, e.data_offset, e.size};
        if (capturer) {
          RETURN_IF_ERROR(capturer->Capture(layer, e.data_offset, c.path,
                                            e.mode, e.size, read, &scratch,
                                            captured));
        }
      }
    }
    out.changes.push_back(std::move(c));
  }
  return out;
}

Result<std::string> ReadFile(const LoadedImage& image, std::string_view path) {
  Result<fs::ResolveResult> r = image.tree.Resolve(path, true);
  if (!r.ok()) return r.status();
  const fs::FileInfo& info = *r->info;
  if (info.type != fs::FileType::kRegular) {
    return NotFoundError("\"" + std::string(path) + "\" is not a regular file");
  }
  CapturedFile key;
  key.layer = info.content.layer;
  key.offset = info.content.offset;
  key.path = info.content.offset < 0 ? r->path : "";
  // A tar entry's data offset is unique in its layer, so with a known
  // offset any path sorts the glob capture (rule "") first.
  auto less = [&key](const CapturedFile& a, const CapturedFile& b) {
    if (key.offset < 0) return CapturedLess(a, b);
    return std::tie(a.layer, a.offset, a.rule) <
           std::tie(b.layer, b.offset, b.rule);
  };
  auto it =
      std::lower_bound(image.captured.begin(), image.captured.end(), key, less);
  if (it == image.captured.end() || it->layer != key.layer ||
      it->offset != key.offset || !it->rule.empty() ||
      (key.offset < 0 && it->path != key.path)) {
    return FailedPreconditionError("\"" + std::string(path) +
                                   "\" was not captured while loading");
  }
  if (it->truncated) {
    return ResourceExhaustedError("\"" + std::string(path) +
                                  "\" is larger than the capture cap");
  }
  return it->content;
}

std::vector<const CapturedFile*> CapturedCopies(const LoadedImage& image,
                                                std::string_view path) {
  std::vector<const CapturedFile*> out;
  for (const CapturedFile& f : image.captured) {
    if (f.path == path && f.rule.empty()) out.push_back(&f);
  }
  return out;  // captured is sorted by layer first
}

std::vector<const CapturedFile*> CurrentCaptured(const LoadedImage& image,
                                                 std::string_view rule,
                                                 std::string_view glob) {
  std::vector<const CapturedFile*> out;
  for (const CapturedFile& f : image.captured) {
    if (f.rule != rule || (!glob.empty() && !fs::GlobMatch(glob, f.path))) {
      continue;
    }
    const fs::FileInfo* info = image.tree.Lookup(f.path);
    if (info && info->type == fs::FileType::kRegular &&
        info->content.layer == f.layer && info->content.offset == f.offset) {
      out.push_back(&f);
    }
  }
  std::sort(out.begin(), out.end(),
            [](const CapturedFile* a, const CapturedFile* b) {
              return a->path < b->path;
            });
  return out;
}

Result<LoadedImage> Load(const oci::ImageRef& ref, const LoadOptions& options) {
  if (ref.transport == oci::Transport::kRootfs) {
    return LoadRootfs(ref, options);
  }
  ASSIGN_OR_RETURN(std::unique_ptr<oci::Image> image,
                   oci::OpenImage(ref, options.open));
  return LoadOpened(std::move(image), ref, options);
}

Result<LoadedImage> LoadImage(std::unique_ptr<oci::Image> image,
                              const oci::ImageRef& ref,
                              const LoadOptions& options) {
  return LoadOpened(std::move(image), ref, options);
}

}  // namespace strata::image
