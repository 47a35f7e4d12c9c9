#include "registry/store.h"

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "base/caps.h"
#include "base/json.h"

namespace strata::registry {
namespace {

bool IsManifestDocument(const oci::Descriptor& d) {
  return oci::IsIndexMediaType(d.media_type) ||
         oci::IsManifestMediaType(d.media_type);
}

// Runs Client::FetchBlob on its own thread and hands the bytes to the
// reader through a bounded queue; tees them into the cache when given one.
// The stream ends with FetchBlob's verdict: bytes are only known good once
// Read has returned 0 (as with io::VerifyingSource).
class FetchedBlobSource : public ByteSource {
 public:
  FetchedBlobSource(std::shared_ptr<Client> client, std::string repo,
                    oci::Descriptor d, std::shared_ptr<BlobCache> cache)
      : client_(std::move(client)),
        repo_(std::move(repo)),
        d_(std::move(d)),
        cache_(std::move(cache)) {
    thread_ = std::thread([this] { Run(); });
  }
  ~FetchedBlobSource() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      cancelled_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  FetchedBlobSource(const FetchedBlobSource&) = delete;
  FetchedBlobSource& operator=(const FetchedBlobSource&) = delete;

  Result<size_t> Read(std::span<uint8_t> out) override {
    if (out.empty()) return size_t{0};
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return !queue_.empty() || done_; });
    if (queue_.empty()) {
      if (!final_.ok()) return final_;
      return size_t{0};
    }
    std::vector<uint8_t>& front = queue_.front();
    size_t n = std::min(out.size(), front.size() - front_pos_);
    std::memcpy(out.data(), front.data() + front_pos_, n);
    front_pos_ += n;
    if (front_pos_ == front.size()) {
      queued_ -= static_cast<int64_t>(front.size());
      queue_.pop_front();
      front_pos_ = 0;
      lock.unlock();
      cv_.notify_all();
    }
    return n;
  }

 private:
  void Run() {
    std::unique_ptr<BlobCache::Writer> writer;
    if (cache_) {
      Result<std::unique_ptr<BlobCache::Writer>> w = cache_->StartWrite(d_);
      if (w.ok()) writer = *std::move(w);  // no cache entry is no error
    }
    BodySink sink = [&](std::span<const uint8_t> bytes) -> Status {
      if (writer && !writer->Append(bytes).ok()) writer.reset();
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock,
               [this] { return queued_ < kMaxQueuedBlobBytes || cancelled_; });
      if (cancelled_) return UnavailableError("download cancelled");
      queue_.emplace_back(bytes.begin(), bytes.end());
      queued_ += static_cast<int64_t>(bytes.size());
      lock.unlock();
      cv_.notify_all();
      return Status::Ok();
    };
    Status st = client_->FetchBlob(repo_, d_, sink);
    if (st.ok() && writer) (void)writer->Commit();
    std::lock_guard<std::mutex> lock(mu_);
    done_ = true;
    final_ = std::move(st);
    cv_.notify_all();
  }

  std::shared_ptr<Client> client_;
  std::string repo_;
  oci::Descriptor d_;
  std::shared_ptr<BlobCache> cache_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::vector<uint8_t>> queue_;  // guarded by mu_
  int64_t queued_ = 0;                      // guarded by mu_
  bool done_ = false;                       // guarded by mu_
  bool cancelled_ = false;                  // guarded by mu_
  Status final_;                            // guarded by mu_
  size_t front_pos_ = 0;                    // reader side, under mu_
  std::thread thread_;
};

class RegistryStore : public oci::BlobStore {
 public:
  RegistryStore(std::shared_ptr<Client> client, std::string repo,
                std::shared_ptr<BlobCache> cache)
      : client_(std::move(client)),
        repo_(std::move(repo)),
        cache_(std::move(cache)) {}

  void Remember(const Digest& digest, std::string bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    manifests_[digest] = std::move(bytes);
  }

  Result<std::unique_ptr<ByteSource>> Open(const oci::Descriptor& d) override {
    if (IsManifestDocument(d)) {
      ASSIGN_OR_RETURN(std::string bytes, Manifest(d));
      return std::unique_ptr<ByteSource>(
          std::make_unique<StringSource>(std::move(bytes)));
    }
    if (cache_ && cache_->Has(d)) {
      Result<std::unique_ptr<ByteSource>> cached = cache_->Open(d);
      if (cached.ok()) return cached;
    }
    return std::unique_ptr<ByteSource>(
        std::make_unique<FetchedBlobSource>(client_, repo_, d, cache_));
  }

