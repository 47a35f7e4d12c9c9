#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "testing/test_util.h"
#include "version/version.h"

namespace strata::version {
namespace {

int Cmp(std::string_view a, std::string_view b) {
  Result<int> r = CompareSemver(a, b);
  EXPECT_TRUE(r.ok()) << a << " vs " << b << ": " << r.status().ToString();
  return r.ok() ? *r : 0;
}

TEST(CompareSemver, OrdersTheSpecExample) {
  // semver.org section 11, in ascending order.
  const std::vector<std::string> ordered = {
      "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta",
      "1.0.0-beta",  "1.0.0-beta.2",  "1.0.0-beta.11",
      "1.0.0-rc.1",  "1.0.0",         "2.0.0",
      "2.1.0",       "2.1.1",         "10.0.0"};
  for (size_t i = 0; i < ordered.size(); ++i) {
    for (size_t j = 0; j < ordered.size(); ++j) {
      int want = i < j ? -1 : (i > j ? 1 : 0);
      EXPECT_EQ(Cmp(ordered[i], ordered[j]), want)
          << ordered[i] << " vs " << ordered[j];
    }
  }
}

TEST(CompareSemver, IgnoresBuildMetadataAndLeadingV) {
  EXPECT_EQ(Cmp("1.0.0+build.1", "1.0.0+build.2"), 0);
  EXPECT_EQ(Cmp("1.0.0-rc.1+001", "1.0.0-rc.1"), 0);
  EXPECT_EQ(Cmp("v1.2.3", "1.2.3"), 0);
  EXPECT_EQ(Cmp("v1.2.3-beta+exp.sha.5114f85", "1.2.3-beta"), 0);
  EXPECT_EQ(Cmp("1.0.0+zzz", "1.0.1+aaa"), -1);
}

TEST(CompareSemver, ComparesIdentifiers) {
  EXPECT_EQ(Cmp("1.0.0-2", "1.0.0-10"), -1);    // numerically
  EXPECT_EQ(Cmp("1.0.0-10", "1.0.0-a"), -1);    // numeric below alphanumeric
  EXPECT_EQ(Cmp("1.0.0-0a", "1.0.0-1"), 1);     // 0a is alphanumeric
  EXPECT_EQ(Cmp("1.0.0-B", "1.0.0-a"), -1);     // ASCII order, case matters
  EXPECT_EQ(Cmp("1.0.0--", "1.0.0-0"), 1);      // "-" is alphanumeric
  EXPECT_EQ(Cmp("1.0.0-a.b", "1.0.0-a"), 1);    // longer list after a prefix
  EXPECT_EQ(Cmp("1.0.0-a-b", "1.0.0-a.b"), 1);  // '-' inside an identifier
}

TEST(CompareSemver, ComparesNumbersOfAnyLength) {
  EXPECT_EQ(Cmp("1.0.99999999999999999999", "1.0.99999999999999999998"), 1);
  EXPECT_EQ(Cmp("123456789012345678901234567890.0.0", "9.0.0"), 1);
  EXPECT_EQ(Cmp("1.0.0-99999999999999999999", "1.0.0-100000000000000000000"),
            -1);
}

TEST(CompareSemver, RejectsInvalidVersions) {
  for (const std::string& bad : std::vector<std::string>{
           "",        "v",          "1",          "1.2",
           "1.2.3.4", "01.2.3",     "1.02.3",     "1.2.03",
           "1.2.3-",  "1.2.3-01",   "1.2.3-a..b", "1.2.3-a.",
           "1.2.3+",  "1.2.3+a..b", "1.2.3-a_b",  "1.2.3+a+b",
           "V1.2.3",  "vv1.2.3",    " 1.2.3",     "1.2.3 ",
           "=1.2.3",  "1.2.x",      "1.2.3-é",    std::string("1.2.3\0", 6),
           "-1.2.3",  "1.-2.3"}) {
    Result<int> r = CompareSemver(bad, "1.0.0");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status(),
              InvalidArgumentError("invalid semver version \"" + bad + "\""));
  }
}

TEST(CompareSemver, NamesTheInvalidSide) {
  EXPECT_EQ(CompareSemver("1.0.0", "1.0").status(),
            InvalidArgumentError("invalid semver version \"1.0\""));
  EXPECT_EQ(CompareSemver("x", "y").status(),
            InvalidArgumentError("invalid semver version \"x\""));
}

TEST(CompareSemver, CapsTheLength) {
  std::string at_cap = "1.0.0-" + std::string(kMaxVersionLength - 6, 'a');
  ASSERT_EQ(at_cap.size(), kMaxVersionLength);
  EXPECT_EQ(Cmp(at_cap, "1.0.0"), -1);
  std::string over = at_cap + "a";
  EXPECT_EQ(CompareSemver("1.0.0", over).status(),
            InvalidArgumentError("invalid semver version \"" +
                                 over.substr(0, 100) + "\""));
}

// --- node-semver is the oracle ----------------------------------------------

std::string RandomVersion(std::mt19937& rng) {
  auto pick = [&rng](const auto& options) {
    return std::string(options[rng() % options.size()]);
  };
  constexpr std::array<const char*, 9> kNumbers = {
      "0", "1", "2", "3", "9", "10", "11", "100", "4294967296"};
  constexpr std::array<const char*, 16> kIdentifiers = {
      "alpha", "beta", "rc", "a",  "b", "0",   "1",     "2",
      "10",    "11",   "0a", "a0", "-", "x-y", "ALPHA", "Beta"};
  constexpr std::array<const char*, 5> kBuilds = {
      "build.1", "001", "exp.sha.5114f85", "a-b", "0"};
  // Mutations that make a version invalid (or, for some, still valid).
  constexpr std::array<const char*, 8> kJunk = {"01", "",  "_", "a..b",
                                                "+",  "-", ".", "v"};
  std::string v = (rng() % 5 == 0) ? "v" : "";
  v += pick(kNumbers) + "." + pick(kNumbers) + "." + pick(kNumbers);
  if (rng() % 2) {
    int n = 1 + rng() % 3;
    for (int i = 0; i < n; ++i) v += (i ? "." : "-") + pick(kIdentifiers);
  }
  if (rng() % 5 == 0) v += "+" + pick(kBuilds);
  if (rng() % 12 == 0) {
    v.insert(rng() % (v.size() + 1), pick(kJunk));
  }
  return v;
}

std::string Shell(const std::string& cmd) {
  int status = 0;
  std::string out = testing::RunCommand(cmd, &status);
  EXPECT_EQ(status, 0) << cmd;
  return out;
}

constexpr char kNodeOracle[] = R"(
const semver = require('semver');
const lines = require('fs').readFileSync(process.argv[2], 'utf8').split('\n');
const out = [];
for (const line of lines) {
  if (line === '') continue;
  const [a, b] = line.split('\t');
  if (semver.valid(a) === null || semver.valid(b) === null) {
    out.push('E');
  } else {
    out.push(String(semver.compare(a, b)));
  }
}
process.stdout.write(out.join('\n') + '\n');
)";

