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
#include "version/version_test_util.h"

namespace strata::version {
namespace {

int Cmp(std::string_view a, std::string_view b) {
  Result<int> r = CompareComposer(a, b);
  EXPECT_TRUE(r.ok()) << a << " vs " << b << ": " << r.status().ToString();
  return r.ok() ? *r : 0;
}

TEST(CompareComposer, OrdersStabilities) {
  // dev < alpha < beta < RC < stable < patch, then the next release.
  const std::vector<std::string> ordered = {
      "dev-feature",  "dev-main",   "0.1",         "1.0.0-dev",
      "1.0.0-alpha1", "1.0.0-beta", "1.0.0-beta2", "1.0.0-beta10",
      "1.0.0-RC1",    "1.0.0",      "1.0.0-p1",    "1.0.0-pl2",
      "1.0.1",        "1.1.x-dev",  "2.0",         "20100102",
  };
  for (size_t i = 0; i < ordered.size(); ++i) {
    for (size_t j = 0; j < ordered.size(); ++j) {
      int want = i < j ? -1 : (i > j ? 1 : 0);
      EXPECT_EQ(Cmp(ordered[i], ordered[j]), want)
          << ordered[i] << " vs " << ordered[j];
    }
  }
}

TEST(CompareComposer, NormalisesBeforeComparing) {
  EXPECT_EQ(Cmp("v1.2", "1.2.0.0"), 0);
  EXPECT_EQ(Cmp("1.0.0-beta2", "1.0.0.0-beta2"), 0);
  EXPECT_EQ(Cmp("1.0-RC1", "1.0.0.0-rc1"), 0);
  EXPECT_EQ(Cmp("1.0.0-p1", "1.0.0-patch1"), 0);
  EXPECT_EQ(Cmp("1.0.0-a1", "1.0.0-alpha1"), 0);
  EXPECT_EQ(Cmp("1.0.0b2", "1.0.0-BETA2"), 0);
  EXPECT_EQ(Cmp("1.0 as 2.0", "1.0.0"), 0);  // the alias is dropped
  EXPECT_EQ(Cmp("1.0@dev", "1.0"), 0);       // and the stability flag
  EXPECT_EQ(Cmp("1.0.0+build.5", "1.0.0"), 0);
  EXPECT_EQ(Cmp("1.0.0-stable", "1.0.0"), 0);
  EXPECT_EQ(Cmp("master", "dev-master"), 0);
  EXPECT_EQ(Cmp("DEV-foo", "dev-foo"), 0);
  EXPECT_EQ(Cmp("1.x-dev", "1.9999999.9999999.9999999-dev"), 0);
  EXPECT_EQ(Cmp("v3.*-dev", "3.x-dev"), 0);
  EXPECT_EQ(Cmp("2010-01-02", "2010:01:02"), 0);
  EXPECT_EQ(Cmp("1.0.0-beta.1.2", "1.0.0-beta1.2"), 0);
}

TEST(CompareComposer, OrdersBranches) {
  // version_compare finds dev-main and dev-master equal; strata orders
  // different branch names bytewise to stay total.
  EXPECT_EQ(Cmp("dev-main", "dev-master"), -1);
  EXPECT_EQ(Cmp("dev-master", "dev-main"), 1);
  EXPECT_EQ(Cmp("dev-main", "dev-main"), 0);
  EXPECT_EQ(Cmp("dev-10", "dev-9"), 1);  // version_compare decides first
  EXPECT_EQ(Cmp("dev-zzz", "0.0.0-dev"), -1);
}

TEST(CompareComposer, KeepsComposerQuirks) {
  // "STABLE" is not spelled "stable", so it stays a word version_compare
  // does not know, below dev.
  EXPECT_EQ(Cmp("1.0.0-STABLE", "1.0.0-dev"), -1);
  // "-stable" wins over "-dev".
  EXPECT_EQ(Cmp("1.0.0-stable-dev", "1.0.0"), 0);
  // "b" then "dev": beta-dev, below beta.
  EXPECT_EQ(Cmp("1.0.0-bdev", "1.0.0-beta"), -1);
  // A six-digit number is a date, not a major version.
  EXPECT_EQ(Cmp("123456", "99999"), 1);
  // "2010.01.02" is a classical version (2010.01.02.0), one part longer
  // than the date 2010-01-02 (2010.01.02).
  EXPECT_EQ(Cmp("2010-01-02", "2010.01.02"), -1);
  // Numbers saturate like strtol.
  EXPECT_EQ(Cmp("1.99999999999999999999", "1.99999999999999999998"), 0);
}

TEST(CompareComposer, RejectsInvalidVersions) {
  for (const std::string& bad :
       std::vector<std::string>{"",
                                " ",
                                "foo",
                                "1.0.0.0.0",
                                "12345678901234567890",
                                "1.0-foo",
                                "1.0-1",
                                "x-dev",
                                "foo-dev",
                                "1..0",
                                "1.0,1",
                                "1.0+",
                                "-1",
                                "1.0 as",
                                "@dev",
                                "1.0\n",
                                "1.0\t1",
                                "dev-\x01",
                                "1.0-betaa",
                                std::string("1.0\0", 4)}) {
    Result<int> r = CompareComposer("1.0", bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status(),
              InvalidArgumentError("invalid composer version \"" + bad + "\""));
  }
}

TEST(CompareComposer, CapsTheLength) {
  std::string at_cap = "dev-" + std::string(kMaxVersionLength - 4, 'a');
  ASSERT_EQ(at_cap.size(), kMaxVersionLength);
  EXPECT_EQ(Cmp(at_cap, "1.0"), -1);
  std::string over = at_cap + "a";
  EXPECT_EQ(CompareComposer(over, "1.0").status(),
            InvalidArgumentError("invalid composer version \"" +
                                 over.substr(0, 100) + "\""));
}

// --- composer/semver under PHP is the oracle ---------------------------------

constexpr char kAutoload[] = "/usr/share/php/Composer/Semver/autoload.php";

std::string RandomVersion(std::mt19937& rng) {
  auto pick = [&rng](const auto& options) {
    return std::string(options[rng() % options.size()]);
  };
  constexpr std::array<const char*, 9> kNumbers = {
      "0", "1", "2", "3", "9", "10", "01", "00", "12345"};
  constexpr std::array<const char*, 24> kModifiers = {
      "",      "",        "",           "-alpha", "-a1",     "-beta2",
      "-b",    "-RC1",    "-rc.2",      "RC3",    "-patch1", "-pl2",
      "-p3",   "-dev",    "-beta1-dev", ".dev",   "-stable", "alpha.1.2",
      "-BETA", "-Alpha3", "_rc1",       "-p",     "b-1-2",   "-STABLE"};
  constexpr std::array<const char*, 22> kOthers = {
      "dev-main",     "dev-master",      "master",     "trunk",
      "default",      "dev-feature/x",   "dev-1.x",    "DEV-foo",
      "1.x-dev",      "2.0.x-dev",       "v3.*-dev",   "1.2.3.x-dev",
      "1.2.X-DEV",    "20100102",        "2010-01-02", "2010.01.02.5",
      "201001021530", "2010-01-02-beta", "1.0 as 2.0", "dev-main as 1.0",
      "1.0.0.0.0",    "foo-dev"};
  constexpr std::array<const char*, 7> kSuffixes = {
      "", "", "", "+build", "@dev", "@stable", "+1.2"};
  if (rng() % 6 == 0) return pick(kOthers);
  std::string v = pick(std::array<const char*, 5>{"", "", "", "v", "V"});
  v += pick(kNumbers);
  int parts = rng() % 4;
  for (int i = 0; i < parts; ++i) v += "." + pick(kNumbers);
  v += pick(kModifiers) + pick(kSuffixes);
  return v;
}

std::string Shell(const std::string& cmd) {
  int status = 0;
  std::string out = testing::RunCommand(cmd, &status);
  EXPECT_EQ(status, 0) << cmd;
  return out;
}

// version_compare over the normalised forms, with strata's bytewise order
// between two different branches (Composer leaves those unordered).
constexpr char kPhpOracle[] = R"(<?php
require '/usr/share/php/Composer/Semver/autoload.php';
$parser = new Composer\Semver\VersionParser();
$norm = function ($v) use ($parser) {
  try { return $parser->normalize($v); } catch (\Exception $e) { return null; }
};
foreach (file($argv[1], FILE_IGNORE_NEW_LINES) as $line) {
  [$a, $b] = explode("\t", $line, 2);
  $na = $norm($a);
  $nb = $norm($b);
  if ($na === null || $nb === null) { echo "E\n"; continue; }
  $c = version_compare($na, $nb);
  if ($c == 0 && $na !== $nb && strpos($na, 'dev-') === 0 &&
      strpos($nb, 'dev-') === 0) {
    $c = strcmp($na, $nb) < 0 ? -1 : 1;
  }
  echo $c, "\n";
}
)";

TEST(CompareComposer, AgreesWithComposerSemver) {
  if (::access("/usr/bin/php", X_OK) != 0 || ::access(kAutoload, R_OK) != 0) {
    GTEST_SKIP() << "php or composer/semver (" << kAutoload << ") absent";
  }
  std::mt19937 rng(20240602);
  std::vector<std::string> pool;
  for (int i = 0; i < 500; ++i) pool.push_back(RandomVersion(rng));
  std::vector<std::pair<std::string, std::string>> pairs;
  for (int i = 0; i < 30000; ++i) {
    pairs.emplace_back(pool[rng() % pool.size()], pool[rng() % pool.size()]);
  }
  std::string dir = ::testing::TempDir();
  std::string pid = std::to_string(::getpid());
  std::string script = dir + "/composer_oracle_" + pid + ".php";
  std::string data = dir + "/composer_pairs_" + pid + ".tsv";
  std::ofstream(script) << kPhpOracle;
  {
    std::ofstream out(data);
    for (const auto& [a, b] : pairs) out << a << '\t' << b << '\n';
  }
  std::istringstream lines(Shell("php " + script + " " + data));
  std::remove(script.c_str());
  std::remove(data.c_str());
  int checked = 0;
  int invalid = 0;
  int equal = 0;
  for (const auto& [a, b] : pairs) {
    std::string want;
    ASSERT_TRUE(std::getline(lines, want)) << "oracle output ends early";
    Result<int> got = CompareComposer(a, b);
    if (want == "E") {
      EXPECT_FALSE(got.ok()) << a << " vs " << b << ": Composer rejects";
      ++invalid;
    } else {
      ASSERT_TRUE(got.ok())
          << a << " vs " << b << ": " << got.status().ToString();
      EXPECT_EQ(*got, std::stoi(want)) << a << " vs " << b;
      equal += *got == 0;
    }
    ++checked;
  }
  EXPECT_EQ(checked, 30000);
  EXPECT_GT(invalid, 100);          // invalid versions reach the oracle
  EXPECT_LT(invalid, checked / 2);  // most pairs are compared
  EXPECT_GT(equal, 100);            // and some normalise to equal
}

TEST(CompareComposer, IsReflexiveAndAntisymmetricOnRandomInput) {
  test::ExpectReflexiveAndAntisymmetric(CompareComposer,
                                        "0123456789.-+_@ vxabdeplrtc", 9);
}

}  // namespace
}  // namespace strata::version
