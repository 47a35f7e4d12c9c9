#include "vulndb/vulndb.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace strata::vulndb {
namespace {

namespace fs = std::filesystem;

using Files = std::vector<std::pair<std::string, std::string>>;

// A zip (stored, so tests can corrupt entry data in place) or, with
// `gzip_single`, one gzip stream of the first file.
std::string WriteArchive(const Files& files, bool gzip_single) {
  archive* a = archive_write_new();
  if (gzip_single) {
    archive_write_set_format_raw(a);
    archive_write_add_filter_gzip(a);
  } else {
    archive_write_set_format_zip(a);
    archive_write_set_options(a, "zip:compression=store");
  }
  size_t total = 1 << 20;
  for (const auto& f : files) total += f.second.size() + 1024;
  std::vector<char> buf(total);
  size_t used = 0;
  EXPECT_EQ(archive_write_open_memory(a, buf.data(), buf.size(), &used),
            ARCHIVE_OK);
  for (const auto& [name, data] : files) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, name.c_str());
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, static_cast<la_int64_t>(data.size()));
    EXPECT_EQ(archive_write_header(a, e), ARCHIVE_OK)
        << archive_error_string(a);
    EXPECT_EQ(archive_write_data(a, data.data(), data.size()),
              static_cast<la_ssize_t>(data.size()));
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  return std::string(buf.data(), used);
}

std::string Osv(std::string_view id, std::string_view eco,
                std::string_view name, std::string_view fixed,
                std::string_view extra = "") {
  return "{\"id\": \"" + std::string(id) +
         "\", \"modified\": \"2024-01-01T00:00:00Z\", " + std::string(extra) +
         "\"affected\": [{\"package\": {\"ecosystem\": \"" + std::string(eco) +
         "\", \"name\": \"" + std::string(name) +
         "\"}, \"ranges\": [{\"type\": \"ECOSYSTEM\", \"events\": "
         "[{\"introduced\": \"0\"}, {\"fixed\": \"" +
         std::string(fixed) + "\"}]}]}]}";
}

class VulnDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("vulndb_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "sub" / "vuln.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& data) {
    fs::path p = dir_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << data;
    return p.string();
  }
  std::unique_ptr<Db> OpenImport() {
    auto db = Db::OpenForImport(path_);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(*db) : nullptr;
  }

  fs::path dir_;
  std::string path_;
};

// Entries are parsed on several threads but written in archive order: a
// repeated id keeps its last record, and skip messages keep their order.
TEST_F(VulnDbTest, ParallelZipImportKeepsArchiveOrder) {
  Files files;
  for (int i = 0; i < 1000; ++i) {
    std::string id = "GHSA-" + std::to_string(i % 300);
    files.push_back({id + "-" + std::to_string(i) + ".json",
                     Osv(id, "PyPI", "pkg" + std::to_string(i % 300),
                         std::to_string(i) + ".0")});
    if (i % 250 == 0) {
      files.push_back({"bad-" + std::to_string(i) + ".json", "{"});
    }
  }
  auto db = OpenImport();
  Result<ImportStats> stats =
      db->Import(Write("PyPI-all.zip", WriteArchive(files, false)));
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->records, 1000);
  EXPECT_EQ(stats->skipped, 4);
  ASSERT_EQ(stats->messages.size(), 4u);
  for (size_t k = 0; k < 4; ++k) {
    EXPECT_EQ(stats->messages[k].rfind("bad-" + std::to_string(k * 250), 0), 0u)
        << stats->messages[k];
  }
  for (int j : {0, 99, 299}) {
    auto rows = db->Lookup("PyPI", "pkg" + std::to_string(j));
    ASSERT_TRUE(rows.ok());
    ASSERT_EQ(rows->size(), 1u);
    // The last entry with this id in the archive wins.
    int last = j + 300 * ((999 - j) / 300);
    EXPECT_EQ((*rows)[0].ranges[0].events[1].version,
              std::to_string(last) + ".0");
  }
}

