#include "catalog/javascript/cataloger.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "oci/reference.h"
#include "testing/test_util.h"

namespace strata::catalog::javascript {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

Result<image::LoadedImage> LoadWithCapture(const std::string& reference) {
  ASSIGN_OR_RETURN(oci::ImageRef ref, oci::ParseReference(reference));
  image::LoadOptions options;
  for (const Cataloger& c :
       {MakeNpmPackageCataloger(), MakeJsLockCataloger()}) {
    for (std::string_view g : c.globs) options.capture_globs.emplace_back(g);
  }
  return image::Load(ref, options);
}

sbom::Sbom RunCataloger(const Cataloger& c, const image::LoadedImage& img) {
  sbom::Sbom out;
  sbom::Distro distro;
  Context ctx{img, distro};
  Status s = c.run(ctx, &out);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

std::string Rootfs() {
  return "dir:" + std::string(STRATA_SOURCE_DIR) +
         "/src/catalog/javascript/testdata/rootfs";
}

// "path: name@version".
std::vector<std::string> Found(const sbom::Sbom& s) {
  std::vector<std::string> out;
  for (const sbom::Package& p : s.packages) {
    EXPECT_EQ(p.type, sbom::PackageType::kNpm);
    EXPECT_EQ(p.locations.size(), 1u);
    out.push_back(p.locations.front().path + ": " + p.name + "@" + p.version);
  }
  return out;
}

std::vector<std::string> Reasons(const sbom::Sbom& s,
                                 std::string_view cataloger) {
  std::vector<std::string> out;
  for (const sbom::Unknown& u : s.unknowns) {
    EXPECT_EQ(u.cataloger, cataloger);
    out.push_back(u.location.path + ": " + u.reason);
  }
  return out;
}

const sbom::Package* Find(const sbom::Sbom& s, std::string_view name,
                          std::string_view version) {
  for (const sbom::Package& p : s.packages) {
    if (p.name == name && p.version == version) return &p;
  }
  return nullptr;
}

TEST(JavascriptCatalogerTest, NamesAndGlobs) {
  Cataloger pkg = MakeNpmPackageCataloger();
  EXPECT_EQ(pkg.name, "javascript-package-cataloger");
  EXPECT_THAT(pkg.globs, ElementsAre("**/package.json"));
  EXPECT_THAT(pkg.rules, IsEmpty());
  Cataloger lock = MakeJsLockCataloger();
  EXPECT_EQ(lock.name, "javascript-lock-cataloger");
  EXPECT_THAT(lock.globs, ElementsAre("**/package-lock.json",
                                      "**/npm-shrinkwrap.json", "**/yarn.lock",
                                      "**/pnpm-lock.yaml", "**/package.json"));
}

TEST(JavascriptCatalogerTest, InstalledPackages) {
  auto img = LoadWithCapture(Rootfs());
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  sbom::Sbom s = RunCataloger(MakeNpmPackageCataloger(), *img);
  // Nested and scoped node_modules, pnpm's store, global installs, Debian's
  // module roots and projects with node_modules or a lock beside them; not
  // lib/ or fixture manifests, not srv/docs (no node_modules, no lock), not
  // the yarn project (no version).
  EXPECT_THAT(
      Found(s),
      UnorderedElementsAre(
          "app/package.json: orders-service@1.4.0",
          "app/node_modules/debug/package.json: debug@2.6.9",
          "app/node_modules/debug/node_modules/ms/package.json: ms@2.0.0",
          "app/node_modules/ms/package.json: ms@2.1.3",
          "app/node_modules/@types/node/package.json: @types/node@20.11.0",
          "app/node_modules/undici-types/package.json: undici-types@5.26.5",
          "srv/yarn-app/node_modules/lodash/package.json: lodash@4.17.21",
          "srv/pnpm-app/package.json: pnpm-app@0.0.1",
          "srv/pnpm-app/node_modules/.pnpm/is-odd@3.0.1/node_modules/is-odd/"
          "package.json: is-odd@3.0.1",
          "usr/share/nodejs/mime/package.json: mime@3.0.0",
          "usr/share/nodejs/@babel/code-frame/package.json: "
          "@babel/code-frame@7.20.7",
          "usr/share/nodejs/qrcode-terminal/package.json: "
          "qrcode-terminal@0.12.0",
          "usr/share/nodejs/es-abstract/package.json: es-abstract@1.20.4",
          "usr/share/nodejs/es-abstract/node_modules/object.assign/"
          "package.json: object.assign@4.1.4",
          "usr/lib/node_modules/npm/package.json: npm@10.2.4",
          "usr/lib/node_modules/npm/node_modules/abbrev/package.json: "
          "abbrev@2.0.0"));
  EXPECT_THAT(
      Reasons(s, "javascript-package-cataloger"),
      ElementsAre("app/node_modules/broken/package.json: package.json is not "
                  "valid JSON: parse error at line 4, column 1: syntax error "
                  "while parsing object key - unexpected end of input; "
                  "expected string literal",
                  "app/node_modules/unversioned/package.json: package.json "
                  "has no version"));

  const sbom::Package* debug = Find(s, "debug", "2.6.9");
  ASSERT_NE(debug, nullptr);
  EXPECT_THAT(debug->licenses, ElementsAre("MIT"));
  EXPECT_EQ(debug->description, "small debugging utility");
  EXPECT_EQ(debug->maintainer, "TJ Holowaychuk <tj@vision-media.ca>");
  EXPECT_THAT(debug->depends, ElementsAre("ms"));
  EXPECT_EQ(debug->extra,
            (std::map<std::string, std::string>{
                {"npm.repository", "git://github.com/visionmedia/debug.git"}}));
  EXPECT_THAT(debug->locations,
              ElementsAre(sbom::Location{"app/node_modules/debug/package.json",
                                         -1, ""}));
  EXPECT_EQ(debug->introduced_layer, -1);
  EXPECT_EQ(debug->cataloger, "javascript-package-cataloger");
  EXPECT_TRUE(debug->purl.empty());
  EXPECT_TRUE(debug->cpes.empty());

  const sbom::Package* types = Find(s, "@types/node", "20.11.0");
  ASSERT_NE(types, nullptr);
  EXPECT_EQ(types->extra.at("npm.homepage"),
            "https://github.com/DefinitelyTyped/DefinitelyTyped/tree/master/"
            "types/node");
  EXPECT_THAT(Find(s, "qrcode-terminal", "0.12.0")->licenses,
              ElementsAre("LicenseRef-Apache-2.0"));
}

TEST(JavascriptCatalogerTest, LockOnlyPackages) {
  auto img = LoadWithCapture(Rootfs());
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  sbom::Sbom s = RunCataloger(MakeJsLockCataloger(), *img);
  // app/, srv/yarn-app and srv/pnpm-app have node_modules beside their
  // locks: those locks add nothing (what they list but is not installed,
  // like app's optional fsevents, is not in the image). srv/lock-only ships
  // only its lock: every entry is reported. The lock inside
  // node_modules/abbrev is not read.
  EXPECT_THAT(Found(s), UnorderedElementsAre(
                            "srv/lock-only/yarn.lock: @types/node@20.11.0",
                            "srv/lock-only/yarn.lock: ansi-styles@4.3.0",
                            "srv/lock-only/yarn.lock: chalk@4.1.2",
                            "srv/lock-only/yarn.lock: fsevents@2.3.3",
                            "srv/lock-only/yarn.lock: has-flag@4.0.0",
                            "srv/lock-only/yarn.lock: left-pad@1.3.0",
                            "srv/lock-only/yarn.lock: lodash@4.17.21",
                            "srv/lock-only/yarn.lock: supports-color@7.2.0"));
  EXPECT_THAT(Reasons(s, "javascript-lock-cataloger"), IsEmpty());
  const sbom::Package* fsevents = Find(s, "fsevents", "2.3.3");
  ASSERT_NE(fsevents, nullptr);
  EXPECT_EQ(fsevents->cataloger, "javascript-lock-cataloger");
  const sbom::Package* chalk = Find(s, "chalk", "4.1.2");
  ASSERT_NE(chalk, nullptr);
  EXPECT_THAT(chalk->depends, ElementsAre("ansi-styles", "supports-color"));
}

TEST(JavascriptCatalogerTest, DevDependenciesAreMarked) {
  const std::string root = ::testing::TempDir() + "/js_dev";
  std::filesystem::remove_all(root);
  std::filesystem::create_directories(root + "/web");
  std::filesystem::copy_file(
      std::string(STRATA_SOURCE_DIR) +
          "/src/catalog/javascript/testdata/locks/package-lock-v2.json",
      root + "/web/package-lock.json");
  auto img = LoadWithCapture("dir:" + root);
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  sbom::Sbom s = RunCataloger(MakeJsLockCataloger(), *img);
  const sbom::Package* ts = Find(s, "typescript", "5.3.3");
  ASSERT_NE(ts, nullptr);
  EXPECT_EQ(ts->extra.at("npm.dev"), "true");
  EXPECT_EQ(Find(s, "debug", "2.6.9")->extra.count("npm.dev"), 0u);
  // Without node_modules the project itself is only in the lock.
  EXPECT_NE(Find(s, "shop-frontend", "2.0.1"), nullptr);
  std::filesystem::remove_all(root);
}

TEST(JavascriptCatalogerTest, BrokenLocksAreUnknowns) {
  const std::string root = ::testing::TempDir() + "/js_broken";
  std::filesystem::remove_all(root);
  std::filesystem::create_directories(root + "/a");
  std::filesystem::create_directories(root + "/b");
  std::filesystem::create_directories(root + "/c");
  std::ofstream(root + "/a/package-lock.json") << "{\"packages\": [";
  std::ofstream(root + "/b/yarn.lock") << "a@^1:\n  resolved \"x\"\n";
  std::ofstream(root + "/c/pnpm-lock.yaml") << "packages: {}\n";
  auto img = LoadWithCapture("dir:" + root);
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  sbom::Sbom s = RunCataloger(MakeJsLockCataloger(), *img);
  EXPECT_THAT(s.packages, IsEmpty());
  EXPECT_THAT(
      Reasons(s, "javascript-lock-cataloger"),
      ElementsAre(
          "a/package-lock.json: package-lock.json is not valid JSON: "
          "parse error at line 1, column 15: syntax error while "
          "parsing value - unexpected end of input; expected '[', "
          "'{', or a literal",
          "b/yarn.lock: yarn.lock line 1: entry \"a@^1\" has no version",
          "c/pnpm-lock.yaml: pnpm-lock.yaml has no readable "
          "lockfileVersion"));
  std::filesystem::remove_all(root);
}

TEST(JavascriptCatalogerTest, OverTheCaptureCapIsUnknown) {
  const std::string root = ::testing::TempDir() + "/js_cap";
  std::filesystem::remove_all(root);
  std::filesystem::create_directories(root + "/node_modules/big");
  std::ofstream(root + "/node_modules/big/package.json")
      << R"({"name": "big", "version": "1.0.0", "readme": ")"
      << std::string(2048, 'x') << "\"}";
  std::ofstream(root + "/package-lock.json")
      << R"({"lockfileVersion": 3, "packages": {"node_modules/big": )"
      << R"({"version": "1.0.0", "resolved": ")" << std::string(2048, 'x')
      << "\"}}}";
  auto ref = oci::ParseReference("dir:" + root);
  ASSERT_TRUE(ref.ok());
  image::LoadOptions options;
  options.capture_globs = {"**/package.json", "**/package-lock.json"};
  options.max_captured_file_bytes = 1024;
  auto img = image::Load(*ref, options);
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  sbom::Sbom pkgs = RunCataloger(MakeNpmPackageCataloger(), *img);
  EXPECT_THAT(Reasons(pkgs, "javascript-package-cataloger"),
              ElementsAre("node_modules/big/package.json: larger than the "
                          "capture cap"));
  sbom::Sbom locks = RunCataloger(MakeJsLockCataloger(), *img);
  EXPECT_THAT(Reasons(locks, "javascript-lock-cataloger"),
              ElementsAre("package-lock.json: larger than the capture cap"));
  std::filesystem::remove_all(root);
}

