#include "vulndb/sqlite.h"

namespace strata::vulndb::internal {

Status SqlError(sqlite3* db) {
  const std::string msg = std::string("sqlite: ") + sqlite3_errmsg(db);
  switch (sqlite3_errcode(db) & 0xff) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_FORMAT:
    case SQLITE_SCHEMA:
    case SQLITE_ERROR:  // e.g. "no such table" in a foreign file
      return DataLossError(msg);
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return PermissionDeniedError(msg);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
      return UnavailableError(msg);
    case SQLITE_TOOBIG:
    case SQLITE_NOMEM:
      return ResourceExhaustedError(msg);
    default:
      return InternalError(msg);
  }
}

Result<Stmt> Prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  Stmt stmt(raw);
  if (rc != SQLITE_OK) return SqlError(db);
  return stmt;
}

Status Exec(sqlite3* db, const char* sql) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
    return SqlError(db);
  }
  return Status::Ok();
}

void BindText(sqlite3_stmt* s, int index, std::string_view text) {
  sqlite3_bind_text64(s, index, text.data(), text.size(), SQLITE_TRANSIENT,
                      SQLITE_UTF8);
}

void BindInt(sqlite3_stmt* s, int index, int64_t v) {
  sqlite3_bind_int64(s, index, v);
}

void BindDouble(sqlite3_stmt* s, int index, double v) {
  sqlite3_bind_double(s, index, v);
}

Status StepDone(sqlite3* db, sqlite3_stmt* s) {
  int rc = sqlite3_step(s);
  Status st = rc == SQLITE_DONE ? Status::Ok() : SqlError(db);
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
  return st;
}

std::string ColumnText(sqlite3_stmt* s, int col) {
  const unsigned char* p = sqlite3_column_text(s, col);
  if (p == nullptr) return "";
  return std::string(reinterpret_cast<const char*>(p),
                     static_cast<size_t>(sqlite3_column_bytes(s, col)));
}

}  // namespace strata::vulndb::internal
