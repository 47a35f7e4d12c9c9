#include "catalog/golang/buildinfo.h"

#include "base/caps.h"
#include "elf/elf.h"

namespace strata::catalog::golang {
namespace {

// Caps on the two strings of a build info blob. Real modinfo is a few KiB
// to a few hundred KiB (one line per module); Go versions are short
// ("devel go1.23-6f7a4540b1 Wed Jun 12 ..." is among the longest).
constexpr uint64_t kMaxModinfoBytes = 1 * caps::kMiB;
constexpr uint64_t kMaxGoVersionBytes = 1 * caps::kKiB;

constexpr std::string_view kMagic = "\xff Go buildinf:";
constexpr size_t kHeaderSize = 32;
constexpr size_t kAlign = 16;
// Without section headers the blob is near the start of the data segment;
// the Go toolchain's own reader looks at its first 64 KiB.
constexpr size_t kScanBytes = 64 * 1024;
constexpr size_t kSentinelSize = 16;
constexpr uint8_t kFlagBigEndian = 0x1;
constexpr uint8_t kFlagInline = 0x2;

// The first 16-byte aligned offset of `data` (within its first `limit`
// bytes) where a whole header starts.
std::optional<size_t> FindHeader(std::string_view data, size_t limit) {
  for (size_t at = 0; at < limit && kHeaderSize <= data.size() - at;
       at += kAlign) {
    if (data.substr(at, kMagic.size()) == kMagic) return at;
  }
  return std::nullopt;
}

// The blob: from .go.buildinfo, else from the data segment; nullopt when
// this is no Go binary.
Result<std::optional<std::string_view>> FindBlob(const elf::File& f) {
  if (!f.sections().empty()) {
    ASSIGN_OR_RETURN(std::optional<std::string_view> section,
                     f.FindSection(".go.buildinfo"));
    if (!section) return std::optional<std::string_view>();
    const std::optional<size_t> at = FindHeader(*section, section->size());
    if (!at) return DataLossError("no build info header in .go.buildinfo");
    return std::optional(section->substr(*at));
  }
  for (const elf::Segment& s : f.segments()) {
    if (s.type != elf::kPtLoad ||
        (s.flags & (elf::kPfW | elf::kPfX)) != elf::kPfW) {
      continue;
    }
    auto data = f.SegmentData(s);
    if (!data.ok()) return std::optional<std::string_view>();
    const std::optional<size_t> at = FindHeader(*data, kScanBytes);
    if (!at) return std::optional<std::string_view>();
    return std::optional(data->substr(*at));
  }
  return std::optional<std::string_view>();
}

Status TooLong(std::string_view what, uint64_t n, uint64_t cap) {
  return ResourceExhaustedError(std::string(what) + " of " + std::to_string(n) +
                                " bytes exceeds the cap of " +
                                std::to_string(cap));
}

// A uvarint-length-prefixed string at the front of `*data`, consumed.
Result<std::string_view> DecodeString(std::string_view* data,
                                      std::string_view what, uint64_t cap) {
  uint64_t n = 0;
  size_t used = 0;
  for (int shift = 0;; shift += 7) {
    if (used == data->size() || shift > 63) {
      return DataLossError("bad varint");
    }
    const auto b = static_cast<unsigned char>((*data)[used++]);
    if (shift == 63 && b > 1) return DataLossError("bad varint");
    n |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (b < 0x80) break;
  }
  if (n > cap) return TooLong(what, n, cap);
  if (n > data->size() - used) {
    return DataLossError("string of " + std::to_string(n) +
                         " bytes out of bounds");
  }
  std::string_view s = data->substr(used, n);
  data->remove_prefix(used + n);
  return s;
}

// The Go string whose header {data, len} is at virtual address `addr`.
Result<std::string_view> ReadGoString(const elf::File& f, uint64_t addr,
                                      size_t ptr_size, bool big_endian,
                                      std::string_view what, uint64_t cap) {
  auto load = [&](const char* p) {
    return ptr_size == 8 ? elf::Load64(p, big_endian)
                         : elf::Load32(p, big_endian);
  };
  ASSIGN_OR_RETURN(std::string_view header, f.ReadVirtual(addr, 2 * ptr_size));
  const uint64_t data = load(header.data());
  const uint64_t len = load(header.data() + ptr_size);
  if (len > cap) return TooLong(what, len, cap);
  return f.ReadVirtual(data, len);
}

Result<std::string> Decode(const elf::File& f, std::string_view blob) {
  const size_t ptr_size = static_cast<unsigned char>(blob[14]);
  const uint8_t flags = static_cast<unsigned char>(blob[15]);
  std::string_view version;
  std::string_view mod;
  if (flags & kFlagInline) {
    std::string_view rest = blob.substr(kHeaderSize);
    ASSIGN_OR_RETURN(version,
                     DecodeString(&rest, "go version", kMaxGoVersionBytes));
    ASSIGN_OR_RETURN(mod, DecodeString(&rest, "modinfo", kMaxModinfoBytes));
  } else {
    if (ptr_size != 4 && ptr_size != 8) {
      return DataLossError("bad pointer size " + std::to_string(ptr_size));
    }
    const bool big = flags & kFlagBigEndian;
    auto pointer = [&](size_t at) {
      return ptr_size == 8 ? elf::Load64(blob.data() + at, big)
                           : elf::Load32(blob.data() + at, big);
    };
    ASSIGN_OR_RETURN(version, ReadGoString(f, pointer(16), ptr_size, big,
                                           "go version", kMaxGoVersionBytes));
    ASSIGN_OR_RETURN(mod, ReadGoString(f, pointer(16 + ptr_size), ptr_size, big,
                                       "modinfo", kMaxModinfoBytes));
  }
  if (version.empty()) return DataLossError("empty go version");
  if (version.find('\n') != std::string_view::npos) {
    return DataLossError("bad go version");
  }
  // The linker frames modinfo with sentinels; without them (a build outside
  // module mode) there is no module information.
  if (mod.size() >= 2 * kSentinelSize + 1 &&
      mod[mod.size() - kSentinelSize - 1] == '\n') {
    mod = mod.substr(kSentinelSize, mod.size() - 2 * kSentinelSize);
  } else {
    mod = {};
  }
  std::string out = "go\t";
  out += version;
  out += '\n';
  out += mod;
  return out;
}

}  // namespace

Result<std::optional<std::string>> ReadBuildInfo(std::string_view bytes) {
  // The message alone says it all (the loader keeps only the message).
  auto prefixed = [](const Status& s) {
    return Status(s.code(), "go build info: " + s.message());
  };
  auto f = elf::File::Parse(bytes);
  if (!f.ok()) return std::optional<std::string>();
  auto blob = FindBlob(*f);
  if (!blob.ok()) return prefixed(blob.status());
  if (!*blob) return std::optional<std::string>();
  auto text = Decode(*f, **blob);
  if (!text.ok()) return prefixed(text.status());
  return std::optional(std::move(text).value());
}

}  // namespace strata::catalog::golang
