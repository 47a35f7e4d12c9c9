#include "vulndb/import.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "base/unique_fd.h"
#include "vulndb/osv_sax.h"

namespace strata::vulndb::internal {
namespace {

constexpr size_t kReadChunk = 256 * 1024;
// Zip entries travel in batches (waking threads per entry costs more than
// parsing a small record); at most kZipQueueDepth batches are in flight.
constexpr size_t kZipBatch = 64;
constexpr size_t kZipQueueDepth = 8;
// OSV parsing is most of an import's CPU: two parsers keep a 2-core machine
// busy beside the inflating reader and the SQLite writer.
constexpr int kParseThreads = 2;

using ArchivePtr =
    std::unique_ptr<archive, CHandleDeleter<archive, archive_read_free>>;

bool HasPrefix(std::string_view bytes, std::string_view magic) {
  return bytes.substr(0, magic.size()) == magic;
}
bool IsZip(std::string_view b) {
  return HasPrefix(b, "PK\x03\x04") || HasPrefix(b, "PK\x05\x06");
}
bool IsGzip(std::string_view b) { return HasPrefix(b, "\x1f\x8b"); }

std::string OneLine(std::string s) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  std::replace(s.begin(), s.end(), '\r', ' ');
  return s;
}

// Binds without copying: `text` must live until the statement is stepped
// (StepDone resets it and clears the bindings).
void BindView(sqlite3_stmt* s, int index, std::string_view text) {
  sqlite3_bind_text64(s, index, text.data(), text.size(), SQLITE_STATIC,
                      SQLITE_UTF8);
}

std::string ArchiveError(archive* a) {
  const char* e = archive_error_string(a);
  return e ? e : "unknown error";
}

// Reads one source's records into the writer and counts them.
class Importer {
 public:
  Importer(Writer& w, ImportStats& stats) : w_(w), stats_(stats) {}

  Status FromPath(const std::string& path);
  Status FromBytes(std::string_view name, std::string_view bytes,
                   int gzip_depth);

 private:
  void Skip(std::string msg) {
    ++stats_.skipped;
    if (stats_.messages.size() < kMaxImportMessages) {
      stats_.messages.push_back(OneLine(std::move(msg)));
    }
  }
  Status SetKind(std::string_view kind);
  Status Osv(std::string_view name, std::string_view bytes);
  Status OsvDocument(std::string_view name, const json::Json& doc);
  Status Zip(archive* a);
  Status Directory(const std::string& path);
  Status Json(std::string_view name, std::string_view bytes);
  Status Epss(std::string_view bytes);
  Result<std::string> Gunzip(std::string_view name, std::string_view bytes);
  RecordSink Sink();

