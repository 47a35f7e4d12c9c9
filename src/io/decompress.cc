#include "io/decompress.h"

#include <isa-l/igzip_lib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <string>

#include "base/caps.h"
#include "base/unique_fd.h"

namespace strata::io {
namespace {

// Enough bytes to tell every format SniffCompression knows (xz: 6).
constexpr size_t kSniffBytes = 6;

constexpr size_t kInputBufferBytes = caps::kStreamBufferBytes;

bool HasPrefix(std::span<const uint8_t> data,
               std::initializer_list<uint8_t> magic) {
  return data.size() >= magic.size() &&
         std::equal(magic.begin(), magic.end(), data.begin());
}

// Shared input buffering and member/frame-boundary handling. A subclass
// decodes from in_[in_pos_, in_end_) straight into the caller's buffer.
class Decoder : public ByteSource {
 public:
  Result<size_t> Read(std::span<uint8_t> out) final;

 protected:
  Decoder(std::unique_ptr<ByteSource> upstream, std::span<const uint8_t> head,
          Compression kind, size_t magic_size)
      : up_(std::move(upstream)),
        in_(std::make_unique_for_overwrite<uint8_t[]>(kInputBufferBytes)),
        in_end_(head.size()),
        kind_(kind),
        magic_size_(magic_size) {
    std::memcpy(in_.get(), head.data(), head.size());
  }

  struct Step {
    size_t produced;
    bool member_end;  // a gzip member or zstd frame is complete
  };
  // Decodes into `out` (non-empty), consuming input by advancing in_pos_.
  virtual Result<Step> Decode(std::span<uint8_t> out) = 0;
  // Whether `head` (at most magic_size_ bytes) is, or begins, the magic of
  // another member or frame.
  virtual bool MatchesMagic(std::span<const uint8_t> head) const = 0;
  virtual void StartMember() = 0;

  Status Corrupt(std::string_view reason) const {
    return DataLossError("corrupt " + std::string(CompressionName(kind_)) +
                         " stream: " + std::string(reason));
  }

  std::unique_ptr<ByteSource> up_;
  std::unique_ptr<uint8_t[]> in_;
  size_t in_pos_ = 0;
  size_t in_end_;

 private:
  Status Fail(Status s) {
    status_ = std::move(s);
    return status_;
  }
  Status StreamError(std::string_view what) {
    return Fail(DataLossError(std::string(what) +
                              std::string(CompressionName(kind_)) + " stream"));
  }
  // Moves unread input to the front and reads more after it.
  Status Fill();

  Compression kind_;
  size_t magic_size_;
  bool eof_ = false;          // upstream returned 0
  bool at_boundary_ = false;  // between members / frames
  bool finished_ = false;
  Status status_;
};

Status Decoder::Fill() {
  size_t avail = in_end_ - in_pos_;
  if (in_pos_ > 0) {
    std::memmove(in_.get(), in_.get() + in_pos_, avail);
    in_pos_ = 0;
    in_end_ = avail;
  }
  if (in_end_ == kInputBufferBytes) {
    return Fail(InternalError(std::string(CompressionName(kind_)) +
                              " decoder made no progress"));
  }
  Result<size_t> n = up_->Read(
      std::span<uint8_t>(in_.get() + in_end_, kInputBufferBytes - in_end_));
  if (!n.ok()) return Fail(n.status());
  if (*n == 0) eof_ = true;
  in_end_ += *n;
  return Status::Ok();
}

Result<size_t> Decoder::Read(std::span<uint8_t> out) {
  if (!status_.ok()) return status_;
  size_t produced = 0;
  while (produced < out.size() && !finished_) {
    size_t avail = in_end_ - in_pos_;
    if (at_boundary_) {
      std::span<const uint8_t> head(in_.get() + in_pos_,
                                    std::min(avail, magic_size_));
      if (!MatchesMagic(head)) return StreamError("trailing garbage after ");
      if (avail < magic_size_) {
        if (eof_) {
          if (avail == 0) {
            finished_ = true;
            break;
          }
          return StreamError("truncated ");
        }
        if (produced > 0) break;
        RETURN_IF_ERROR(Fill());
        continue;
      }
      StartMember();
      at_boundary_ = false;
    } else if (avail == 0 && !eof_) {
      if (produced > 0) break;  // don't block while holding output
      RETURN_IF_ERROR(Fill());
      continue;
    }
    size_t pos_before = in_pos_;
    Result<Step> step = Decode(out.subspan(produced));
    if (!step.ok()) return Fail(step.status());
    produced += step->produced;
    if (step->member_end) {
      at_boundary_ = true;
    } else if (step->produced == 0 && in_pos_ == pos_before) {
      // The decoder needs more input than it has.
      if (eof_) return StreamError("truncated ");
      if (produced > 0) break;
      RETURN_IF_ERROR(Fill());
    }
  }
  return produced;
}

// gzip (RFC 1952) with ISA-L. The header is parsed with a header struct that
// lives as long as the member, so headers split across reads (long names,
// member boundaries near a buffer's end) parse correctly; isal_inflate then
// verifies CRC32 and ISIZE (ISAL_GZIP_NO_HDR_VER).
class GzipDecoder final : public Decoder {
 public:
  GzipDecoder(std::unique_ptr<ByteSource> upstream,
              std::span<const uint8_t> head)
      : Decoder(std::move(upstream), head, Compression::kGzip, 2),
        state_(std::make_unique<inflate_state>()) {
    isal_inflate_init(state_.get());
    StartMember();
  }

