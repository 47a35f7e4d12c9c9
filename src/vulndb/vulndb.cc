#include "vulndb/vulndb.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <filesystem>

#include "vulndb/import.h"
#include "vulndb/parse.h"
#include "vulndb/sqlite.h"

namespace strata::vulndb {
namespace {

using internal::BindText;
using internal::ColumnText;
using internal::Prepare;
using internal::SqlError;
using internal::Stmt;

// Reading a database that may come from elsewhere: no value may exceed
// this, and one lookup returns at most kMaxLookupRows rows.
constexpr int kMaxValueBytes = 64 * 1024 * 1024;
constexpr size_t kMaxLookupRows = 100'000;
constexpr int kBusyTimeoutMs = 5000;

constexpr const char* kSchema = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sources(name TEXT PRIMARY KEY, kind TEXT NOT NULL,
  imported_at TEXT NOT NULL, records INTEGER NOT NULL,
  skipped INTEGER NOT NULL);
CREATE TABLE advisories(id TEXT PRIMARY KEY, source TEXT NOT NULL,
  published TEXT NOT NULL, modified TEXT NOT NULL, withdrawn TEXT NOT NULL,
  summary TEXT NOT NULL, details TEXT NOT NULL, aliases TEXT NOT NULL,
  severity TEXT NOT NULL, references_json TEXT NOT NULL,
  malicious INTEGER NOT NULL);
CREATE TABLE aliases(alias TEXT NOT NULL, id TEXT NOT NULL,
  PRIMARY KEY(alias, id)) WITHOUT ROWID;
CREATE TABLE affected(id TEXT NOT NULL, source TEXT NOT NULL,
  ecosystem TEXT NOT NULL, name TEXT NOT NULL, ranges TEXT NOT NULL,
  versions TEXT NOT NULL, fix_state TEXT NOT NULL,
  distro_severity TEXT NOT NULL);
CREATE TABLE kev(cve TEXT PRIMARY KEY, vendor TEXT NOT NULL,
  product TEXT NOT NULL, name TEXT NOT NULL, date_added TEXT NOT NULL,
  due_date TEXT NOT NULL, ransomware INTEGER NOT NULL);
CREATE TABLE epss(cve TEXT PRIMARY KEY, score REAL NOT NULL,
  percentile REAL NOT NULL, date TEXT NOT NULL);
PRAGMA user_version = 1;
)sql";

// No triggers, views or extensions from a file we did not necessarily write.
// A cached statement borrowed for one query: reset when the query is done
// so that it holds no read transaction open.
struct Reset {
  sqlite3_stmt* stmt;
  sqlite3_stmt* get() const { return stmt; }
  ~Reset() { sqlite3_reset(stmt); }
};

void Harden(sqlite3* db) {
  static constexpr int kOff[] = {
      SQLITE_DBCONFIG_TRUSTED_SCHEMA,        SQLITE_DBCONFIG_ENABLE_TRIGGER,
      SQLITE_DBCONFIG_ENABLE_VIEW,           SQLITE_DBCONFIG_DQS_DML,
      SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, SQLITE_DBCONFIG_DQS_DDL,
  };
  for (int op : kOff) sqlite3_db_config(db, op, 0, nullptr);
  sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  sqlite3_limit(db, SQLITE_LIMIT_LENGTH, kMaxValueBytes);
  sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
}

std::string NowRfc3339() {
  std::time_t t = std::time(nullptr);
  std::tm tm;
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Result<int64_t> QueryInt(sqlite3* db, std::string_view sql) {
  ASSIGN_OR_RETURN(Stmt s, Prepare(db, sql));
  if (sqlite3_step(s.get()) != SQLITE_ROW) return SqlError(db);
  return static_cast<int64_t>(sqlite3_column_int64(s.get(), 0));
}

Result<std::string> Meta(sqlite3* db, std::string_view key) {
  ASSIGN_OR_RETURN(Stmt s, Prepare(db, "SELECT value FROM meta WHERE key=?1"));
  BindText(s.get(), 1, key);
  int rc = sqlite3_step(s.get());
  if (rc == SQLITE_ROW) return ColumnText(s.get(), 0);
  if (rc == SQLITE_DONE) return std::string();
  return SqlError(db);
}

// Opens `path` with `flags`; checks or creates the schema.
Result<sqlite3*> OpenRaw(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status st =
        raw ? SqlError(raw)
            : InternalError(std::string("sqlite: ") + sqlite3_errstr(rc));
    sqlite3_close_v2(raw);
    return st;
  }
  return raw;
}

int Digit(char c) { return c >= '0' && c <= '9' ? c - '0' : -1; }

// Reads `n` digits at text[pos].
bool Digits(std::string_view text, size_t pos, size_t n, int& out) {
  if (pos + n > text.size()) return false;
  out = 0;
  for (size_t i = 0; i < n; ++i) {
    int d = Digit(text[pos + i]);
    if (d < 0) return false;
    out = out * 10 + d;
  }
  return true;
}

}  // namespace

