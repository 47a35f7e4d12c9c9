#include "oci/copy.h"

#include <algorithm>
#include <atomic>
#include <limits>
#include <mutex>
#include <set>
#include <thread>

#include "base/caps.h"
#include "base/json.h"
#include "io/decompress.h"
#include "io/verify.h"

namespace strata::oci {
namespace {

// Manifests and indexes walked in one copy, and their bytes held until they
// are written.
constexpr int kMaxDocuments = 4096;
constexpr int64_t kMaxDocumentBytes = 64 * caps::kMiB;
constexpr int kMaxParallel = 64;

struct Document {
  Descriptor descriptor;
  std::string bytes;
};

// A blob to copy: read as `source`, written as `dest`. They differ only for
// a docker-archive layer whose digest had to be computed.
struct BlobJob {
  Descriptor source;
  Descriptor dest;
};

// Forwards to a source it does not own.
class BorrowedSource : public ByteSource {
 public:
  explicit BorrowedSource(ByteSource& up) : up_(up) {}
  Result<size_t> Read(std::span<uint8_t> out) override { return up_.Read(out); }

 private:
  ByteSource& up_;
};

std::string Join(const std::vector<Platform>& platforms) {
  std::string out;
  for (const Platform& p : platforms) {
    out += (out.empty() ? "" : ", ") + p.ToString();
  }
  return out;
}

// Collects what to copy: documents children first (the top last) and
// blobs, each digest once.
class Walker {
 public:
  explicit Walker(BlobStore& store) : store_(store) {}

  // Adds `d` and, for an index, everything below it. Returns `d` as it is
  // written (media type filled in; a new digest when `rewrite` allowed the
  // manifest to be rewritten, see ResolveLayerDigests).
  Result<Descriptor> Add(const Descriptor& d, bool rewrite,
                         std::vector<Digest>* ancestors) {
    ASSIGN_OR_RETURN(std::string bytes, Read(d));
    Result<DocumentKind> kind = ClassifyDocument(bytes, d.media_type);
    if (!kind.ok()) return kind.status().WithContext(d.digest.ToString());
    if (*kind == DocumentKind::kManifest) {
      return AddManifest(d, std::move(bytes), rewrite);
    }
    std::string name = "index " + d.digest.ToString();
    if (static_cast<int>(ancestors->size()) >= caps::kMaxIndexDepth) {
      return ResourceExhaustedError("indexes nest deeper than " +
                                    std::to_string(caps::kMaxIndexDepth) +
                                    " levels")
          .WithContext(name);
    }
    ASSIGN_OR_RETURN(Index index, ParseIndex(bytes, name));
    ancestors->push_back(d.digest);
    for (const Descriptor& child : index.manifests) {
      if (std::find(ancestors->begin(), ancestors->end(), child.digest) !=
          ancestors->end()) {
        return DataLossError("index loop")
            .WithContext("index " + child.digest.ToString());
      }
      if (done_.contains(child.digest)) continue;
      RETURN_IF_ERROR(Add(child, false, ancestors).status());
    }
    ancestors->pop_back();
    Descriptor out = d;
    if (out.media_type.empty()) {
      out.media_type = index.media_type.empty() ? std::string(media::kOciIndex)
                                                : index.media_type;
    }
    AddDocument(out, std::move(bytes));
    return out;
  }

  std::vector<Document>& documents() { return documents_; }
  const std::vector<BlobJob>& blobs() const { return blobs_; }
  int64_t blob_bytes() const { return blob_bytes_; }
  int rewritten_layers() const { return rewritten_layers_; }

 private:
  Result<std::string> Read(const Descriptor& d) {
    if (++reads_ > kMaxDocuments) {
      return ResourceExhaustedError("more than " +
                                    std::to_string(kMaxDocuments) +
                                    " manifests and indexes to copy");
    }
    ASSIGN_OR_RETURN(std::string bytes,
                     store_.ReadSmall(d, caps::kMaxManifestBytes));
    document_bytes_ += static_cast<int64_t>(bytes.size());
    if (document_bytes_ > kMaxDocumentBytes) {
      return ResourceExhaustedError("manifests and indexes to copy exceed " +
                                    std::to_string(kMaxDocumentBytes) +
                                    " bytes");
    }
    return bytes;
  }

