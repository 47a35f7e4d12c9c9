#include "rpmdb/rpmdb.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rpmdb/test_builders.h"

namespace strata::rpmdb {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using testing::HeaderBuilder;
using ::testing::IsEmpty;
using testing::MakeBdb;
using testing::MakeNdb;
using testing::MakeSqlite;
using testing::PutLe32;

const std::filesystem::path kFixtures =
    STRATA_SOURCE_DIR "/../shared/fixtures/rpmdb";

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in),
                     std::istreambuf_iterator<char>());
}

std::vector<std::string> Split(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  std::string field;
  while (std::getline(ss, field, '\t')) out.push_back(field);
  if (!line.empty() && line.back() == '\t') out.emplace_back();
  return out;
}

// The value of expected.tsv column `col` for `p` ("(none)" is rpm's
// rendering of an absent tag).
std::string Column(const Package& p, const std::string& col) {
  std::string v;
  if (col == "NAME") v = p.name;
  if (col == "EPOCHNUM") v = std::to_string(p.epoch.value_or(0));
  if (col == "VERSION") v = p.version;
  if (col == "RELEASE") v = p.release;
  if (col == "ARCH") v = p.arch;
  if (col == "SOURCERPM") v = p.source_rpm;
  if (col == "SIZE") v = std::to_string(p.size);
  if (col == "LICENSE") v = p.license;
  if (col == "VENDOR") v = p.vendor;
  if (col == "MODULARITYLABEL") v = p.modularity_label;
  if (col == "SUMMARY") v = p.summary;
  if (col == "SIGMD5") v = p.sigmd5;
  return v;
}

struct Fixture {
  std::string name;
  std::string db;
  std::vector<std::string> columns;
  std::vector<std::string> rows;  // expected, tab-joined, sorted
};

std::vector<Fixture> LoadFixtures() {
  std::vector<Fixture> out;
  std::error_code ec;
  for (const auto& dir : std::filesystem::directory_iterator(kFixtures, ec)) {
    Fixture f;
    f.name = dir.path().filename();
    for (const char* db : {"Packages", "Packages.db", "rpmdb.sqlite"}) {
      if (std::filesystem::exists(dir.path() / db)) {
        f.db = ReadFile(dir.path() / db);
      }
    }
    std::ifstream tsv(dir.path() / "expected.tsv");
    std::string line;
    while (std::getline(tsv, line)) {
      if (line.rfind("# ", 0) == 0) {
        line = line.substr(2, line.find("  (") - 2);
        f.columns = Split(line);
      } else if (!line.empty()) {
        std::vector<std::string> fields = Split(line);
        for (std::string& v : fields) {
          if (v == "(none)") v.clear();
        }
        std::string row;
        for (const std::string& v : fields) row += v + "\t";
        f.rows.push_back(row);
      }
    }
    std::sort(f.rows.begin(), f.rows.end());
    out.push_back(std::move(f));
  }
  return out;
}

TEST(ReadDatabaseTest, MatchesRpmOnEveryFixture) {
  if (!std::filesystem::exists(kFixtures)) {
    GTEST_SKIP() << "no fixtures at " << kFixtures;
  }
  std::vector<Fixture> fixtures = LoadFixtures();
  ASSERT_GE(fixtures.size(), 4u);
  for (const Fixture& f : fixtures) {
    SCOPED_TRACE(f.name);
    ASSERT_FALSE(f.db.empty());
    ASSERT_FALSE(f.columns.empty());
    ASSERT_FALSE(f.rows.empty());
    Result<ReadResult> r = ReadDatabase(f.db);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_THAT(r->problems, IsEmpty());
    EXPECT_THAT(r->gpg_pubkeys, IsEmpty());
    std::vector<std::string> rows;
    for (const Package& p : r->packages) {
      std::string row;
      for (const std::string& col : f.columns) row += Column(p, col) + "\t";
      rows.push_back(row);
    }
    std::sort(rows.begin(), rows.end());
    EXPECT_EQ(rows, f.rows);
  }
}