TEST(CompareSemver, AgreesWithNodeSemver) {
  if (::access("/usr/bin/node", X_OK) != 0 ||
      ::access("/usr/share/nodejs/semver/package.json", R_OK) != 0) {
    GTEST_SKIP() << "node or node-semver (/usr/share/nodejs/semver) absent";
  }
  std::mt19937 rng(20240601);
  std::vector<std::string> pool;
  for (int i = 0; i < 400; ++i) pool.push_back(RandomVersion(rng));
  std::vector<std::pair<std::string, std::string>> pairs;
  for (int i = 0; i < 20000; ++i) {
    pairs.emplace_back(pool[rng() % pool.size()], pool[rng() % pool.size()]);
  }
  std::string dir = ::testing::TempDir();
  std::string script =
      dir + "/semver_oracle_" + std::to_string(::getpid()) + ".js";
  std::string data =
      dir + "/semver_pairs_" + std::to_string(::getpid()) + ".tsv";
  std::ofstream(script) << kNodeOracle;
  {
    std::ofstream out(data);
    for (const auto& [a, b] : pairs) out << a << '\t' << b << '\n';
  }
  std::istringstream lines(
      Shell("NODE_PATH=/usr/share/nodejs node " + script + " " + data));
  std::remove(script.c_str());
  std::remove(data.c_str());
  int checked = 0;
  int invalid = 0;
  for (const auto& [a, b] : pairs) {
    std::string want;
    ASSERT_TRUE(std::getline(lines, want)) << "oracle output ends early";
    Result<int> got = CompareSemver(a, b);
    if (want == "E") {
      EXPECT_FALSE(got.ok()) << a << " vs " << b << ": node-semver rejects";
      ++invalid;
    } else {
      ASSERT_TRUE(got.ok())
          << a << " vs " << b << ": " << got.status().ToString();
      EXPECT_EQ(*got, std::stoi(want)) << a << " vs " << b;
    }
    ++checked;
  }
  EXPECT_EQ(checked, 20000);
  EXPECT_GT(invalid, 100);          // the junk mutations reach the oracle
  EXPECT_LT(invalid, checked / 2);  // most pairs are compared
}

}  // namespace
}  // namespace strata::version