 private:
  Result<Step> Decode(std::span<uint8_t> out) override {
    inflate_state* st = state_.get();
    st->next_in = in_.get() + in_pos_;
    st->avail_in = static_cast<uint32_t>(in_end_ - in_pos_);
    if (!header_done_) {
      int ret = isal_read_gzip_header(st, &header_);
      in_pos_ = st->next_in - in_.get();
      if (ret == ISAL_END_INPUT) return Step{0, false};
      if (ret != ISAL_DECOMP_OK) return Corrupt(HeaderError(ret));
      header_done_ = true;
    }
    st->next_out = out.data();
    st->avail_out = static_cast<uint32_t>(
        std::min<size_t>(out.size(), std::numeric_limits<uint32_t>::max()));
    uint32_t avail_out = st->avail_out;
    int ret = isal_inflate(st);
    in_pos_ = st->next_in - in_.get();
    if (ret != ISAL_DECOMP_OK) return Corrupt(InflateError(ret));
    return Step{avail_out - st->avail_out,
                st->block_state == ISAL_BLOCK_FINISH};
  }

  bool MatchesMagic(std::span<const uint8_t> head) const override {
    static constexpr uint8_t kMagic[] = {0x1f, 0x8b};
    return std::equal(head.begin(), head.end(), kMagic);
  }

  void StartMember() override {
    isal_inflate_reset(state_.get());
    state_->crc_flag = ISAL_GZIP_NO_HDR_VER;
    isal_gzip_header_init(&header_);
    header_done_ = false;
  }

  static std::string_view HeaderError(int ret) {
    switch (ret) {
      case ISAL_UNSUPPORTED_METHOD:
        return "unsupported compression method";
      case ISAL_INCORRECT_CHECKSUM:
        return "header checksum mismatch";
      default:
        return "invalid header";
    }
  }

  static std::string_view InflateError(int ret) {
    switch (ret) {
      case ISAL_INVALID_BLOCK:
        return "invalid deflate block";
      case ISAL_INVALID_SYMBOL:
        return "invalid deflate symbol";
      case ISAL_INVALID_LOOKBACK:
        return "invalid deflate distance";
      case ISAL_INCORRECT_CHECKSUM:
        return "crc32 or size mismatch";
      default:
        return "inflate error";
    }
  }

  std::unique_ptr<inflate_state> state_;  // ~40 KiB: keep it off the stack
  isal_gzip_header header_;
  bool header_done_ = false;
};

using DStreamPtr =
    std::unique_ptr<ZSTD_DStream,
                    CHandleDeleter<ZSTD_DStream, ZSTD_freeDStream>>;

// zstd frames (and skippable frames) with libzstd's streaming decoder.
class ZstdDecoder final : public Decoder {
 public:
  ZstdDecoder(std::unique_ptr<ByteSource> upstream,
              std::span<const uint8_t> head, DStreamPtr stream)
      : Decoder(std::move(upstream), head, Compression::kZstd, 4),
        stream_(std::move(stream)) {}

 private:
  Result<Step> Decode(std::span<uint8_t> out) override {
    ZSTD_inBuffer in{in_.get() + in_pos_, in_end_ - in_pos_, 0};
    ZSTD_outBuffer o{out.data(), out.size(), 0};
    size_t ret = ZSTD_decompressStream(stream_.get(), &o, &in);
    in_pos_ += in.pos;
    if (ZSTD_isError(ret)) {
      if (ZSTD_getErrorCode(ret) == ZSTD_error_frameParameter_windowTooLarge) {
        return ResourceExhaustedError(
            "zstd frame window exceeds the cap of " +
            std::to_string(int64_t{1} << caps::kMaxZstdWindowLog) + " bytes");
      }
      return Corrupt(ZSTD_getErrorName(ret));
    }
    return Step{o.pos, ret == 0};
  }

