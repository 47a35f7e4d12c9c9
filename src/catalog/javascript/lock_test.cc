#include "catalog/javascript/lock.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "testing/test_util.h"

namespace strata::catalog::javascript {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

std::string Lock(const std::string& name) {
  return testing::ReadTestFile(std::string(STRATA_SOURCE_DIR) +
                               "/src/catalog/javascript/testdata/locks/" +
                               name);
}

// "name@version [dev] [optional] -> dep,dep".
std::vector<std::string> Summary(const ParsedLock& lock) {
  std::vector<std::string> out;
  for (const LockPackage& p : lock.packages) {
    std::string s = p.name + "@" + p.version;
    if (p.dev) s += " dev";
    if (p.optional) s += " optional";
    if (!p.depends.empty()) {
      s += " ->";
      for (const std::string& d : p.depends) s += " " + d;
    }
    out.push_back(s);
  }
  return out;
}

const LockPackage* Find(const ParsedLock& lock, std::string_view name,
                        std::string_view version) {
  for (const LockPackage& p : lock.packages) {
    if (p.name == name && p.version == version) return &p;
  }
  return nullptr;
}

TEST(SplitSpecTest, ScopeAndRange) {
  EXPECT_EQ(SplitSpec("@babel/core@^7.0.0"),
            std::make_pair(std::string_view("@babel/core"),
                           std::string_view("^7.0.0")));
  EXPECT_EQ(
      SplitSpec("foo@npm:bar@1"),
      std::make_pair(std::string_view("foo"), std::string_view("npm:bar@1")));
  EXPECT_EQ(SplitSpec("lodash"),
            std::make_pair(std::string_view("lodash"), std::string_view()));
  EXPECT_EQ(SplitSpec("@scope"),
            std::make_pair(std::string_view("@scope"), std::string_view()));
  EXPECT_EQ(SplitSpec(""),
            std::make_pair(std::string_view(), std::string_view()));
}

TEST(ParseNpmLockTest, Version1NestedTree) {
  auto lock = ParseNpmLock(Lock("package-lock-v1.json"));
  ASSERT_TRUE(lock.ok()) << lock.status().ToString();
  EXPECT_THAT(lock->problems, IsEmpty());
  // The project first, the tree's top level, then nested entries; the
  // alias pad-left is left-pad and merges with it (dev only if both are);
  // file: dependencies are no versions.
  EXPECT_THAT(
      Summary(*lock),
      ElementsAre("legacy-api@0.3.0", "accepts@1.3.8 -> mime-types negotiator",
                  "debug@2.6.9 -> ms", "left-pad@1.3.0", "mime-db@1.52.0",
                  "mime-types@2.1.35 -> mime-db", "ms@2.1.3",
                  "negotiator@0.6.3", "ms@2.0.0"));
  const LockPackage* accepts = Find(*lock, "accepts", "1.3.8");
  ASSERT_NE(accepts, nullptr);
  EXPECT_EQ(accepts->resolved,
            "https://registry.npmjs.org/accepts/-/accepts-1.3.8.tgz");
  EXPECT_EQ(accepts->integrity,
            "sha512-P7G+zu9IJXN4TfmKXY5oigK4iEosv2E7PtEMpL+W1xFNAWgpDzHAtVgabO"
            "LQQCbE1sGR67BBZ5lj2oMg6/aGnQ==");
}

TEST(ParseNpmLockTest, Version2PrefersPackages) {
  auto lock = ParseNpmLock(Lock("package-lock-v2.json"));
  ASSERT_TRUE(lock.ok()) << lock.status().ToString();
  EXPECT_THAT(lock->problems, IsEmpty());
  EXPECT_THAT(
      Summary(*lock),
      ElementsAre("shop-frontend@2.0.1 -> debug pad-left", "debug@2.6.9 -> ms",
                  "ms@2.0.0", "left-pad@1.3.0", "typescript@5.3.3 dev"));
  EXPECT_THAT(Find(*lock, "shop-frontend", "2.0.1")->licenses,
              ElementsAre("UNLICENSED"));
  EXPECT_THAT(Find(*lock, "left-pad", "1.3.0")->licenses, ElementsAre("WTFPL"));
}

TEST(ParseNpmLockTest, Version3PackagesMap) {
  auto lock = ParseNpmLock(Lock("package-lock-v3.json"));
  ASSERT_TRUE(lock.ok()) << lock.status().ToString();
  EXPECT_THAT(lock->problems, IsEmpty());
  // Links are skipped; the workspace folder is a package; nested and
  // hoisted copies of ms are two versions.
  EXPECT_THAT(
      Summary(*lock),
      ElementsAre("orders-service@1.4.0 -> @orders/shared debug fsevents "
                  "ms",
                  "@types/node@20.11.0 dev -> undici-types",
                  "debug@2.6.9 -> ms", "ms@2.0.0", "fsevents@2.3.3 optional",
                  "ms@2.1.3", "undici-types@5.26.5 dev",
                  "@orders/shared@0.1.0 -> ms"));
}

TEST(ParseNpmLockTest, BadEntriesAreProblems) {
  auto lock = ParseNpmLock(R"({"lockfileVersion": 3, "packages": {
      "node_modules/a": {"version": "1.0.0"},
      "node_modules/b": {"version": 2},
      "node_modules/c": "x",
      "node_modules/d": {"name": "real-d", "version": "npm:other@4.0.0"},
      "node_modules/e": {"version": "1.0.0", "dev": "yes"},
      "node_modules/e/node_modules/a": {"version": "1.0.0", "dev": true},
      "node_modules/": {"version": "1.0.0"}}})");
  ASSERT_TRUE(lock.ok()) << lock.status().ToString();
  EXPECT_THAT(lock->problems,
              ElementsAre("packages[\"node_modules/\"] names no package",
                          "packages[\"node_modules/b\"]: field \"version\" "
                          "must be a string",
                          "packages[\"node_modules/c\"] is not an object"));
  EXPECT_THAT(Summary(*lock), ElementsAre("a@1.0.0", "other@4.0.0", "e@1.0.0"));
}