void Db::Closer::operator()(sqlite3* db) const { sqlite3_close_v2(db); }

Db::Db(Handle db, std::string path, bool read_only)
    : db_(std::move(db)), path_(std::move(path)), read_only_(read_only) {}

Db::~Db() {
  stmts_.clear();  // before the connection closes
}

void Db::StmtCloser::operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }

Result<sqlite3_stmt*> Db::Cached(const char* sql) {
  auto it = stmts_.find(sql);
  if (it != stmts_.end()) {
    sqlite3_reset(it->second.get());
    sqlite3_clear_bindings(it->second.get());
    return it->second.get();
  }
  ASSIGN_OR_RETURN(Stmt s, Prepare(db_.get(), sql));
  sqlite3_stmt* raw = s.release();
  stmts_.emplace(sql, std::unique_ptr<sqlite3_stmt, StmtCloser>(raw));
  return raw;
}

Result<std::string> Db::BuiltAt() {
  ASSIGN_OR_RETURN(sqlite3_stmt * s,
                   Cached("SELECT value FROM meta WHERE key='built_at'"));
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) return ColumnText(s, 0);
  if (rc == SQLITE_DONE) return std::string();
  return SqlError(db_.get()).WithContext("vulndb " + path_);
}

std::string Db::DefaultPath() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  std::string base;
  if (xdg != nullptr && xdg[0] == '/') {
    base = xdg;
  } else if (const char* home = std::getenv("HOME"); home && home[0]) {
    base = std::string(home) + "/.cache";
  } else {
    base = ".cache";
  }
  return base + "/strata/vuln.db";
}

Result<std::unique_ptr<Db>> Db::OpenReadOnly(const std::string& path) {
  const std::string what = "vulndb " + path;
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) {
      return NotFoundError(what +
                           " does not exist (run strata db import first)");
    }
    return ErrnoError("stat " + path, errno);
  }
  ASSIGN_OR_RETURN(sqlite3 * raw, OpenRaw(path, SQLITE_OPEN_READONLY));
  Handle db(raw);
  Harden(db.get());
  // Scans read many pages of a file nobody writes meanwhile: map it rather
  // than read() each page, and keep what was read.
  (void)internal::Exec(db.get(),
                       "PRAGMA mmap_size=1073741824; PRAGMA cache_size=-65536");
  Result<int64_t> version = QueryInt(db.get(), "PRAGMA user_version");
  if (!version.ok()) return version.status().WithContext(what);
  if (*version != kSchemaVersion) {
    return FailedPreconditionError(
        what + " has schema version " + std::to_string(*version) + ", want " +
        std::to_string(kSchemaVersion) + " (re-import the database)");
  }
  return std::unique_ptr<Db>(new Db(std::move(db), path, true));
}

