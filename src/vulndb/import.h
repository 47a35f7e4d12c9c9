// Internal to strata_vulndb: writing records inside the caller's
// transaction, and reading sources (files, directories, zips, gzip) into it.
#ifndef STRATA_VULNDB_IMPORT_H_
#define STRATA_VULNDB_IMPORT_H_

#include <sqlite3.h>

#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>

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

// The secondary indexes of the schema (docs/formats/vulndb.md), created with
// it, and by a Writer that dropped them.
inline constexpr const char* kIndexSql =
    "CREATE INDEX IF NOT EXISTS aliases_by_id ON aliases(id);"
    "CREATE INDEX IF NOT EXISTS affected_by_package ON affected(ecosystem, "
    "name);"
    "CREATE INDEX IF NOT EXISTS affected_by_id ON affected(id, source);";

// Prepared statements over one connection; the caller owns the transaction.
//
// Into an empty database (a first import, or `db update`'s fresh file) the
// Writer drops the secondary indexes and builds them once in Finish: a
// bulk load that keeps three B-trees sorted row by row is about a quarter
// slower. An advisory it has not written yet has no rows to replace, so it
// deletes only for an id it has seen; the first repeated id brings the
// indexes back before that delete, so replacing stays O(log n) per row.
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
  // Call once after the last Put, before the caller commits.
  Status Finish();

 private:
  explicit Writer(sqlite3* db) : db_(db) {}
  // Whether rows written earlier may need replacing for `id`; leaves bulk
  // mode when it has seen `id` before.
  Result<bool> MayHaveRows(const std::string& id);
  Status BuildIndexes();
  sqlite3* db_;
  bool bulk_ = false;  // empty at the start, indexes dropped
  std::unordered_set<std::string> written_;  // advisory ids, in bulk mode
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
