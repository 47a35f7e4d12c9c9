// Image archives: tars of an OCI layout (oci-archive) and `docker save`
// output (docker-archive). The tar is indexed once by reading only its
// headers (member data is skipped with seeks); blobs are then byte ranges of
// the archive file, read concurrently with pread.
//
// Docker archives have no manifest: one is synthesised (Docker v2 schema 2)
// from manifest.json and the config, and its digest is that of the
// synthesised bytes. Layer blob digests are not recorded in a docker archive
// and hashing every layer up front would read the whole archive twice, so:
//  - an uncompressed layer member (what `docker save` writes) is its own
//    diffID: its descriptor digest is the config's diff_id and reading it is
//    verified against that (a mismatch is kDataLoss);
//  - a compressed member named by its digest ("blobs/sha256/<hex>",
//    "<hex>.tar") is verified against that name;
//  - any other compressed member gets the diff_id as descriptor digest and is
//    not verified as a blob; the image pipeline still verifies the diffID of
//    its uncompressed stream, so its integrity is checked all the same.
#include <algorithm>
#include <optional>
#include <unordered_map>

#include "base/caps.h"
#include "base/json.h"
#include "base/path.h"
#include "io/verify.h"
#include "oci/local_stores.h"
#include "tar/tar_reader.h"

namespace strata::oci {
namespace {

struct Member {
  int64_t offset = 0;
  int64_t size = 0;
};

// Regular members of a tar by normalised name. Last entry of a name wins;
// hardlinks and in-archive symlinks resolve to the member they name.
class TarIndex {
 public:
  static Result<TarIndex> Build(const std::shared_ptr<io::SharedFile>& file) {
    TarIndex index;
    io::RangeSource src(file, 0, file->size());
    tar::Reader reader(src);
    tar::Entry e;
    int64_t name_bytes = 0;
    while (true) {
      ASSIGN_OR_RETURN(bool more, reader.Next(&e));
      if (!more) break;
      if (reader.entry_count() > caps::kMaxArchiveMembers) {
        return ResourceExhaustedError("archive has more than " +
                                      std::to_string(caps::kMaxArchiveMembers) +
                                      " members");
      }
      name_bytes += static_cast<int64_t>(e.name.size() + e.link_target.size());
      if (name_bytes > caps::kMaxArchiveIndexBytes) {
        return ResourceExhaustedError(
            "archive member names exceed " +
            std::to_string(caps::kMaxArchiveIndexBytes) + " bytes");
      }
      // Names that do not normalise can never be looked up: skip them.
      Result<std::string> name = path::NormalizeEntryPath(e.name);
      if (!name.ok()) continue;
      index.files_.erase(*name);
      index.symlinks_.erase(*name);
      if (e.type == tar::EntryType::kRegular && e.data_offset >= 0) {
        index.files_[*name] = Member{e.data_offset, e.size};
      } else if (e.type == tar::EntryType::kHardlink) {
        Result<std::string> target = path::NormalizeEntryPath(e.link_target);
        if (!target.ok()) continue;
        auto it = index.files_.find(*target);
        if (it != index.files_.end()) index.files_[*name] = it->second;
      } else if (e.type == tar::EntryType::kSymlink) {
        index.symlinks_[*name] =
            path::JoinClamped(path::Dirname(*name), e.link_target);
      }
    }
    return index;
  }

  const Member* Find(std::string name) const {
    for (int hops = 0; hops <= caps::kMaxSymlinkHops; ++hops) {
      if (auto it = files_.find(name); it != files_.end()) return &it->second;
      auto link = symlinks_.find(name);
      if (link == symlinks_.end()) return nullptr;
      name = link->second;
    }
    return nullptr;
  }