  Writer& w_;
  ImportStats& stats_;
  int64_t entries_ = 0;
};

Status Importer::SetKind(std::string_view kind) {
  if (!stats_.kind.empty() && stats_.kind != kind) {
    return InvalidArgumentError("mixes " + stats_.kind + " and " +
                                std::string(kind) + " content");
  }
  stats_.kind = std::string(kind);
  return Status::Ok();
}

RecordSink Importer::Sink() {
  return RecordSink{[this](Record&& r) -> Status {
                      RETURN_IF_ERROR(w_.Put(r));
                      ++stats_.records;
                      return Status::Ok();
                    },
                    [this](std::string msg) { Skip(std::move(msg)); }};
}

Status Importer::OsvDocument(std::string_view name, const json::Json& doc) {
  Result<Record> rec = ParseOsv(doc);
  if (!rec.ok()) {
    Skip(std::string(name) + ": " + rec.status().ToString());
    return Status::Ok();
  }
  RETURN_IF_ERROR(w_.Put(*rec));
  ++stats_.records;
  return Status::Ok();
}

// A parsed record, or the reason one was skipped.
struct Parsed {
  std::optional<Record> record;
  std::string skip;
};

Parsed ParseOsvRecord(std::string_view name, std::string_view bytes) {
  Result<Record> rec = ParseOsvBytes(bytes, name);
  if (!rec.ok()) return Parsed{std::nullopt, rec.status().ToString()};
  return Parsed{std::move(*rec), ""};
}

// A zip entry to parse, or the reason it is skipped.
struct RawEntry {
  std::string name;
  std::string bytes;
  std::string skip;  // non-empty: not parsed
};

// Reads every *.json entry of the zip. Runs on its own thread; `emit`
// returning false stops it.
Status ReadZip(archive* a, const std::function<bool(RawEntry&&)>& emit) {
  std::string buf;
  std::vector<char> chunk(kReadChunk);
  int64_t entries = 0, expanded = 0;
  auto skip = [&](std::string msg) {
    return emit(RawEntry{"", "", std::move(msg)});
  };
  for (;;) {
    archive_entry* e = nullptr;
    int rc = archive_read_next_header(a, &e);
    if (rc == ARCHIVE_EOF) break;
    if (rc < ARCHIVE_WARN && rc != ARCHIVE_FAILED) {
      return DataLossError("zip: " + ArchiveError(a));
    }
    if (++entries > kMaxArchiveEntries) {
      return ResourceExhaustedError("zip has more than " +
                                    std::to_string(kMaxArchiveEntries) +
                                    " entries");
    }
    const char* p = archive_entry_pathname(e);
    const std::string name = p ? p : "";
    if (rc == ARCHIVE_FAILED) {
      if (!skip(name + ": zip: " + ArchiveError(a))) break;
      continue;
    }
    if (archive_entry_filetype(e) != AE_IFREG || !name.ends_with(".json")) {
      continue;
    }
    if (archive_entry_size_is_set(e) &&
        archive_entry_size(e) > kMaxRecordBytes) {
      if (!skip(name + ": " + std::to_string(archive_entry_size(e)) +
                " bytes, over the cap of " + std::to_string(kMaxRecordBytes))) {
        break;
      }
      continue;
    }
    buf.clear();
    std::string bad;
    for (;;) {
      la_ssize_t n = archive_read_data(a, chunk.data(), chunk.size());
      if (n < 0) {
        if (n == ARCHIVE_FATAL) {
          return DataLossError("zip entry " + name + ": " + ArchiveError(a));
        }
        bad = name + ": zip: " + ArchiveError(a);
        break;
      }
      if (n == 0) break;
      if (static_cast<int64_t>(buf.size()) + n > kMaxRecordBytes) {
        bad = name + ": over the cap of " + std::to_string(kMaxRecordBytes) +
              " bytes";
        break;
      }
      buf.append(chunk.data(), static_cast<size_t>(n));
    }
    if (!bad.empty()) {
      if (!skip(std::move(bad))) break;
      continue;
    }
    expanded += static_cast<int64_t>(buf.size());
    if (expanded > kMaxArchiveTotalBytes) {
      return ResourceExhaustedError("zip expands to more than " +
                                    std::to_string(kMaxArchiveTotalBytes) +
                                    " bytes");
    }
    if (!emit(RawEntry{name, std::move(buf), ""})) break;
    buf = std::string();
  }
  return Status::Ok();
}

// Batches of entries parsed by kParseThreads workers and handed to the
// writer in archive order (so that a repeated id keeps its last record and
// messages come in order, as with one thread).
class ParsePool {
 public:
  ParsePool() {
    for (int i = 0; i < kParseThreads; ++i) {
      workers_.emplace_back([this] { Work(); });
    }
  }
  ~ParsePool() {
    Close();
    for (std::thread& t : workers_) t.join();
  }
  // Producer side. False once the consumer has given up.
  bool Submit(std::vector<RawEntry>&& batch) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] {
      return submitted_ - delivered_ < kZipQueueDepth || closed_;
    });
    if (closed_) return false;
    jobs_.push_back({submitted_++, std::move(batch)});
    cv_.notify_all();
    return true;
  }
  void Finish(Status st) {
    std::lock_guard lock(mu_);
    status_ = std::move(st);
    finished_ = true;
    cv_.notify_all();
  }
  // Consumer side: the next batch in archive order; nullopt at the end.
  std::optional<std::vector<Parsed>> Next() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] {
      return done_.count(delivered_) > 0 ||
             (finished_ && delivered_ == submitted_);
    });
    auto it = done_.find(delivered_);
    if (it == done_.end()) return std::nullopt;
    std::vector<Parsed> p = std::move(it->second);
    done_.erase(it);
    ++delivered_;
    cv_.notify_all();
    return p;
  }
  void Close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    cv_.notify_all();
  }
  Status status() {
    std::lock_guard lock(mu_);
    return status_;
  }

 private:
  struct Job {
    uint64_t seq;
    std::vector<RawEntry> entries;
  };
  void Work() {
    for (;;) {
      Job job;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return !jobs_.empty() || closed_ || finished_; });
        if (jobs_.empty()) {
          if (closed_ || finished_) return;
          continue;
        }
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      std::vector<Parsed> parsed;
      parsed.reserve(job.entries.size());
      for (RawEntry& e : job.entries) {
        parsed.push_back(e.skip.empty()
                             ? ParseOsvRecord(e.name, e.bytes)
                             : Parsed{std::nullopt, std::move(e.skip)});
      }
      std::lock_guard lock(mu_);
      done_.emplace(job.seq, std::move(parsed));
      cv_.notify_all();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> jobs_;                          // guarded by mu_
  std::map<uint64_t, std::vector<Parsed>> done_;  // guarded by mu_
  uint64_t submitted_ = 0, delivered_ = 0;
  bool finished_ = false, closed_ = false;
  Status status_;
  std::vector<std::thread> workers_;
};

