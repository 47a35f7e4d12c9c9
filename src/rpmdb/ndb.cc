// rpm's native database (lib/backend/ndb/rpmpkg.c), all little-endian:
// a 32-byte header ("RpmP", version, generation, slot page count), slot
// pages of 16-byte slots ("Slot", pkgidx, blkoff, blkcnt) in 4 KiB pages,
// and blobs in 16-byte blocks: "BlbS", pkgidx, timestamp, length, the
// header blob, zero padding, then Adler-32 (of everything before it),
// length, "BlbE".
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rpmdb/backends.h"

namespace strata::rpmdb::internal {
namespace {

constexpr uint32_t Magic(const char (&m)[5]) {
  return uint32_t{static_cast<uint8_t>(m[0])} |
         uint32_t{static_cast<uint8_t>(m[1])} << 8 |
         uint32_t{static_cast<uint8_t>(m[2])} << 16 |
         uint32_t{static_cast<uint8_t>(m[3])} << 24;
}
constexpr uint32_t kDbMagic = Magic("RpmP");
constexpr uint32_t kSlotMagic = Magic("Slot");
constexpr uint32_t kBlobHeadMagic = Magic("BlbS");
constexpr uint32_t kBlobTailMagic = Magic("BlbE");
constexpr size_t kPageBytes = 4096;
constexpr size_t kSlotBytes = 16;
constexpr size_t kBlockBytes = 16;
constexpr size_t kHeaderSlots = 2;  // the 32-byte db header
constexpr size_t kBlobHeadBytes = 16;
constexpr size_t kBlobTailBytes = 12;

uint32_t Le32(std::string_view b, size_t off) {
  const auto* u = reinterpret_cast<const unsigned char*>(b.data() + off);
  return uint32_t{u[3]} << 24 | uint32_t{u[2]} << 16 | uint32_t{u[1]} << 8 |
         u[0];
}

uint32_t Adler32(std::string_view data) {
  constexpr uint32_t kMod = 65521;
  constexpr size_t kChunk = 5552;  // largest run without overflow
  uint32_t a = 1, b = 0;
  while (!data.empty()) {
    const size_t n = std::min(data.size(), kChunk);
    for (unsigned char c : data.substr(0, n)) {
      a += c;
      b += a;
    }
    a %= kMod;
    b %= kMod;
    data.remove_prefix(n);
  }
  return b << 16 | a;
}

struct Slot {
  size_t slotno;
  uint32_t pkgidx, blkoff, blkcnt;
};

Result<std::string_view> ReadBlob(std::string_view bytes, const Slot& slot) {
  const std::string where = "ndb blob at block " + std::to_string(slot.blkoff);
  const size_t start = size_t{slot.blkoff} * kBlockBytes;
  const size_t size = size_t{slot.blkcnt} * kBlockBytes;  // inside the file
  if (size < kBlobHeadBytes + kBlobTailBytes) {
    return DataLossError(where + ": too small");
  }
  if (Le32(bytes, start) != kBlobHeadMagic) {
    return DataLossError(where + ": bad magic");
  }
  if (Le32(bytes, start + 4) != slot.pkgidx) {
    return DataLossError(where + ": belongs to package " +
                         std::to_string(Le32(bytes, start + 4)));
  }
  const uint32_t length = Le32(bytes, start + 12);
  const uint64_t blocks =
      (kBlobHeadBytes + uint64_t{length} + kBlobTailBytes + kBlockBytes - 1) /
      kBlockBytes;
  if (blocks != slot.blkcnt) {
    return DataLossError(where + ": length " + std::to_string(length) +
                         " does not fill its " + std::to_string(slot.blkcnt) +
                         " blocks");
  }
  const size_t tail = start + size - kBlobTailBytes;
  if (Le32(bytes, tail + 8) != kBlobTailMagic ||
      Le32(bytes, tail + 4) != length) {
    return DataLossError(where + ": bad trailer");
  }
  if (Le32(bytes, tail) != Adler32(bytes.substr(start, tail - start))) {
    return DataLossError(where + ": checksum mismatch");
  }
  return bytes.substr(start + kBlobHeadBytes, length);
}

}  // namespace

Status WalkNdb(std::string_view bytes, const RecordVisitor& visit) {
  if (bytes.size() < kHeaderSlots * kSlotBytes || Le32(bytes, 0) != kDbMagic) {
    return DataLossError("ndb: bad magic");
  }
  if (Le32(bytes, 4) != 0) {
    return DataLossError("ndb: unsupported version " +
                         std::to_string(Le32(bytes, 4)));
  }
  if (bytes.size() % kBlockBytes != 0) {
    return DataLossError("ndb: file size " + std::to_string(bytes.size()) +
                         " is not a multiple of 16");
  }
  const uint32_t slot_pages = Le32(bytes, 12);
  if (slot_pages == 0 || slot_pages > bytes.size() / kPageBytes) {
    return DataLossError("ndb: " + std::to_string(slot_pages) +
                         " slot pages do not fit in the file");
  }
  const uint64_t file_blocks = bytes.size() / kBlockBytes;
  const uint64_t first_blob_block =
      uint64_t{slot_pages} * kPageBytes / kBlockBytes;
  const size_t nslots = size_t{slot_pages} * kPageBytes / kSlotBytes;
  std::vector<Slot> slots;
  for (size_t slotno = kHeaderSlots; slotno < nslots; ++slotno) {
    const size_t off = slotno * kSlotBytes;
    const std::string where = "ndb slot " + std::to_string(slotno);
    if (Le32(bytes, off) != kSlotMagic) {
      return DataLossError(where + ": bad magic");
    }
    const Slot slot{slotno, Le32(bytes, off + 4), Le32(bytes, off + 8),
                    Le32(bytes, off + 12)};
    if (slot.blkoff == 0) continue;  // free
    if (uint64_t{slot.blkoff} + slot.blkcnt > file_blocks) {
      return DataLossError(where + ": blocks " + std::to_string(slot.blkoff) +
                           "+" + std::to_string(slot.blkcnt) +
                           " outside the file (" + std::to_string(file_blocks) +
                           " blocks)");
    }
    if (slot.pkgidx == 0 || slot.blkcnt == 0 ||
        slot.blkoff < first_blob_block) {
      return DataLossError(where + ": bad entry");
    }
    slots.push_back(slot);
  }
  // Blobs may not overlap: each byte of the file is parsed at most once.
  std::vector<Slot> by_offset = slots;
  std::sort(by_offset.begin(), by_offset.end(),
            [](const Slot& a, const Slot& b) { return a.blkoff < b.blkoff; });
  for (size_t i = 1; i < by_offset.size(); ++i) {
    const Slot& a = by_offset[i - 1];
    if (uint64_t{a.blkoff} + a.blkcnt > by_offset[i].blkoff) {
      return DataLossError("ndb slots " + std::to_string(a.slotno) + " and " +
                           std::to_string(by_offset[i].slotno) + " overlap");
    }
  }
  for (const Slot& slot : slots) {
    RETURN_IF_ERROR(visit(slot.pkgidx, ReadBlob(bytes, slot)));
  }
  return Status::Ok();
}

}  // namespace strata::rpmdb::internal