TEST(ReadDatabaseTest, DetectsFixtureFormats) {
  if (!std::filesystem::exists(kFixtures)) {
    GTEST_SKIP() << "no fixtures at " << kFixtures;
  }
  EXPECT_EQ(*DetectFormat(ReadFile(kFixtures / "bdb_el8_libuuid/Packages")),
            DbFormat::kBerkeleyDb);
  EXPECT_EQ(*DetectFormat(ReadFile(kFixtures / "ndb_sle15-bci/Packages.db")),
            DbFormat::kNdb);
  EXPECT_EQ(*DetectFormat(
                ReadFile(kFixtures / "sqlite_cbl-mariner-2.0/rpmdb.sqlite")),
            DbFormat::kSqlite);
}

TEST(ReadDatabaseTest, ReadsFilesAndDependencies) {
  if (!std::filesystem::exists(kFixtures)) {
    GTEST_SKIP() << "no fixtures at " << kFixtures;
  }
  Result<ReadResult> r =
      ReadDatabase(ReadFile(kFixtures / "bdb_el8_libuuid/Packages"));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->packages.size(), 1u);
  const Package& p = r->packages[0];
  EXPECT_THAT(p.files, Contains("/usr/lib64/libuuid.so.1"));
  EXPECT_THAT(p.provides_names, Contains("libuuid"));
  EXPECT_THAT(p.requires_names, Contains("rtld(GNU_HASH)"));
}

TEST(DetectFormatTest, RejectsUnknownBytes) {
  EXPECT_EQ(DetectFormat("hello world, not a database").status(),
            DataLossError("not an rpm database (no sqlite, ndb or berkeley "
                          "db hash magic)"));
  EXPECT_FALSE(ReadDatabase("").ok());
}

std::vector<std::string> TwoHeaders() {
  return {HeaderBuilder::Package("alpha").Build(),
          HeaderBuilder::Package("beta").Int32(1003, {1}).Build()};
}

std::vector<std::string> Names(const ReadResult& r) {
  std::vector<std::string> out;
  for (const Package& p : r.packages) out.push_back(p.name);
  return out;
}

TEST(ReadDatabaseTest, ReadsBuiltDatabasesOfEveryFormat) {
  for (const std::string& db :
       {MakeNdb(TwoHeaders()), MakeBdb(TwoHeaders()),
        MakeBdb(TwoHeaders(), 4096, /*big_endian=*/true),
        MakeSqlite(TwoHeaders())}) {
    Result<ReadResult> r = ReadDatabase(db);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_THAT(Names(*r), ElementsAre("alpha", "beta"));
    EXPECT_THAT(r->problems, IsEmpty());
  }
}

TEST(ReadDatabaseTest, KeepsGpgPubkeysApart) {
  Result<ReadResult> r =
      ReadDatabase(MakeSqlite({HeaderBuilder::Package("gpg-pubkey").Build(),
                               HeaderBuilder::Package("bash").Build()}));
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Names(*r), ElementsAre("bash"));
  ASSERT_EQ(r->gpg_pubkeys.size(), 1u);
  EXPECT_EQ(r->gpg_pubkeys[0].name, "gpg-pubkey");
}

TEST(ReadDatabaseTest, ReportsBadHeaderAndKeepsTheRest) {
  std::string bad =
      HeaderBuilder().NoRegion().Raw(1000, 6, 0, 1).RawData("x").Build();
  for (const std::string& db :
       {MakeNdb({bad, TwoHeaders()[0]}), MakeBdb({bad, TwoHeaders()[0]}),
        MakeSqlite({bad, TwoHeaders()[0]})}) {
    Result<ReadResult> r = ReadDatabase(db);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_THAT(Names(*r), ElementsAre("alpha"));
    EXPECT_THAT(r->problems,
                ElementsAre("header 1: tag 1000: string at offset 0 is not "
                            "NUL-terminated"));
  }
}

// --- Berkeley DB corruption ------------------------------------------------

TEST(BerkeleyDbTest, RejectsTruncatedFile) {
  std::string db = MakeBdb(TwoHeaders());  // 512-byte pages
  db.resize(db.size() - 512);
  EXPECT_EQ(ReadDatabase(db).status(),
            DataLossError("bdb: truncated: 4 pages of 512 bytes need more "
                          "than the file's 1536"));
  EXPECT_EQ(ReadDatabase(db.substr(0, 100)).status(),
            DataLossError(
                "bdb: file of 100 bytes is shorter than its metadata page"));
}