// Reading runs on a second thread, parsing on kParseThreads workers, and
// writing, in archive order, on this one.
Status Importer::Zip(archive* a) {
  RETURN_IF_ERROR(SetKind("osv"));
  ParsePool ch;
  std::thread reader([&] {
    std::vector<RawEntry> batch;
    bool open = true;
    Status st = ReadZip(a, [&](RawEntry&& e) {
      batch.push_back(std::move(e));
      if (batch.size() < kZipBatch) return true;
      open = ch.Submit(std::move(batch));
      batch.clear();
      return open;
    });
    if (open && !batch.empty()) ch.Submit(std::move(batch));
    ch.Finish(std::move(st));
  });
  Status st;
  while (st.ok()) {
    std::optional<std::vector<Parsed>> batch = ch.Next();
    if (!batch) break;
    for (Parsed& p : *batch) {
      if (!p.record) {
        Skip(std::move(p.skip));
        continue;
      }
      st = w_.Put(*p.record);
      if (!st.ok()) break;
      ++stats_.records;
    }
  }
  ch.Close();
  reader.join();
  RETURN_IF_ERROR(st);
  return ch.status();
}

// One OSV record file: bad JSON or a bad record is skipped, not fatal.
Status Importer::Osv(std::string_view name, std::string_view bytes) {
  Parsed p = ParseOsvRecord(name, bytes);
  if (!p.record) {
    Skip(std::move(p.skip));
    return Status::Ok();
  }
  RETURN_IF_ERROR(w_.Put(*p.record));
  ++stats_.records;
  return Status::Ok();
}

Result<std::string> ReadFile(const std::string& path, int64_t max_bytes) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoError("open " + path, errno);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return ErrnoError("stat " + path, errno);
  if (st.st_size > max_bytes) {
    return ResourceExhaustedError(path + " is " + std::to_string(st.st_size) +
                                  " bytes, over the cap of " +
                                  std::to_string(max_bytes));
  }
  std::string out;
  out.reserve(static_cast<size_t>(st.st_size));
  char chunk[64 * 1024];
  for (;;) {
    ssize_t n = ::read(fd.get(), chunk, sizeof chunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("read " + path, errno);
    }
    if (n == 0) break;
    if (static_cast<int64_t>(out.size()) + n > max_bytes) {
      return ResourceExhaustedError(path + " grew over the cap of " +
                                    std::to_string(max_bytes) + " bytes");
    }
    out.append(chunk, static_cast<size_t>(n));
  }
  return out;
}

