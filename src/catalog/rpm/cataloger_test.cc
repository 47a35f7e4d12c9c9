#include "catalog/rpm/cataloger.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "testing/image_writer.h"
#include "testing/tar_writer.h"

namespace strata::catalog::rpm {
namespace {

using testing::LayerCompression;
using testing::TarWriter;

std::string Fixtures() {
  return std::string(STRATA_SOURCE_DIR) + "/../shared/fixtures/rpmdb";
}

std::string Slurp(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

#define REQUIRE_FIXTURES()                                               \
  if (!std::filesystem::exists(Fixtures())) {                            \
    GTEST_SKIP() << Fixtures() << " absent (shared fixtures exist only " \
                 << "beside the project's own checkouts)";               \
  }

class RpmCatalogerTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::MakeTempDir("rpm_cataloger"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  sbom::Sbom Run(const std::vector<std::string>& layers) {
    testing::TestImage img;
    for (const auto& l : layers) {
      img.layers.push_back({l, LayerCompression::kGzip, ""});
    }
    EXPECT_TRUE(testing::WriteOciLayout(dir_ + "/img", {img}).ok());
    image::LoadOptions opts;
    Cataloger c = MakeRpmCataloger();
    for (auto g : c.globs) opts.capture_globs.emplace_back(g);
    auto ref = oci::ParseReference("oci:" + dir_ + "/img");
    auto loaded = image::Load(*ref, opts);
    EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
    sbom::Distro distro;
    distro.id = "rhel";
    distro.version_id = "8.8";
    Context ctx{*loaded, distro};
    sbom::Sbom out;
    EXPECT_TRUE(c.run(ctx, &out).ok());
    return out;
  }

  std::string dir_;
};

TEST_F(RpmCatalogerTest, ReadsEachDatabaseFormatAtItsPath) {
  REQUIRE_FIXTURES();
  sbom::Sbom s =
      Run({TarWriter()
               .File("var/lib/rpm/Packages",
                     Slurp(Fixtures() + "/bdb_el8_libuuid/Packages"))
               .File("usr/lib/sysimage/rpm/Packages.db",
                     Slurp(Fixtures() + "/ndb_sle15-bci/Packages.db"))
               .File("usr/share/rpm/rpmdb.sqlite",
                     Slurp(Fixtures() + "/sqlite_cbl-mariner-2.0/rpmdb.sqlite"))
               .Finish()});
  EXPECT_TRUE(s.unknowns.empty());
  int uuid = 0, glibc = 0, bash = 0;
  for (const sbom::Package& p : s.packages) {
    EXPECT_EQ(p.type, sbom::PackageType::kRpm);
    EXPECT_EQ(p.cataloger, "rpm-db-cataloger");
    if (p.name == "libuuid") {
      ++uuid;
      EXPECT_EQ(p.version, "2.32.1-42.el8_8");
      EXPECT_EQ(p.architecture, "x86_64");
      EXPECT_EQ(p.source_name, "util-linux");
      EXPECT_EQ(p.source_version, "2.32.1-42.el8_8");
      EXPECT_EQ(p.licenses, std::vector<std::string>{"BSD"});
      EXPECT_EQ(p.maintainer, "Red Hat, Inc.");
      EXPECT_EQ(p.locations[0].path, "var/lib/rpm/Packages");
      EXPECT_FALSE(p.files.empty());
      EXPECT_NE(p.files[0].front(), '/');
    }
    if (p.name == "glibc" &&
        p.locations[0].path == "usr/lib/sysimage/rpm/Packages.db") {
      ++glibc;
    }
    if (p.name == "bash" &&
        p.locations[0].path == "usr/share/rpm/rpmdb.sqlite") {
      ++bash;
    }
  }
  // One package per row of each fixture's oracle listing (rpm -qa).
  auto rows = [](const std::string& tsv) {
    std::istringstream in(Slurp(tsv));
    int n = 0;
    for (std::string line; std::getline(in, line);) {
      if (!line.empty() && line[0] != '#') ++n;
    }
    return n;
  };
  std::map<std::string, int> per_db;
  for (const sbom::Package& p : s.packages) ++per_db[p.locations[0].path];
  EXPECT_EQ(per_db["var/lib/rpm/Packages"],
            rows(Fixtures() + "/bdb_el8_libuuid/expected.tsv"));
  EXPECT_EQ(per_db["usr/lib/sysimage/rpm/Packages.db"],
            rows(Fixtures() + "/ndb_sle15-bci/expected.tsv"));
  EXPECT_EQ(per_db["usr/share/rpm/rpmdb.sqlite"],
            rows(Fixtures() + "/sqlite_cbl-mariner-2.0/expected.tsv"));
  EXPECT_EQ(uuid, 1);
  EXPECT_EQ(glibc, 1);  // NDB (SLE 15)
  EXPECT_EQ(bash, 1);   // SQLite (CBL-Mariner)
}

TEST_F(RpmCatalogerTest, IntroducedLayerIsTheFirstThatListsThePackage) {
  REQUIRE_FIXTURES();
  std::string dive = Slurp(Fixtures() + "/bdb_syft_dive/Packages");
  std::string uuid = Slurp(Fixtures() + "/bdb_el8_libuuid/Packages");
  sbom::Sbom s = Run({TarWriter().File("var/lib/rpm/Packages", dive).Finish(),
                      TarWriter().File("var/lib/rpm/Packages", uuid).Finish()});
  ASSERT_EQ(s.packages.size(), 1u);  // the final database lists only libuuid
  EXPECT_EQ(s.packages[0].name, "libuuid");
  EXPECT_EQ(s.packages[0].introduced_layer, 1);
  EXPECT_EQ(s.packages[0].locations[0].layer, 1);
}

TEST_F(RpmCatalogerTest, CorruptDatabaseIsALocatedUnknown) {
  sbom::Sbom s = Run({TarWriter()
                          .File("var/lib/rpm/rpmdb.sqlite",
                                "SQLite format 3" + std::string(200, '\0'))
                          .Finish()});
  EXPECT_TRUE(s.packages.empty());
  ASSERT_EQ(s.unknowns.size(), 1u);
  EXPECT_EQ(s.unknowns[0].location.path, "var/lib/rpm/rpmdb.sqlite");
  EXPECT_EQ(s.unknowns[0].cataloger, "rpm-db-cataloger");
  EXPECT_FALSE(s.unknowns[0].reason.empty());
}

}  // namespace
}  // namespace strata::catalog::rpm
