#include "tar/tar_reader.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <cstring>

#include "base/caps.h"
#include "base/unique_fd.h"

namespace strata::tar {
namespace {

using ArchivePtr =
    std::unique_ptr<archive, CHandleDeleter<archive, archive_read_free>>;

constexpr int64_t kBlock = 512;

// libarchive's fixed limit on a PAX or GNU long-name body, which is our cap.
static_assert(caps::kMaxPaxHeaderBytes == 1048576);

Status SizeMismatch() {
  return DataLossError(
      "corrupt tar stream: entry data does not match its size");
}

EntryType TypeOf(archive_entry* ae) {
  // libarchive reports an empty hardlink target as no target at all in the
  // first link entry of an archive and as "" later: both are kOther.
  const char* hardlink = archive_entry_hardlink(ae);
  if (hardlink != nullptr && hardlink[0] != '\0') return EntryType::kHardlink;
  switch (archive_entry_filetype(ae)) {
    case AE_IFREG:
      return EntryType::kRegular;
    case AE_IFDIR:
      return EntryType::kDirectory;
    case AE_IFLNK:
      return EntryType::kSymlink;
    case AE_IFCHR:
      return EntryType::kCharDevice;
    case AE_IFBLK:
      return EntryType::kBlockDevice;
    case AE_IFIFO:
      return EntryType::kFifo;
    default:
      return EntryType::kOther;
  }
}

}  // namespace

std::string_view EntryTypeName(EntryType t) {
  switch (t) {
    case EntryType::kRegular:
      return "regular";
    case EntryType::kDirectory:
      return "directory";
    case EntryType::kSymlink:
      return "symlink";
    case EntryType::kHardlink:
      return "hardlink";
    case EntryType::kCharDevice:
      return "char device";
    case EntryType::kBlockDevice:
      return "block device";
    case EntryType::kFifo:
      return "fifo";
    case EntryType::kOther:
      break;
  }
  return "other";
}

struct Reader::Impl {
  explicit Impl(ByteSource& s)
      : src(s), buf(new uint8_t[caps::kStreamBufferBytes]) {}

  Status Open();
  Status FinishEntry();
  Status Fail();
  int64_t Position() { return archive_filter_bytes(ar.get(), -1); }

  static la_ssize_t ReadCallback(archive*, void* ctx, const void** out);
  static la_int64_t SkipCallback(archive*, void* ctx, la_int64_t n);