// The lab's debian-fat image: every npm package Trivy finds there (the app
// under /app) is found, and Debian's own modules besides.
TEST(JavascriptCatalogerTest, LabDebianFat) {
  const std::string oci = testing::LabImagesDir() + "/debian-fat.oci";
  struct stat st;
  if (::stat(oci.c_str(), &st) != 0) {
    GTEST_SKIP() << "lab image debian-fat not built in "
                 << testing::LabImagesDir();
  }
  auto img = LoadWithCapture("oci:" + oci);
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  sbom::Sbom s = RunCataloger(MakeNpmPackageCataloger(), *img);
  EXPECT_THAT(s.unknowns, IsEmpty());
  std::set<std::string> app;
  int debian = 0;
  for (const std::string& f : Found(s)) {
    if (f.starts_with("app/")) app.insert(f);
    if (f.starts_with("usr/share/nodejs/")) ++debian;
  }
  EXPECT_EQ(app.size(), 76u);
  for (const char* want :
       {"app/package.json: lab-app@1.0.0",
        "app/node_modules/express/package.json: express@4.21.2",
        "app/node_modules/@esbuild/linux-x64/package.json: "
        "@esbuild/linux-x64@0.24.0",
        "app/node_modules/send/node_modules/ms/package.json: ms@2.1.3",
        "app/node_modules/send/node_modules/encodeurl/package.json: "
        "encodeurl@1.0.4",
        "app/node_modules/ms/package.json: ms@2.0.0",
        "app/node_modules/lodash/package.json: lodash@4.17.20"}) {
    EXPECT_TRUE(app.count(want)) << want;
  }
  EXPECT_GT(debian, 1000);
  // The lock also lists esbuild's binaries for every other platform; with
  // node_modules installed beside it, those are not in the image.
  sbom::Sbom locks = RunCataloger(MakeJsLockCataloger(), *img);
  EXPECT_THAT(locks.unknowns, IsEmpty());
  EXPECT_THAT(locks.packages, IsEmpty());
}

}  // namespace
}  // namespace strata::catalog::javascript