  Result<Descriptor> AddManifest(Descriptor d, std::string bytes,
                                 bool rewrite) {
    std::string name = "manifest " + d.digest.ToString();
    ASSIGN_OR_RETURN(Manifest m, ParseManifest(bytes, name));
    if (d.media_type.empty()) {
      d.media_type = m.media_type.empty() ? std::string(media::kOciManifest)
                                          : m.media_type;
    }
    std::vector<BlobJob> jobs;
    jobs.push_back({m.config, m.config});
    for (const Descriptor& layer : m.layers) jobs.push_back({layer, layer});
    bool unverified = std::any_of(m.layers.begin(), m.layers.end(),
                                  [&](const Descriptor& layer) {
                                    return !store_.VerifiesContent(layer);
                                  });
    if (unverified) {
      if (!rewrite) {
        return UnimplementedError(
                   "a layer that its digest does not verify cannot be copied "
                   "inside an index")
            .WithContext(name);
      }
      Status s = ResolveLayerDigests(m, jobs, &d, &bytes);
      if (!s.ok()) return std::move(s).WithContext(name);
    }
    for (BlobJob& job : jobs) {
      if (!blob_digests_.insert(job.dest.digest).second) continue;
      blob_bytes_ =
          job.dest.size > std::numeric_limits<int64_t>::max() - blob_bytes_
              ? std::numeric_limits<int64_t>::max()
              : blob_bytes_ + job.dest.size;
      blobs_.push_back(std::move(job));
    }
    AddDocument(d, std::move(bytes));
    return d;
  }

  // For layers the store cannot verify (a docker archive's compressed
  // member no digest names): hashes each to learn its digest and size,
  // checking its diffID on the way, and rewrites the manifest to name them.
  Status ResolveLayerDigests(const Manifest& m, std::vector<BlobJob>& jobs,
                             Descriptor* d, std::string* bytes) {
    ASSIGN_OR_RETURN(std::string config_bytes,
                     store_.ReadSmall(m.config, caps::kMaxConfigBytes));
    ASSIGN_OR_RETURN(
        ImageConfig config,
        ParseImageConfig(config_bytes, "config " + m.config.digest.ToString()));
    if (config.diff_ids.size() != m.layers.size()) {
      return DataLossError("config lists " +
                           std::to_string(config.diff_ids.size()) +
                           " diff_ids but the manifest has " +
                           std::to_string(m.layers.size()) + " layers");
    }
    ASSIGN_OR_RETURN(json::Json j,
                     json::Parse(*bytes, "manifest", caps::kMaxManifestBytes));
    for (size_t i = 0; i < m.layers.size(); ++i) {
      if (store_.VerifiesContent(m.layers[i])) continue;
      Result<Descriptor> layer = HashLayer(m.layers[i], config.diff_ids[i]);
      if (!layer.ok()) {
        return layer.status().WithContext("layer " + std::to_string(i));
      }
      jobs[i + 1].dest = *layer;
      j["layers"][i]["digest"] = layer->digest.ToString();
      j["layers"][i]["size"] = layer->size;
      ++rewritten_layers_;
    }
    *bytes = json::Dump(j);
    d->digest = Sha256Of(*bytes);
    d->size = static_cast<int64_t>(bytes->size());
    return Status::Ok();
  }

