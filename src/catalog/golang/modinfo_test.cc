#include "catalog/golang/modinfo.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

namespace strata::catalog::golang {
namespace {

using ::testing::ElementsAre;
using ::testing::Optional;

// As `go version -m` shows a module-mode binary with a replacement, quoted
// build settings and VCS stamps.
const std::string kText =
    "go\tgo1.22.5\n"
    "path\texample.com/app/cmd/app\n"
    "mod\texample.com/app\t(devel)\t\n"
    "dep\tgithub.com/pkg/errors\tv0.9.1\t"
    "h1:FEBLx1zS214owpjy7qsBeixbURkuhQAwrK5UwLGTwt4=\n"
    "dep\tgolang.org/x/net\tv0.20.0\n"
    "=>\tgithub.com/fork/net\tv0.21.0\t"
    "h1:AQyQV4dYCvJ7vGmJyKki9+PBdyvhkSd8EIx/qb0AYv4=\n"
    "dep\texample.com/local\tv1.0.0\n"
    "=>\t../local\t\t\n"
    "build\t-buildmode=exe\n"
    "build\t-compiler=gc\n"
    "build\t-ldflags=\"-s -w -X main.version=1.2.3\"\n"
    "build\tCGO_ENABLED=1\n"
    "build\tGOARCH=amd64\n"
    "build\tGOOS=linux\n"
    "build\tvcs=git\n"
    "build\tvcs.revision=d34e79e2a998c21bb71d57b92b0017ca11756912\n"
    "build\tvcs.time=2024-09-22T02:04:42Z\n"
    "build\tvcs.modified=false\n";

TEST(ParseBuildInfoTest, ModulesReplacementsAndSettings) {
  auto info = ParseBuildInfo(kText);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->go_version, "go1.22.5");
  EXPECT_EQ(info->path, "example.com/app/cmd/app");
  ASSERT_TRUE(info->main.has_value());
  EXPECT_EQ(info->main->module.path, "example.com/app");
  EXPECT_EQ(info->main->module.version, "(devel)");
  EXPECT_EQ(info->main->module.sum, "");
  ASSERT_EQ(info->deps.size(), 3u);
  EXPECT_EQ(info->deps[0].module.path, "github.com/pkg/errors");
  EXPECT_EQ(info->deps[0].module.sum,
            "h1:FEBLx1zS214owpjy7qsBeixbURkuhQAwrK5UwLGTwt4=");
  EXPECT_FALSE(info->deps[0].replace.has_value());
  EXPECT_EQ(info->deps[1].module.version, "v0.20.0");
  ASSERT_TRUE(info->deps[1].replace.has_value());
  EXPECT_EQ(info->deps[1].replace->path, "github.com/fork/net");
  EXPECT_EQ(info->deps[1].replace->version, "v0.21.0");
  ASSERT_TRUE(info->deps[2].replace.has_value());
  EXPECT_EQ(info->deps[2].replace->path, "../local");
  EXPECT_EQ(info->deps[2].replace->version, "");
  ASSERT_EQ(info->settings.size(), 10u);
  EXPECT_EQ(info->settings[2].key, "-ldflags");
  EXPECT_EQ(info->settings[2].value, "-s -w -X main.version=1.2.3");
  EXPECT_EQ(info->settings[7].key, "vcs.revision");
}

TEST(ParseBuildInfoTest, QuotedKeysAndValues) {
  auto info = ParseBuildInfo(
      "go\tgo1.21.0\n"
      "build\t\"odd key\"=`raw \"value\"`\n"
      "build\tCGO_CFLAGS=\"-O2 \\x41\\101\\u00e9\\U0001F600\\t\\\"\\\\\"\n"
      "build\tempty=\n"
      "unknown line kinds are ignored\n");
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  ASSERT_EQ(info->settings.size(), 3u);
  EXPECT_EQ(info->settings[0].key, "odd key");
  EXPECT_EQ(info->settings[0].value, "raw \"value\"");
  EXPECT_EQ(info->settings[1].value, "-O2 AA\xc3\xa9\xf0\x9f\x98\x80\t\"\\");
  EXPECT_EQ(info->settings[2].value, "");
  EXPECT_FALSE(info->main.has_value());
}

std::string Error(const std::string& body) {
  auto info = ParseBuildInfo("go\tgo1.22.5\n" + body);
  return info.ok() ? "ok" : info.status().ToString();
}

TEST(ParseBuildInfoTest, Errors) {
  EXPECT_EQ(ParseBuildInfo("").status(), DataLossError("no go version"));
  EXPECT_EQ(ParseBuildInfo("go\t\npath\tx\n").status(),
            DataLossError("no go version"));
  EXPECT_EQ(ParseBuildInfo("path\tx\n").status(),
            DataLossError("no go version"));
  EXPECT_EQ(Error("path\tx\ndep\ta\n"),
            "line 3: expected 2 or 3 columns, got 1");
  EXPECT_EQ(Error("mod\ta\tb\tc\td\n"),
            "line 2: expected 2 or 3 columns, got 4");
  EXPECT_EQ(Error("dep\ta\tv1\n=>\tb\tv2\n"),
            "line 3: expected 3 columns for replacement, got 2");
  EXPECT_EQ(Error("=>\tb\tv2\t\n"),
            "line 2: replacement with no module on previous line");
  EXPECT_EQ(Error("dep\ta\tv1\n=>\tb\tv2\t\n=>\tc\tv3\t\n"),
            "line 4: replacement with no module on previous line");
  EXPECT_EQ(Error("build\t\n"), "line 2: build line missing '='");
  EXPECT_EQ(Error("build\t=x\n"), "line 2: build line with missing key");
  EXPECT_EQ(Error("build\tkey\n"), "line 2: build line missing '=' after key");
  EXPECT_EQ(Error("build\t\"k\n"), "line 2: invalid quoted key in build line");
  EXPECT_EQ(Error("build\t\"k\"\n"),
            "line 2: build line missing '=' after quoted key");
  EXPECT_EQ(Error("build\t\"k\"x=1\n"),
            "line 2: unexpected character after quoted key");
  EXPECT_EQ(Error("build\ta b=1\n"),
            "line 2: unquoted key \"a b\" must be quoted");
  EXPECT_EQ(Error("build\tk=a b\n"),
            "line 2: unquoted value \"a b\" must be quoted");
  for (const char* bad : {"\"x", "\"x\"y", "\"\\q\"", "\"\\x4\"", "\"\\400\"",
                          "\"\\ud800\"", "\"\\U00110000\"", "`x", "\"\\"}) {
    EXPECT_EQ(Error(std::string("build\tk=") + bad + "\n"),
              "line 2: invalid quoted value in build line")
        << bad;
  }
}

TEST(ParseBuildInfoTest, EveryTruncationAndByteFlipIsHandled) {
  for (size_t n = 0; n <= kText.size(); ++n) {
    ParseBuildInfo(kText.substr(0, n)).status().IgnoreError();
  }
  for (size_t i = 0; i < kText.size(); ++i) {
    std::string bad = kText;
    bad[i] = static_cast<char>(bad[i] ^ 0x20);
    if (auto info = ParseBuildInfo(bad); info.ok()) {
      EXPECT_FALSE(info->go_version.empty());
    }
  }
}

TEST(GoVersionToSemverTest, Releases) {
  EXPECT_THAT(GoVersionToSemver("go1.22.5"), Optional(std::string("v1.22.5")));
  EXPECT_THAT(GoVersionToSemver("go1.20"), Optional(std::string("v1.20.0")));
  EXPECT_THAT(GoVersionToSemver("go1"), Optional(std::string("v1.0.0")));
  EXPECT_THAT(GoVersionToSemver("go1.21rc2"),
              Optional(std::string("v1.21.0-rc.2")));
  EXPECT_THAT(GoVersionToSemver("go1.19beta1"),
              Optional(std::string("v1.19.0-beta.1")));
  EXPECT_THAT(GoVersionToSemver("go1.22.5 X:boringcrypto"),
              Optional(std::string("v1.22.5")));
  EXPECT_EQ(GoVersionToSemver("devel go1.23-6f7a4540b1 Wed Jun 12"),
            std::nullopt);
  EXPECT_EQ(GoVersionToSemver("go1.21.0-bigcorp"), std::nullopt);
  EXPECT_EQ(GoVersionToSemver("go1.2.3.4"), std::nullopt);
  EXPECT_EQ(GoVersionToSemver("go1.21rc"), std::nullopt);
  EXPECT_EQ(GoVersionToSemver("go"), std::nullopt);
  EXPECT_EQ(GoVersionToSemver("1.22.5"), std::nullopt);
}

const sbom::Package* Find(const std::vector<sbom::Package>& pkgs,
                          std::string_view name) {
  for (const sbom::Package& p : pkgs) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

TEST(BuildInfoPackagesTest, ModulesMainAndStdlib) {
  auto info = ParseBuildInfo(kText);
  ASSERT_TRUE(info.ok());
  const sbom::Location loc{"usr/bin/app", 2, "sha256:abc"};
  std::vector<sbom::Package> pkgs = BuildInfoPackages(*info, loc, "go-cat");
  std::vector<std::string> names;
  for (const sbom::Package& p : pkgs) {
    names.push_back(p.name + "@" + p.version);
    EXPECT_EQ(p.type, sbom::PackageType::kGoModule);
    EXPECT_THAT(p.locations, ElementsAre(loc));
    EXPECT_EQ(p.introduced_layer, 2);
    EXPECT_EQ(p.cataloger, "go-cat");
    EXPECT_EQ(p.extra.at("go.version"), "go1.22.5");
    EXPECT_TRUE(p.purl.empty());
  }
  EXPECT_THAT(names, ElementsAre("github.com/pkg/errors@v0.9.1",
                                 "github.com/fork/net@v0.21.0", "../local@",
                                 "stdlib@v1.22.5", "example.com/app@(devel)"));

  const sbom::Package* errors = Find(pkgs, "github.com/pkg/errors");
  EXPECT_EQ(errors->extra,
            (std::map<std::string, std::string>{
                {"go.sum", "h1:FEBLx1zS214owpjy7qsBeixbURkuhQAwrK5UwLGTwt4="},
                {"go.version", "go1.22.5"}}));
  const sbom::Package* fork = Find(pkgs, "github.com/fork/net");
  EXPECT_EQ(fork->extra.at("go.replaces"), "golang.org/x/net@v0.20.0");
  EXPECT_EQ(fork->extra.at("go.sum"),
            "h1:AQyQV4dYCvJ7vGmJyKki9+PBdyvhkSd8EIx/qb0AYv4=");
  EXPECT_EQ(Find(pkgs, "../local")->extra.at("go.replaces"),
            "example.com/local@v1.0.0");

  const sbom::Package* main = Find(pkgs, "example.com/app");
  EXPECT_THAT(main->depends,
              ElementsAre("github.com/pkg/errors", "github.com/fork/net",
                          "../local", "stdlib"));
  EXPECT_EQ(main->extra.at("go.path"), "example.com/app/cmd/app");
  EXPECT_EQ(main->extra.at("go.build.vcs.revision"),
            "d34e79e2a998c21bb71d57b92b0017ca11756912");
  EXPECT_EQ(main->extra.at("go.build.vcs.time"), "2024-09-22T02:04:42Z");
  EXPECT_EQ(main->extra.at("go.build.-ldflags"), "-s -w -X main.version=1.2.3");
  EXPECT_EQ(main->extra.at("go.build.GOOS"), "linux");
  EXPECT_EQ(main->extra.at("go.build.GOARCH"), "amd64");
  EXPECT_EQ(main->extra.at("go.build.CGO_ENABLED"), "1");
  EXPECT_EQ(main->extra.count("go.sum"), 0u);
  EXPECT_TRUE(Find(pkgs, "stdlib")->depends.empty());
}

TEST(BuildInfoPackagesTest, OutsideModuleModeOnlyStdlib) {
  auto info = ParseBuildInfo(
      "go\tdevel go1.23-6f7a4540b1\npath\tgithub.com/x/cmd/x\n"
      "build\t-compiler=gc\n");
  ASSERT_TRUE(info.ok());
  std::vector<sbom::Package> pkgs = BuildInfoPackages(*info, {}, "c");
  ASSERT_EQ(pkgs.size(), 1u);
  EXPECT_EQ(pkgs[0].name, "stdlib");
  EXPECT_EQ(pkgs[0].version, "devel go1.23-6f7a4540b1");
}

}  // namespace
}  // namespace strata::catalog::golang