Status Importer::Directory(const std::string& path) {
  RETURN_IF_ERROR(SetKind("osv"));
  namespace fs = std::filesystem;
  std::error_code ec;
  // Sorted per directory, so messages come in a stable order.
  std::vector<fs::path> files;
  fs::recursive_directory_iterator it(path, ec), end;
  if (ec)
    return UnavailableError("read directory " + path + ": " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) {
      return UnavailableError("read directory " + path + ": " + ec.message());
    }
    if (it.depth() > kMaxDirectoryDepth) {
      it.disable_recursion_pending();
      continue;
    }
    std::error_code type_ec;
    if (!it->is_regular_file(type_ec) || it->is_symlink(type_ec)) continue;
    if (it->path().extension() != ".json") continue;
    if (++entries_ > kMaxArchiveEntries) {
      return ResourceExhaustedError(path + " holds more than " +
                                    std::to_string(kMaxArchiveEntries) +
                                    " files");
    }
    files.push_back(it->path());
  }
  if (ec)
    return UnavailableError("read directory " + path + ": " + ec.message());
  std::sort(files.begin(), files.end());
  for (const fs::path& f : files) {
    Result<std::string> bytes = ReadFile(f.string(), kMaxRecordBytes);
    if (!bytes.ok()) {
      Skip(bytes.status().ToString());
      continue;
    }
    RETURN_IF_ERROR(Osv(f.string(), *bytes));
  }
  return Status::Ok();
}

Result<std::string> Importer::Gunzip(std::string_view name,
                                     std::string_view bytes) {
  ArchivePtr a(archive_read_new());
  if (!a) return ResourceExhaustedError("libarchive: out of memory");
  archive_read_support_filter_gzip(a.get());
  archive_read_support_format_raw(a.get());
  archive_entry* e = nullptr;
  if (archive_read_open_memory(a.get(), bytes.data(), bytes.size()) !=
          ARCHIVE_OK ||
      archive_read_next_header(a.get(), &e) != ARCHIVE_OK) {
    return DataLossError("gzip: " + ArchiveError(a.get()));
  }
  std::string out;
  char chunk[64 * 1024];
  for (;;) {
    la_ssize_t n = archive_read_data(a.get(), chunk, sizeof chunk);
    if (n < 0) return DataLossError("gzip: " + ArchiveError(a.get()));
    if (n == 0) break;
    if (static_cast<int64_t>(out.size()) + n > kMaxSourceBytes) {
      return ResourceExhaustedError("gzip expands to more than " +
                                    std::to_string(kMaxSourceBytes) + " bytes");
    }
    out.append(chunk, static_cast<size_t>(n));
  }
  return out;
}

Status Importer::Json(std::string_view name, std::string_view bytes) {
  ASSIGN_OR_RETURN(json::Json doc,
                   json::Parse(bytes, "source", kMaxSourceBytes));
  if (doc.is_array()) {  // an array of OSV records
    RETURN_IF_ERROR(SetKind("osv"));
    size_t index = 0;
    for (const json::Json& rec : doc) {
      RETURN_IF_ERROR(OsvDocument("[" + std::to_string(index++) + "]", rec));
    }
    return Status::Ok();
  }
  const std::string kind = DetectJsonKind(doc);
  if (kind.empty()) {
    return InvalidArgumentError(
        "unknown JSON source (not OSV, Debian tracker, Alpine secdb or KEV)");
  }
  RETURN_IF_ERROR(SetKind(kind));
  if (kind == "osv") return OsvDocument(name, doc);
  if (kind == "debian") return ParseDebianTracker(doc, Sink());
  if (kind == "alpine") return ParseAlpineSecdb(doc, Sink());
  return ParseKev(
      doc,
      [this](KevEntry&& e) -> Status {
        RETURN_IF_ERROR(w_.PutKev(e));
        ++stats_.records;
        return Status::Ok();
      },
      [this](std::string msg) { Skip(std::move(msg)); });
}