Result<std::unique_ptr<Db>> Db::OpenForImport(const std::string& path) {
  const std::string what = "vulndb " + path;
  if (path != ":memory:") {
    std::filesystem::path parent = std::filesystem::path(path).parent_path();
    std::error_code ec;
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    if (ec) {
      return UnavailableError("create directory " + parent.string() + ": " +
                              ec.message());
    }
  }
  ASSIGN_OR_RETURN(sqlite3 * raw,
                   OpenRaw(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE));
  Handle db(raw);
  Harden(db.get());
  Result<int64_t> version = QueryInt(db.get(), "PRAGMA user_version");
  if (!version.ok()) return version.status().WithContext(what);
  if (*version == 0) {
    Result<int64_t> tables =
        QueryInt(db.get(), "SELECT count(*) FROM sqlite_schema");
    if (!tables.ok()) return tables.status().WithContext(what);
    if (*tables != 0) {
      return FailedPreconditionError(
          what +
          " is a SQLite database but not a strata vulnerability "
          "database");
    }
    strata::Status st = internal::Exec(db.get(), "BEGIN");
    if (st.ok()) st = internal::Exec(db.get(), kSchema);
    if (st.ok()) st = internal::Exec(db.get(), internal::kIndexSql);
    if (st.ok()) st = internal::Exec(db.get(), "COMMIT");
    if (!st.ok()) return st.WithContext(what);
  } else if (*version != kSchemaVersion) {
    return FailedPreconditionError(
        what + " has schema version " + std::to_string(*version) + ", want " +
        std::to_string(kSchemaVersion) + " (delete it and import again)");
  }
  // Rollback journal: a crash mid-import leaves the previous content, and a
  // finished file needs no -wal beside it for read-only opens.
  strata::Status st = internal::Exec(db.get(),
                                     "PRAGMA journal_mode=DELETE; "
                                     "PRAGMA synchronous=NORMAL; "
                                     "PRAGMA cache_size=-65536; "
                                     "PRAGMA temp_store=MEMORY;");
  if (!st.ok()) return st.WithContext(what);
  return std::unique_ptr<Db>(new Db(std::move(db), path, false));
}

Status Db::CheckWritable() const {
  if (read_only_) {
    return FailedPreconditionError("vulndb " + path_ + " is open read-only");
  }
  return Status::Ok();
}

