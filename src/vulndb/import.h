// Internal to strata_vulndb: writing records inside the caller's
// transaction, and reading sources (files, directories, zips, gzip) into it.
#ifndef STRATA_VULNDB_IMPORT_H_
#define STRATA_VULNDB_IMPORT_H_

#include <sqlite3.h>

#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "vulndb/parse.h"
#include "vulndb/sqlite.h"
#include "vulndb/vulndb.h"

namespace strata::vulndb::internal {

// Caps on whole sources (docs/formats/vulndb.md).
inline constexpr int64_t kMaxSourceBytes = 1024 * 1024 * 1024;  // JSON/CSV
inline constexpr int64_t kMaxArchiveEntries = 2'000'000;  // zip or directory
inline constexpr int64_t kMaxArchiveTotalBytes = 16LL << 30;  // expanded
inline constexpr int kMaxDirectoryDepth = 32;

// Prepared statements over one connection; the caller owns the transaction.
class Writer {
 public:
  static Result<std::unique_ptr<Writer>> Create(sqlite3* db);

  // Replaces what rec.advisory.source wrote for this advisory: every
  // affected row (OSV) or the rows of the (ecosystem, name) pairs in rec
  // (distro feeds, which split one advisory over several files). An OSV
  // advisory replaces any advisory row; a distro one only its own.
  Status Put(const Record& rec);
  Status PutKev(const KevEntry& e);
  Status PutEpss(const EpssRow& r);
  Status PutSource(const SourceInfo& s);
  Status PutMeta(std::string_view key, std::string_view value);

 private:
  explicit Writer(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  Stmt advisory_, del_affected_, del_affected_pkg_, affected_, del_aliases_,
      alias_, kev_, epss_, source_, meta_;
};

// The name a source is recorded under: the base name of its path.
std::string SourceName(std::string_view path);

// Imports the source at `path` (file or directory) through `w`.
Result<ImportStats> ImportPath(const std::string& path, Writer& w);
// Imports an in-memory source.
Result<ImportStats> ImportMemory(std::string_view name, std::string_view bytes,
                                 Writer& w);

}  // namespace strata::vulndb::internal

#endif  // STRATA_VULNDB_IMPORT_H_