TEST_F(VulnDbTest, ImportsOsvZipAndLooksUp) {
  std::string zip = WriteArchive(
      {{"GHSA-1.json", Osv("GHSA-1", "PyPI", "Django_Rest.Framework", "3.1",
                           "\"aliases\": [\"CVE-2024-1\"], ")},
       {"GO-1.json", Osv("GO-1", "Go", "golang.org/x/net", "0.1.0")},
       {"README.txt", "not json"}},
      false);
  auto db = OpenImport();
  Result<ImportStats> stats = db->Import(Write("PyPI-all.zip", zip));
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->kind, "osv");
  EXPECT_EQ(stats->records, 2);
  EXPECT_EQ(stats->skipped, 0);

  auto rows = db->Lookup("PyPI", "django-rest-framework");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].id, "GHSA-1");
  EXPECT_EQ((*rows)[0].name, "django-rest-framework");
  ASSERT_EQ((*rows)[0].ranges.size(), 1u);
  EXPECT_EQ((*rows)[0].ranges[0].events[1].kind, Event::kFixed);
  EXPECT_EQ((*rows)[0].ranges[0].events[1].version, "3.1");
  // The query name is normalised too.
  EXPECT_EQ(db->Lookup("PyPI", "Django.Rest_Framework")->size(), 1u);
  EXPECT_TRUE(db->Lookup("Go", "golang.org/x/NET")->empty());
  EXPECT_EQ(db->Lookup("Go", "golang.org/x/net")->size(), 1u);

  auto adv = db->GetAdvisory("GHSA-1");
  ASSERT_TRUE(adv.ok());
  ASSERT_TRUE(adv->has_value());
  EXPECT_EQ((*adv)->aliases, std::vector<std::string>{"CVE-2024-1"});
  EXPECT_EQ((*adv)->modified, "2024-01-01T00:00:00Z");
  EXPECT_FALSE(db->GetAdvisory("GHSA-2")->has_value());
  EXPECT_EQ(*db->Related("CVE-2024-1"), std::vector<std::string>{"GHSA-1"});
  EXPECT_EQ(*db->Related("GHSA-1"), std::vector<std::string>{"CVE-2024-1"});

  auto st = db->Status();
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->schema_version, 1);
  EXPECT_TRUE(ParseRfc3339(st->built_at).ok()) << st->built_at;
  ASSERT_EQ(st->sources.size(), 1u);
  EXPECT_EQ(st->sources[0].name, "PyPI-all.zip");
  EXPECT_EQ(st->sources[0].records, 2);
  EXPECT_EQ(st->advisories_per_ecosystem,
            (std::map<std::string, int64_t>{{"Go", 1}, {"PyPI", 1}}));
}

TEST_F(VulnDbTest, ReadsWithdrawnMaliciousAndVersions) {
  auto db = OpenImport();
  ASSERT_TRUE(db->ImportBytes("mal.json", R"({"id": "MAL-2024-9",
      "withdrawn": "2024-03-01T00:00:00Z", "affected": [{"package":
      {"ecosystem": "npm", "name": "Evil-Pkg"}, "versions": ["1.0.0"]}]})")
                  .ok());
  auto rows = db->Lookup("npm", "EVIL-pkg");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].name, "evil-pkg");
  EXPECT_EQ((*rows)[0].versions, std::vector<std::string>{"1.0.0"});
  EXPECT_TRUE((*rows)[0].ranges.empty());
  auto adv = db->GetAdvisory("MAL-2024-9");
  ASSERT_TRUE(adv.ok() && adv->has_value());
  EXPECT_TRUE((*adv)->malicious);
  EXPECT_EQ((*adv)->withdrawn, "2024-03-01T00:00:00Z");
}