TEST(BerkeleyDbTest, RejectsBadMetadata) {
  std::string db = MakeBdb(TwoHeaders());
  PutLe32(db, 20, 1000);
  EXPECT_EQ(ReadDatabase(db).status(),
            DataLossError("bdb: bad page size 1000"));
  db = MakeBdb(TwoHeaders());
  db[24] = 1;
  EXPECT_EQ(ReadDatabase(db).status(),
            DataLossError("bdb: encrypted database"));
}

TEST(BerkeleyDbTest, RejectsFlippedPageHeader) {
  std::string db = MakeBdb(TwoHeaders());
  db[512 + 20] = static_cast<char>(0xff);  // entry count of the hash page
  EXPECT_EQ(ReadDatabase(db).status(),
            DataLossError("bdb page 1: bad entry count 255"));
  db = MakeBdb(TwoHeaders());
  db[512 + 26] = 0x01;  // first item offset, into the entry table
  db[512 + 27] = 0x00;
  EXPECT_EQ(ReadDatabase(db).status(),
            DataLossError("bdb page 1: item 0 at bad offset 1"));
}

TEST(BerkeleyDbTest, ReportsOverflowChainLoop) {
  std::string db = MakeBdb(TwoHeaders());
  PutLe32(db, 2 * 512 + 16, 2);  // page 2 (alpha's only page) -> itself
  Result<ReadResult> r = ReadDatabase(db);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_THAT(Names(*r), ElementsAre("beta"));
  EXPECT_THAT(r->problems,
              ElementsAre("header 1: bdb: overflow page 2 is used twice"));
}

TEST(BerkeleyDbTest, ReportsBrokenOverflowChain) {
  std::string db = MakeBdb(TwoHeaders());
  PutLe32(db, 2 * 512 + 16, 99);  // next page out of range
  Result<ReadResult> r = ReadDatabase(db);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->problems,
              ElementsAre("header 1: bdb: overflow page 99 out of range"));
  db = MakeBdb(TwoHeaders());
  db[2 * 512 + 25] = 13;  // alpha's overflow page now claims to be hash
  r = ReadDatabase(db);
  ASSERT_FALSE(r.ok());  // and is then walked as a (broken) hash page
}

// --- NDB corruption ---------------------------------------------------------

TEST(NdbTest, RejectsSlotOutsideFile) {
  std::string db = MakeNdb(TwoHeaders());
  PutLe32(db, 2 * 16 + 12, 1'000'000);  // blkcnt of the first slot
  EXPECT_EQ(ReadDatabase(db).status(),
            DataLossError("ndb slot 2: blocks 256+1000000 outside the file (" +
                          std::to_string(db.size() / 16) + " blocks)"));
}

TEST(NdbTest, RejectsTruncatedFile) {
  std::string db = MakeNdb(TwoHeaders());
  EXPECT_FALSE(ReadDatabase(db.substr(0, db.size() - 16)).ok());
  EXPECT_EQ(ReadDatabase(db.substr(0, 1000)).status(),
            DataLossError("ndb: file size 1000 is not a multiple of 16"));
  EXPECT_EQ(ReadDatabase(db.substr(0, 2048)).status(),
            DataLossError("ndb: 1 slot pages do not fit in the file"));
}

TEST(NdbTest, RejectsBadSlotMagicAndOverlap) {
  std::string db = MakeNdb(TwoHeaders());
  db[3 * 16] = 'X';
  EXPECT_EQ(ReadDatabase(db).status(), DataLossError("ndb slot 3: bad magic"));
  db = MakeNdb(TwoHeaders());
  PutLe32(db, 3 * 16 + 8, 257);  // second blob starts inside the first
  EXPECT_EQ(ReadDatabase(db).status(),
            DataLossError("ndb slots 2 and 3 overlap"));
}

