// rpm's SQLite backend: table Packages(hnum INTEGER PRIMARY KEY, blob BLOB).
// The database is deserialized read-only from a private copy of the bytes.
#include <sqlite3.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "base/caps.h"
#include "base/unique_fd.h"
#include "rpmdb/backends.h"

namespace strata::rpmdb::internal {
namespace {

// The progress handler runs every kOpsPerCheck virtual machine operations
// and aborts after kMaxChecks calls (10^8 operations; reading 100k rows
// takes about 10^6). Schema loading and corrupt b-trees count too.
constexpr int kOpsPerCheck = 1000;
constexpr int64_t kMaxChecks = 100'000;
constexpr size_t kSqliteHeaderBytes = 100;
constexpr int kMaxSqlBytes = 1 * caps::kMiB;  // schema statements included

using SqliteDb =
    std::unique_ptr<sqlite3, CHandleDeleter<sqlite3, sqlite3_close_v2>>;
using Statement =
    std::unique_ptr<sqlite3_stmt,
                    CHandleDeleter<sqlite3_stmt, sqlite3_finalize>>;

struct Budget {
  int64_t checks = 0;
  bool exhausted = false;
};

int OnProgress(void* arg) {
  auto* budget = static_cast<Budget*>(arg);
  if (++budget->checks > kMaxChecks) budget->exhausted = true;
  return budget->exhausted ? 1 : 0;
}

Status SqliteError(sqlite3* db, const Budget& budget) {
  if (budget.exhausted) {
    return ResourceExhaustedError("sqlite: step budget of " +
                                  std::to_string(kMaxChecks * kOpsPerCheck) +
                                  " operations exhausted");
  }
  return DataLossError(std::string("sqlite: ") + sqlite3_errmsg(db));
}

// Restricts the connection to reading plain tables.
void Harden(sqlite3* db, int max_length) {
  static constexpr int kOff[] = {
      SQLITE_DBCONFIG_TRUSTED_SCHEMA, SQLITE_DBCONFIG_ENABLE_TRIGGER,
      SQLITE_DBCONFIG_ENABLE_VIEW,    SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION,
      SQLITE_DBCONFIG_DQS_DML,        SQLITE_DBCONFIG_DQS_DDL,
  };
  for (int op : kOff) sqlite3_db_config(db, op, 0, nullptr);
  sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  sqlite3_limit(db, SQLITE_LIMIT_LENGTH, max_length);
  sqlite3_limit(db, SQLITE_LIMIT_SQL_LENGTH, kMaxSqlBytes);
  sqlite3_limit(db, SQLITE_LIMIT_EXPR_DEPTH, 100);
  sqlite3_limit(db, SQLITE_LIMIT_COMPOUND_SELECT, 10);
  sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);
  sqlite3_limit(db, SQLITE_LIMIT_TRIGGER_DEPTH, 1);
  sqlite3_limit(db, SQLITE_LIMIT_WORKER_THREADS, 0);
}

}  // namespace

Status WalkSqlite(std::string_view bytes, const RecordVisitor& visit) {
  if (bytes.size() < kSqliteHeaderBytes) {
    return DataLossError("sqlite: file of " + std::to_string(bytes.size()) +
                         " bytes is shorter than its header");
  }
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(":memory:", &raw,
                           SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  SqliteDb db(raw);
  if (rc != SQLITE_OK) {
    return InternalError(std::string("sqlite: open: ") +
                         (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  Budget budget;
  sqlite3_progress_handler(db.get(), kOpsPerCheck, OnProgress, &budget);
  Harden(db.get(), static_cast<int>(std::min<size_t>(bytes.size(), INT_MAX)));

  auto* copy = static_cast<unsigned char*>(sqlite3_malloc64(bytes.size()));
  if (copy == nullptr) return ResourceExhaustedError("sqlite: out of memory");
  std::memcpy(copy, bytes.data(), bytes.size());
  // A WAL-mode file (format bytes 2, 2) cannot be opened from memory; the
  // WAL itself is not ours to read, so read the file as a rollback database.
  if (copy[18] == 2) copy[18] = 1;
  if (copy[19] == 2) copy[19] = 1;
  rc = sqlite3_deserialize(
      db.get(), "main", copy, static_cast<sqlite3_int64>(bytes.size()),
      static_cast<sqlite3_int64>(bytes.size()),
      SQLITE_DESERIALIZE_READONLY | SQLITE_DESERIALIZE_FREEONCLOSE);
  if (rc != SQLITE_OK) return SqliteError(db.get(), budget);

  sqlite3_stmt* raw_stmt = nullptr;
  rc = sqlite3_prepare_v2(db.get(), "SELECT hnum, blob FROM Packages", -1,
                          &raw_stmt, nullptr);
  Statement stmt(raw_stmt);
  if (rc != SQLITE_OK) return SqliteError(db.get(), budget);
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    const int64_t id = sqlite3_column_int64(stmt.get(), 0);
    if (sqlite3_column_type(stmt.get(), 1) != SQLITE_BLOB) {
      RETURN_IF_ERROR(
          visit(id, DataLossError("sqlite: blob column holds no blob")));
      continue;
    }
    const void* data = sqlite3_column_blob(stmt.get(), 1);
    const int size = sqlite3_column_bytes(stmt.get(), 1);
    RETURN_IF_ERROR(visit(id, std::string_view(static_cast<const char*>(data),
                                               static_cast<size_t>(size))));
  }
  if (rc != SQLITE_DONE) return SqliteError(db.get(), budget);
  return Status::Ok();
}

}  // namespace strata::rpmdb::internal