TEST_F(VulnDbTest, CorruptZipEntryIsSkippedAndReported) {
  std::string zip =
      WriteArchive({{"A.json", Osv("A", "Go", "a", "1")},
                    {"B.json", Osv("B", "Go", "b", "1.0.0-corruptme")},
                    {"C.json", Osv("C", "Go", "c", "1")},
                    {"D.json", "{\"id\": "}},
                   false);
  size_t at = zip.find("corruptme");
  ASSERT_NE(at, std::string::npos);
  zip[at] = 'X';  // stored data no longer matches its CRC
  auto db = OpenImport();
  Result<ImportStats> stats = db->ImportBytes("x.zip", zip);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->records, 2);
  EXPECT_EQ(stats->skipped, 2);
  ASSERT_EQ(stats->messages.size(), 2u);
  EXPECT_EQ(stats->messages[0],
            "B.json: zip: ZIP bad CRC: 0xa6db5018 should be 0x2aa3ef85");
  EXPECT_EQ(stats->messages[1],
            "D.json is not valid JSON: parse error at line 1, column 8: "
            "syntax error while parsing value - unexpected end of input; "
            "expected '[', '{', or a literal");
  EXPECT_FALSE(db->GetAdvisory("B")->has_value());
  EXPECT_TRUE(db->GetAdvisory("C")->has_value());
}

TEST_F(VulnDbTest, BadRecordIsNeverHalfWritten) {
  auto db = OpenImport();
  Result<ImportStats> stats =
      db->ImportBytes("bad.json", R"({"id": "A", "summary": "s", "affected": [
        {"package": {"ecosystem": "Go", "name": "ok"}},
        {"package": {"ecosystem": "Go", "name": "bad"},
         "ranges": [{"type": "SEMVER", "events": [{"fixd": "1"}]}]}]})");
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->records, 0);
  EXPECT_EQ(stats->skipped, 1);
  EXPECT_EQ(stats->messages, std::vector<std::string>{
                                 "bad.json: A: unknown range event \"fixd\""});
  EXPECT_FALSE(db->GetAdvisory("A")->has_value());
  EXPECT_TRUE(db->Lookup("Go", "ok")->empty());
}

TEST_F(VulnDbTest, ReimportIsIdempotentAndReplaces) {
  auto db = OpenImport();
  std::string dir = (dir_ / "osv").string();
  Write("osv/a/A.json", Osv("A", "Go", "a", "1"));
  Write("osv/b/B.json", Osv("B", "Go", "a", "2"));
  Write("osv/notes.md", "ignored");
  ASSERT_EQ(db->Import(dir)->records, 2);
  auto first = db->Status();
  ASSERT_EQ(db->Import(dir)->records, 2);
  auto second = db->Status();
  EXPECT_EQ(first->advisories, second->advisories);
  EXPECT_EQ(first->advisories_per_ecosystem, second->advisories_per_ecosystem);
  EXPECT_EQ(db->Lookup("Go", "a")->size(), 2u);
  // A changed record replaces its rows.
  Write("osv/a/A.json", Osv("A", "Go", "other", "1"));
  ASSERT_TRUE(db->Import(dir).ok());
  EXPECT_EQ(db->Lookup("Go", "a")->size(), 1u);
  EXPECT_EQ(db->Lookup("Go", "other")->size(), 1u);
}

TEST_F(VulnDbTest, FailedImportLeavesPreviousContent) {
  auto db = OpenImport();
  ASSERT_TRUE(db->Import(Write("a.json", Osv("A", "Go", "a", "1"))).ok());
  std::string b = Write("b.json", Osv("B", "Go", "b", "1"));
  std::string junk = Write("junk.bin", "neither json nor csv");
  // B is written inside the transaction, then the second source fails.
  Result<std::vector<ImportStats>> r = db->Import({b, junk});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().ToString(),
            junk +
                ": unknown source kind (want an OSV zip, directory or JSON "
                "file, a Debian tracker, Alpine secdb or KEV JSON file, or an "
                "EPSS CSV)");
  EXPECT_FALSE(db->GetAdvisory("B")->has_value());
  EXPECT_TRUE(db->GetAdvisory("A")->has_value());
  auto st = db->Status();
  ASSERT_EQ(st->sources.size(), 1u);
  EXPECT_EQ(st->sources[0].name, "a.json");
  // A missing source fails the same way.
  r = db->Import({b, (dir_ / "missing.zip").string()});
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(db->GetAdvisory("B")->has_value());
}

