// Format detection and the record loop shared by the three backends.
#include "rpmdb/rpmdb.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "base/caps.h"
#include "rpmdb/backends.h"

namespace strata::rpmdb {
namespace {

// Records (packages plus failed headers) in one database; a large Fedora
// install has ~3k packages.
constexpr size_t kMaxRecords = 100'000;
// Bytes of strings in the whole result (paths dominate: ~30 MiB for a
// 3k-package install).
constexpr int64_t kMaxOutputBytes = 512 * caps::kMiB;

constexpr std::string_view kSqliteMagic("SQLite format 3\0", 16);
constexpr uint32_t kBdbHashMagic = 0x061561;

int64_t OutputBytes(const Package& p) {
  int64_t n = static_cast<int64_t>(
      p.name.size() + p.version.size() + p.release.size() + p.arch.size() +
      p.source_rpm.size() + p.license.size() + p.vendor.size() +
      p.modularity_label.size() + p.summary.size() + p.sigmd5.size());
  for (const auto* list : {&p.files, &p.requires_names, &p.provides_names}) {
    for (const std::string& s : *list) n += static_cast<int64_t>(s.size());
  }
  return n;
}

}  // namespace

Result<DbFormat> DetectFormat(std::string_view bytes) {
  if (bytes.substr(0, kSqliteMagic.size()) == kSqliteMagic) {
    return DbFormat::kSqlite;
  }
  if (bytes.substr(0, 4) == "RpmP") return DbFormat::kNdb;
  if (bytes.size() >= 16) {
    const auto* u = reinterpret_cast<const unsigned char*>(bytes.data() + 12);
    const uint32_t le = uint32_t{u[3]} << 24 | uint32_t{u[2]} << 16 |
                        uint32_t{u[1]} << 8 | u[0];
    const uint32_t be = uint32_t{u[0]} << 24 | uint32_t{u[1]} << 16 |
                        uint32_t{u[2]} << 8 | u[3];
    if (le == kBdbHashMagic || be == kBdbHashMagic) {
      return DbFormat::kBerkeleyDb;
    }
  }
  return DataLossError(
      "not an rpm database (no sqlite, ndb or berkeley db hash magic)");
}

Result<ReadResult> ReadDatabase(std::string_view bytes) {
  ASSIGN_OR_RETURN(DbFormat format, DetectFormat(bytes));
  ReadResult out;
  size_t records = 0;
  uint64_t blob_bytes = 0;
  int64_t output_bytes = 0;
  auto visit = [&](int64_t id, Result<std::string_view> blob) -> Status {
    if (++records > kMaxRecords) {
      return ResourceExhaustedError("rpmdb: more than " +
                                    std::to_string(kMaxRecords) + " records");
    }
    const std::string where = "header " + std::to_string(id) + ": ";
    if (!blob.ok()) {
      out.problems.push_back(where + blob.status().ToString());
      return Status::Ok();
    }
    // Records never share bytes in a sound database, so together they are
    // no larger than the file; this bounds the parsing work.
    blob_bytes += blob->size();
    if (blob_bytes > bytes.size()) {
      return DataLossError("rpmdb: records hold more bytes than the file");
    }
    Result<Package> pkg = ParseHeaderBlob(*blob);
    if (!pkg.ok()) {
      out.problems.push_back(where + pkg.status().ToString());
      return Status::Ok();
    }
    output_bytes += OutputBytes(*pkg);
    if (output_bytes > kMaxOutputBytes) {
      return ResourceExhaustedError("rpmdb: package data exceeds cap " +
                                    std::to_string(kMaxOutputBytes) + " bytes");
    }
    auto& list = pkg->name == "gpg-pubkey" ? out.gpg_pubkeys : out.packages;
    list.push_back(std::move(*pkg));
    return Status::Ok();
  };
  switch (format) {
    case DbFormat::kBerkeleyDb:
      RETURN_IF_ERROR(internal::WalkBerkeleyDb(bytes, visit));
      break;
    case DbFormat::kNdb:
      RETURN_IF_ERROR(internal::WalkNdb(bytes, visit));
      break;
    case DbFormat::kSqlite:
      RETURN_IF_ERROR(internal::WalkSqlite(bytes, visit));
      break;
  }
  return out;
}

}  // namespace strata::rpmdb