namespace {

// Rolls back unless committed.
class Transaction {
 public:
  explicit Transaction(sqlite3* db) : db_(db) {}
  ~Transaction() {
    if (open_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  Status Begin() {
    RETURN_IF_ERROR(internal::Exec(db_, "BEGIN IMMEDIATE"));
    open_ = true;
    return Status::Ok();
  }
  Status Commit() {
    RETURN_IF_ERROR(internal::Exec(db_, "COMMIT"));
    open_ = false;
    return Status::Ok();
  }

 private:
  sqlite3* db_;
  bool open_ = false;
};

// Runs `each` for every source inside one transaction, then records the
// sources and the build time.
template <typename Each>
Result<std::vector<ImportStats>> InTransaction(sqlite3* db, size_t n,
                                               const Each& each) {
  Transaction txn(db);
  RETURN_IF_ERROR(txn.Begin());
  const std::string now = NowRfc3339();
  std::vector<ImportStats> all;
  {
    ASSIGN_OR_RETURN(std::unique_ptr<internal::Writer> w,
                     internal::Writer::Create(db));
    for (size_t i = 0; i < n; ++i) {
      ASSIGN_OR_RETURN(ImportStats stats, each(i, *w));
      RETURN_IF_ERROR(w->PutSource(
          SourceInfo{internal::SourceName(stats.source), stats.kind, now,
                     stats.records, stats.skipped}));
      all.push_back(std::move(stats));
    }
    RETURN_IF_ERROR(
        w->PutMeta("schema_version", std::to_string(kSchemaVersion)));
    RETURN_IF_ERROR(w->PutMeta("built_at", now));
    RETURN_IF_ERROR(w->PutMeta("strata_version", STRATA_VERSION));
    RETURN_IF_ERROR(w->Finish());
  }
  RETURN_IF_ERROR(txn.Commit());
  return all;
}

}  // namespace

Result<std::vector<ImportStats>> Db::Import(
    const std::vector<std::string>& sources) {
  RETURN_IF_ERROR(CheckWritable());
  return InTransaction(db_.get(), sources.size(),
                       [&](size_t i, internal::Writer& w) {
                         return internal::ImportPath(sources[i], w);
                       });
}

Result<ImportStats> Db::Import(const std::string& source) {
  ASSIGN_OR_RETURN(std::vector<ImportStats> all,
                   Import(std::vector<std::string>{source}));
  return std::move(all.front());
}

Result<ImportStats> Db::ImportBytes(std::string_view name,
                                    std::string_view bytes) {
  RETURN_IF_ERROR(CheckWritable());
  ASSIGN_OR_RETURN(
      std::vector<ImportStats> all,
      InTransaction(db_.get(), 1, [&](size_t, internal::Writer& w) {
        return internal::ImportMemory(name, bytes, w);
      }));
  return std::move(all.front());
}

Result<std::vector<Affected>> Db::Lookup(std::string_view ecosystem,
                                         std::string_view name) {
  ASSIGN_OR_RETURN(
      sqlite3_stmt * stmt,
      Cached("SELECT id, source, ecosystem, name, ranges, versions, "
             "fix_state, distro_severity FROM affected WHERE "
             "ecosystem=?1 AND name=?2 ORDER BY id, source"));
  Reset s{stmt};
  BindText(s.get(), 1, ecosystem);
  const std::string normalized = NormalizeName(ecosystem, name);
  BindText(s.get(), 2, normalized);
  std::vector<Affected> out;
  int rc;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    if (out.size() == kMaxLookupRows) {
      return ResourceExhaustedError(
          "vulndb " + path_ + ": more than " + std::to_string(kMaxLookupRows) +
          " affected rows for " + std::string(ecosystem) + "/" + normalized);
    }
    Affected a;
    a.id = ColumnText(s.get(), 0);
    a.source = ColumnText(s.get(), 1);
    a.ecosystem = ColumnText(s.get(), 2);
    a.name = ColumnText(s.get(), 3);
    Result<std::vector<Range>> ranges =
        internal::RangesFromJson(ColumnText(s.get(), 4));
    if (!ranges.ok()) {
      return ranges.status().WithContext("vulndb " + path_ + ": " + a.id);
    }
    a.ranges = std::move(*ranges);
    Result<std::vector<std::string>> versions =
        internal::StringsFromJson(ColumnText(s.get(), 5));
    if (!versions.ok()) {
      return versions.status().WithContext("vulndb " + path_ + ": " + a.id);
    }
    a.versions = std::move(*versions);
    a.fix_state = ColumnText(s.get(), 6);
    a.distro_severity = ColumnText(s.get(), 7);
    out.push_back(std::move(a));
  }
  if (rc != SQLITE_DONE)
    return SqlError(db_.get()).WithContext("vulndb " + path_);
  return out;
}

Result<std::optional<Advisory>> Db::GetAdvisory(std::string_view id) {
  ASSIGN_OR_RETURN(
      sqlite3_stmt * stmt,
      Cached("SELECT id, source, published, modified, withdrawn, "
             "summary, details, aliases, severity, references_json, "
             "malicious FROM advisories WHERE id=?1"));
  Reset s{stmt};
  BindText(s.get(), 1, id);
  int rc = sqlite3_step(s.get());
  if (rc == SQLITE_DONE) return std::optional<Advisory>();
  if (rc != SQLITE_ROW)
    return SqlError(db_.get()).WithContext("vulndb " + path_);
  const std::string what = "vulndb " + path_ + ": " + std::string(id);
  Advisory a;
  a.id = ColumnText(s.get(), 0);
  a.source = ColumnText(s.get(), 1);
  a.published = ColumnText(s.get(), 2);
  a.modified = ColumnText(s.get(), 3);
  a.withdrawn = ColumnText(s.get(), 4);
  a.summary = ColumnText(s.get(), 5);
  a.details = ColumnText(s.get(), 6);
  Result<std::vector<std::string>> aliases =
      internal::StringsFromJson(ColumnText(s.get(), 7));
  if (!aliases.ok()) return aliases.status().WithContext(what);
  a.aliases = std::move(*aliases);
  Result<json::Json> severity = json::Parse(ColumnText(s.get(), 8), "severity",
                                            internal::kMaxRecordBytes);
  if (!severity.ok()) return severity.status().WithContext(what);
  if (!severity->is_array()) {
    return DataLossError("severity must be an array").WithContext(what);
  }
  for (const json::Json& sv : *severity) {
    Result<std::optional<std::string>> type = json::GetString(sv, "type");
    Result<std::optional<std::string>> score = json::GetString(sv, "score");
    if (!type.ok() || !score.ok() || !*type || !*score) {
      return DataLossError("severity entry needs type and score")
          .WithContext(what);
    }
    a.severity.emplace_back(std::move(**type), std::move(**score));
  }
  Result<std::vector<std::string>> refs =
      internal::StringsFromJson(ColumnText(s.get(), 9));
  if (!refs.ok()) return refs.status().WithContext(what);
  a.references = std::move(*refs);
  a.malicious = sqlite3_column_int64(s.get(), 10) != 0;
  return std::optional<Advisory>(std::move(a));
}

Result<std::vector<std::string>> Db::Related(std::string_view id) {
  ASSIGN_OR_RETURN(sqlite3_stmt * stmt,
                   Cached("SELECT id FROM aliases WHERE alias=?1 UNION "
                          "SELECT alias FROM aliases WHERE id=?1 ORDER BY 1 "
                          "LIMIT 10001"));
  Reset s{stmt};
  BindText(s.get(), 1, id);
  std::vector<std::string> out;
  int rc;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    std::string other = ColumnText(s.get(), 0);
    if (other != id) out.push_back(std::move(other));
  }
  if (rc != SQLITE_DONE)
    return SqlError(db_.get()).WithContext("vulndb " + path_);
  if (out.size() > 10'000) {
    return ResourceExhaustedError("vulndb " + path_ +
                                  ": more than 10000 ids "
                                  "related to " +
                                  std::string(id));
  }
  return out;
}