TEST_F(VulnDbTest, DistroFeedsShareCveIdsWithoutClobbering) {
  auto db = OpenImport();
  ASSERT_TRUE(db->ImportBytes("osv.json", Osv("CVE-2024-1", "Go", "g", "1",
                                              "\"summary\": \"from osv\", "))
                  .ok());
  ASSERT_TRUE(db->ImportBytes("debian.json", R"({"zlib": {"CVE-2024-1": {
      "description": "from debian", "releases": {"bookworm": {
      "status": "open", "urgency": "low"}}}}})")
                  .ok());
  ASSERT_TRUE(db->ImportBytes("main.json", R"({"distroversion": "v3.20",
      "reponame": "main", "packages": [{"pkg": {"name": "zlib",
      "secfixes": {"1.3-r0": ["CVE-2024-1"]}}}]})")
                  .ok());
  ASSERT_TRUE(db->ImportBytes("community.json", R"({"distroversion": "v3.20",
      "reponame": "community", "packages": [{"pkg": {"name": "other",
      "secfixes": {"2-r0": ["CVE-2024-1"]}}}]})")
                  .ok());
  EXPECT_EQ((*db->GetAdvisory("CVE-2024-1"))->summary, "from osv");
  EXPECT_EQ(db->Lookup("Go", "g")->size(), 1u);
  auto deb = db->Lookup("Debian:12", "zlib");
  ASSERT_EQ(deb->size(), 1u);
  EXPECT_EQ((*deb)[0].fix_state, "not-fixed");
  EXPECT_EQ((*deb)[0].distro_severity, "low");
  EXPECT_EQ((*deb)[0].source, "debian");
  EXPECT_EQ(db->Lookup("Alpine:v3.20", "zlib")->size(), 1u);
  EXPECT_EQ(db->Lookup("Alpine:v3.20", "other")->size(), 1u);
  // Re-importing main keeps community's row.
  ASSERT_TRUE(db->ImportBytes("main.json", R"({"distroversion": "v3.20",
      "reponame": "main", "packages": [{"pkg": {"name": "zlib",
      "secfixes": {"1.3-r1": ["CVE-2024-1"]}}}]})")
                  .ok());
  auto alp = db->Lookup("Alpine:v3.20", "zlib");
  ASSERT_EQ(alp->size(), 1u);
  EXPECT_EQ((*alp)[0].ranges[0].events[1].version, "1.3-r1");
  EXPECT_EQ(db->Lookup("Alpine:v3.20", "other")->size(), 1u);
}

// Every row of the tables an import writes, and the names of the indexes.
std::string DumpDatabase(const std::string& path) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
            SQLITE_OK);
  std::string out;
  for (const char* sql :
       {"SELECT id, source, summary, aliases FROM advisories WHERE id != "
        "'SEED' ORDER BY id",
        "SELECT * FROM affected WHERE id != 'SEED' ORDER BY id, source, "
        "ecosystem, name, ranges",
        "SELECT * FROM aliases WHERE id != 'SEED' ORDER BY alias, id",
        "SELECT name, tbl_name FROM sqlite_master WHERE type='index' AND "
        "name NOT LIKE 'sqlite_autoindex%' ORDER BY name"}) {
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &st, nullptr), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
      for (int i = 0; i < sqlite3_column_count(st); ++i) {
        const unsigned char* v = sqlite3_column_text(st, i);
        out += v ? reinterpret_cast<const char*>(v) : "NULL";
        out += '|';
      }
      out += '\n';
    }
    sqlite3_finalize(st);
    out += "--\n";
  }
  sqlite3_close(db);
  return out;
}

