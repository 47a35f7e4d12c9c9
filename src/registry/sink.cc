#include "registry/sink.h"

#include <mutex>
#include <optional>

namespace strata::registry {
namespace {

class RegistrySink : public oci::ImageSink {
 public:
  RegistrySink(oci::ImageRef ref, std::shared_ptr<Client> client,
               PushOptions options)
      : ref_(std::move(ref)),
        client_(std::move(client)),
        options_(std::move(options)) {}

  bool PreservesManifests() const override { return true; }

  Result<bool> HasBlob(const oci::Descriptor& d) override {
    return client_->BlobExists(ref_.repository, d);
  }

  Status PutBlob(const oci::Descriptor& d,
                 const std::function<Result<std::unique_ptr<ByteSource>>()>&
                     open) override {
    if (!options_.mount_from.empty() &&
        options_.mount_from != ref_.repository) {
      Result<bool> mounted =
          client_->MountBlob(ref_.repository, d, options_.mount_from);
      if (mounted.ok() && *mounted) return Status::Ok();
      // Not mounted (or mounting refused): upload it.
    }
    return client_->PushBlob(ref_.repository, d, open, options_.chunk_size);
  }

  Status PutManifest(const oci::Descriptor& d, std::string_view bytes,
                     const std::string& tag) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (pending_) {
      RETURN_IF_ERROR(Push(pending_->d, pending_->bytes, ""));
    }
    pending_ = Pending{d, std::string(bytes), tag};
    return Status::Ok();
  }

  Status Commit() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!pending_) return FailedPreconditionError("nothing to push");
    if (ref_.digest && pending_->d.digest != *ref_.digest) {
      return InvalidArgumentError("destination " + ref_.ToString() +
                                  " names digest " + ref_.digest->ToString() +
                                  " but the image is " +
                                  pending_->d.digest.ToString());
    }
    std::string tag = pending_->tag.empty() ? ref_.tag : pending_->tag;
    RETURN_IF_ERROR(Push(pending_->d, pending_->bytes, tag));
    pending_.reset();
    return Status::Ok();
  }

 private:
  struct Pending {
    oci::Descriptor d;
    std::string bytes;
    std::string tag;
  };

  Status Push(const oci::Descriptor& d, const std::string& bytes,
              const std::string& tag) {
    std::string where = tag.empty() ? d.digest.ToString() : tag;
    Result<bool> r = client_->PutManifest(ref_.repository, where, d, bytes);
    return r.status();
  }

  oci::ImageRef ref_;
  std::shared_ptr<Client> client_;
  PushOptions options_;
  std::mutex mu_;
  std::optional<Pending> pending_;  // guarded by mu_
};

}  // namespace

Result<std::unique_ptr<oci::ImageSink>> OpenRegistrySink(
    const oci::ImageRef& ref, std::shared_ptr<Client> client,
    const PushOptions& options) {
  if (ref.transport != oci::Transport::kRegistry) {
    return InvalidArgumentError(ref.ToString() + " is not a registry image");
  }
  return std::unique_ptr<oci::ImageSink>(
      std::make_unique<RegistrySink>(ref, std::move(client), options));
}

}  // namespace strata::registry
