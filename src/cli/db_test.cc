// strata db update (file:// sources only: no network in tests) and
// strata db push|pull against the real registry of the harness (skipped
// when docker-registry is absent).
#include "cli/db.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "base/json.h"
#include "cli/db_dist.h"
#include "registry/testing/harness.h"
#include "registry/testing/plain_registry.h"
#include "scan/matcher.h"
#include "testing/compress.h"
#include "testing/image_writer.h"
#include "testing/test_util.h"

namespace strata::cli {
namespace {

namespace fs = std::filesystem;
using registry::testing::PlainRegistryTest;
using registry::testing::PushBlobBytes;

constexpr char kOsvRecord[] = R"({
  "id": "GHSA-aaaa-bbbb-cccc",
  "modified": "2024-01-01T00:00:00Z",
  "aliases": ["CVE-2024-0001"],
  "summary": "test advisory",
  "affected": [{
    "package": {"ecosystem": "PyPI", "name": "Requests_Lib"},
    "ranges": [{"type": "ECOSYSTEM",
                "events": [{"introduced": "0"}, {"fixed": "2.0"}]}]
  }]
})";

constexpr char kKev[] = R"({
  "catalogVersion": "2024.05.06",
  "vulnerabilities": [{
    "cveID": "CVE-2021-23337", "vendorProject": "lodash",
    "product": "lodash", "vulnerabilityName": "lodash command injection",
    "dateAdded": "2024-01-02", "dueDate": "2024-02-03",
    "knownRansomwareCampaignUse": "Known"
  }]
})";

constexpr char kEpss[] =
    "#model_version:v2023.03.01,score_date:2024-05-06T00:00:00+0000\n"
    "cve,epss,percentile\n"
    "CVE-2021-23337,0.12500,0.95000\n"
    "CVE-2024-0001,0.00100,0.10000\n";

std::string DemoAdvisories() {
  return std::string(STRATA_SOURCE_DIR) + "/tools/demo-advisories";
}

void WriteFile(const std::string& path, std::string_view bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// A zip holding `files` (name -> content), written with libarchive.
void WriteZip(const std::string& path,
              const std::vector<std::pair<std::string, std::string>>& files) {
  archive* a = archive_write_new();
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(archive_write_set_format_zip(a), ARCHIVE_OK);
  ASSERT_EQ(archive_write_open_filename(a, path.c_str()), ARCHIVE_OK);
  for (const auto& [name, content] : files) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, name.c_str());
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, static_cast<la_int64_t>(content.size()));
    ASSERT_EQ(archive_write_header(a, e), ARCHIVE_OK);
    ASSERT_EQ(archive_write_data(a, content.data(), content.size()),
              static_cast<la_ssize_t>(content.size()));
    archive_entry_free(e);
  }
  ASSERT_EQ(archive_write_close(a), ARCHIVE_OK);
  archive_write_free(a);
}

std::vector<std::string> Listing(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

class DbUpdateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::strata::testing::MakeTempDir("db_update");
    src_ = dir_ + "/src";
    fs::create_directories(src_);
    WriteZip(src_ + "/osv.zip", {{"GHSA-aaaa-bbbb-cccc.json", kOsvRecord},
                                 {"README.txt", "not a record"}});
    WriteFile(src_ + "/kev.json", kKev);
    WriteFile(src_ + "/epss.csv.gz", ::strata::testing::Gzip(kEpss));
    out_ = dir_ + "/out";
    db_ = out_ + "/vuln.db";
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::vector<DbSource> Sources() const {
    return {{"osv-PyPI", "file://" + src_ + "/osv.zip"},
            {"demo", "file://" + DemoAdvisories()},
            {"kev", "file://" + src_ + "/kev.json"},
            {"epss", "file://" + src_ + "/epss.csv.gz"}};
  }

  std::string dir_, src_, out_, db_;
};