  Result<Descriptor> HashLayer(const Descriptor& layer, const Digest& diff_id) {
    ASSIGN_OR_RETURN(std::unique_ptr<ByteSource> src, store_.Open(layer));
    io::HashingSource blob(*src);
    ASSIGN_OR_RETURN(
        std::unique_ptr<ByteSource> plain,
        io::OpenDecompressed(std::make_unique<BorrowedSource>(blob), nullptr));
    io::ByteBudget budget(caps::kDefaultMaxExpandedBytes, "expanded layer");
    io::BudgetedSource budgeted(*plain, budget);
    io::HashingSource tar(budgeted, diff_id.algorithm());
    RETURN_IF_ERROR(Drain(tar));
    RETURN_IF_ERROR(Drain(blob));
    if (tar.digest() != diff_id) {
      return DataLossError("diffID mismatch: got " + tar.digest().ToString() +
                           ", want " + diff_id.ToString());
    }
    Descriptor out = layer;
    out.digest = blob.digest();
    out.size = blob.bytes_read();
    return out;
  }

  void AddDocument(const Descriptor& d, std::string bytes) {
    done_.insert(d.digest);
    documents_.push_back({d, std::move(bytes)});
  }

  BlobStore& store_;
  int reads_ = 0;
  int64_t document_bytes_ = 0;
  std::set<Digest> done_;  // documents added
  std::vector<Document> documents_;
  std::set<Digest> blob_digests_;
  std::vector<BlobJob> blobs_;
  int64_t blob_bytes_ = 0;
  int rewritten_layers_ = 0;
};

// Copies blobs on `parallel` threads; the first error cancels the rest.
class BlobCopier {
 public:
  BlobCopier(BlobStore& store, ImageSink& sink, const CopyOptions& options,
             int64_t total_bytes)
      : store_(store), sink_(sink), options_(options), total_(total_bytes) {}

  Status Run(const std::vector<BlobJob>& jobs) {
    std::atomic<size_t> next{0};
    auto worker = [&] {
      while (!cancelled_.load()) {
        size_t i = next.fetch_add(1);
        if (i >= jobs.size()) return;
        Status s = CopyOne(jobs[i]);
        if (!s.ok()) {
          std::lock_guard<std::mutex> lock(mu_);
          if (first_error_.ok()) first_error_ = std::move(s);
          cancelled_ = true;
        }
      }
    };
    int threads = std::clamp(options_.parallel, 1,
                             std::max(static_cast<int>(jobs.size()), 1));
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
    worker();
    for (std::thread& t : pool) t.join();
    return first_error_;
  }

  int64_t copied() const { return copied_; }
  int64_t skipped() const { return skipped_; }
  int64_t bytes_copied() const { return bytes_copied_; }

 private:
  // Counts bytes for progress and stops at the next read once cancelled.
  class ProgressSource : public ByteSource {
   public:
    ProgressSource(std::unique_ptr<ByteSource> up, BlobCopier& copier,
                   int64_t* counted)
        : up_(std::move(up)), copier_(copier), counted_(counted) {}
    Result<size_t> Read(std::span<uint8_t> out) override {
      if (copier_.cancelled_.load()) return UnavailableError("copy cancelled");
      ASSIGN_OR_RETURN(size_t n, up_->Read(out));
      *counted_ += static_cast<int64_t>(n);
      copier_.Advance(static_cast<int64_t>(n));
      return n;
    }

   private:
    std::unique_ptr<ByteSource> up_;
    BlobCopier& copier_;
    int64_t* counted_;
  };

  void Advance(int64_t n) {
    int64_t done = done_.fetch_add(n) + n;
    if (options_.on_progress && n != 0) options_.on_progress(done, total_);
  }

  Status CopyOne(const BlobJob& job) {
    ASSIGN_OR_RETURN(bool present, sink_.HasBlob(job.dest));
    if (present) {
      ++skipped_;
      Advance(job.dest.size);
      return Status::Ok();
    }
    int64_t counted = 0;
    auto open = [&]() -> Result<std::unique_ptr<ByteSource>> {
      Advance(-counted);  // a retry starts over
      counted = 0;
      ASSIGN_OR_RETURN(std::unique_ptr<ByteSource> src,
                       store_.Open(job.source));
      return std::unique_ptr<ByteSource>(
          std::make_unique<ProgressSource>(std::move(src), *this, &counted));
    };
    RETURN_IF_ERROR(sink_.PutBlob(job.dest, open));
    ++copied_;
    bytes_copied_ += job.dest.size;
    return Status::Ok();
  }

