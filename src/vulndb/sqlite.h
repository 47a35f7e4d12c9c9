// Internal to strata_vulndb: RAII prepared statements and error mapping.
#ifndef STRATA_VULNDB_SQLITE_H_
#define STRATA_VULNDB_SQLITE_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "base/unique_fd.h"

namespace strata::vulndb::internal {

using Stmt = std::unique_ptr<sqlite3_stmt,
                             CHandleDeleter<sqlite3_stmt, sqlite3_finalize>>;

// "sqlite: <errmsg>" as kDataLoss (corrupt file), kUnavailable (busy,
// I/O), kPermissionDenied (read-only) or kInternal.
Status SqlError(sqlite3* db);

Result<Stmt> Prepare(sqlite3* db, std::string_view sql);
Status Exec(sqlite3* db, const char* sql);

// Binds are 1-based; the text is copied (SQLITE_TRANSIENT).
void BindText(sqlite3_stmt* s, int index, std::string_view text);
void BindInt(sqlite3_stmt* s, int index, int64_t v);
void BindDouble(sqlite3_stmt* s, int index, double v);

// Steps a statement that returns no rows, then resets it for reuse.
Status StepDone(sqlite3* db, sqlite3_stmt* s);

// Column text, "" for NULL.
std::string ColumnText(sqlite3_stmt* s, int col);

}  // namespace strata::vulndb::internal

#endif  // STRATA_VULNDB_SQLITE_H_