TEST_F(DbUpdateTest, BuildsTheDatabaseFromFileSources) {
  UpdateOptions o;
  o.sources = Sources();
  std::vector<std::string> fetched;
  o.on_fetched = [&](const DbSource& s, int64_t bytes) {
    fetched.push_back(s.name + " " + std::to_string(bytes > 0));
  };
  Result<std::vector<UpdatedSource>> r = UpdateDb(db_, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(fetched, (std::vector<std::string>{"osv-PyPI 1", "demo 0", "kev 1",
                                               "epss 1"}));
  ASSERT_EQ(r->size(), 4u);
  std::vector<std::string> got;
  for (const UpdatedSource& u : *r) {
    got.push_back(u.source.name + " " + u.stats.kind + " " +
                  std::to_string(u.stats.records));
  }
  EXPECT_EQ(got, (std::vector<std::string>{"osv-PyPI osv 1", "demo osv 3",
                                           "kev kev 1", "epss epss 2"}));
  // Nothing left beside the database.
  EXPECT_EQ(Listing(out_), (std::vector<std::string>{"vuln.db"}));

  auto db = vulndb::Db::OpenReadOnly(db_);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto rows = (*db)->Lookup("PyPI", "requests-lib");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].id, "GHSA-aaaa-bbbb-cccc");
  auto lodash = (*db)->Lookup("npm", "lodash");
  ASSERT_TRUE(lodash.ok());
  ASSERT_EQ(lodash->size(), 1u);
  EXPECT_EQ((*lodash)[0].id, "GHSA-35jh-r3h4-6jhm");
  auto kev = (*db)->Kev("CVE-2021-23337");
  ASSERT_TRUE(kev.ok() && kev->has_value());
  EXPECT_TRUE((*kev)->ransomware);
  auto epss = (*db)->Epss("CVE-2021-23337");
  ASSERT_TRUE(epss.ok() && epss->has_value());
  EXPECT_DOUBLE_EQ((*epss)->score, 0.125);
  EXPECT_EQ((*epss)->date, "2024-05-06");
  auto st = (*db)->Status();
  ASSERT_TRUE(st.ok());
  std::vector<std::string> names;
  for (const vulndb::SourceInfo& s : st->sources) names.push_back(s.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"demo", "epss", "kev", "osv-PyPI"}));
}

TEST_F(DbUpdateTest, ReplacesTheOldDatabaseWhole) {
  UpdateOptions o;
  o.sources = Sources();
  ASSERT_TRUE(UpdateDb(db_, o).ok());
  o.sources = {{"kev", "file://" + src_ + "/kev.json"}};
  ASSERT_TRUE(UpdateDb(db_, o).ok());
  auto db = vulndb::Db::OpenReadOnly(db_);
  ASSERT_TRUE(db.ok());
  auto st = (*db)->Status();
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->advisories, 0);
  EXPECT_EQ(st->kev, 1);
  ASSERT_EQ(st->sources.size(), 1u);
  EXPECT_EQ(st->sources[0].name, "kev");
}