 private:
  // A manifest or index by digest: remembered, cached, or fetched (and then
  // cached). Its size must be the descriptor's.
  Result<std::string> Manifest(const oci::Descriptor& d) {
    std::string what = "manifest " + d.digest.ToString();
    if (d.size > caps::kMaxManifestBytes) {
      return ResourceExhaustedError(what + " is " + std::to_string(d.size) +
                                    " bytes, over the cap of " +
                                    std::to_string(caps::kMaxManifestBytes));
    }
    std::string bytes;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = manifests_.find(d.digest);
      if (it != manifests_.end()) bytes = it->second;
    }
    if (bytes.empty() && cache_) {
      Result<std::string> cached =
          cache_->ReadSmall(d, caps::kMaxManifestBytes);
      if (cached.ok()) bytes = *std::move(cached);
    }
    if (bytes.empty()) {
      ASSIGN_OR_RETURN(FetchedManifest m,
                       client_->GetManifest(repo_, d.digest.ToString()));
      bytes = std::move(m.bytes);
      if (cache_) (void)cache_->Put(m.descriptor, bytes);
    }
    if (d.size >= 0 && static_cast<int64_t>(bytes.size()) != d.size) {
      return DataLossError(what + ": " + std::to_string(bytes.size()) +
                           " bytes, the descriptor says " +
                           std::to_string(d.size));
    }
    Remember(d.digest, bytes);
    return bytes;
  }

  std::shared_ptr<Client> client_;
  std::string repo_;
  std::shared_ptr<BlobCache> cache_;
  std::mutex mu_;
  std::map<Digest, std::string> manifests_;  // guarded by mu_
};

}  // namespace

Result<std::shared_ptr<Client>> ClientFor(const oci::ImageRef& ref,
                                          const RegistryOptions& options) {
  if (ref.transport != oci::Transport::kRegistry) {
    return InvalidArgumentError(ref.ToString() + " is not a registry image");
  }
  ASSIGN_OR_RETURN(
      std::unique_ptr<Client> client,
      Client::Create(oci::RegistryApiHost(ref.registry), options.client));
  return std::shared_ptr<Client>(std::move(client));
}

Result<oci::ImageSource> OpenRegistrySource(const oci::ImageRef& ref,
                                            const RegistryOptions& options) {
  ASSIGN_OR_RETURN(std::shared_ptr<Client> client, ClientFor(ref, options));
  return OpenRegistrySource(ref, std::move(client), options.cache);
}

Result<oci::ImageSource> OpenRegistrySource(const oci::ImageRef& ref,
                                            std::shared_ptr<Client> client,
                                            std::shared_ptr<BlobCache> cache) {
  oci::Descriptor top;
  std::string bytes;
  if (ref.digest && cache) {
    oci::Descriptor any;
    any.digest = *ref.digest;
    any.size = -1;
    Result<std::string> cached = cache->ReadSmall(any, caps::kMaxManifestBytes);
    if (cached.ok()) {
      bytes = *std::move(cached);
      ASSIGN_OR_RETURN(oci::DocumentKind kind,
                       oci::ClassifyDocument(bytes, ""));
      top.digest = *ref.digest;
      top.size = static_cast<int64_t>(bytes.size());
      top.media_type = kind == oci::DocumentKind::kIndex
                           ? std::string(oci::media::kOciIndex)
                           : std::string(oci::media::kOciManifest);
      // The document's own mediaType, when it states one (a Docker list or
      // manifest), is covered by the digest.
      Result<json::Json> doc =
          json::Parse(bytes, top.digest.ToString(), caps::kMaxManifestBytes);
      if (doc.ok()) {
        Result<std::optional<std::string>> mt =
            json::GetString(*doc, "mediaType");
        if (mt.ok() && *mt && !(*mt)->empty()) top.media_type = **mt;
      }
    }
  }
  if (bytes.empty()) {
    std::string want = ref.digest ? ref.digest->ToString() : ref.tag;
    Result<FetchedManifest> m = client->GetManifest(ref.repository, want);
    if (!m.ok()) return m.status();
    top = m->descriptor;
    bytes = std::move(m->bytes);
    if (cache) (void)cache->Put(top, bytes);
  }
  auto store = std::make_shared<RegistryStore>(client, ref.repository, cache);
  store->Remember(top.digest, std::move(bytes));
  oci::ImageMetadata base;
  base.transport = oci::Transport::kRegistry;
  base.reference = ref.ToString();
  if (!ref.tag.empty()) {
    base.repo_tags.push_back(ref.registry + "/" + ref.repository + ":" +
                             ref.tag);
  }
  return oci::ImageSource{std::move(store), std::move(top), std::move(base)};
}

}  // namespace strata::registry