Status Importer::Epss(std::string_view bytes) {
  RETURN_IF_ERROR(SetKind("epss"));
  return ParseEpss(
      bytes,
      [this](EpssRow&& r) -> Status {
        RETURN_IF_ERROR(w_.PutEpss(r));
        ++stats_.records;
        return Status::Ok();
      },
      [this](std::string msg) { Skip(std::move(msg)); });
}

Status Importer::FromBytes(std::string_view name, std::string_view bytes,
                           int gzip_depth) {
  if (static_cast<int64_t>(bytes.size()) > kMaxSourceBytes) {
    return ResourceExhaustedError(std::to_string(bytes.size()) +
                                  " bytes, over the cap of " +
                                  std::to_string(kMaxSourceBytes));
  }
  if (IsGzip(bytes)) {
    if (gzip_depth > 0) return DataLossError("gzip inside gzip");
    ASSIGN_OR_RETURN(std::string plain, Gunzip(name, bytes));
    return FromBytes(name, plain, gzip_depth + 1);
  }
  if (IsZip(bytes)) {
    ArchivePtr a(archive_read_new());
    if (!a) return ResourceExhaustedError("libarchive: out of memory");
    archive_read_support_format_zip(a.get());
    if (archive_read_open_memory(a.get(), bytes.data(), bytes.size()) !=
        ARCHIVE_OK) {
      return DataLossError("zip: " + ArchiveError(a.get()));
    }
    return Zip(a.get());
  }
  size_t first = bytes.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos &&
      (bytes[first] == '{' || bytes[first] == '[')) {
    return Json(name, bytes);
  }
  if (HasPrefix(bytes, "#model_version") ||
      HasPrefix(bytes, "cve,epss,percentile")) {
    return Epss(bytes);
  }
  return InvalidArgumentError(
      "unknown source kind (want an OSV zip, directory or JSON file, a "
      "Debian tracker, Alpine secdb or KEV JSON file, or an EPSS CSV)");
}

Status Importer::FromPath(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return ErrnoError("stat " + path, errno);
  if (S_ISDIR(st.st_mode)) return Directory(path);
  if (!S_ISREG(st.st_mode)) {
    return InvalidArgumentError(path + " is not a file or directory");
  }
  char magic[4] = {};
  {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) return ErrnoError("open " + path, errno);
    if (::read(fd.get(), magic, sizeof magic) < 0) {
      return ErrnoError("read " + path, errno);
    }
  }
  if (IsZip(std::string_view(magic, sizeof magic))) {
    // Streamed from the file: a zip may be larger than kMaxSourceBytes.
    ArchivePtr a(archive_read_new());
    if (!a) return ResourceExhaustedError("libarchive: out of memory");
    archive_read_support_format_zip(a.get());
    if (archive_read_open_filename(a.get(), path.c_str(), kReadChunk) !=
        ARCHIVE_OK) {
      return DataLossError("zip: " + ArchiveError(a.get()));
    }
    return Zip(a.get());
  }
  ASSIGN_OR_RETURN(std::string bytes, ReadFile(path, kMaxSourceBytes));
  return FromBytes(path, bytes, 0);
}

std::string BaseName(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path
                                                     : path.substr(slash + 1));
}

}  // namespace