  ByteSource& src;
  std::unique_ptr<uint8_t[]> buf;
  ArchivePtr ar;
  Status src_status;  // the source's own error, returned as is
  Status status;      // sticky
  bool src_eof = false;
  bool got_bytes = false;
  bool opened = false;
  bool done = false;
  // The current entry.
  bool in_entry = false;
  bool sparse = false;
  int64_t data_offset = -1;
  int64_t size = 0;
  int64_t data_read = 0;
};

la_ssize_t Reader::Impl::ReadCallback(archive*, void* ctx, const void** out) {
  auto* s = static_cast<Impl*>(ctx);
  if (!s->src_status.ok()) return ARCHIVE_FATAL;
  Result<size_t> n =
      s->src.Read(std::span<uint8_t>(s->buf.get(), caps::kStreamBufferBytes));
  if (!n.ok()) {
    s->src_status = n.status();
    return ARCHIVE_FATAL;
  }
  if (*n == 0) s->src_eof = true;
  s->got_bytes |= *n > 0;
  *out = s->buf.get();
  return static_cast<la_ssize_t>(*n);
}

// Never returns a negative count (libarchive would loop on it): on error the
// status is stashed and 0 returned, so libarchive falls back to reading,
// which fails.
la_int64_t Reader::Impl::SkipCallback(archive*, void* ctx, la_int64_t n) {
  auto* s = static_cast<Impl*>(ctx);
  if (!s->src_status.ok()) return 0;
  Result<int64_t> skipped = s->src.Skip(n);
  if (!skipped.ok()) {
    s->src_status = skipped.status();
    return 0;
  }
  if (*skipped < 0 || *skipped > n) {
    s->src_status =
        InternalError("byte source skipped " + std::to_string(*skipped) +
                      " of " + std::to_string(n) + " bytes");
    return 0;
  }
  if (*skipped < n) s->src_eof = true;
  return *skipped;
}

Status Reader::Impl::Fail() {
  if (!src_status.ok()) return src_status;
  const char* msg = archive_error_string(ar.get());
  std::string_view m = msg ? msg : "";
  if (m == "Special header too large") {
    return ResourceExhaustedError("tar extended header larger than " +
                                  std::to_string(caps::kMaxPaxHeaderBytes) +
                                  " bytes");
  }
  // libarchive only asks for bytes past the end when the archive promised
  // more; its messages for that vary ("Truncated tar archive", "Damaged tar
  // archive", none at all).
  if (src_eof || m.starts_with("Truncated")) {
    return DataLossError("truncated tar stream");
  }
  return DataLossError("corrupt tar stream: " +
                       std::string(m.empty() ? "unknown error" : m));
}

Status Reader::Impl::Open() {
  ar.reset(archive_read_new());
  if (!ar) return InternalError("archive_read_new failed");
  if (archive_read_support_format_tar(ar.get()) != ARCHIVE_OK ||
      archive_read_support_filter_none(ar.get()) != ARCHIVE_OK) {
    return InternalError("libarchive has no tar support");
  }
  int r = archive_read_open2(ar.get(), this, nullptr, &ReadCallback,
                             &SkipCallback, nullptr);
  if (r >= ARCHIVE_WARN) return Status::Ok();
  if (!src_status.ok()) return src_status;
  if (!got_bytes) {  // a 0-byte stream: an empty layer
    done = true;
    return Status::Ok();
  }
  return DataLossError("not a tar stream");
}

// Skips what is left of the current entry and checks that the stream
// advanced by exactly the entry's size plus padding, so that data_offset and
// size describe the stored bytes (libarchive lets PAX/GNU realsize keys
// override the size of non-sparse entries).
Status Reader::Impl::FinishEntry() {
  in_entry = false;
  if (archive_read_data_skip(ar.get()) != ARCHIVE_OK) return Fail();
  if (sparse) return Status::Ok();
  int64_t stored = Position() - data_offset;
  if (stored < size || stored - size != (kBlock - size % kBlock) % kBlock) {
    return SizeMismatch();
  }
  return Status::Ok();
}

Reader::Reader(ByteSource& src) : impl_(std::make_unique<Impl>(src)) {}
Reader::~Reader() = default;

Result<bool> Reader::Next(Entry* entry) {
  Impl& s = *impl_;
  RETURN_IF_ERROR(s.status);
  if (!s.opened) {
    s.opened = true;
    s.status = s.Open();
    RETURN_IF_ERROR(s.status);
  }
  if (s.done) return false;
  if (s.in_entry) {
    s.status = s.FinishEntry();
    RETURN_IF_ERROR(s.status);
  }
  archive_entry* ae = nullptr;
  int r = archive_read_next_header(s.ar.get(), &ae);
  if (!s.src_status.ok()) {  // libarchive may swallow a failed read-ahead
    s.status = s.src_status;
    return s.status;
  }
  if (r == ARCHIVE_EOF) {
    s.done = true;
    // libarchive also ends at a clean end of stream without the zero
    // end-of-archive block: a stream cut at an entry boundary.
    if (s.Position() == archive_read_header_position(s.ar.get())) {
      s.status = DataLossError("truncated tar stream");
      return s.status;
    }
    return false;
  }
  if (r == ARCHIVE_RETRY || r < ARCHIVE_WARN) {  // ARCHIVE_WARN is fine
    s.status = s.Fail();
    return s.status;
  }

  const char* name = archive_entry_pathname(ae);
  size_t name_len = name ? std::strlen(name) : 0;
  if (static_cast<int64_t>(name_len) > caps::kMaxPathLength) {
    s.status =
        ResourceExhaustedError("tar entry name longer than " +
                               std::to_string(caps::kMaxPathLength) + " bytes");
    return s.status;
  }
  const char* link = archive_entry_hardlink(ae);
  if (link == nullptr) link = archive_entry_symlink(ae);
  size_t link_len = link ? std::strlen(link) : 0;
  if (static_cast<int64_t>(link_len) > caps::kMaxLinkTargetLength) {
    s.status = ResourceExhaustedError(
        "tar entry link target longer than " +
        std::to_string(caps::kMaxLinkTargetLength) + " bytes");
    return s.status;
  }
  int64_t size = archive_entry_size(ae);
  if (size < 0) {
    s.status = DataLossError("corrupt tar stream: negative entry size");
    return s.status;
  }

  const EntryType type = TypeOf(ae);
  if (size > 0 && type != EntryType::kRegular && type != EntryType::kOther) {
    // Go's archive/tar, which container runtimes use, never reads data after
    // a link, directory, device or FIFO header; libarchive does in some
    // cases (hardlinks in PAX archives). Refuse rather than risk seeing
    // different files than the runtime.
    s.status = DataLossError(
        "corrupt tar stream: " + std::string(EntryTypeName(type)) +
        " entry \"" +
        std::string(name ? name : "", std::min<size_t>(name_len, 200)) +
        "\" carries " + std::to_string(size) +
        " data bytes (tar readers disagree on such entries)");
    return s.status;
  }

  s.in_entry = true;
  s.sparse = archive_entry_sparse_count(ae) > 0;
  s.size = size;
  s.data_read = 0;
  s.data_offset = s.sparse ? -1 : s.Position();

  entry->name.assign(name ? name : "", name_len);
  entry->type = type;
  entry->mode = static_cast<uint32_t>(archive_entry_perm(ae)) & 07777;
  entry->uid = archive_entry_uid(ae);
  entry->gid = archive_entry_gid(ae);
  entry->size = size;
  entry->mtime = archive_entry_mtime(ae);
  entry->link_target.assign(link ? link : "", link_len);
  entry->dev_major = static_cast<uint32_t>(archive_entry_rdevmajor(ae));
  entry->dev_minor = static_cast<uint32_t>(archive_entry_rdevminor(ae));
  entry->data_offset = s.data_offset;
  ++count_;
  return true;
}

Result<size_t> Reader::ReadData(std::span<uint8_t> out) {
  Impl& s = *impl_;
  RETURN_IF_ERROR(s.status);
  if (!s.in_entry || out.empty()) return size_t{0};
  la_ssize_t n = archive_read_data(s.ar.get(), out.data(), out.size());
  if (n < 0 || !s.src_status.ok()) {
    s.status = s.Fail();
    return s.status;
  }
  int64_t left = s.size - s.data_read;
  if (n > left || (n == 0 && left > 0 && !s.sparse)) {
    s.status = SizeMismatch();
    return s.status;
  }
  if (n == 0 && left > 0) {
    // libarchive does not return a sparse file's trailing hole.
    n = static_cast<la_ssize_t>(
        std::min<int64_t>(left, static_cast<int64_t>(out.size())));
    std::memset(out.data(), 0, static_cast<size_t>(n));
  }
  s.data_read += n;
  return static_cast<size_t>(n);
}

}  // namespace strata::tar