Result<std::optional<KevEntry>> Db::Kev(std::string_view cve) {
  ASSIGN_OR_RETURN(sqlite3_stmt * stmt,
                   Cached("SELECT cve, vendor, product, name, date_added, "
                          "due_date, ransomware FROM kev WHERE cve=?1"));
  Reset s{stmt};
  BindText(s.get(), 1, cve);
  int rc = sqlite3_step(s.get());
  if (rc == SQLITE_DONE) return std::optional<KevEntry>();
  if (rc != SQLITE_ROW)
    return SqlError(db_.get()).WithContext("vulndb " + path_);
  KevEntry e;
  e.cve = ColumnText(s.get(), 0);
  e.vendor = ColumnText(s.get(), 1);
  e.product = ColumnText(s.get(), 2);
  e.name = ColumnText(s.get(), 3);
  e.date_added = ColumnText(s.get(), 4);
  e.due_date = ColumnText(s.get(), 5);
  e.ransomware = sqlite3_column_int64(s.get(), 6) != 0;
  return std::optional<KevEntry>(std::move(e));
}

Result<std::optional<EpssEntry>> Db::Epss(std::string_view cve) {
  ASSIGN_OR_RETURN(sqlite3_stmt * stmt,
                   Cached("SELECT score, percentile, date FROM epss "
                          "WHERE cve=?1"));
  Reset s{stmt};
  BindText(s.get(), 1, cve);
  int rc = sqlite3_step(s.get());
  if (rc == SQLITE_DONE) return std::optional<EpssEntry>();
  if (rc != SQLITE_ROW)
    return SqlError(db_.get()).WithContext("vulndb " + path_);
  EpssEntry e;
  e.score = sqlite3_column_double(s.get(), 0);
  e.percentile = sqlite3_column_double(s.get(), 1);
  e.date = ColumnText(s.get(), 2);
  return std::optional<EpssEntry>(std::move(e));
}

