// The offline vulnerability database: one SQLite file built by
// `strata db import` from OSV records, the Debian security tracker, Alpine
// secdb, the CISA KEV catalogue and EPSS scores, and read by the matcher.
//
// The schema (tables, columns, normalisation, the Debian status mapping) is
// documented in docs/formats/vulndb.md; PRAGMA user_version holds
// kSchemaVersion.
//
// Importing: the kind of each source is detected from its content (a zip of
// OSV records, a directory of OSV *.json files, a JSON document that is an
// OSV record, a Debian tracker dump, an Alpine secdb file or the KEV
// catalogue, an EPSS CSV; gzip is undone transparently). One Import call is
// one SQLite transaction: a failed or interrupted import leaves the previous
// content as it was. A record that fails validation (bad JSON, no id, bad
// ranges, over a cap) is skipped whole, counted and described in
// ImportStats::messages; it never aborts the import. Re-importing an
// advisory replaces the rows that source wrote for it (idempotent).
//
// Every size read from a source is capped (constants in parse.h, import.h
// and vulndb.cc, listed in docs/formats/vulndb.md). Zip sources are read and
// parsed on a second thread while this one writes.
//
// Thread-safety: a Db is thread-compatible (one connection). Open one Db per
// reading thread; SQLite allows concurrent readers of one file.
#ifndef STRATA_VULNDB_VULNDB_H_
#define STRATA_VULNDB_VULNDB_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace strata::vulndb {

inline constexpr int kSchemaVersion = 1;

// One OSV range event; `version` is the value of its single key.
struct Event {
  enum Kind { kIntroduced, kFixed, kLastAffected, kLimit } kind;
  std::string version;
};

struct Range {
  std::string type;  // "ECOSYSTEM", "SEMVER" or "GIT" (as in OSV)
  std::vector<Event> events;
};

// One affected row (one package in one ecosystem of one advisory).
struct Affected {
  std::string id;         // the advisory id
  std::string source;     // who wrote the row: "osv", "debian", "alpine"
  std::string ecosystem;  // OSV string: "Debian:12", "Alpine:v3.20", "PyPI"
  std::string name;       // normalised (NormalizeName)
  std::vector<Range> ranges;
  std::vector<std::string> versions;  // explicitly affected versions
  // "fixed", "not-fixed", "wont-fix", "not-affected" or "" (unknown: decide
  // from the ranges).
  std::string fix_state;
  std::string distro_severity;  // e.g. Debian urgency "low"; may be empty
};

struct Advisory {
  std::string id, source, summary, details, published, modified, withdrawn;
  std::vector<std::string> aliases;
  // (type, score) as OSV has them, e.g. ("CVSS_V3", "CVSS:3.1/AV:N/...").
  std::vector<std::pair<std::string, std::string>> severity;
  bool malicious = false;  // an OSV MAL- id or database_specific.malicious
  std::vector<std::string> references;  // URLs, capped
};

struct KevEntry {
  std::string cve, vendor, product, name, date_added, due_date;
  bool ransomware = false;  // knownRansomwareCampaignUse == "Known"
};

struct EpssEntry {
  double score = 0, percentile = 0;
  std::string date;  // the score date from the CSV header, may be empty
};

// What one source contributed.
struct ImportStats {
  std::string source;   // the path (or name) as given
  std::string kind;     // "osv", "debian", "alpine", "kev", "epss"
  int64_t records = 0;  // records written
  int64_t skipped = 0;  // records refused
  // The first kMaxImportMessages reasons for skips, one line each.
  std::vector<std::string> messages;
};
inline constexpr size_t kMaxImportMessages = 10;

struct SourceInfo {
  std::string name;  // base name of the imported path
  std::string kind;
  std::string imported_at;  // RFC 3339 UTC
  int64_t records = 0, skipped = 0;
};

struct DbStatus {
  int schema_version = 0;
  std::string built_at;  // RFC 3339 UTC of the last import
  std::string strata_version;
  std::vector<SourceInfo> sources;                          // by name
  std::map<std::string, int64_t> advisories_per_ecosystem;  // distinct ids
  int64_t advisories = 0, kev = 0, epss = 0;
};

class Db {
 public:
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // ${XDG_CACHE_HOME:-$HOME/.cache}/strata/vuln.db
  static std::string DefaultPath();

  // Opens an existing database read-only (SQLITE_OPEN_READONLY, hardened:
  // no triggers, views or extensions). Missing file -> kNotFound; not a
  // database or a schema version other than kSchemaVersion -> kDataLoss /
  // kFailedPrecondition naming the path.
  static Result<std::unique_ptr<Db>> OpenReadOnly(const std::string& path);
  // Opens for import, creating the file, its parent directory and the schema
  // when missing. ":memory:" gives a private in-memory database (tests,
  // fuzzing).
  static Result<std::unique_ptr<Db>> OpenForImport(const std::string& path);

  // Imports every source in one transaction; on any error nothing is
  // written. Errors are for the source as a whole (unreadable, unknown
  // kind, not a zip, a cap on the whole source); bad records are skipped.
  Result<std::vector<ImportStats>> Import(
      const std::vector<std::string>& sources);
  Result<ImportStats> Import(const std::string& source);
  // Imports one in-memory source (content-detected like a file; `name`
  // names it in messages and in the sources table). One transaction.
  Result<ImportStats> ImportBytes(std::string_view name,
                                  std::string_view bytes);

  // Affected rows for an exact ecosystem ("Debian:12") and a name, which is
  // normalised here with NormalizeName. Ordered by id.
  Result<std::vector<Affected>> Lookup(std::string_view ecosystem,
                                       std::string_view name);
  Result<std::optional<Advisory>> GetAdvisory(std::string_view id);
  // Ids linked to `id` through aliases, both directions ("GHSA-x" -> its
  // CVE; "CVE-y" -> every advisory listing it). Sorted, `id` excluded.
  Result<std::vector<std::string>> Related(std::string_view id);
  Result<std::optional<KevEntry>> Kev(std::string_view cve);
  Result<std::optional<EpssEntry>> Epss(std::string_view cve);
  Result<DbStatus> Status();
  // The meta table's built_at ("" when absent); cheap, unlike Status().
  Result<std::string> BuiltAt();

 private:
  struct Closer {
    void operator()(sqlite3* db) const;
  };
  using Handle = std::unique_ptr<sqlite3, Closer>;
  Db(Handle db, std::string path, bool read_only);
  strata::Status CheckWritable() const;

  // The read queries' prepared statements, kept for reuse (a scan runs
  // thousands of lookups); keyed by the SQL literal's address.
  struct StmtCloser {
    void operator()(sqlite3_stmt* s) const;
  };
  Result<sqlite3_stmt*> Cached(const char* sql);

  Handle db_;
  std::string path_;
  bool read_only_;
  std::map<const char*, std::unique_ptr<sqlite3_stmt, StmtCloser>> stmts_;
};

// The name as stored: PyPI per PEP 503 (lowercase, runs of "-_." -> "-"),
// npm lowercase, every other ecosystem unchanged.
std::string NormalizeName(std::string_view ecosystem, std::string_view name);

// Parses "YYYY-MM-DDTHH:MM:SSZ" (fractional seconds and numeric offsets
// accepted). Anything else -> kInvalidArgument.
Result<std::chrono::system_clock::time_point> ParseRfc3339(
    std::string_view text);

}  // namespace strata::vulndb

#endif  // STRATA_VULNDB_VULNDB_H_
