// Internal to strata_vulndb: the source parsers, bytes or JSON in, records
// out, no SQLite. Each parser validates and caps what it keeps; a record that
// fails is reported through the sink's error callback and left out whole.
#ifndef STRATA_VULNDB_PARSE_H_
#define STRATA_VULNDB_PARSE_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"
#include "base/status.h"
#include "vulndb/vulndb.h"

namespace strata::vulndb::internal {

// --- caps on what one record may hold (docs/formats/vulndb.md) --------------
inline constexpr int64_t kMaxRecordBytes = 16 * 1024 * 1024;  // one OSV file
inline constexpr size_t kMaxIdBytes = 256;
inline constexpr size_t kMaxSummaryBytes = 1024;      // truncated
inline constexpr size_t kMaxDetailsBytes = 8 * 1024;  // truncated
inline constexpr size_t kMaxReferences = 64;          // the rest dropped
inline constexpr size_t kMaxAliases = 1024;           // over: refused
inline constexpr size_t kMaxSeverities = 64;          // over: refused
inline constexpr size_t kMaxAffected = 10'000;        // over: refused
inline constexpr size_t kMaxRanges = 256;             // per affected
inline constexpr size_t kMaxEvents = 4096;            // per range
inline constexpr size_t kMaxVersions = 100'000;       // per affected
inline constexpr size_t kMaxVersionBytes = 1024;      // names, versions

// Validation shared by the parsers.
// Cuts `s` to at most `max` bytes without splitting a UTF-8 sequence.
std::string Truncate(std::string s, size_t max);
// "more than <cap> <what>" (kResourceExhausted).
Status TooMany(std::string_view what, size_t cap);
// A short printable token (ids, names, versions, ecosystems): not empty, at
// most kMaxVersionBytes, no control characters.
Status CheckToken(std::string_view what, std::string_view v);
// An advisory id: a token of at most kMaxIdBytes without spaces.
Status CheckId(std::string_view id);

// An advisory and its affected rows, as written to the database.
struct Record {
  Advisory advisory;
  std::vector<Affected> affected;
};

// Receives parsed records; `error` gets one line per refused record.
struct RecordSink {
  std::function<Status(Record&&)> record;
  std::function<void(std::string)> error;
};

// One OSV record (https://ossf.github.io/osv-schema/). Affected entries
// without a package (GIT-only) are dropped.
Result<Record> ParseOsv(const json::Json& doc);

// A Debian security tracker dump: records per CVE, source "debian".
Status ParseDebianTracker(const json::Json& doc, const RecordSink& sink);
// An Alpine secdb file: records per id, source "alpine".
Status ParseAlpineSecdb(const json::Json& doc, const RecordSink& sink);

// The CISA KEV catalogue; bad entries go to `error`.
Status ParseKev(const json::Json& doc,
                const std::function<Status(KevEntry&&)>& entry,
                const std::function<void(std::string)>& error);

struct EpssRow {
  std::string cve;
  EpssEntry entry;
};
// An EPSS CSV: "#model_version:...,score_date:..." then "cve,epss,percentile".
Status ParseEpss(std::string_view csv,
                 const std::function<Status(EpssRow&&)>& row,
                 const std::function<void(std::string)>& error);

// Which parser a JSON document is for: "osv", "debian", "alpine", "kev", or
// "" when it is none of them.
std::string DetectJsonKind(const json::Json& doc);

// Ranges and versions as stored (docs/formats/vulndb.md) and back.
std::string RangesToJson(const std::vector<Range>& ranges);
Result<std::vector<Range>> RangesFromJson(std::string_view text);
std::string StringsToJson(const std::vector<std::string>& v);
// [{"score": ..., "type": ...}] as OSV has them. The writers above give
// exactly json::Dump's bytes, without building a JSON document.
std::string SeverityToJson(
    const std::vector<std::pair<std::string, std::string>>& severity);
Result<std::vector<std::string>> StringsFromJson(std::string_view text);

}  // namespace strata::vulndb::internal

#endif  // STRATA_VULNDB_PARSE_H_