TEST(NdbTest, ReportsCorruptBlob) {
  std::string db = MakeNdb(TwoHeaders());
  db[4096 + 40] ^= 1;  // a byte of alpha's header: checksum mismatch
  Result<ReadResult> r = ReadDatabase(db);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Names(*r), ElementsAre("beta"));
  EXPECT_THAT(
      r->problems,
      ElementsAre("header 1: ndb blob at block 256: checksum mismatch"));
  db = MakeNdb(TwoHeaders());
  db[4096] = 'X';
  r = ReadDatabase(db);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->problems,
              ElementsAre("header 1: ndb blob at block 256: bad magic"));
}

TEST(NdbTest, CapsRecordCount) {
  // 100001 slots, each naming a distinct 2-block blob (all of them bad).
  const size_t slots = 100'001;
  const size_t slot_pages = (slots + 2 + 255) / 256;
  const size_t first_block = slot_pages * 256;
  std::string db((first_block + 2 * slots) * 16, '\0');
  PutLe32(db, 0, 'R' | 'p' << 8 | 'm' << 16 | 'P' << 24);
  PutLe32(db, 12, static_cast<uint32_t>(slot_pages));
  for (size_t i = 2; i < slot_pages * 256; ++i) {
    PutLe32(db, i * 16, 'S' | 'l' << 8 | 'o' << 16 | 't' << 24);
    if (i - 2 < slots) {
      PutLe32(db, i * 16 + 4, static_cast<uint32_t>(i));
      PutLe32(db, i * 16 + 8, static_cast<uint32_t>(first_block + 2 * (i - 2)));
      PutLe32(db, i * 16 + 12, 2);
    }
  }
  EXPECT_EQ(ReadDatabase(db).status(),
            ResourceExhaustedError("rpmdb: more than 100000 records"));
}

// --- SQLite corruption ------------------------------------------------------

TEST(SqliteTest, RejectsWrongSchema) {
  EXPECT_EQ(
      ReadDatabase(MakeSqlite(TwoHeaders(), "CREATE TABLE Packages (a, b)",
                              "INSERT INTO Packages (b) VALUES (?)"))
          .status(),
      DataLossError("sqlite: no such column: hnum"));
  EXPECT_EQ(ReadDatabase(MakeSqlite(TwoHeaders(), "CREATE TABLE Other (blob)",
                                    "INSERT INTO Other VALUES (?)"))
                .status(),
            DataLossError("sqlite: no such table: Packages"));
}

TEST(SqliteTest, RefusesViewsAndTriggers) {
  std::string db = MakeSqlite(
      {},
      "CREATE TABLE t (hnum, blob); CREATE VIEW Packages AS SELECT * FROM t",
      "");
  EXPECT_FALSE(ReadDatabase(db).ok());
}

TEST(SqliteTest, ReportsNonBlobRow) {
  std::string db = MakeSqlite(
      {"text"}, "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob)",
      "INSERT INTO Packages (blob) VALUES (CAST(? AS TEXT))");
  Result<ReadResult> r = ReadDatabase(db);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_THAT(r->problems,
              ElementsAre("header 1: sqlite: blob column holds no blob"));
}

TEST(SqliteTest, SurvivesTruncationAndFlippedBytes) {
  std::vector<std::string> blobs;
  for (int i = 0; i < 50; ++i) {
    blobs.push_back(HeaderBuilder::Package("p" + std::to_string(i))
                        .StringArray(1049, std::vector<std::string>(40, "x"))
                        .Build());
  }
  const std::string db = MakeSqlite(blobs);
  ASSERT_TRUE(ReadDatabase(db).ok());
  EXPECT_FALSE(ReadDatabase(db.substr(0, 99)).ok());
  for (size_t cut = 100; cut < db.size(); cut += 997) {
    Result<ReadResult> r = ReadDatabase(db.substr(0, cut));
    if (r.ok()) {
      EXPECT_LT(r->packages.size(), 50u);
    }
  }
  for (size_t at = 16; at < db.size(); at += 31) {
    std::string copy = db;
    copy[at] ^= 0x5a;
    Result<ReadResult> r = ReadDatabase(copy);  // any outcome but a crash
    if (r.ok()) {
      EXPECT_LE(r->packages.size() + r->problems.size(), 50u);
    }
  }
}

}  // namespace
}  // namespace strata::rpmdb