Result<DbStatus> Db::Status() {
  const std::string what = "vulndb " + path_;
  sqlite3* db = db_.get();
  DbStatus out;
  auto run = [&]() -> strata::Status {
    ASSIGN_OR_RETURN(int64_t version, QueryInt(db, "PRAGMA user_version"));
    out.schema_version = static_cast<int>(version);
    ASSIGN_OR_RETURN(out.built_at, Meta(db, "built_at"));
    ASSIGN_OR_RETURN(out.strata_version, Meta(db, "strata_version"));
    ASSIGN_OR_RETURN(Stmt s, Prepare(db,
                                     "SELECT name, kind, imported_at, records, "
                                     "skipped FROM sources ORDER BY name"));
    int rc;
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
      out.sources.push_back(
          SourceInfo{ColumnText(s.get(), 0), ColumnText(s.get(), 1),
                     ColumnText(s.get(), 2), sqlite3_column_int64(s.get(), 3),
                     sqlite3_column_int64(s.get(), 4)});
    }
    if (rc != SQLITE_DONE) return SqlError(db);
    ASSIGN_OR_RETURN(Stmt e, Prepare(db,
                                     "SELECT ecosystem, count(DISTINCT id) "
                                     "FROM affected GROUP BY ecosystem"));
    while ((rc = sqlite3_step(e.get())) == SQLITE_ROW) {
      out.advisories_per_ecosystem[ColumnText(e.get(), 0)] =
          sqlite3_column_int64(e.get(), 1);
    }
    if (rc != SQLITE_DONE) return SqlError(db);
    ASSIGN_OR_RETURN(out.advisories,
                     QueryInt(db, "SELECT count(*) FROM advisories"));
    ASSIGN_OR_RETURN(out.kev, QueryInt(db, "SELECT count(*) FROM kev"));
    ASSIGN_OR_RETURN(out.epss, QueryInt(db, "SELECT count(*) FROM epss"));
    return strata::Status::Ok();
  };
  if (strata::Status st = run(); !st.ok()) return st.WithContext(what);
  return out;
}

std::string NormalizeName(std::string_view ecosystem, std::string_view name) {
  std::string out;
  out.reserve(name.size());
  if (ecosystem == "PyPI") {
    bool in_sep = false;
    for (char c : name) {
      if (c == '-' || c == '_' || c == '.') {
        if (!in_sep) out.push_back('-');
        in_sep = true;
        continue;
      }
      in_sep = false;
      out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a')
                                         : c);
    }
    return out;
  }
  if (ecosystem == "npm") {
    for (char c : name) {
      out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a')
                                         : c);
    }
    return out;
  }
  return std::string(name);
}

Result<std::chrono::system_clock::time_point> ParseRfc3339(
    std::string_view text) {
  auto bad = [&] {
    return InvalidArgumentError("bad RFC 3339 time \"" +
                                std::string(text.substr(0, 64)) + "\"");
  };
  int y, mo, d, h, mi, s;
  if (text.size() < 20 || !Digits(text, 0, 4, y) || text[4] != '-' ||
      !Digits(text, 5, 2, mo) || text[7] != '-' || !Digits(text, 8, 2, d) ||
      (text[10] != 'T' && text[10] != 't' && text[10] != ' ') ||
      !Digits(text, 11, 2, h) || text[13] != ':' || !Digits(text, 14, 2, mi) ||
      text[16] != ':' || !Digits(text, 17, 2, s)) {
    return bad();
  }
  size_t pos = 19;
  if (text[pos] == '.') {
    ++pos;
    size_t start = pos;
    while (pos < text.size() && Digit(text[pos]) >= 0) ++pos;
    if (pos == start) return bad();
  }
  int offset_min = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int oh, om;
    if (!Digits(text, pos + 1, 2, oh) || pos + 3 >= text.size() ||
        text[pos + 3] != ':' || !Digits(text, pos + 4, 2, om) || oh > 23 ||
        om > 59) {
      return bad();
    }
    offset_min = (text[pos] == '+' ? 1 : -1) * (oh * 60 + om);
    pos += 6;
  } else {
    return bad();
  }
  if (pos != text.size()) return bad();
  using namespace std::chrono;
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)},
                     day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60) return bad();
  return system_clock::time_point(sys_days(ymd)) + hours(h) + minutes(mi) +
         seconds(s) - minutes(offset_min);
}

}  // namespace strata::vulndb