// Into an empty database the writer loads without its indexes and builds
// them at the end (or at the first repeated id): the result is the same
// as writing row by row into a database that already had content.
TEST_F(VulnDbTest, BulkLoadIntoAnEmptyDatabaseMatchesRowByRow) {
  Files zip;
  for (int i = 0; i < 50; ++i) {
    std::string id = "GHSA-" + std::to_string(i % 20);
    zip.push_back(
        {id + "-" + std::to_string(i) + ".json",
         Osv(id, "PyPI", "pkg" + std::to_string(i % 7),
             std::to_string(i) + ".0",
             "\"aliases\": [\"CVE-" + std::to_string(i % 5) + "\"], ")});
  }
  const std::vector<std::string> sources = {
      Write("osv.json",
            Osv("CVE-2024-1", "Go", "g", "1", "\"summary\": \"from osv\", ")),
      Write("debian.json", R"({"zlib": {"CVE-2024-1": {
      "description": "from debian", "releases": {"bookworm": {
      "status": "open", "urgency": "low"}}}}})"),
      Write("main.json", R"({"distroversion": "v3.20",
      "reponame": "main", "packages": [{"pkg": {"name": "zlib",
      "secfixes": {"1.3-r0": ["CVE-2024-1", "CVE-2024-2"]}}},
      {"pkg": {"name": "zlib", "secfixes": {"1.3-r1": ["CVE-2024-2"]}}}]})"),
      Write("community.json", R"({"distroversion": "v3.20",
      "reponame": "community", "packages": [{"pkg": {"name": "other",
      "secfixes": {"2-r0": ["CVE-2024-1"]}}}]})"),
      Write("PyPI-all.zip", WriteArchive(zip, false)),
  };
  // Distro feeds first (no repeated id until community.json), then OSV.
  const std::vector<std::string> orders[] = {
      sources,
      {sources[1], sources[2], sources[3], sources[0], sources[4]},
      {sources[4]},
      {sources[0]},
  };
  for (const auto& order : orders) {
    const std::string bulk = (dir_ / "bulk.db").string();
    const std::string rows = (dir_ / "rows.db").string();
    fs::remove(bulk);
    fs::remove(rows);
    {
      auto db = Db::OpenForImport(bulk);
      ASSERT_TRUE(db.ok());
      ASSERT_TRUE((*db)->Import(order).ok());
    }
    {
      auto db = Db::OpenForImport(rows);
      ASSERT_TRUE(db.ok());
      // One advisory first: the import below is not into an empty database.
      ASSERT_TRUE(
          (*db)->ImportBytes("seed.json", Osv("SEED", "Go", "s", "1")).ok());
      ASSERT_TRUE((*db)->Import(order).ok());
    }
    const std::string dump = DumpDatabase(bulk);
    EXPECT_EQ(dump, DumpDatabase(rows));
    EXPECT_NE(dump.find("affected_by_id|affected|\n"
                        "affected_by_package|affected|\n"
                        "aliases_by_id|aliases|\n"),
              std::string::npos)
        << dump;
  }
}

TEST_F(VulnDbTest, ImportsKevGzipAndEpss) {
  auto db = OpenImport();
  std::string kev = WriteArchive(
      {{"kev.json", R"({"catalogVersion": "2024.01.01", "vulnerabilities": [
          {"cveID": "CVE-2021-44228", "vendorProject": "Apache",
           "product": "Log4j2", "dateAdded": "2021-12-10",
           "dueDate": "2021-12-24", "knownRansomwareCampaignUse": "Known"}]})"}},
      true);
  Result<ImportStats> k = db->Import(Write("kev.json.gz", kev));
  ASSERT_TRUE(k.ok()) << k.status().ToString();
  EXPECT_EQ(k->kind, "kev");
  auto e = db->Kev("CVE-2021-44228");
  ASSERT_TRUE(e.ok() && e->has_value());
  EXPECT_TRUE((*e)->ransomware);
  EXPECT_EQ((*e)->vendor, "Apache");
  EXPECT_FALSE(db->Kev("CVE-1999-1")->has_value());

  Result<ImportStats> p = db->Import(
      Write("epss.csv",
            "#model_version:v2023.03.01,score_date:2024-05-06T00:00:00"
            "+0000\ncve,epss,percentile\nCVE-2021-44228,0.97,0.99\n"));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->kind, "epss");
  auto s = db->Epss("CVE-2021-44228");
  ASSERT_TRUE(s.ok() && s->has_value());
  EXPECT_DOUBLE_EQ((*s)->score, 0.97);
  EXPECT_EQ((*s)->date, "2024-05-06");
  EXPECT_EQ(db->Status()->kev, 1);
  EXPECT_EQ(db->Status()->epss, 1);
}