Result<std::unique_ptr<Writer>> Writer::Create(sqlite3* db) {
  std::unique_ptr<Writer> w(new Writer(db));
  {
    ASSIGN_OR_RETURN(Stmt empty,
                     Prepare(db,
                             "SELECT NOT EXISTS(SELECT 1 FROM advisories) AND "
                             "NOT EXISTS(SELECT 1 FROM affected) AND NOT "
                             "EXISTS(SELECT 1 FROM aliases)"));
    if (sqlite3_step(empty.get()) != SQLITE_ROW) return SqlError(db);
    w->bulk_ = sqlite3_column_int(empty.get(), 0) == 1;
  }
  if (w->bulk_) {
    RETURN_IF_ERROR(Exec(db,
                         "DROP INDEX IF EXISTS aliases_by_id; "
                         "DROP INDEX IF EXISTS affected_by_package; "
                         "DROP INDEX IF EXISTS affected_by_id;"));
  }
  // An OSV advisory replaces any row; a distro one only its own (an OSV
  // record or the other distro keeps the richer row it wrote).
  ASSIGN_OR_RETURN(
      w->advisory_,
      Prepare(db,
              "INSERT INTO advisories(id, source, published, modified, "
              "withdrawn, summary, details, aliases, severity, "
              "references_json, malicious) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,"
              "?10,?11) ON CONFLICT(id) DO UPDATE SET source=excluded.source, "
              "published=excluded.published, modified=excluded.modified, "
              "withdrawn=excluded.withdrawn, summary=excluded.summary, "
              "details=excluded.details, aliases=excluded.aliases, "
              "severity=excluded.severity, "
              "references_json=excluded.references_json, "
              "malicious=excluded.malicious WHERE excluded.source='osv' OR "
              "advisories.source=excluded.source"));
  ASSIGN_OR_RETURN(
      w->del_affected_,
      Prepare(db, "DELETE FROM affected WHERE id=?1 AND source=?2"));
  ASSIGN_OR_RETURN(w->del_affected_pkg_,
                   Prepare(db,
                           "DELETE FROM affected WHERE id=?1 AND source=?2 AND "
                           "ecosystem=?3 AND name=?4"));
  ASSIGN_OR_RETURN(
      w->affected_,
      Prepare(db,
              "INSERT INTO affected(id, source, ecosystem, name, ranges, "
              "versions, fix_state, distro_severity) "
              "VALUES(?1,?2,?3,?4,?5,?6,?7,?8)"));
  ASSIGN_OR_RETURN(w->del_aliases_,
                   Prepare(db, "DELETE FROM aliases WHERE id=?1"));
  ASSIGN_OR_RETURN(
      w->alias_,
      Prepare(db, "INSERT OR IGNORE INTO aliases(alias, id) VALUES(?1,?2)"));
  ASSIGN_OR_RETURN(
      w->kev_,
      Prepare(
          db,
          "INSERT OR REPLACE INTO kev(cve, vendor, product, name, "
          "date_added, due_date, ransomware) VALUES(?1,?2,?3,?4,?5,?6,?7)"));
  ASSIGN_OR_RETURN(
      w->epss_, Prepare(db,
                        "INSERT OR REPLACE INTO epss(cve, score, percentile, "
                        "date) VALUES(?1,?2,?3,?4)"));
  ASSIGN_OR_RETURN(
      w->source_,
      Prepare(db,
              "INSERT OR REPLACE INTO sources(name, kind, imported_at, "
              "records, skipped) VALUES(?1,?2,?3,?4,?5)"));
  ASSIGN_OR_RETURN(
      w->meta_,
      Prepare(db, "INSERT OR REPLACE INTO meta(key, value) VALUES(?1,?2)"));
  return w;
}

