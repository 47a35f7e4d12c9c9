// OCI image layout (image-spec image-layout.md) over LayoutFiles: a
// directory here, a tar in archive.cc.
#include <fcntl.h>

#include <cerrno>
#include <functional>

#include "base/caps.h"
#include "base/json.h"
#include "base/unique_fd.h"
#include "io/file_source.h"
#include "io/verify.h"
#include "oci/local_stores.h"

namespace strata::oci {
namespace {

constexpr std::string_view kRefNameAnnotation =
    "org.opencontainers.image.ref.name";
constexpr std::string_view kContainerdNameAnnotation =
    "io.containerd.image.name";

std::string BlobPath(const Digest& d) {
  return "blobs/" + std::string(d.algorithm_name()) + "/" + d.hex();
}

std::string Annotation(const Descriptor& d, std::string_view key) {
  auto it = d.annotations.find(std::string(key));
  return it == d.annotations.end() ? std::string() : it->second;
}

// The name an index.json entry goes by: its ref.name, else containerd's.
std::string EntryName(const Descriptor& d) {
  std::string name = Annotation(d, kRefNameAnnotation);
  return name.empty() ? Annotation(d, kContainerdNameAnnotation) : name;
}

// Reads a whole layout file (oci-layout, index.json) within its cap.
Result<std::string> ReadLayoutFile(LayoutFiles& files,
                                   const std::string& name) {
  std::string display = files.where() + "/" + name;
  int64_t size = 0;
  Result<std::unique_ptr<ByteSource>> src = files.Open(name, &size);
  if (!src.ok()) {
    if (src.status().code() == StatusCode::kNotFound) {
      return NotFoundError(files.where() + " is not an OCI layout: no " + name +
                           " file");
    }
    return src.status();
  }
  if (size > caps::kMaxLayoutFileBytes) {
    return ResourceExhaustedError(display + " is " + std::to_string(size) +
                                  " bytes, over the cap of " +
                                  std::to_string(caps::kMaxLayoutFileBytes));
  }
  return ReadAll(**src, caps::kMaxLayoutFileBytes, display);
}

Status CheckLayoutVersion(LayoutFiles& files) {
  ASSIGN_OR_RETURN(std::string bytes, ReadLayoutFile(files, "oci-layout"));
  std::string display = files.where() + "/oci-layout";
  ASSIGN_OR_RETURN(json::Json j,
                   json::Parse(bytes, display, caps::kMaxLayoutFileBytes));
  Result<std::optional<std::string>> version =
      json::GetString(j, "imageLayoutVersion");
  if (!version.ok()) return version.status().WithContext(display);
  if (!version->has_value()) {
    return DataLossError("missing field \"imageLayoutVersion\"")
        .WithContext(display);
  }
  if (**version != "1.0.0") {
    return UnimplementedError("unsupported imageLayoutVersion \"" +
                              version->value().substr(0, 100) + "\"")
        .WithContext(display);
  }
  return Status::Ok();
}

// Blobs at blobs/<alg>/<hex>, verified against the descriptor while read.
class LayoutStore : public BlobStore {
 public:
  LayoutStore(std::shared_ptr<LayoutFiles> files, InlineBlobs inline_blobs)
      : files_(std::move(files)), inline_(std::move(inline_blobs)) {}

  Result<std::unique_ptr<ByteSource>> Open(const Descriptor& d) override {
    if (auto it = inline_.find(d.digest); it != inline_.end()) {
      return std::unique_ptr<ByteSource>(
          std::make_unique<StringSource>(it->second));
    }
    std::string what = "blob " + d.digest.ToString();
    int64_t size = 0;
    Result<std::unique_ptr<ByteSource>> src =
        files_->Open(BlobPath(d.digest), &size);
    if (!src.ok()) {
      if (src.status().code() == StatusCode::kNotFound) {
        return NotFoundError(what + " not found in " + files_->where());
      }
      return src.status();
    }
    return std::unique_ptr<ByteSource>(std::make_unique<io::VerifyingSource>(
        *std::move(src), d.digest, d.size, what));
  }