TEST_F(VulnDbTest, ReadOnlyOpenRefusesWrites) {
  {
    auto db = OpenImport();
    ASSERT_TRUE(db->ImportBytes("a.json", Osv("A", "Go", "a", "1")).ok());
  }
  auto ro = Db::OpenReadOnly(path_);
  ASSERT_TRUE(ro.ok()) << ro.status().ToString();
  EXPECT_EQ((*ro)->Lookup("Go", "a")->size(), 1u);
  EXPECT_EQ((*ro)->ImportBytes("b.json", Osv("B", "Go", "b", "1")).status(),
            FailedPreconditionError("vulndb " + path_ + " is open read-only"));
  EXPECT_FALSE((*ro)->GetAdvisory("B")->has_value());
}

TEST_F(VulnDbTest, OpenErrorsNameTheFile) {
  EXPECT_EQ(Db::OpenReadOnly(path_).status(),
            NotFoundError("vulndb " + path_ +
                          " does not exist (run strata db import first)"));
  std::string junk = Write("junk.db", std::string(4096, 'j'));
  Status st = Db::OpenReadOnly(junk).status();
  EXPECT_EQ(st.ToString(),
            "vulndb " + junk + ": sqlite: file is not a database");
  EXPECT_EQ(st.code(), StatusCode::kDataLoss);
  EXPECT_EQ(Db::OpenForImport(junk).status().ToString(),
            "vulndb " + junk + ": sqlite: file is not a database");

  // Another SQLite file, and one of a future schema.
  auto other = Db::OpenForImport(":memory:");
  ASSERT_TRUE(other.ok());
  {
    auto db = OpenImport();
    ASSERT_NE(db, nullptr);
  }
  {
    std::string cmd = "PRAGMA user_version=7";
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(raw, cmd.c_str(), nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(raw);
  }
  EXPECT_EQ(Db::OpenReadOnly(path_).status(),
            FailedPreconditionError("vulndb " + path_ +
                                    " has schema version 7, want 1 "
                                    "(re-import the database)"));
  std::string foreign = (dir_ / "foreign.db").string();
  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(foreign.c_str(), &raw), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(raw, "CREATE TABLE t(x)", nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(raw);
  }
  EXPECT_EQ(Db::OpenForImport(foreign).status(),
            FailedPreconditionError("vulndb " + foreign +
                                    " is a SQLite database but not a strata "
                                    "vulnerability database"));
}

TEST_F(VulnDbTest, CorruptedDatabaseFileIsAClearError) {
  {
    auto db = OpenImport();
    std::string zip;
    Files files;
    for (int i = 0; i < 300; ++i) {
      std::string id = "GO-" + std::to_string(i);
      files.emplace_back(id + ".json", Osv(id, "Go", "pkg", "1"));
    }
    ASSERT_TRUE(db->ImportBytes("go.zip", WriteArchive(files, false)).ok());
  }
  // Overwrite every page after the first with garbage.
  std::string bytes;
  {
    std::ifstream in(path_, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  ASSERT_GT(bytes.size(), 8192u);
  for (size_t i = 4096; i < bytes.size(); ++i)
    bytes[i] = static_cast<char>(i * 7);
  std::ofstream(path_, std::ios::binary | std::ios::trunc) << bytes;
  Result<std::unique_ptr<Db>> ro = Db::OpenReadOnly(path_);
  Status st = ro.ok() ? (*ro)->Lookup("Go", "pkg").status() : ro.status();
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kDataLoss) << st.ToString();
  EXPECT_TRUE(st.ToString().starts_with("vulndb " + path_)) << st.ToString();
}

TEST_F(VulnDbTest, UnknownAndOversizedSources) {
  auto db = OpenImport();
  EXPECT_EQ(db->ImportBytes("x.json", R"({"what": 1})").status().ToString(),
            "x.json: unknown JSON source (not OSV, Debian tracker, Alpine "
            "secdb or KEV)");
  // A zip entry that declares more than the record cap is skipped.
  std::string big(17 << 20, ' ');
  Result<ImportStats> s =
      db->ImportBytes("big.zip", WriteArchive({{"BIG.json", big}}, false));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->skipped, 1);
  EXPECT_EQ(s->messages,
            std::vector<std::string>{
                "BIG.json: 17825792 bytes, over the cap of 16777216"});
}

TEST(NormalizeNameTest, PerEcosystem) {
  EXPECT_EQ(NormalizeName("PyPI", "Foo__Bar.-Baz"), "foo-bar-baz");
  EXPECT_EQ(NormalizeName("npm", "@Scope/Pkg"), "@scope/pkg");
  EXPECT_EQ(NormalizeName("Go", "github.com/Foo/Bar"), "github.com/Foo/Bar");
  EXPECT_EQ(NormalizeName("Debian:12", "Libc6"), "Libc6");
}

TEST(ParseRfc3339Test, AcceptsUtcAndOffsets) {
  auto a = ParseRfc3339("2024-01-02T03:04:05Z");
  auto b = ParseRfc3339("2024-01-02T05:04:05.123+02:00");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b - std::chrono::milliseconds(0));
  EXPECT_EQ(ParseRfc3339("2024-02-30T00:00:00Z").status(),
            InvalidArgumentError("bad RFC 3339 time \"2024-02-30T00:00:00Z\""));
  EXPECT_FALSE(ParseRfc3339("").ok());
  EXPECT_FALSE(ParseRfc3339("2024-01-02T03:04:05").ok());
}