  // ZSTD_MAGICNUMBER, or one of the 16 skippable-frame magics
  // (ZSTD_MAGIC_SKIPPABLE_START + 0..15), little-endian.
  bool MatchesMagic(std::span<const uint8_t> head) const override {
    static constexpr uint8_t kFrame[] = {0x28, 0xb5, 0x2f, 0xfd};
    static constexpr uint8_t kSkippable[] = {0x50, 0x2a, 0x4d, 0x18};
    bool frame = true;
    bool skippable = true;
    for (size_t i = 0; i < head.size(); ++i) {
      frame = frame && head[i] == kFrame[i];
      skippable = skippable && (i == 0 ? (head[0] & 0xf0) == kSkippable[0]
                                       : head[i] == kSkippable[i]);
    }
    return frame || skippable;
  }

  // The stream starts the next frame by itself.
  void StartMember() override {}

  DStreamPtr stream_;
};

// Uncompressed: replays the sniffed bytes, then passes through (keeping the
// upstream's cheap Skip).
class PrefixedSource final : public ByteSource {
 public:
  PrefixedSource(std::unique_ptr<ByteSource> upstream,
                 std::span<const uint8_t> head)
      : up_(std::move(upstream)), head_size_(head.size()) {
    std::memcpy(head_.data(), head.data(), head.size());
  }

  Result<size_t> Read(std::span<uint8_t> out) override {
    if (head_pos_ == head_size_) return up_->Read(out);
    size_t n = std::min(out.size(), head_size_ - head_pos_);
    std::memcpy(out.data(), head_.data() + head_pos_, n);
    head_pos_ += n;
    return n;
  }

  Result<int64_t> Skip(int64_t n) override {
    int64_t k =
        std::clamp<int64_t>(n, 0, static_cast<int64_t>(head_size_ - head_pos_));
    head_pos_ += static_cast<size_t>(k);
    if (k == n) return k;
    ASSIGN_OR_RETURN(int64_t rest, up_->Skip(n - k));
    return k + rest;
  }

 private:
  std::unique_ptr<ByteSource> up_;
  std::array<uint8_t, kSniffBytes> head_;
  size_t head_size_;
  size_t head_pos_ = 0;
};

Result<DStreamPtr> NewZstdStream() {
  DStreamPtr stream(ZSTD_createDStream());
  if (!stream) return InternalError("cannot allocate a zstd decoder");
  size_t ret = ZSTD_DCtx_setParameter(stream.get(), ZSTD_d_windowLogMax,
                                      caps::kMaxZstdWindowLog);
  if (ZSTD_isError(ret)) {
    return InternalError(std::string("zstd: ") + ZSTD_getErrorName(ret));
  }
  return stream;
}

}  // namespace

std::string_view CompressionName(Compression c) {
  switch (c) {
    case Compression::kGzip:
      return "gzip";
    case Compression::kZstd:
      return "zstd";
    case Compression::kNone:
      break;
  }
  return "none";
}

Result<Compression> SniffCompression(std::span<const uint8_t> head) {
  if (HasPrefix(head, {0x1f, 0x8b})) return Compression::kGzip;
  if (HasPrefix(head, {0x28, 0xb5, 0x2f, 0xfd})) return Compression::kZstd;
  if (HasPrefix(head, {0xfd, '7', 'z', 'X', 'Z', 0x00})) {
    return UnimplementedError(
        "unsupported compression: xz (layers must be gzip, zstd or "
        "uncompressed)");
  }
  if (HasPrefix(head, {'B', 'Z', 'h'})) {
    return UnimplementedError(
        "unsupported compression: bzip2 (layers must be gzip, zstd or "
        "uncompressed)");
  }
  return Compression::kNone;
}

Result<std::unique_ptr<ByteSource>> OpenDecompressed(
    std::unique_ptr<ByteSource> upstream, Compression* detected) {
  std::array<uint8_t, kSniffBytes> buf;
  size_t n = 0;
  while (n < buf.size()) {
    ASSIGN_OR_RETURN(size_t got,
                     upstream->Read(std::span<uint8_t>(buf).subspan(n)));
    if (got == 0) break;
    n += got;
  }
  std::span<const uint8_t> head(buf.data(), n);
  ASSIGN_OR_RETURN(Compression kind, SniffCompression(head));
  if (detected != nullptr) *detected = kind;
  switch (kind) {
    case Compression::kGzip:
      return std::unique_ptr<ByteSource>(
          std::make_unique<GzipDecoder>(std::move(upstream), head));
    case Compression::kZstd: {
      ASSIGN_OR_RETURN(DStreamPtr stream, NewZstdStream());
      return std::unique_ptr<ByteSource>(std::make_unique<ZstdDecoder>(
          std::move(upstream), head, std::move(stream)));
    }
    case Compression::kNone:
      break;
  }
  return std::unique_ptr<ByteSource>(
      std::make_unique<PrefixedSource>(std::move(upstream), head));
}

}  // namespace strata::io