  BlobStore& store_;
  ImageSink& sink_;
  const CopyOptions& options_;
  const int64_t total_;
  std::atomic<bool> cancelled_{false};
  std::mutex mu_;
  Status first_error_;
  std::atomic<int64_t> done_{0};
  std::atomic<int64_t> copied_{0};
  std::atomic<int64_t> skipped_{0};
  std::atomic<int64_t> bytes_copied_{0};
};

Status PutDocuments(ImageSink& sink, const std::vector<Document>& documents,
                    const std::string& tag) {
  for (size_t i = 0; i < documents.size(); ++i) {
    bool top = i + 1 == documents.size();
    RETURN_IF_ERROR(sink.PutManifest(documents[i].descriptor,
                                     documents[i].bytes, top ? tag : ""));
  }
  return Status::Ok();
}

}  // namespace

Result<CopyReport> Copy(ImageSource& source, ImageSink& sink,
                        const CopyOptions& options) {
  if (options.parallel < 1 || options.parallel > kMaxParallel) {
    return InvalidArgumentError("parallel must be between 1 and " +
                                std::to_string(kMaxParallel) + ", not " +
                                std::to_string(options.parallel));
  }
  BlobStore& store = *source.store;
  CopyReport report;
  Descriptor top = source.top;
  if (!options.all_platforms) {
    std::vector<Platform> available;
    Platform want = options.platform.value_or(HostPlatform());
    ASSIGN_OR_RETURN(
        top, SelectPlatformManifest(store, source.top, want, &available));
    if (top.digest != source.top.digest) {
      report.notes.push_back(
          "copied only " +
          (top.platform ? top.platform->ToString() : std::string("one image")) +
          " (manifest " + top.digest.ToString() + ") of index " +
          source.top.digest.ToString() + " (it lists " + Join(available) + ")");
    }
  }
  // The written top carries no annotations of the source's listing.
  top.annotations.clear();
  top.artifact_type.clear();
  Walker walker(store);
  std::vector<Digest> ancestors;
  ASSIGN_OR_RETURN(report.top, walker.Add(top, true, &ancestors));

  bool manifests_first = !sink.PreservesManifests();
  if (manifests_first) {
    RETURN_IF_ERROR(PutDocuments(sink, walker.documents(), options.tag));
  }
  BlobCopier copier(store, sink, options, walker.blob_bytes());
  RETURN_IF_ERROR(copier.Run(walker.blobs()));
  if (!manifests_first) {
    RETURN_IF_ERROR(PutDocuments(sink, walker.documents(), options.tag));
  }
  RETURN_IF_ERROR(sink.Commit());

  report.blobs_copied = copier.copied();
  report.blobs_skipped = copier.skipped();
  report.bytes_copied = copier.bytes_copied();
  if (source.base.transport == Transport::kDockerArchive &&
      sink.PreservesManifests()) {
    std::string note =
        "docker-archive stores no manifest: wrote the one synthesised from "
        "its manifest.json (" +
        report.top.digest.ToString() + ")";
    if (walker.rewritten_layers() > 0) {
      note += "; " + std::to_string(walker.rewritten_layers()) +
              " compressed layer(s) not named by digest were hashed and "
              "checked against their diffIDs";
    }
    report.notes.push_back(std::move(note));
  }
  if (!sink.PreservesManifests()) {
    report.digests_preserved = false;
    report.notes.push_back(
        "the destination (docker-archive) stores no manifest: the manifest "
        "digest changes when it is read back; config and layer digests are "
        "kept");
  }
  return report;
}

}  // namespace strata::oci
