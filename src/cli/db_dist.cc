#include "cli/db_dist.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <utility>

#include "base/json.h"
#include "base/unique_fd.h"
#include "io/file_source.h"
#include "registry/http.h"

namespace strata::cli {
namespace {

constexpr size_t kMaxSourceNameLength = 64;
constexpr size_t kChunkBytes = 256 * 1024;

constexpr std::string_view kOsvBase =
    "https://osv-vulnerabilities.storage.googleapis.com/";
constexpr std::string_view kCreatedAnnotation =
    "org.opencontainers.image.created";
constexpr std::string_view kTitleAnnotation = "org.opencontainers.image.title";

// --- files -------------------------------------------------------------------

Status WriteAll(int fd, std::span<const uint8_t> data,
                const std::string& what) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("write " + what, errno);
    }
    data = data.subspan(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status FsyncDir(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoError("open " + dir, errno);
  if (::fsync(fd.get()) != 0) return ErrnoError("fsync " + dir, errno);
  return Status::Ok();
}

std::string ParentDir(const std::string& path) {
  std::string parent = std::filesystem::path(path).parent_path().string();
  return parent.empty() ? "." : parent;
}

// A file made by mkstemp, removed (with a SQLite journal beside it) unless
// Commit renamed it into place.
class TempFile {
 public:
  // "<base>.<tag>-XXXXXX"; the parent directory of base is created.
  static Result<TempFile> Create(const std::string& base,
                                 std::string_view tag) {
    std::error_code ec;
    std::filesystem::create_directories(ParentDir(base), ec);
    if (ec) {
      return UnavailableError("create directory " + ParentDir(base) + ": " +
                              ec.message());
    }
    std::string path = base + "." + std::string(tag) + "-XXXXXX";
    int fd = ::mkostemp(path.data(), O_CLOEXEC);
    if (fd < 0) return ErrnoError("create " + path, errno);
    return TempFile(UniqueFd(fd), std::move(path));
  }
  TempFile(TempFile&& o) noexcept
      : fd_(std::move(o.fd_)), path_(std::exchange(o.path_, "")) {}
  TempFile& operator=(TempFile&&) = delete;
  ~TempFile() {
    if (path_.empty()) return;
    ::unlink(path_.c_str());
    ::unlink((path_ + "-journal").c_str());
  }

  int fd() const { return fd_.get(); }
  const std::string& path() const { return path_; }

  // fsyncs the file, renames it to `target` and fsyncs the directory.
  Status Commit(const std::string& target) {
    UniqueFd fd(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) return ErrnoError("open " + path_, errno);
    if (::fsync(fd.get()) != 0) return ErrnoError("fsync " + path_, errno);
    if (::fchmod(fd.get(), 0644) != 0)
      return ErrnoError("chmod " + path_, errno);
    if (::rename(path_.c_str(), target.c_str()) != 0) {
      return ErrnoError("rename " + path_ + " to " + target, errno);
    }
    path_.clear();
    fd_ = UniqueFd();
    return FsyncDir(ParentDir(target));
  }

 private:
  TempFile(UniqueFd fd, std::string path)
      : fd_(std::move(fd)), path_(std::move(path)) {}
  UniqueFd fd_;
  std::string path_;
};

// A directory made by mkdtemp, removed with its contents.
class TempDir {
 public:
  static Result<TempDir> Create(const std::string& base, std::string_view tag) {
    std::error_code ec;
    std::filesystem::create_directories(ParentDir(base), ec);
    if (ec) {
      return UnavailableError("create directory " + ParentDir(base) + ": " +
                              ec.message());
    }
    std::string path = base + "." + std::string(tag) + "-XXXXXX";
    if (::mkdtemp(path.data()) == nullptr) {
      return ErrnoError("create " + path, errno);
    }
    return TempDir(std::move(path));
  }
  TempDir(TempDir&& o) noexcept : path_(std::exchange(o.path_, "")) {}
  TempDir& operator=(TempDir&&) = delete;
  ~TempDir() {
    if (path_.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  explicit TempDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// --- sources -----------------------------------------------------------------

Status ValidateSourceName(std::string_view name) {
  bool ok = !name.empty() && name.size() <= kMaxSourceNameLength &&
            name != "." && name != "..";
  for (char c : name) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-');
  }
  if (ok) return Status::Ok();
  return InvalidArgumentError(
      "bad name (want 1 to 64 of A-Z a-z 0-9 . _ -, not . or ..)");
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

Status ValidateSourceUrl(std::string_view url) {
  if (StartsWith(url, "file:///")) return Status::Ok();
  if (StartsWith(url, "https://")) return registry::ParseUrl(url).status();
  return InvalidArgumentError("URL must be https:// or file:///absolute/path");
}

// Links (file://) or downloads (https://) `src` to `dest`; returns its size.
Result<int64_t> Fetch(const DbSource& src, const std::string& dest,
                      registry::HttpTransport* http, int64_t cap) {
  auto over_cap = [cap](int64_t n) {
    return ResourceExhaustedError(
        std::to_string(n) + " bytes, over the cap of " + std::to_string(cap));
  };
  if (StartsWith(src.url, "file://")) {
    const std::string path = src.url.substr(7);
    struct stat st;
    if (::stat(path.c_str(), &st) != 0)
      return ErrnoError("stat " + path, errno);
    if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
      return InvalidArgumentError(path + " is not a file or directory");
    }
    if (S_ISREG(st.st_mode) && st.st_size > cap) return over_cap(st.st_size);
    if (::symlink(path.c_str(), dest.c_str()) != 0) {
      return ErrnoError("symlink " + dest, errno);
    }
    return S_ISREG(st.st_mode) ? static_cast<int64_t>(st.st_size) : 0;
  }
  UniqueFd fd(
      ::open(dest.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd.valid()) return ErrnoError("create " + dest, errno);
  int64_t written = 0;
  registry::HttpRequest req;
  req.url = src.url;
  req.on_headers = [&](const registry::HttpResponse& head) -> Status {
    const std::string length = head.Header("content-length");
    char* end = nullptr;
    errno = 0;
    long long n = length.empty() ? 0 : std::strtoll(length.c_str(), &end, 10);
    if (!length.empty() && errno == 0 && *end == '\0' && n > cap) {
      return over_cap(n);
    }
    return Status::Ok();
  };
  const registry::BodySink sink = [&](std::span<const uint8_t> data) -> Status {
    if (written + static_cast<int64_t>(data.size()) > cap) {
      return ResourceExhaustedError("more than " + std::to_string(cap) +
                                    " bytes, over the cap");
    }
    written += static_cast<int64_t>(data.size());
    return WriteAll(fd.get(), data, dest);
  };
  ASSIGN_OR_RETURN(registry::HttpResponse resp, http->Do(req, &sink));
  if (resp.status < 200 || resp.status > 299) {
    return UnavailableError("GET " + src.url + ": HTTP " +
                            std::to_string(resp.status));
  }
  if (::fsync(fd.get()) != 0) return ErrnoError("fsync " + dest, errno);
  return written;
}

// --- zstd --------------------------------------------------------------------

struct CCtxFree {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DCtxFree {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

struct Compressed {
  Digest digest;
  int64_t size = 0;
  int64_t input_size = 0;
};

// Compresses the file at `path` into `out` (one zstd frame with its content
// size and checksum), hashing what it writes.
Result<Compressed> CompressFile(const std::string& path, const TempFile& out) {
  UniqueFd in(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in.valid()) return ErrnoError("open " + path, errno);
  struct stat st;
  if (::fstat(in.get(), &st) != 0) return ErrnoError("stat " + path, errno);
  std::unique_ptr<ZSTD_CCtx, CCtxFree> cctx(ZSTD_createCCtx());
  if (!cctx) return ResourceExhaustedError("zstd: out of memory");
  ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_compressionLevel, kDbZstdLevel);
  ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_checksumFlag, 1);
  ZSTD_CCtx_setPledgedSrcSize(cctx.get(),
                              static_cast<unsigned long long>(st.st_size));
  std::vector<uint8_t> ibuf(kChunkBytes), obuf(ZSTD_CStreamOutSize());
  Hasher hasher;
  Compressed result;
  bool done = false;
  while (!done) {
    ssize_t n;
    do {
      n = ::read(in.get(), ibuf.data(), ibuf.size());
    } while (n < 0 && errno == EINTR);
    if (n < 0) return ErrnoError("read " + path, errno);
    result.input_size += n;
    if (result.input_size > st.st_size) {
      return UnavailableError(path + " grew while it was compressed");
    }
    const bool last = n == 0;
    ZSTD_inBuffer ib{ibuf.data(), static_cast<size_t>(n), 0};
    for (;;) {
      ZSTD_outBuffer ob{obuf.data(), obuf.size(), 0};
      size_t r = ZSTD_compressStream2(cctx.get(), &ob, &ib,
                                      last ? ZSTD_e_end : ZSTD_e_continue);
      if (ZSTD_isError(r)) {
        return InternalError(std::string("zstd: ") + ZSTD_getErrorName(r) +
                             " compressing " + path);
      }
      std::span<const uint8_t> chunk(obuf.data(), ob.pos);
      hasher.Update(chunk);
      result.size += static_cast<int64_t>(ob.pos);
      RETURN_IF_ERROR(WriteAll(out.fd(), chunk, out.path()));
      if (last ? r == 0 : ib.pos == ib.size) break;
    }
    done = last;
  }
  result.digest = hasher.Finish();
  return result;
}

// Decompresses a zstd stream pushed in pieces into a file, capped.
class ZstdToFile {
 public:
  ZstdToFile(int fd, std::string what, int64_t cap)
      : dctx_(ZSTD_createDCtx()),
        fd_(fd),
        what_(std::move(what)),
        cap_(cap),
        obuf_(ZSTD_DStreamOutSize()) {
    if (dctx_) {
      ZSTD_DCtx_setParameter(dctx_.get(), ZSTD_d_windowLogMax,
                             caps::kMaxZstdWindowLog);
    }
  }
  Status Write(std::span<const uint8_t> data) {
    if (!dctx_) return ResourceExhaustedError("zstd: out of memory");
    ZSTD_inBuffer ib{data.data(), data.size(), 0};
    ZSTD_outBuffer ob{};
    do {
      ob = ZSTD_outBuffer{obuf_.data(), obuf_.size(), 0};
      size_t r = ZSTD_decompressStream(dctx_.get(), &ob, &ib);
      if (ZSTD_isError(r)) {
        return DataLossError(
            what_ + ": not a valid zstd stream: " + ZSTD_getErrorName(r));
      }
      pending_ = r;
      seen_input_ = seen_input_ || ib.pos > 0;
      if (written_ + static_cast<int64_t>(ob.pos) > cap_) {
        return ResourceExhaustedError(what_ + ": decompresses to more than " +
                                      std::to_string(cap_) + " bytes");
      }
      written_ += static_cast<int64_t>(ob.pos);
      RETURN_IF_ERROR(WriteAll(fd_, {obuf_.data(), ob.pos}, what_));
    } while (ib.pos < ib.size || ob.pos == ob.size);
    return Status::Ok();
  }
  // After the last byte: the last frame must be complete.
  Status Finish() {
    if (!seen_input_ || pending_ != 0) {
      return DataLossError(what_ + ": truncated zstd stream");
    }
    return Status::Ok();
  }
  int64_t written() const { return written_; }

 private:
  std::unique_ptr<ZSTD_DCtx, DCtxFree> dctx_;
  int fd_;
  std::string what_;
  int64_t cap_;
  std::vector<uint8_t> obuf_;
  size_t pending_ = 1;
  bool seen_input_ = false;
  int64_t written_ = 0;
};

Result<oci::Descriptor> EmptyConfig() {
  oci::Descriptor d;
  d.media_type = std::string(kEmptyConfigMediaType);
  ASSIGN_OR_RETURN(d.digest, Digest::Parse(kEmptyConfigDigest));
  d.size = 2;
  return d;
}

json::Json DescriptorJson(const oci::Descriptor& d) {
  json::Json j = {{"mediaType", d.media_type},
                  {"digest", d.digest.ToString()},
                  {"size", d.size}};
  if (!d.annotations.empty()) j["annotations"] = d.annotations;
  return j;
}

}  // namespace

// --- update ------------------------------------------------------------------

std::vector<DbSource> DefaultDbSources() {
  std::vector<DbSource> out;
  for (std::string_view eco :
       {"Debian", "Ubuntu", "Alpine", "AlmaLinux", "Rocky Linux", "PyPI", "npm",
        "Go", "Maven", "crates.io", "RubyGems", "NuGet", "Packagist"}) {
    std::string name = "osv-" + std::string(eco);
    std::string path(eco);
    for (char& c : name) c = c == ' ' ? '-' : c;
    for (size_t i = path.find(' '); i != std::string::npos;
         i = path.find(' ')) {
      path.replace(i, 1, "%20");
    }
    out.push_back({name, std::string(kOsvBase) + path + "/all.zip"});
  }
  out.push_back({"debian-tracker",
                 "https://security-tracker.debian.org/tracker/data/json"});
  out.push_back({"kev",
                 "https://www.cisa.gov/sites/default/files/feeds/"
                 "known_exploited_vulnerabilities.json"});
  out.push_back(
      {"epss", "https://epss.cyentia.com/epss_scores-current.csv.gz"});
  return out;
}

Result<std::vector<DbSource>> SelectDbSources(
    const std::vector<std::string>& overrides,
    const std::vector<std::string>& only) {
  std::vector<DbSource> sources = DefaultDbSources();
  for (const std::string& o : overrides) {
    const std::string shown = "--source \"" + o.substr(0, 200) + "\"";
    size_t eq = o.find('=');
    if (eq == std::string::npos) {
      return InvalidArgumentError(shown + ": want NAME=URL");
    }
    DbSource s{o.substr(0, eq), o.substr(eq + 1)};
    if (Status st = ValidateSourceName(s.name); !st.ok()) {
      return InvalidArgumentError(shown + ": " + st.message());
    }
    if (Status st = ValidateSourceUrl(s.url); !st.ok()) {
      return InvalidArgumentError("--source " + s.name + ": " + st.message());
    }
    auto it = std::find_if(sources.begin(), sources.end(),
                           [&](const DbSource& d) { return d.name == s.name; });
    if (it != sources.end()) {
      it->url = s.url;
    } else {
      sources.push_back(std::move(s));
    }
  }
  if (only.empty()) return sources;
  std::vector<std::string> wanted;
  for (const std::string& list : only) {
    size_t start = 0;
    while (start <= list.size()) {
      size_t comma = list.find(',', start);
      if (comma == std::string::npos) comma = list.size();
      std::string name = list.substr(start, comma - start);
      if (!name.empty()) {
        if (std::none_of(sources.begin(), sources.end(),
                         [&](const DbSource& d) { return d.name == name; })) {
          return InvalidArgumentError("--only: unknown source \"" +
                                      name.substr(0, 200) + "\"");
        }
        wanted.push_back(std::move(name));
      }
      start = comma + 1;
    }
  }
  std::vector<DbSource> out;
  for (DbSource& s : sources) {
    if (std::find(wanted.begin(), wanted.end(), s.name) != wanted.end()) {
      out.push_back(std::move(s));
    }
  }
  return out;
}

Result<std::vector<UpdatedSource>> UpdateDb(const std::string& db_path,
                                            const UpdateOptions& options) {
  if (options.sources.empty()) {
    return InvalidArgumentError("no sources to update from");
  }
  for (const DbSource& s : options.sources) {
    RETURN_IF_ERROR(ValidateSourceName(s.name).WithContext("source " + s.name));
    RETURN_IF_ERROR(ValidateSourceUrl(s.url).WithContext("source " + s.name));
  }
  ASSIGN_OR_RETURN(TempDir downloads, TempDir::Create(db_path, "sources"));
  std::unique_ptr<registry::HttpTransport> http;
  std::vector<UpdatedSource> out;
  std::vector<std::string> paths;
  for (const DbSource& s : options.sources) {
    if (!http && StartsWith(s.url, "https://")) {
      registry::TransportOptions t;
      t.tls.verify = true;
      t.user_agent = options.user_agent;
      http = registry::NewCurlTransport(t);
    }
    const std::string dest = downloads.path() + "/" + s.name;
    if (std::find(paths.begin(), paths.end(), dest) != paths.end()) {
      return InvalidArgumentError("source " + s.name + ": named twice");
    }
    Result<int64_t> bytes =
        Fetch(s, dest, http.get(), options.max_source_bytes);
    if (!bytes.ok()) return bytes.status().WithContext("source " + s.name);
    if (options.on_fetched) options.on_fetched(s, *bytes);
    out.push_back({s, *bytes, {}});
    paths.push_back(dest);
  }
  ASSIGN_OR_RETURN(TempFile fresh, TempFile::Create(db_path, "new"));
  {
    ASSIGN_OR_RETURN(std::unique_ptr<vulndb::Db> db,
                     vulndb::Db::OpenForImport(fresh.path()));
    ASSIGN_OR_RETURN(std::vector<vulndb::ImportStats> stats, db->Import(paths));
    if (stats.size() != out.size()) {
      return InternalError("import returned " + std::to_string(stats.size()) +
                           " results for " + std::to_string(out.size()) +
                           " sources");
    }
    for (size_t i = 0; i < stats.size(); ++i)
      out[i].stats = std::move(stats[i]);
  }  // closed before the rename
  RETURN_IF_ERROR(fresh.Commit(db_path));
  return out;
}

// --- push / pull -------------------------------------------------------------

Result<oci::ImageRef> ParseDbReference(std::string_view ref) {
  if (StartsWith(ref, "docker://")) ref.remove_prefix(9);
  return oci::ParseRegistryName(ref);
}

Result<PushedDb> PushDb(const std::string& db_path, const oci::ImageRef& ref,
                        registry::Client& client) {
  if (ref.tag.empty()) {
    return InvalidArgumentError("push needs a tag: " + ref.Name());
  }
  std::string built_at;
  {
    ASSIGN_OR_RETURN(std::unique_ptr<vulndb::Db> db,
                     vulndb::Db::OpenReadOnly(db_path));
    ASSIGN_OR_RETURN(built_at, db->BuiltAt());
  }
  std::error_code ec;
  std::filesystem::path tmp = std::filesystem::temp_directory_path(ec);
  if (ec) tmp = "/tmp";
  ASSIGN_OR_RETURN(TempFile layer_file,
                   TempFile::Create((tmp / "strata-db").string(), "push"));
  ASSIGN_OR_RETURN(Compressed z, CompressFile(db_path, layer_file));

  PushedDb result;
  result.layer = z.digest;
  result.layer_size = z.size;
  result.db_size = z.input_size;
  oci::Descriptor layer;
  layer.media_type = std::string(kDbLayerMediaType);
  layer.digest = z.digest;
  layer.size = z.size;
  layer.annotations[std::string(kTitleAnnotation)] = "vuln.db";
  ASSIGN_OR_RETURN(oci::Descriptor config, EmptyConfig());

  ASSIGN_OR_RETURN(bool have, client.BlobExists(ref.repository, layer));
  if (!have) {
    const std::string layer_path = layer_file.path();
    RETURN_IF_ERROR(client.PushBlob(ref.repository, layer, [&layer_path]() {
      return io::OpenFileSource(layer_path);
    }));
  }
  RETURN_IF_ERROR(client.PushBlob(ref.repository, config,
                                  []() -> Result<std::unique_ptr<ByteSource>> {
                                    return std::unique_ptr<ByteSource>(
                                        std::make_unique<StringSource>("{}"));
                                  }));

  json::Json annotations = {{std::string(kSchemaVersionAnnotation),
                             std::to_string(vulndb::kSchemaVersion)}};
  if (!built_at.empty())
    annotations[std::string(kCreatedAnnotation)] = built_at;
  json::Json manifest = {
      {"schemaVersion", 2},
      {"mediaType", std::string(oci::media::kOciManifest)},
      {"artifactType", std::string(kDbArtifactType)},
      {"config", DescriptorJson(config)},
      {"layers", json::Json::array({DescriptorJson(layer)})},
      {"annotations", annotations},
  };
  const std::string bytes = json::Dump(manifest);
  oci::Descriptor md;
  md.media_type = std::string(oci::media::kOciManifest);
  md.digest = Sha256Of(bytes);
  md.size = static_cast<int64_t>(bytes.size());
  // No subject: whether the registry supports referrers does not matter.
  RETURN_IF_ERROR(client.PutManifest(ref.repository, ref.tag, md, bytes));
  result.manifest = md.digest;
  result.manifest_size = md.size;
  return result;
}

Result<PulledDb> PullDb(const oci::ImageRef& ref, registry::Client& client,
                        const std::string& db_path) {
  const std::string name = ref.Name();
  const std::string at = ref.digest ? ref.digest->ToString() : ref.tag;
  ASSIGN_OR_RETURN(registry::FetchedManifest fetched,
                   client.GetManifest(ref.repository, at));
  const std::string not_db = name + " is not a strata vulnerability database";
  if (fetched.descriptor.media_type != oci::media::kOciManifest) {
    return FailedPreconditionError(
        not_db + " (media type \"" +
        fetched.descriptor.media_type.substr(0, 200) + "\")");
  }
  ASSIGN_OR_RETURN(json::Json doc,
                   json::Parse(fetched.bytes, name, caps::kMaxManifestBytes));
  ASSIGN_OR_RETURN(std::optional<std::string> artifact_type,
                   json::GetString(doc, "artifactType"));
  if (artifact_type.value_or("") != kDbArtifactType) {
    return FailedPreconditionError(not_db + " (artifact type \"" +
                                   artifact_type.value_or("").substr(0, 200) +
                                   "\")");
  }
  ASSIGN_OR_RETURN(oci::Manifest manifest,
                   oci::ParseManifest(fetched.bytes, name));
  if (manifest.layers.size() != 1 ||
      manifest.layers[0].media_type != kDbLayerMediaType) {
    std::string got = std::to_string(manifest.layers.size()) + " layers";
    if (manifest.layers.size() == 1) {
      got = "\"" + manifest.layers[0].media_type.substr(0, 200) + "\"";
    }
    return FailedPreconditionError(name + ": want one layer of type " +
                                   std::string(kDbLayerMediaType) + ", got " +
                                   got);
  }
  const oci::Descriptor& layer = manifest.layers[0];
  const std::string what = "layer " + layer.digest.Short();
  if (layer.size > kMaxPulledDbBytes) {
    return ResourceExhaustedError(what + " is " + std::to_string(layer.size) +
                                  " bytes, over the cap of " +
                                  std::to_string(kMaxPulledDbBytes));
  }
  ASSIGN_OR_RETURN(TempFile fresh, TempFile::Create(db_path, "pull"));
  ZstdToFile decoder(fresh.fd(), what, kMaxPulledDbBytes);
  RETURN_IF_ERROR(client.FetchBlob(ref.repository, layer,
                                   [&decoder](std::span<const uint8_t> data) {
                                     return decoder.Write(data);
                                   }));
  RETURN_IF_ERROR(decoder.Finish());
  PulledDb result;
  result.manifest = fetched.descriptor.digest;
  result.db_size = decoder.written();
  {
    Result<std::unique_ptr<vulndb::Db>> db =
        vulndb::Db::OpenReadOnly(fresh.path());
    if (!db.ok()) {
      return Status(db.status().code(),
                    what +
                        ": not a vulnerability "
                        "database of schema " +
                        std::to_string(vulndb::kSchemaVersion))
          .WithContext(name);
    }
    Result<vulndb::DbStatus> st = (*db)->Status();
    if (!st.ok()) {
      return Status(st.status().code(),
                    what + ": unreadable database: " + st.status().message())
          .WithContext(name);
    }
    result.status = *std::move(st);
  }
  RETURN_IF_ERROR(fresh.Commit(db_path));
  return result;
}

}  // namespace strata::cli