 private:
  std::unordered_map<std::string, Member> files_;
  std::unordered_map<std::string, std::string> symlinks_;
};

Result<TarIndex> IndexArchive(const std::shared_ptr<io::SharedFile>& file) {
  RETURN_IF_ERROR(RejectCompressedArchive(*file));
  Result<TarIndex> index = TarIndex::Build(file);
  if (!index.ok()) return index.status().WithContext(file->path());
  return index;
}

// The members of an OCI layout tar.
class ArchiveLayoutFiles : public LayoutFiles {
 public:
  ArchiveLayoutFiles(std::shared_ptr<io::SharedFile> file, TarIndex index)
      : file_(std::move(file)), index_(std::move(index)) {}

  Result<std::unique_ptr<ByteSource>> Open(const std::string& name,
                                           int64_t* size) override {
    const Member* m = index_.Find(name);
    if (m == nullptr) {
      return NotFoundError(file_->path() + ": no member " + name);
    }
    *size = m->size;
    return std::unique_ptr<ByteSource>(
        std::make_unique<io::RangeSource>(file_, m->offset, m->size));
  }
  const std::string& where() const override { return file_->path(); }

 private:
  std::shared_ptr<io::SharedFile> file_;
  TarIndex index_;
};

// --- docker-archive ----------------------------------------------------------

struct DockerEntry {
  std::string config;
  std::vector<std::string> repo_tags;
  std::vector<std::string> layers;
};

Result<std::vector<DockerEntry>> ParseDockerManifest(std::string_view bytes,
                                                     const std::string& what) {
  ASSIGN_OR_RETURN(json::Json j,
                   json::Parse(bytes, what, caps::kMaxLayoutFileBytes));
  if (!j.is_array()) return DataLossError(what + " is not a JSON array");
  if (j.size() > static_cast<size_t>(caps::kMaxIndexManifests)) {
    return ResourceExhaustedError(what + " lists more than " +
                                  std::to_string(caps::kMaxIndexManifests) +
                                  " images");
  }
  std::vector<DockerEntry> out;
  for (size_t i = 0; i < j.size(); ++i) {
    DockerEntry e;
    Status s = [&]() -> Status {
      if (!j[i].is_object()) return DataLossError("entry must be an object");
      ASSIGN_OR_RETURN(auto config, json::GetString(j[i], "Config"));
      if (!config) return DataLossError("missing field \"Config\"");
      e.config = *std::move(config);
      ASSIGN_OR_RETURN(auto tags, json::GetStringArray(j[i], "RepoTags"));
      if (tags) e.repo_tags = *std::move(tags);
      ASSIGN_OR_RETURN(auto layers, json::GetStringArray(j[i], "Layers"));
      if (!layers) return DataLossError("missing field \"Layers\"");
      if (layers->size() > static_cast<size_t>(caps::kMaxLayers)) {
        return ResourceExhaustedError(
            "more than " + std::to_string(caps::kMaxLayers) + " layers");
      }
      e.layers = *std::move(layers);
      return Status::Ok();
    }();
    if (!s.ok()) {
      return std::move(s).WithContext(what + "[" + std::to_string(i) + "]");
    }
    out.push_back(std::move(e));
  }
  return out;
}

// "alpine" -> "docker.io/library/alpine:latest", as docker names images.
std::string NormalizeDockerRef(std::string_view ref) {
  std::string r(ref), digest;
  if (size_t at = r.find('@'); at != std::string::npos) {
    digest = r.substr(at);
    r.resize(at);
  }
  size_t colon = r.rfind(':'), slash = r.rfind('/');
  bool has_tag = colon != std::string::npos &&
                 (slash == std::string::npos || colon > slash);
  if (!has_tag && digest.empty()) r += ":latest";
  std::string domain = "docker.io", rest = r;
  if (size_t first = r.find('/'); first != std::string::npos) {
    std::string head = r.substr(0, first);
    if (head.find_first_of(".:") != std::string::npos || head == "localhost") {
      domain = head;
      rest = r.substr(first + 1);
    }
  }
  if (domain == "index.docker.io") domain = "docker.io";
  if (domain == "docker.io" && rest.find('/') == std::string::npos) {
    rest = "library/" + rest;
  }
  return domain + "/" + rest + digest;
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

Result<const DockerEntry*> SelectDockerEntry(
    const std::vector<DockerEntry>& entries, const ImageRef& ref) {
  std::vector<std::string> all_tags;
  for (const DockerEntry& e : entries) {
    all_tags.insert(all_tags.end(), e.repo_tags.begin(), e.repo_tags.end());
  }
  std::string n = std::to_string(entries.size());
  if (ref.index) {
    if (*ref.index < 0 || static_cast<size_t>(*ref.index) >= entries.size()) {
      return NotFoundError("no image @" + std::to_string(*ref.index) + " in " +
                           ref.path + ": it holds " + n + " images");
    }
    return &entries[*ref.index];
  }
  if (!ref.tag.empty()) {
    std::string want = NormalizeDockerRef(ref.tag);
    for (const DockerEntry& e : entries) {
      for (const std::string& t : e.repo_tags) {
        if (NormalizeDockerRef(t) == want) return &e;
      }
    }
    return NotFoundError("no image tagged \"" + ref.tag + "\" in " + ref.path +
                         "; available: " + Join(all_tags));
  }
  if (entries.empty()) {
    return DataLossError(ref.path + ": manifest.json lists no images");
  }
  if (entries.size() == 1) return &entries[0];
  return InvalidArgumentError(
      ref.path + " holds " + n +
      " images; choose one with :REF or :@N (tags: " + Join(all_tags) + ")");
}

// The digest a member's name claims: "blobs/<alg>/<hex>" or
// "<hex>.json" / "<hex>.tar" at the top level.
std::optional<Digest> NameDigest(const std::string& name) {
  std::vector<std::string_view> parts = path::Split(name);
  std::string candidate;
  if (parts.size() == 3 && parts[0] == "blobs") {
    candidate = std::string(parts[1]) + ":" + std::string(parts[2]);
  } else if (parts.size() == 1) {
    std::string_view base = parts[0];
    for (std::string_view ext : {".json", ".tar"}) {
      if (base.ends_with(ext)) base.remove_suffix(ext.size());
    }
    candidate = "sha256:" + std::string(base);
  }
  Result<Digest> d = Digest::Parse(candidate);
  if (!d.ok()) return std::nullopt;
  return *d;
}

struct Blob {
  Member member;
  bool verify = true;
};

class DockerStore : public BlobStore {
 public:
  DockerStore(std::shared_ptr<io::SharedFile> file,
              std::map<Digest, Blob> blobs, InlineBlobs inline_blobs)
      : file_(std::move(file)),
        blobs_(std::move(blobs)),
        inline_(std::move(inline_blobs)) {}

  Result<std::unique_ptr<ByteSource>> Open(const Descriptor& d) override {
    if (auto it = inline_.find(d.digest); it != inline_.end()) {
      return std::unique_ptr<ByteSource>(
          std::make_unique<StringSource>(it->second));
    }
    std::string what = "blob " + d.digest.ToString();
    auto it = blobs_.find(d.digest);
    if (it == blobs_.end()) {
      return NotFoundError(what + " not found in " + file_->path());
    }
    const Member& m = it->second.member;
    auto src = std::make_unique<io::RangeSource>(file_, m.offset, m.size);
    if (!it->second.verify) return std::unique_ptr<ByteSource>(std::move(src));
    return std::unique_ptr<ByteSource>(std::make_unique<io::VerifyingSource>(
        std::move(src), d.digest, m.size, what));
  }

  bool VerifiesContent(const Descriptor& d) const override {
    auto it = blobs_.find(d.digest);
    return it == blobs_.end() || it->second.verify;
  }

 private:
  std::shared_ptr<io::SharedFile> file_;
  const std::map<Digest, Blob> blobs_;
  const InlineBlobs inline_;
};

Result<std::string> ReadMember(const std::shared_ptr<io::SharedFile>& file,
                               const Member& m, int64_t cap,
                               const std::string& what) {
  if (m.size > cap) {
    return ResourceExhaustedError(what + " is " + std::to_string(m.size) +
                                  " bytes, over the cap of " +
                                  std::to_string(cap));
  }
  io::RangeSource src(file, m.offset, m.size);
  return ReadAll(src, cap, what);
}

Result<std::string> LayerMediaType(const io::SharedFile& file,
                                   const Member& m) {
  uint8_t magic[4] = {};
  size_t n = static_cast<size_t>(std::min<int64_t>(m.size, sizeof(magic)));
  RETURN_IF_ERROR(file.PreadFull(m.offset, std::span<uint8_t>(magic, n)));
  if (n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
    return std::string(media::kDockerLayerGzip);
  }
  if (n == 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f &&
      magic[3] == 0xfd) {
    return std::string(media::kOciLayerZstd);
  }
  return std::string(media::kDockerLayer);
}

class DockerArchiveReader {
 public:
  DockerArchiveReader(std::shared_ptr<io::SharedFile> file, TarIndex index)
      : file_(std::move(file)), index_(std::move(index)) {}

  Result<ImageSource> Open(const ImageRef& ref) {
    ASSIGN_OR_RETURN(Member mj, Find("manifest.json"));
    ASSIGN_OR_RETURN(
        std::string mj_bytes,
        ReadMember(file_, mj, caps::kMaxLayoutFileBytes, "manifest.json"));
    Result<std::vector<DockerEntry>> entries =
        ParseDockerManifest(mj_bytes, "manifest.json");
    if (!entries.ok()) return entries.status().WithContext(file_->path());
    ASSIGN_OR_RETURN(const DockerEntry* entry,
                     SelectDockerEntry(*entries, ref));

    std::string config_bytes;
    ASSIGN_OR_RETURN(Descriptor config,
                     AddConfig(entry->config, &config_bytes));
    ASSIGN_OR_RETURN(
        ImageConfig parsed,
        ParseImageConfig(config_bytes, "config " + config.digest.ToString()));
    if (parsed.diff_ids.size() != entry->layers.size()) {
      return DataLossError("config lists " +
                           std::to_string(parsed.diff_ids.size()) +
                           " diff_ids but the manifest has " +
                           std::to_string(entry->layers.size()) + " layers")
          .WithContext(file_->path() + ": manifest.json");
    }
    json::Json layers = json::Json::array();
    for (size_t i = 0; i < entry->layers.size(); ++i) {
      ASSIGN_OR_RETURN(Descriptor layer,
                       AddLayer(entry->layers[i], parsed.diff_ids[i]));
      layers.push_back(ToJson(layer));
    }
    json::Json manifest = {
        {"schemaVersion", 2},
        {"mediaType", media::kDockerManifest},
        {"config", ToJson(config)},
        {"layers", std::move(layers)},
    };
    std::string manifest_bytes = json::Dump(manifest);
    Descriptor top;
    top.media_type = std::string(media::kDockerManifest);
    top.digest = Sha256Of(manifest_bytes);
    top.size = static_cast<int64_t>(manifest_bytes.size());
    InlineBlobs inline_blobs;
    inline_blobs[top.digest] = std::move(manifest_bytes);

    ImageMetadata base;
    base.transport = Transport::kDockerArchive;
    base.reference = ref.ToString();
    base.repo_tags = entry->repo_tags;
    auto store = std::make_shared<DockerStore>(file_, std::move(blobs_),
                                               std::move(inline_blobs));
    return ImageSource{std::move(store), std::move(top), std::move(base)};
  }

 private:
  static json::Json ToJson(const Descriptor& d) {
    return {{"mediaType", d.media_type},
            {"digest", d.digest.ToString()},
            {"size", d.size}};
  }

  // Looks up a member named in manifest.json.
  Result<Member> Find(const std::string& raw,
                      std::string* normalized = nullptr) {
    Result<std::string> name = path::NormalizeEntryPath(raw);
    if (!name.ok()) {
      return name.status().WithContext(file_->path() + ": member \"" +
                                       raw.substr(0, 200) + "\"");
    }
    const Member* m = index_.Find(*name);
    if (m == nullptr) {
      return NotFoundError(file_->path() + ": no member " + *name);
    }
    if (normalized) *normalized = *name;
    return *m;
  }

  // The config's digest is computed; a digest-named config must match it.
  Result<Descriptor> AddConfig(const std::string& raw, std::string* bytes) {
    std::string name;
    ASSIGN_OR_RETURN(Member m, Find(raw, &name));
    ASSIGN_OR_RETURN(*bytes, ReadMember(file_, m, caps::kMaxConfigBytes, name));
    Descriptor d;
    d.media_type = std::string(media::kDockerConfig);
    d.digest = Sha256Of(*bytes);
    d.size = m.size;
    if (std::optional<Digest> claimed = NameDigest(name);
        claimed && *claimed != d.digest) {
      return DataLossError("config " + name + ": digest mismatch: got " +
                           d.digest.ToString() + ", want " +
                           claimed->ToString());
    }
    blobs_.emplace(d.digest, Blob{m, true});
    return d;
  }

  // See the comment at the top of this file for the layer digests.
  Result<Descriptor> AddLayer(const std::string& raw, const Digest& diff_id) {
    std::string name;
    ASSIGN_OR_RETURN(Member m, Find(raw, &name));
    Descriptor d;
    ASSIGN_OR_RETURN(d.media_type, LayerMediaType(*file_, m));
    d.size = m.size;
    d.digest = diff_id;
    bool verify = true;
    if (d.media_type != media::kDockerLayer) {
      std::optional<Digest> claimed = NameDigest(name);
      verify = claimed.has_value();
      if (claimed) d.digest = *claimed;
    }
    blobs_.emplace(d.digest, Blob{m, verify});  // the first mapping wins
    return d;
  }

  std::shared_ptr<io::SharedFile> file_;
  TarIndex index_;
  std::map<Digest, Blob> blobs_;
};

}  // namespace

Status RejectCompressedArchive(const io::SharedFile& file) {
  uint8_t b[6] = {};
  size_t n = static_cast<size_t>(std::min<int64_t>(file.size(), sizeof(b)));
  RETURN_IF_ERROR(file.PreadFull(0, std::span<uint8_t>(b, n)));
  auto starts = [&](std::initializer_list<uint8_t> magic) {
    return n >= magic.size() && std::equal(magic.begin(), magic.end(), b);
  };
  if (starts({0x1f, 0x8b}) || starts({0x28, 0xb5, 0x2f, 0xfd}) ||
      starts({0xfd, '7', 'z', 'X', 'Z', 0x00}) || starts({'B', 'Z', 'h'})) {
    return UnimplementedError(
        "compressed image archives are not supported; decompress " +
        file.path() + " first");
  }
  return Status::Ok();
}

Result<ImageSource> OpenOciArchive(const ImageRef& ref) {
  ASSIGN_OR_RETURN(std::shared_ptr<io::SharedFile> file,
                   io::SharedFile::Open(ref.path));
  ASSIGN_OR_RETURN(TarIndex index, IndexArchive(file));
  return OpenOciLayoutSource(
      std::make_shared<ArchiveLayoutFiles>(file, std::move(index)), ref);
}

Result<ImageSource> OpenDockerArchive(const ImageRef& ref) {
  ASSIGN_OR_RETURN(std::shared_ptr<io::SharedFile> file,
                   io::SharedFile::Open(ref.path));
  ASSIGN_OR_RETURN(TarIndex index, IndexArchive(file));
  DockerArchiveReader reader(file, std::move(index));
  return reader.Open(ref);
}

}  // namespace strata::oci