TEST_F(DbUpdateTest, AFailingSourceLeavesTheOldDatabaseUntouched) {
  UpdateOptions o;
  o.sources = Sources();
  ASSERT_TRUE(UpdateDb(db_, o).ok());
  const std::string before = ::strata::testing::ReadTestFile(db_);
  ASSERT_FALSE(before.empty());

  // A missing file.
  o.sources.push_back({"gone", "file://" + src_ + "/missing.json"});
  Result<std::vector<UpdatedSource>> r = UpdateDb(db_, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().ToString(), "source gone: stat " + src_ +
                                       "/missing.json: No such file or "
                                       "directory");
  EXPECT_EQ(::strata::testing::ReadTestFile(db_), before);
  EXPECT_EQ(Listing(out_), (std::vector<std::string>{"vuln.db"}));

  // A source the import refuses (unknown kind): the import fails after the
  // new file was started.
  WriteFile(src_ + "/junk.txt", "hello");
  o.sources.back() = {"junk", "file://" + src_ + "/junk.txt"};
  r = UpdateDb(db_, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(::strata::testing::ReadTestFile(db_), before);
  EXPECT_EQ(Listing(out_), (std::vector<std::string>{"vuln.db"}));

  // A source over the cap.
  o.sources = {{"kev", "file://" + src_ + "/kev.json"}};
  o.max_source_bytes = 100;
  r = UpdateDb(db_, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(r.status().ToString(),
            "source kev: " + std::to_string(sizeof(kKev) - 1) +
                " bytes, over the cap of 100");
  EXPECT_EQ(::strata::testing::ReadTestFile(db_), before);
  EXPECT_EQ(Listing(out_), (std::vector<std::string>{"vuln.db"}));

  // A bad URL is refused before anything is fetched.
  o.sources = {{"kev", "http://example.invalid/kev.json"}};
  r = UpdateDb(db_, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().ToString(),
            "source kev: URL must be https:// or file:///absolute/path");
  o.sources = {{"a/b", "file:///x"}};
  r = UpdateDb(db_, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().ToString(),
            "source a/b: bad name (want 1 to 64 of A-Z a-z 0-9 . _ -, not . "
            "or ..)");
  EXPECT_EQ(::strata::testing::ReadTestFile(db_), before);
}

TEST(DbSources, DefaultsOverridesAndOnly) {
  std::vector<DbSource> d = DefaultDbSources();
  ASSERT_EQ(d.size(), 16u);
  EXPECT_EQ(d[4], (DbSource{"osv-Rocky-Linux",
                            "https://osv-vulnerabilities.storage.googleapis."
                            "com/Rocky%20Linux/all.zip"}));
  EXPECT_EQ(d[9].name, "osv-crates.io");
  EXPECT_EQ(d[13], (DbSource{"debian-tracker",
                             "https://security-tracker.debian.org/tracker/"
                             "data/json"}));
  EXPECT_EQ(d[15].name, "epss");

  auto r = SelectDbSources({"kev=file:///tmp/kev.json", "mine=file:///m"},
                           {"kev,mine", "epss"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, (std::vector<DbSource>{
                    {"kev", "file:///tmp/kev.json"},
                    {"epss", d[15].url},
                    {"mine", "file:///m"},
                }));
  ASSERT_TRUE(SelectDbSources({}, {}).ok());
  EXPECT_EQ(SelectDbSources({}, {})->size(), 16u);

  EXPECT_EQ(SelectDbSources({}, {"kev,nope"}).status().ToString(),
            "--only: unknown source \"nope\"");
  EXPECT_EQ(SelectDbSources({"kev"}, {}).status().ToString(),
            "--source \"kev\": want NAME=URL");
  EXPECT_EQ(SelectDbSources({"../x=file:///x"}, {}).status().ToString(),
            "--source \"../x=file:///x\": bad name (want 1 to 64 of A-Z a-z "
            "0-9 . _ -, not . or ..)");
  EXPECT_EQ(SelectDbSources({"kev=http://x/k"}, {}).status().ToString(),
            "--source kev: URL must be https:// or file:///absolute/path");
  EXPECT_EQ(SelectDbSources({"kev=file://relative"}, {}).status().code(),
            StatusCode::kInvalidArgument);
}

// --- push / pull -------------------------------------------------------------

class DbDistTest : public PlainRegistryTest {
 protected:
  void SetUp() override {
    PlainRegistryTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    // The database pushed, from the demo advisories.
    src_db_ = dir_->Join("src/vuln.db");
    UpdateOptions o;
    o.sources = {{"demo", "file://" + DemoAdvisories()}};
    auto r = UpdateDb(src_db_, o);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    // An older database at the pull target.
    dst_dir_ = dir_->Join("dst");
    dst_db_ = dst_dir_ + "/vuln.db";
    fs::create_directories(dst_dir_);
    WriteFile(dst_db_, "the old database");
  }

  oci::ImageRef Ref(const std::string& repo_tag) {
    auto r = ParseDbReference(server_->host() + "/" + repo_tag);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return *r;
  }

  static json::Json Desc(const oci::Descriptor& d) {
    return {{"mediaType", d.media_type},
            {"digest", d.digest.ToString()},
            {"size", d.size}};
  }
  // Pushes a manifest (artifact type optional) with one layer.
  void PushManifest(const std::string& repo, const std::string& tag,
                    const std::string& artifact_type,
                    const oci::Descriptor& config,
                    const oci::Descriptor& layer) {
    json::Json m = {{"schemaVersion", 2},
                    {"mediaType", std::string(oci::media::kOciManifest)},
                    {"config", Desc(config)},
                    {"layers", json::Json::array({Desc(layer)})}};
    if (!artifact_type.empty()) m["artifactType"] = artifact_type;
    std::string bytes = json::Dump(m);
    oci::Descriptor d;
    d.media_type = std::string(oci::media::kOciManifest);
    d.digest = Sha256Of(bytes);
    d.size = static_cast<int64_t>(bytes.size());
    auto r = client_->PutManifest(repo, tag, d, bytes);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
  }
  // Pushes an artifact of our type whose one layer is `layer_bytes`.
  void PushOurs(const std::string& repo, const std::string& tag,
                const std::string& layer_bytes) {
    Result<oci::Descriptor> config =
        PushBlobBytes(*client_, repo, kEmptyConfigMediaType, "{}");
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    Result<oci::Descriptor> layer =
        PushBlobBytes(*client_, repo, kDbLayerMediaType, layer_bytes);
    ASSERT_TRUE(layer.ok()) << layer.status().ToString();
    PushManifest(repo, tag, std::string(kDbArtifactType), *config, *layer);
  }

  void ExpectOldDbKept() {
    EXPECT_EQ(::strata::testing::ReadTestFile(dst_db_), "the old database");
    EXPECT_EQ(Listing(dst_dir_), (std::vector<std::string>{"vuln.db"}));
  }

  static std::vector<std::string> ScanIds(const std::string& db_path) {
    auto db = vulndb::Db::OpenReadOnly(db_path);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    if (!db.ok()) return {};
    sbom::Sbom s;
    s.distro.id = "debian";
    s.distro.version_id = "12";
    sbom::Package lodash;
    lodash.type = sbom::PackageType::kNpm;
    lodash.name = "lodash";
    lodash.version = "4.17.20";
    sbom::Package yaml;
    yaml.type = sbom::PackageType::kPython;
    yaml.name = "PyYAML";
    yaml.version = "5.3";
    s.packages = {lodash, yaml};
    sbom::Finalize(s);
    auto r = scan::Match(s, **db, {});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::vector<std::string> ids;
    if (r.ok()) {
      for (const scan::Finding& f : r->findings) {
        ids.push_back(f.id + " " + f.package_name);
      }
    }
    return ids;
  }

  std::string src_db_, dst_dir_, dst_db_;
};

TEST_F(DbDistTest, PushThenPullGivesTheSameBytes) {
  oci::ImageRef ref = Ref("strata/vulndb:v1");
  auto pushed = PushDb(src_db_, ref, *client_);
  ASSERT_TRUE(pushed.ok()) << pushed.status().ToString();
  EXPECT_EQ(pushed->db_size, static_cast<int64_t>(fs::file_size(src_db_)));

  // The manifest as the registry has it.
  auto m = client_->GetManifest("strata/vulndb", "v1");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->descriptor.digest, pushed->manifest);
  auto doc = json::Parse(m->bytes, "manifest", 1 << 20);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ((*doc)["artifactType"], "application/vnd.strata.vulndb.v1");
  EXPECT_EQ((*doc)["config"]["mediaType"], "application/vnd.oci.empty.v1+json");
  EXPECT_EQ((*doc)["config"]["size"], 2);
  ASSERT_EQ((*doc)["layers"].size(), 1u);
  EXPECT_EQ((*doc)["layers"][0]["mediaType"],
            "application/vnd.strata.vulndb.layer.v1.sqlite+zstd");
  EXPECT_EQ((*doc)["layers"][0]["digest"], pushed->layer.ToString());
  EXPECT_EQ(
      (*doc)["layers"][0]["annotations"]["org.opencontainers.image.title"],
      "vuln.db");
  EXPECT_EQ((*doc)["annotations"]["dev.strata.vulndb.schema-version"], "1");
  auto src = vulndb::Db::OpenReadOnly(src_db_);
  ASSERT_TRUE(src.ok());
  EXPECT_EQ((*doc)["annotations"]["org.opencontainers.image.created"],
            *(*src)->BuiltAt());

  auto pulled = PullDb(ref, *client_, dst_db_);
  ASSERT_TRUE(pulled.ok()) << pulled.status().ToString();
  EXPECT_EQ(pulled->manifest, pushed->manifest);
  EXPECT_EQ(pulled->status.advisories, 3);
  EXPECT_EQ(::strata::testing::ReadTestFile(dst_db_),
            ::strata::testing::ReadTestFile(src_db_));
  EXPECT_EQ(Listing(dst_dir_), (std::vector<std::string>{"vuln.db"}));
  std::vector<std::string> ids = ScanIds(dst_db_);
  EXPECT_EQ(ids.size(), 2u);
  EXPECT_EQ(ids, ScanIds(src_db_));

  // By digest too, and a second push of the same database skips the layer.
  auto again = PushDb(src_db_, Ref("strata/vulndb:v2"), *client_);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->manifest, pushed->manifest);
  fs::remove(dst_db_);
  auto by_digest = PullDb(Ref("strata/vulndb@" + pushed->manifest.ToString()),
                          *client_, dst_db_);
  ASSERT_TRUE(by_digest.ok()) << by_digest.status().ToString();
  EXPECT_EQ(::strata::testing::ReadTestFile(dst_db_),
            ::strata::testing::ReadTestFile(src_db_));
}

TEST_F(DbDistTest, PullingSomethingElseIsRefusedAndKeepsTheOldDatabase) {
  const std::string repo = "strata/other";
  // An ordinary image.
  Result<oci::Descriptor> config = PushBlobBytes(
      *client_, repo, oci::media::kOciConfig,
      R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}})");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  Result<oci::Descriptor> layer =
      PushBlobBytes(*client_, repo, oci::media::kOciLayerGzip,
                    ::strata::testing::Gzip("not a tar"));
  ASSERT_TRUE(layer.ok()) << layer.status().ToString();
  PushManifest(repo, "image", "", *config, *layer);
  auto r = PullDb(Ref(repo + ":image"), *client_, dst_db_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(r.status().ToString(),
            server_->host() +
                "/strata/other:image is not a strata vulnerability database "
                "(artifact type \"\")");
  ExpectOldDbKept();

  // Our artifact type with a layer of another type.
  PushManifest(repo, "mixed", std::string(kDbArtifactType), *config, *layer);
  r = PullDb(Ref(repo + ":mixed"), *client_, dst_db_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().ToString(),
            server_->host() +
                "/strata/other:mixed: want one layer of type "
                "application/vnd.strata.vulndb.layer.v1.sqlite+zstd, got "
                "\"application/vnd.oci.image.layer.v1.tar+gzip\"");
  ExpectOldDbKept();

  // A tag that does not exist.
  r = PullDb(Ref(repo + ":nothing"), *client_, dst_db_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  ExpectOldDbKept();
}

TEST_F(DbDistTest, CorruptLayersAreErrorsAndKeepTheOldDatabase) {
  const std::string repo = "strata/bad";
  struct Case {
    std::string tag, layer, want;
    StatusCode code;
  };
  const std::string db_bytes = ::strata::testing::ReadTestFile(src_db_);
  const std::string zdb = ::strata::testing::Zstd(db_bytes);
  const std::string text(4096, 'x');
  std::vector<Case> cases = {
      {"notzstd", "this is not a zstd stream at all",
       "not a valid zstd stream: Unknown frame descriptor",
       StatusCode::kDataLoss},
      {"truncated", zdb.substr(0, zdb.size() / 2), "truncated zstd stream",
       StatusCode::kDataLoss},
      {"garbage", zdb + "trailing",
       "not a valid zstd stream: Unknown frame descriptor",
       StatusCode::kDataLoss},
      {"notsqlite", ::strata::testing::Zstd(text),
       "not a vulnerability database of schema 1", StatusCode::kDataLoss},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.tag);
    PushOurs(repo, c.tag, c.layer);
    auto r = PullDb(Ref(repo + ":" + c.tag), *client_, dst_db_);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), c.code);
    EXPECT_EQ(r.status().message(),
              "layer " + Sha256Of(c.layer).Short() + ": " + c.want);
    ExpectOldDbKept();
  }
}