Status Writer::Put(const Record& rec) {
  const Advisory& a = rec.advisory;
  const bool osv = a.source == "osv";
  sqlite3_stmt* s = advisory_.get();
  const std::string aliases = StringsToJson(a.aliases);
  const std::string severity = SeverityToJson(a.severity);
  const std::string references = StringsToJson(a.references);
  BindView(s, 1, a.id);
  BindView(s, 2, a.source);
  BindView(s, 3, a.published);
  BindView(s, 4, a.modified);
  BindView(s, 5, a.withdrawn);
  BindView(s, 6, a.summary);
  BindView(s, 7, a.details);
  BindView(s, 8, aliases);
  BindView(s, 9, severity);
  BindView(s, 10, references);
  BindInt(s, 11, a.malicious ? 1 : 0);
  RETURN_IF_ERROR(StepDone(db_, s));

  ASSIGN_OR_RETURN(const bool replace, MayHaveRows(a.id));
  if (osv && replace) {
    BindView(del_affected_.get(), 1, a.id);
    BindView(del_affected_.get(), 2, a.source);
    RETURN_IF_ERROR(StepDone(db_, del_affected_.get()));
    BindView(del_aliases_.get(), 1, a.id);
    RETURN_IF_ERROR(StepDone(db_, del_aliases_.get()));
  }
  if (osv) {
    for (const std::string& alias : a.aliases) {
      BindView(alias_.get(), 1, alias);
      BindView(alias_.get(), 2, a.id);
      RETURN_IF_ERROR(StepDone(db_, alias_.get()));
    }
  } else if (replace) {
    std::set<std::pair<std::string_view, std::string_view>> packages;
    for (const Affected& row : rec.affected) {
      if (!packages.emplace(row.ecosystem, row.name).second) continue;
      BindView(del_affected_pkg_.get(), 1, a.id);
      BindView(del_affected_pkg_.get(), 2, a.source);
      BindView(del_affected_pkg_.get(), 3, row.ecosystem);
      BindView(del_affected_pkg_.get(), 4, row.name);
      RETURN_IF_ERROR(StepDone(db_, del_affected_pkg_.get()));
    }
  }
  for (const Affected& row : rec.affected) {
    s = affected_.get();
    const std::string ranges = RangesToJson(row.ranges);
    const std::string versions = StringsToJson(row.versions);
    BindView(s, 1, a.id);
    BindView(s, 2, a.source);
    BindView(s, 3, row.ecosystem);
    BindView(s, 4, row.name);
    BindView(s, 5, ranges);
    BindView(s, 6, versions);
    BindView(s, 7, row.fix_state);
    BindView(s, 8, row.distro_severity);
    RETURN_IF_ERROR(StepDone(db_, s));
  }
  return Status::Ok();
}

Result<bool> Writer::MayHaveRows(const std::string& id) {
  if (!bulk_) return true;
  if (written_.insert(id).second) return false;
  RETURN_IF_ERROR(BuildIndexes());
  return true;
}

Status Writer::BuildIndexes() {
  bulk_ = false;
  written_ = {};
  return Exec(db_, kIndexSql);
}

Status Writer::Finish() {
  if (!bulk_) return Status::Ok();
  return BuildIndexes();
}

Status Writer::PutKev(const KevEntry& e) {
  sqlite3_stmt* s = kev_.get();
  BindText(s, 1, e.cve);
  BindText(s, 2, e.vendor);
  BindText(s, 3, e.product);
  BindText(s, 4, e.name);
  BindText(s, 5, e.date_added);
  BindText(s, 6, e.due_date);
  BindInt(s, 7, e.ransomware ? 1 : 0);
  return StepDone(db_, s);
}

Status Writer::PutEpss(const EpssRow& r) {
  sqlite3_stmt* s = epss_.get();
  BindText(s, 1, r.cve);
  BindDouble(s, 2, r.entry.score);
  BindDouble(s, 3, r.entry.percentile);
  BindText(s, 4, r.entry.date);
  return StepDone(db_, s);
}

Status Writer::PutSource(const SourceInfo& info) {
  sqlite3_stmt* s = source_.get();
  BindText(s, 1, info.name);
  BindText(s, 2, info.kind);
  BindText(s, 3, info.imported_at);
  BindInt(s, 4, info.records);
  BindInt(s, 5, info.skipped);
  return StepDone(db_, s);
}

Status Writer::PutMeta(std::string_view key, std::string_view value) {
  BindText(meta_.get(), 1, key);
  BindText(meta_.get(), 2, value);
  return StepDone(db_, meta_.get());
}

Result<ImportStats> ImportPath(const std::string& path, Writer& w) {
  ImportStats stats;
  stats.source = path;
  Importer imp(w, stats);
  if (Status st = imp.FromPath(path); !st.ok()) {
    return st.WithContext(path);
  }
  return stats;
}

Result<ImportStats> ImportMemory(std::string_view name, std::string_view bytes,
                                 Writer& w) {
  ImportStats stats;
  stats.source = std::string(name);
  Importer imp(w, stats);
  if (Status st = imp.FromBytes(name, bytes, 0); !st.ok()) {
    return st.WithContext(name);
  }
  return stats;
}

std::string SourceName(std::string_view path) { return BaseName(path); }

}  // namespace strata::vulndb::internal