TEST(ParseNpmLockTest, Version1BadEntriesAreProblems) {
  auto lock = ParseNpmLock(R"({"lockfileVersion": 1, "dependencies": {
      "a": {"version": "1.0.0", "dependencies": {"b": {"version": []}}},
      "c": 3, "": {"version": "1.0.0"}}})");
  ASSERT_TRUE(lock.ok()) << lock.status().ToString();
  EXPECT_THAT(
      lock->problems,
      UnorderedElementsAre(
          "dependencies[\"\"] names no package",
          "dependencies[\"c\"] is not an object",
          "dependencies[\"a\"].dependencies[\"b\"]: field \"version\" must be "
          "a string"));
  EXPECT_THAT(Summary(*lock), ElementsAre("a@1.0.0"));
}

TEST(ParseNpmLockTest, Errors) {
  EXPECT_EQ(ParseNpmLock("[]").status().ToString(),
            "package-lock.json is not an object");
  EXPECT_EQ(ParseNpmLock(R"({"packages": []})").status().ToString(),
            "package-lock.json: field \"packages\" must be an object");
  EXPECT_EQ(ParseNpmLock(R"({"dependencies": 1})").status().ToString(),
            "package-lock.json: field \"dependencies\" must be an object");
  const std::string good = Lock("package-lock-v3.json");
  auto truncated = ParseNpmLock(good.substr(0, good.size() - 10));
  EXPECT_EQ(truncated.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(truncated.status().ToString(),
              ::testing::StartsWith("package-lock.json is not valid JSON: "));
  std::string flipped = good;
  flipped[good.find("\"packages\"") + 10] = ';';
  EXPECT_EQ(ParseNpmLock(flipped).status().code(), StatusCode::kDataLoss);
  std::string deep(100, '[');
  EXPECT_EQ(ParseNpmLock(deep).status().ToString(),
            "package-lock.json nests deeper than 64 levels");
}

TEST(ParseNpmLockTest, OverTheSizeCapIsResourceExhausted) {
  std::string big(32 * 1024 * 1024 + 1, ' ');
  EXPECT_EQ(ParseNpmLock(big).status().ToString(),
            "package-lock.json is 33554433 bytes, over the cap of 33554432");
}

TEST(ParseYarnLockTest, Version1) {
  auto lock = ParseYarnLock(Lock("yarn-v1.lock"));
  ASSERT_TRUE(lock.ok()) << lock.status().ToString();
  EXPECT_THAT(lock->problems, IsEmpty());
  EXPECT_THAT(
      Summary(*lock),
      ElementsAre("@types/node@20.11.0 -> undici-types",
                  "ansi-styles@4.3.0 -> color-convert",
                  "chalk@4.1.2 -> ansi-styles supports-color", "fsevents@2.3.3",
                  "has-flag@4.0.0", "lodash@4.17.21", "left-pad@1.3.0",
                  "supports-color@7.2.0 -> fsevents has-flag"));
  const LockPackage* chalk = Find(*lock, "chalk", "4.1.2");
  ASSERT_NE(chalk, nullptr);
  EXPECT_EQ(chalk->resolved,
            "https://registry.yarnpkg.com/chalk/-/chalk-4.1.2.tgz#"
            "7e60e8d65a40c180d7764de38eef47ff45e1aefe");
  EXPECT_EQ(chalk->integrity,
            "sha512-nRSOWZ6uXps+AdL6KU/flchQpHPafj1fScp8HU31v9V9gNseRA1CRXEw"
            "MJuk2sDeoxsGLrYoUo++DyTg92y3Qw==");
}

TEST(ParseYarnLockTest, Version1EscapesAndCrLf) {
  auto lock = ParseYarnLock(
      "# yarn lockfile v1\r\n\r\n\"@sc\\u006fpe/pkg@^1\":\r\n"
      "  version \"1.0.0\"\r\n");
  ASSERT_TRUE(lock.ok()) << lock.status().ToString();
  EXPECT_THAT(Summary(*lock), ElementsAre("@scope/pkg@1.0.0"));
}

TEST(ParseYarnLockTest, Version1EntryWithoutVersionIsAProblem) {
  auto lock =
      ParseYarnLock("a@^1:\n  resolved \"x\"\n\nb@^2:\n  version \"2.0.0\"\n");
  ASSERT_TRUE(lock.ok()) << lock.status().ToString();
  EXPECT_THAT(lock->problems,
              ElementsAre("yarn.lock line 1: entry \"a@^1\" has no version"));
  EXPECT_THAT(Summary(*lock), ElementsAre("b@2.0.0"));
}

TEST(ParseYarnLockTest, Version1Errors) {
  auto err = [](std::string_view text) {
    return ParseYarnLock(text).status().ToString();
  };
  EXPECT_EQ(err("a@^1\n  version \"1\"\n"),
            "yarn.lock line 1: entry header without ':'");
  EXPECT_EQ(err("  version \"1\"\n"),
            "yarn.lock line 1: field outside an entry");
  EXPECT_EQ(err("a@^1:\n    b \"1\"\n"),
            "yarn.lock line 2: block entry outside a block");
  EXPECT_EQ(err("a@^1:\n   version \"1\"\n"),
            "yarn.lock line 2: unexpected indentation");
  EXPECT_EQ(err("\"a@^1:\n"), "yarn.lock line 1: unterminated string");
  EXPECT_EQ(err("a@^1:\n  version \"1\\\"\n"),
            "yarn.lock line 2: unterminated string");
  EXPECT_EQ(err("\"a\\x\":\n"), "yarn.lock line 1: bad string escape");
  EXPECT_EQ(err(":\n"), "yarn.lock line 1: empty entry header");
  // Truncated mid-entry: the partial entry has no version.
  const std::string good = Lock("yarn-v1.lock");
  auto truncated =
      ParseYarnLock(good.substr(0, good.find("  version \"4.3.0\"")));
  ASSERT_TRUE(truncated.ok());
  EXPECT_THAT(truncated->problems,
              ElementsAre("yarn.lock line 12: entry \"ansi-styles@^4.1.0\" has "
                          "no version"));
}

TEST(ParseYarnLockTest, OverTheSizeCapIsResourceExhausted) {
  std::string big(32 * 1024 * 1024 + 1, '#');
  EXPECT_EQ(ParseYarnLock(big).status().ToString(),
            "yarn.lock is 33554433 bytes, over the cap of 33554432");
}

TEST(ParseYarnLockTest, Berry) {
  auto lock = ParseYarnLock(Lock("yarn-berry.lock"));
  ASSERT_TRUE(lock.ok()) << lock.status().ToString();
  EXPECT_THAT(lock->problems, IsEmpty());
  // Workspaces and soft links are skipped; the alias is left-pad; the
  // patched resolve is the same package as the npm one.
  EXPECT_THAT(Summary(*lock),
              ElementsAre("@types/node@20.11.0 -> undici-types",
                          "chalk@4.1.2 -> ansi-styles supports-color",
                          "lodash@4.17.21", "left-pad@1.3.0",
                          "resolve@1.22.8 -> is-core-module path-parse "
                          "supports-preserve-symlinks-flag"));
}

TEST(ParseYarnLockTest, BerryProblemsAndErrors) {
  auto lock = ParseYarnLock(
      "__metadata:\n  version: 8\n\"a@npm:^1\": 3\n"
      "\"b@npm:^1\":\n  resolution: \"b@npm:1.0.0\"\n"
      "\"c@npm:^1\":\n  version: 1.0.0\n");
  ASSERT_TRUE(lock.ok()) << lock.status().ToString();
  EXPECT_THAT(
      lock->problems,
      ElementsAre("yarn.lock entry \"a@npm:^1\" is not a mapping",
                  "yarn.lock entry \"b@npm:^1\" has no name or version"));
  EXPECT_THAT(Summary(*lock), ElementsAre("c@1.0.0"));
  EXPECT_EQ(ParseYarnLock("__metadata:\n  version: 8\n\"a\": [\n")
                .status()
                .ToString(),
            "yarn.lock is not valid YAML: line 4, column 1: end of sequence "
            "flow not found");
  EXPECT_EQ(
      ParseYarnLock("x\n__metadata:\n").status().ToString(),
      "yarn.lock is not valid YAML: line 2, column 11: illegal map value");
}

TEST(ParsePnpmLockTest, Version5) {
  auto lock = ParsePnpmLock(Lock("pnpm-lock-v5.yaml"));
  ASSERT_TRUE(lock.ok()) << lock.status().ToString();
  EXPECT_THAT(lock->problems, IsEmpty());
  EXPECT_THAT(Summary(*lock),
              ElementsAre("@types/react@18.2.0 dev -> csstype",
                          "is-number@6.0.0", "is-odd@3.0.1 -> is-number",
                          "react-dom@18.2.0 -> loose-envify react scheduler",
                          "kind-of@6.0.3"));
  const LockPackage* odd = Find(*lock, "is-odd", "3.0.1");
  ASSERT_NE(odd, nullptr);
  EXPECT_EQ(
      odd->integrity,
      "sha512-FNtSzNXohGXxj+lt2nPd4IASima+2rMd/JZMcIAiwWoVxCXTha/UdepEDG3Z"
      "hT/U9aLwXVRXSK5HEuCZ6AQewQ==");
  EXPECT_EQ(Find(*lock, "kind-of", "6.0.3")->resolved,
            "https://codeload.github.com/jonschlinkert/kind-of/tar.gz/0c6d4d5");
}

TEST(ParsePnpmLockTest, Version6) {
  auto lock = ParsePnpmLock(Lock("pnpm-lock-v6.yaml"));
  ASSERT_TRUE(lock.ok()) << lock.status().ToString();
  EXPECT_THAT(lock->problems, IsEmpty());
  EXPECT_THAT(Summary(*lock),
              ElementsAre("@types/react@18.2.0 dev -> csstype",
                          "fsevents@2.3.3 optional", "is-number@6.0.0",
                          "is-odd@3.0.1 -> is-number",
                          "react-dom@18.2.0 -> fsevents loose-envify react "
                          "scheduler"));
}

TEST(ParsePnpmLockTest, Version9DependsFromSnapshots) {
  auto lock = ParsePnpmLock(Lock("pnpm-lock-v9.yaml"));
  ASSERT_TRUE(lock.ok()) << lock.status().ToString();
  EXPECT_THAT(lock->problems, IsEmpty());
  EXPECT_THAT(Summary(*lock),
              ElementsAre("@types/react@18.2.0 -> csstype", "is-number@6.0.0",
                          "is-odd@3.0.1 -> is-number", "kind-of@6.0.3",
                          "react-dom@18.2.0 -> loose-envify react scheduler"));
}

TEST(ParsePnpmLockTest, LastDocumentIsTheLockfile) {
  auto lock = ParsePnpmLock(
      "---\nlockfileVersion: '9.0'\nimporters:\n  .:\n    configDependencies: "
      "{}\npackages:\n  pnpm@9.15.0: {resolution: {integrity: sha512-x}}\n"
      "---\nlockfileVersion: '9.0'\npackages:\n  is-odd@3.0.1: {}\n");
  ASSERT_TRUE(lock.ok()) << lock.status().ToString();
  EXPECT_THAT(Summary(*lock), ElementsAre("is-odd@3.0.1"));
}

TEST(ParsePnpmLockTest, ProblemsAndErrors) {
  auto lock = ParsePnpmLock(
      "lockfileVersion: 5.3\npackages:\n  /a/1.0.0: {}\n  /b/2.0.0: 7\n"
      "  /nameonly: {}\n  /@scope: {}\n");
  ASSERT_TRUE(lock.ok()) << lock.status().ToString();
  EXPECT_THAT(
      lock->problems,
      ElementsAre("pnpm-lock.yaml package \"/b/2.0.0\" is not a mapping",
                  "pnpm-lock.yaml package \"/nameonly\" has no name or version",
                  "pnpm-lock.yaml package \"/@scope\" has no name or version"));
  EXPECT_THAT(Summary(*lock), ElementsAre("a@1.0.0"));

  auto err = [](std::string_view text) {
    return ParsePnpmLock(text).status().ToString();
  };
  EXPECT_EQ(err(""), "pnpm-lock.yaml is not a YAML mapping");
  EXPECT_EQ(err("- a\n"), "pnpm-lock.yaml is not a YAML mapping");
  EXPECT_EQ(err("packages: {}\n"),
            "pnpm-lock.yaml has no readable lockfileVersion");
  EXPECT_EQ(err("lockfileVersion: 'x'\n"),
            "pnpm-lock.yaml has no readable lockfileVersion");
  EXPECT_EQ(err("lockfileVersion: '9.0'\npackages: [a]\n"),
            "pnpm-lock.yaml: packages is not a mapping");
  EXPECT_TRUE(ParsePnpmLock("lockfileVersion: '9.0'\n").ok());
  const std::string good = Lock("pnpm-lock-v9.yaml");
  std::string flipped = good;
  flipped[good.find("packages:") + 8] = '[';
  EXPECT_EQ(ParsePnpmLock(flipped).status().code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace strata::catalog::javascript