// --- the command line
// ---------------------------------------------------------

int Strata(const std::string& args, std::string* out) {
  std::string cmd =
      std::string(STRATA_BINARY_DIR) + "/strata " + args + " 2>&1";
  int status = 0;
  *out = testing::RunCommand(cmd, &status);
  return status;
}

TEST_F(DbUpdateTest, CommandLineUpdateWithSourcesAndOnly) {
  std::string out;
  ASSERT_EQ(Strata("db update --help", &out), 0) << out;
  EXPECT_NE(out.find("osv-Rocky-Linux https://osv-vulnerabilities.storage."
                     "googleapis.com/Rocky%20Linux/all.zip"),
            std::string::npos)
      << out;
  ASSERT_EQ(Strata("db update --db " + db_ + " --source kev=file://" + src_ +
                       "/kev.json --source mine=file://" + DemoAdvisories() +
                       " --only kev,mine",
                   &out),
            0)
      << out;
  EXPECT_NE(out.find("kev: kev, 1 records, 0 skipped\n"), std::string::npos)
      << out;
  EXPECT_NE(out.find("mine: osv, 3 records, 0 skipped\n"), std::string::npos)
      << out;
  ASSERT_EQ(Strata("db update --db " + db_ + " --only nope", &out), 1) << out;
  EXPECT_NE(out.find("--only: unknown source \"nope\""), std::string::npos)
      << out;
}