 private:
  std::shared_ptr<LayoutFiles> files_;
  const InlineBlobs inline_;
};

std::string TagList(const Index& index) {
  std::string out;
  for (const Descriptor& d : index.manifests) {
    std::string name = EntryName(d);
    if (name.empty()) continue;
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

Result<Descriptor> SelectByTag(const Index& index, const std::string& tag,
                               const std::string& where) {
  // ref.name first, then containerd's full name, then its ":TAG" suffix.
  const std::vector<std::function<bool(const Descriptor&)>> passes = {
      [&](const Descriptor& d) {
        return Annotation(d, kRefNameAnnotation) == tag;
      },
      [&](const Descriptor& d) {
        return Annotation(d, kContainerdNameAnnotation) == tag;
      },
      [&](const Descriptor& d) {
        return Annotation(d, kContainerdNameAnnotation).ends_with(":" + tag);
      },
  };
  for (const auto& matches : passes) {
    for (const Descriptor& d : index.manifests) {
      if (matches(d)) return d;
    }
  }
  std::string tags = TagList(index);
  return NotFoundError(
      "no manifest tagged \"" + tag + "\" in " + where +
      (tags.empty() ? "; it has no tags" : "; available tags: " + tags));
}

// Picks the top descriptor for `ref` from index.json. May add index.json
// itself to *inline_blobs when it is to be resolved as an index.
Result<Descriptor> SelectTop(const Index& index, const std::string& index_bytes,
                             const ImageRef& ref, LayoutFiles& files,
                             InlineBlobs* inline_blobs) {
  const std::string& where = files.where();
  if (ref.digest) {
    for (const Descriptor& d : index.manifests) {
      if (d.digest == *ref.digest) return d;
    }
    // Any blob of the layout, e.g. a platform manifest of a nested index.
    Descriptor d;
    d.digest = *ref.digest;
    Result<std::unique_ptr<ByteSource>> src =
        files.Open(BlobPath(d.digest), &d.size);
    if (!src.ok()) {
      if (src.status().code() == StatusCode::kNotFound) {
        return NotFoundError("blob " + d.digest.ToString() + " not found in " +
                             where);
      }
      return src.status();
    }
    return d;
  }
  if (!ref.tag.empty()) return SelectByTag(index, ref.tag, where);
  if (index.manifests.empty()) {
    return NotFoundError(where + "/index.json lists no manifests");
  }
  if (index.manifests.size() == 1) return index.manifests[0];
  for (const Descriptor& d : index.manifests) {
    if (Annotation(d, kRefNameAnnotation) == "latest" ||
        Annotation(d, kContainerdNameAnnotation).ends_with(":latest")) {
      return d;
    }
  }
  std::string tags = TagList(index);
  if (tags.empty()) {
    // Untagged entries (e.g. one per platform): index.json is the index.
    Descriptor d;
    d.media_type = std::string(media::kOciIndex);
    d.digest = Sha256Of(index_bytes);
    d.size = static_cast<int64_t>(index_bytes.size());
    (*inline_blobs)[d.digest] = index_bytes;
    return d;
  }
  return InvalidArgumentError(
      where + " holds " + std::to_string(index.manifests.size()) +
      " images; choose one with :TAG (tags: " + tags + ")");
}

class LayoutDirectory : public LayoutFiles {
 public:
  LayoutDirectory(UniqueFd dir_fd, std::string dir)
      : dir_fd_(std::move(dir_fd)), dir_(std::move(dir)) {}

  Result<std::unique_ptr<ByteSource>> Open(const std::string& name,
                                           int64_t* size) override {
    ASSIGN_OR_RETURN(
        std::shared_ptr<io::SharedFile> file,
        io::SharedFile::OpenBeneath(dir_fd_.get(), name, dir_ + "/" + name));
    *size = file->size();
    return std::unique_ptr<ByteSource>(
        std::make_unique<io::RangeSource>(file, 0, file->size()));
  }
  const std::string& where() const override { return dir_; }

 private:
  UniqueFd dir_fd_;
  std::string dir_;
};

}  // namespace

Result<ImageSource> OpenOciLayoutSource(std::shared_ptr<LayoutFiles> files,
                                        const ImageRef& ref) {
  RETURN_IF_ERROR(CheckLayoutVersion(*files));
  ASSIGN_OR_RETURN(std::string index_bytes,
                   ReadLayoutFile(*files, "index.json"));
  ASSIGN_OR_RETURN(Index index,
                   ParseIndex(index_bytes, files->where() + "/index.json"));
  InlineBlobs inline_blobs;
  ASSIGN_OR_RETURN(Descriptor top,
                   SelectTop(index, index_bytes, ref, *files, &inline_blobs));
  ImageMetadata base;
  base.transport = ref.transport;
  base.reference = ref.ToString();
  for (std::string_view key : {kRefNameAnnotation, kContainerdNameAnnotation}) {
    std::string name = Annotation(top, key);
    if (!name.empty()) base.repo_tags.push_back(name);
  }
  auto store =
      std::make_shared<LayoutStore>(std::move(files), std::move(inline_blobs));
  return ImageSource{std::move(store), std::move(top), std::move(base)};
}

Result<ImageSource> OpenOciLayout(const ImageRef& ref) {
  UniqueFd fd(::open(ref.path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoError("open " + ref.path, errno);
  return OpenOciLayoutSource(
      std::make_shared<LayoutDirectory>(std::move(fd), ref.path), ref);
}

}  // namespace strata::oci
