// Berkeley DB hash database (db_page.h): a metadata page, then pages of
// type HASH holding key/value item pairs; a value is inline (KEYDATA) or a
// reference (OFFPAGE) to a chain of OVERFLOW pages.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rpmdb/backends.h"

namespace strata::rpmdb::internal {
namespace {

constexpr uint32_t kHashMagic = 0x061561;
constexpr size_t kMetaBytes = 512;  // smallest page; the metadata fits
constexpr size_t kPageHeaderBytes = 26;
constexpr size_t kOffPageBytes = 12;  // type, 3 unused, pgno, tlen

enum PageType : uint8_t {
  kHashUnsorted = 2,
  kOverflow = 7,
  kHashMeta = 8,
  kHash = 13,
};
enum ItemType : uint8_t { kKeyData = 1, kOffPage = 3 };

class Db {
 public:
  Db(std::string_view bytes, bool big_endian)
      : bytes_(bytes), big_endian_(big_endian) {}

  uint32_t U32(size_t off) const {
    const auto* u = reinterpret_cast<const unsigned char*>(bytes_.data() + off);
    return big_endian_ ? (uint32_t{u[0]} << 24 | uint32_t{u[1]} << 16 |
                          uint32_t{u[2]} << 8 | u[3])
                       : (uint32_t{u[3]} << 24 | uint32_t{u[2]} << 16 |
                          uint32_t{u[1]} << 8 | u[0]);
  }
  uint16_t U16(size_t off) const {
    const auto* u = reinterpret_cast<const unsigned char*>(bytes_.data() + off);
    return big_endian_ ? static_cast<uint16_t>(u[0] << 8 | u[1])
                       : static_cast<uint16_t>(u[1] << 8 | u[0]);
  }
  uint8_t U8(size_t off) const { return static_cast<uint8_t>(bytes_[off]); }

  Status Open() {
    page_size_ = U32(20);
    const uint32_t version = U32(16);
    if (version < 8 || version > 10) {
      return DataLossError("bdb: unsupported hash version " +
                           std::to_string(version));
    }
    if (page_size_ < 512 || page_size_ > 65536 ||
        (page_size_ & (page_size_ - 1)) != 0) {
      return DataLossError("bdb: bad page size " + std::to_string(page_size_));
    }
    if (U8(24) != 0) return DataLossError("bdb: encrypted database");
    if (U8(25) != kHashMeta) {
      return DataLossError("bdb: metadata page has type " +
                           std::to_string(U8(25)));
    }
    if (U8(26) != 0) {
      return DataLossError("bdb: unsupported metadata flags " +
                           std::to_string(U8(26)));
    }
    const uint64_t pages = uint64_t{U32(32)} + 1;
    if (pages * page_size_ > bytes_.size()) {
      return DataLossError("bdb: truncated: " + std::to_string(pages) +
                           " pages of " + std::to_string(page_size_) +
                           " bytes need more than the file's " +
                           std::to_string(bytes_.size()));
    }
    pages_ = static_cast<uint32_t>(pages);
    used_.assign(pages_, false);
    return Status::Ok();
  }

  Status Walk(const RecordVisitor& visit) {
    for (uint32_t pgno = 1; pgno < pages_; ++pgno) {
      const size_t page = size_t{pgno} * page_size_;
      const uint8_t type = U8(page + 25);
      if (type != kHash && type != kHashUnsorted) continue;
      RETURN_IF_ERROR(WalkHashPage(pgno, page, visit));
    }
    return Status::Ok();
  }

 private:
  std::string PageError(uint32_t pgno, std::string_view what) const {
    return "bdb page " + std::to_string(pgno) + ": " + std::string(what);
  }