TEST_F(DbDistTest, ABlobCorruptedInTransitIsAnErrorAndKeepsTheOldDatabase) {
  oci::ImageRef ref = Ref("strata/vulndb:v1");
  auto pushed = PushDb(src_db_, ref, *client_);
  ASSERT_TRUE(pushed.ok()) << pushed.status().ToString();
  auto proxy = registry::testing::FaultProxy::Start(server_->host());
  ASSERT_TRUE(proxy.ok()) << proxy.status().ToString();
  (*proxy)->AddFault(registry::testing::Fault::CorruptByte(
      "GET", "/blobs/", pushed->layer_size - 1, registry::testing::kForever));
  registry::ClientOptions co;
  co.sleep = [](int) {};
  auto client = registry::testing::NewPlainClient((*proxy)->host(), co);
  ASSERT_TRUE(client.ok());
  auto via_proxy = ParseDbReference((*proxy)->host() + "/strata/vulndb:v1");
  ASSERT_TRUE(via_proxy.ok());
  auto r = PullDb(*via_proxy, **client, dst_db_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(r.status().message(), "layer " + pushed->layer.Short() +
                                      ": not a valid zstd stream: Restored "
                                      "data doesn't match checksum");
  ExpectOldDbKept();
}

TEST_F(DbDistTest, CommandLinePushAndPull) {
  std::string out;
  const std::string ref = server_->host() + "/strata/cli:v1";
  ASSERT_EQ(Strata("db push " + ref + " --db " + src_db_ +
                       " --insecure-registry " + server_->host(),
                   &out),
            0)
      << out;
  EXPECT_NE(out.find("\nsha256:"), std::string::npos) << out;
  ASSERT_EQ(Strata("db pull " + ref + " --db " + dst_db_ +
                       " --insecure-registry " + server_->host(),
                   &out),
            0)
      << out;
  EXPECT_NE(out.find("pulled " + ref), std::string::npos) << out;
  EXPECT_EQ(::strata::testing::ReadTestFile(dst_db_),
            ::strata::testing::ReadTestFile(src_db_));
  ASSERT_EQ(Strata("db push " + server_->host() + "/strata/cli@sha256:" +
                       std::string(64, 'a') + " --db " + src_db_,
                   &out),
            1)
      << out;
  EXPECT_NE(out.find("push needs a tag: " + server_->host() +
                     "/strata/cli@sha256:" + std::string(64, 'a')),
            std::string::npos)
      << out;
}

}  // namespace
}  // namespace strata::cli