TEST(DefaultPathTest, FollowsXdgCacheHome) {
  ::setenv("XDG_CACHE_HOME", "/x/cache", 1);
  EXPECT_EQ(Db::DefaultPath(), "/x/cache/strata/vuln.db");
  ::unsetenv("XDG_CACHE_HOME");
  ::setenv("HOME", "/home/u", 1);
  EXPECT_EQ(Db::DefaultPath(), "/home/u/.cache/strata/vuln.db");
}

// The lab's real corpora, when ../shared is there.
TEST(VulnDbCorpusTest, ImportsRealOsvZipsAndKev) {
  const fs::path shared =
      fs::path(STRATA_SOURCE_DIR) / ".." / "shared" / "fixtures";
  if (!fs::exists(shared / "osv-corpus")) {
    GTEST_SKIP() << "no " << shared.string();
  }
  auto db = Db::OpenForImport(":memory:");
  ASSERT_TRUE(db.ok());
  Result<std::vector<ImportStats>> all = (*db)->Import(
      {(shared / "osv-corpus" / "AlmaLinux-all.zip").string(),
       (shared / "osv-corpus" / "Go-all.zip").string(),
       (shared / "osv-corpus" / "PyPI-all.zip").string(),
       (shared / "kev" / "known_exploited_vulnerabilities.json.gz").string()});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  // The zips hold 5637, 4291 and 2661 entries, every one a valid record.
  EXPECT_EQ((*all)[0].records, 5637);
  EXPECT_EQ((*all)[1].records, 4291);
  EXPECT_EQ((*all)[2].records, 2661);
  EXPECT_EQ((*all)[3].records, 1404);
  for (const ImportStats& s : *all) EXPECT_EQ(s.skipped, 0) << s.source;
  EXPECT_EQ((*db)->Status()->advisories, 5637 + 4291 + 2661);
  EXPECT_FALSE((*db)->Lookup("PyPI", "django")->empty());
  EXPECT_TRUE((*db)->Kev("CVE-2021-44228")->has_value());
}

}  // namespace
}  // namespace strata::vulndb