  Status WalkHashPage(uint32_t pgno, size_t page, const RecordVisitor& visit) {
    const size_t entries = U16(page + 20);
    const size_t table_end = kPageHeaderBytes + 2 * entries;
    if (table_end > page_size_ || entries % 2 != 0) {
      return DataLossError(
          PageError(pgno, "bad entry count " + std::to_string(entries)));
    }
    // Items are packed from the end of the page down, in index order.
    std::vector<std::string_view> items(entries);
    size_t prev = page_size_;
    for (size_t i = 0; i < entries; ++i) {
      const size_t off = U16(page + kPageHeaderBytes + 2 * i);
      if (off < table_end || off >= prev) {
        return DataLossError(PageError(pgno, "item " + std::to_string(i) +
                                                 " at bad offset " +
                                                 std::to_string(off)));
      }
      items[i] = bytes_.substr(page + off, prev - off);
      prev = off;
    }
    for (size_t i = 0; i < entries; i += 2) {
      std::string_view key = items[i];
      if (static_cast<uint8_t>(key[0]) != kKeyData || key.size() != 5) {
        return DataLossError(PageError(
            pgno, "item " + std::to_string(i) + " is not a package id key"));
      }
      const uint32_t id = U32(key.data() + 1 - bytes_.data());
      if (id == 0) continue;  // the record holding the instance counter
      RETURN_IF_ERROR(VisitValue(id, items[i + 1], visit));
    }
    return Status::Ok();
  }

  Status VisitValue(uint32_t id, std::string_view item,
                    const RecordVisitor& visit) {
    const uint8_t type = static_cast<uint8_t>(item[0]);
    if (type == kKeyData) return visit(id, item.substr(1));
    if (type != kOffPage) {
      return visit(id, DataLossError("bdb: unsupported item type " +
                                     std::to_string(type)));
    }
    if (item.size() < kOffPageBytes) {
      return visit(id, DataLossError("bdb: short overflow reference"));
    }
    const size_t at = item.data() - bytes_.data();
    std::string value;
    Status s = ReadOverflow(U32(at + 4), U32(at + 8), value);
    if (!s.ok()) return visit(id, s);
    return visit(id, std::string_view(value));
  }

  // Concatenates the overflow chain from `pgno`. Each page may be used once
  // in the whole walk, which stops loops and bounds the work to the file.
  Status ReadOverflow(uint32_t pgno, uint32_t length, std::string& out) {
    if (length > bytes_.size()) {
      return DataLossError("bdb: overflow length " + std::to_string(length) +
                           " exceeds the file");
    }
    out.reserve(length);
    while (pgno != 0) {
      if (pgno >= pages_) {
        return DataLossError("bdb: overflow page " + std::to_string(pgno) +
                             " out of range");
      }
      if (used_[pgno]) {
        return DataLossError("bdb: overflow page " + std::to_string(pgno) +
                             " is used twice");
      }
      used_[pgno] = true;
      const size_t page = size_t{pgno} * page_size_;
      if (U8(page + 25) != kOverflow) {
        return DataLossError("bdb: page " + std::to_string(pgno) +
                             " is not an overflow page");
      }
      const size_t len = U16(page + 22);
      if (len > page_size_ - kPageHeaderBytes || out.size() + len > length) {
        return DataLossError("bdb: overflow page " + std::to_string(pgno) +
                             " overruns the value");
      }
      out.append(bytes_.substr(page + kPageHeaderBytes, len));
      pgno = U32(page + 16);
    }
    if (out.size() != length) {
      return DataLossError("bdb: overflow chain holds " +
                           std::to_string(out.size()) + " of " +
                           std::to_string(length) + " bytes");
    }
    return Status::Ok();
  }

  std::string_view bytes_;
  bool big_endian_;
  uint32_t page_size_ = 0;
  uint32_t pages_ = 0;
  std::vector<bool> used_;  // overflow pages already consumed
};

}  // namespace

Status WalkBerkeleyDb(std::string_view bytes, const RecordVisitor& visit) {
  if (bytes.size() < kMetaBytes) {
    return DataLossError("bdb: file of " + std::to_string(bytes.size()) +
                         " bytes is shorter than its metadata page");
  }
  Db le(bytes, false);
  Db be(bytes, true);
  Db* db = le.U32(12) == kHashMagic   ? &le
           : be.U32(12) == kHashMagic ? &be
                                      : nullptr;
  if (db == nullptr) return DataLossError("bdb: not a hash database");
  RETURN_IF_ERROR(db->Open());
  return db->Walk(visit);
}

}  // namespace strata::rpmdb::internal
