#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "testing/test_util.h"
#include "version/version.h"

namespace strata::version {
namespace {

// The oracle: python3-packaging, which is installed for /usr/bin/python3.
constexpr char kPython[] = "/usr/bin/python3";
constexpr char kOracleScript[] = R"(import json, sys
from packaging.version import InvalidVersion, Version
def parse(s):
    try:
        return Version(s)
    except InvalidVersion:
        return None
for line in sys.stdin:
    a, b = json.loads(line)
    va, vb = parse(a), parse(b)
    c = 0
    if va is not None and vb is not None:
        c = (va > vb) - (va < vb)
    print(int(va is not None), int(vb is not None), c)
)";

int Sign(int c) { return c < 0 ? -1 : (c > 0 ? 1 : 0); }

int Cmp(std::string_view a, std::string_view b) {
  Result<int> r = ComparePep440(a, b);
  EXPECT_TRUE(r.ok()) << a << " vs " << b << ": " << r.status().ToString();
  return r.ok() ? Sign(*r) : 99;
}

// Runs `command` with `input` on stdin; its output, or nullopt when it could
// not run or exited non-zero.
std::optional<std::string> RunOracle(const std::string& command,
                                     const std::string& input) {
  std::string in_path = testing::WriteTempFile(input, "pep440_oracle");
  if (in_path.empty()) return std::nullopt;
  int status = 0;
  std::string out = testing::RunCommand(
      command + " < '" + in_path + "' 2>/dev/null", &status);
  unlink(in_path.c_str());
  if (status != 0) return std::nullopt;
  return out;
}

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char esc[8];
      snprintf(esc, sizeof esc, "\\u%04x", c);
      out += esc;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

class Generator {
 public:
  explicit Generator(uint32_t seed) : rng_(seed) {}

  // Narrow versions draw from few values, so that pairs often differ in one
  // part only.
  void set_narrow(bool narrow) { narrow_ = narrow; }

  std::string Version() {
    std::string v;
    if (Chance(5)) v += Pick({" ", "\t", "\n  "});
    if (Chance(10)) v += Pick({"v", "V"});
    if (Chance(15)) v += Pick({"0!", "1!", "2!", "01!", "10!"});
    int parts = 1 + Below(narrow_ ? 2 : 4);
    for (int i = 0; i < parts; ++i) {
      if (i > 0) v += '.';
      v += Number();
    }
    if (Chance(40)) {
      v += Separator();
      v += Pick({"a", "b", "c", "rc", "alpha", "beta", "pre", "preview", "A",
                 "RC", "Alpha", "PREVIEW", "Beta", "C"});
      v += Separator();
      if (Chance(75)) v += Number();
    }
    if (Chance(30)) {
      if (Chance(30)) {
        v += "-" + Number();
      } else {
        v += Separator();
        v += Pick({"post", "rev", "r", "POST", "Rev", "R"});
        v += Separator();
        if (Chance(75)) v += Number();
      }
    }
    if (Chance(30)) {
      v += Separator();
      v += Pick({"dev", "DEV", "Dev"});
      v += Separator();
      if (Chance(75)) v += Number();
    }
    if (Chance(20)) {
      v += '+';
      int n = 1 + Below(narrow_ ? 2 : 3);
      for (int i = 0; i < n; ++i) {
        if (i > 0) v += Pick({".", "-", "_"});
        v += narrow_ ? Pick({"a", "b", "1", "2", "01"})
                     : Pick({"local", "7", "10", "007", "abc", "ubuntu1", "1a",
                             "A", "Z9"});
      }
    }
    if (Chance(5)) v += Pick({" ", "\n", "\t "});
    if (Chance(12)) Mutate(v);
    return v;
  }

 private:
  bool Chance(int percent) { return Below(100) < percent; }
  int Below(int n) {
    return std::uniform_int_distribution<int>(0, n - 1)(rng_);
  }
  std::string Pick(std::initializer_list<const char*> options) {
    return *(options.begin() + Below(static_cast<int>(options.size())));
  }
  std::string Separator() { return Chance(50) ? "" : Pick({".", "-", "_"}); }
  std::string Number() {
    if (narrow_) return Pick({"0", "1", "1", "01"});
    return Pick({"0", "0", "1", "1", "2", "3", "10", "00", "01", "007", "1000",
                 "12345678901234567890", "12345678901234567891"});
  }
  void Mutate(std::string& v) {
    size_t at =
        v.empty() ? 0 : static_cast<size_t>(Below(static_cast<int>(v.size())));
    switch (Below(3)) {
      case 0:
        v.insert(at, Pick({"!", "+", "-", ".", "_", "a", "~", "x", "9", "@",
                           " ", "dev", "post"}));
        break;
      case 1:
        if (!v.empty()) v.erase(at, 1);
        break;
      default:
        if (!v.empty()) v.insert(at, 1, v[at]);
        break;
    }
  }

  std::mt19937 rng_;
  bool narrow_ = false;
};

TEST(ComparePep440Test, OrdersKnownCases) {
  // Spellings that normalise to the same version.
  EXPECT_EQ(Cmp("1.0.post1", "1.0-1"), 0);
  EXPECT_EQ(Cmp("1.0-r1", "1.0.post1"), 0);
  EXPECT_EQ(Cmp("1.0rev", "1.0.post0"), 0);
  EXPECT_EQ(Cmp("1.0c1", "1.0rc1"), 0);
  EXPECT_EQ(Cmp("1.0-preview.2", "1.0rc2"), 0);
  EXPECT_EQ(Cmp("1.0.ALPHA", "1.0a0"), 0);
  EXPECT_EQ(Cmp("1.0_beta-3", "1.0b3"), 0);
  EXPECT_EQ(Cmp("1.0-dev", "1.0.dev0"), 0);
  EXPECT_EQ(Cmp("V1.0", "1.0"), 0);
  EXPECT_EQ(Cmp(" 1.0\n", "1.0.0"), 0);
  EXPECT_EQ(Cmp("\x1c"
                "1.0\v\x1f",
                "1.0"),
            0);  // Python's \s
  EXPECT_EQ(Cmp("0!1.0", "1"), 0);
  EXPECT_EQ(Cmp("1.01", "1.1"), 0);
  EXPECT_EQ(Cmp("1.0+007", "1.0+7"), 0);
  EXPECT_EQ(Cmp("1.0+ABC-1", "1.0+abc.1"), 0);
  // dev < a < b < rc < final < post; dev of each sorts before it.
  EXPECT_EQ(Cmp("1.0.dev1", "1.0a1"), -1);
  EXPECT_EQ(Cmp("1.0a1.dev2", "1.0a1"), -1);
  EXPECT_EQ(Cmp("1.0a1.dev2", "1.0a0"), 1);
  EXPECT_EQ(Cmp("1.0a2", "1.0b1"), -1);
  EXPECT_EQ(Cmp("1.0b2", "1.0rc1"), -1);
  EXPECT_EQ(Cmp("1.0rc9", "1.0"), -1);
  EXPECT_EQ(Cmp("1.0", "1.0.post0"), -1);
  EXPECT_EQ(Cmp("1.0.post1.dev3", "1.0.post1"), -1);
  EXPECT_EQ(Cmp("1.0.post1.dev3", "1.0"), 1);
  EXPECT_EQ(Cmp("1.0a1.post1", "1.0a2.dev0"), -1);
  EXPECT_EQ(Cmp("1.0.dev1", "0.9.post9"), 1);
  // Epochs win over everything; release compares numerically.
  EXPECT_EQ(Cmp("1!0.1", "2.0"), 1);
  EXPECT_EQ(Cmp("1.10", "1.9"), 1);
  EXPECT_EQ(Cmp("12345678901234567891", "12345678901234567890"), 1);
  // Local versions: none < any; numbers after strings, numerically.
  EXPECT_EQ(Cmp("1.0+local.7", "1.0+local.10"), -1);
  EXPECT_EQ(Cmp("1.0", "1.0+0"), -1);
  EXPECT_EQ(Cmp("1.0+abc", "1.0+1"), -1);
  EXPECT_EQ(Cmp("1.0+abc", "1.0+abc.0"), -1);
  EXPECT_EQ(Cmp("1.0+b", "1.0+abc"), 1);
  EXPECT_EQ(Cmp("1.0+zzz", "1.0.post1"), -1);
}

TEST(ComparePep440Test, RejectsInvalidVersions) {
  for (std::string_view bad : {"",
                               " ",
                               "1.0.",
                               ".1",
                               "a",
                               "1.0+",
                               "1.0+a..b",
                               "1.0+a_",
                               "1.0 a1",
                               "1.0-",
                               "1!",
                               "!1.0",
                               "1.0++a",
                               "1.0a1a",
                               "1.0.dev1.post1",
                               "1.0.post1.a1",
                               "1.0-1-1",
                               "vv1.0",
                               "1.0~1",
                               "1,0",
                               "1.0\x01",
                               "1.0+loc\xc3\xa9"}) {
    Result<int> r = ComparePep440(bad, "1.0");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().message(),
              "invalid pep440 version \"" + std::string(bad) + "\"");
    EXPECT_FALSE(ComparePep440("1.0", bad).ok()) << bad;
  }
}

TEST(ComparePep440Test, AcceptsPackagingQuirks) {
  // A separator after the letter without a number is allowed by the regex.
  EXPECT_EQ(Cmp("1.0a.", "1.0a0"), 0);
  EXPECT_EQ(Cmp("1.0a--1", "1.0a0.post1"), 0);
  EXPECT_EQ(Cmp("1.0a-1", "1.0a1"), 0);
  EXPECT_EQ(Cmp("1.0.post-dev_", "1.0.post0.dev0"), 0);
}

TEST(ComparePep440Test, CapsLength) {
  std::string longest = "1" + std::string(kMaxVersionLength - 1, '0');
  EXPECT_EQ(Cmp(longest, longest), 0);
  std::string too_long = longest + "0";
  Result<int> r = ComparePep440(too_long, "1.0");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "invalid pep440 version \"" + too_long.substr(0, 100) + "\"");
  std::string many_parts = "1";
  while (many_parts.size() + 2 <= kMaxVersionLength) many_parts += ".0";
  EXPECT_EQ(Cmp(many_parts, "1"), 0);
  EXPECT_FALSE(ComparePep440(many_parts + ".0", "1").ok());
}

TEST(ComparePep440Test, MatchesPackagingOnGeneratedVersions) {
  if (access(kPython, X_OK) != 0) {
    GTEST_SKIP() << kPython << " is absent: no packaging oracle";
  }
  std::string script = testing::WriteTempFile(kOracleScript, "pep440_oracle");
  ASSERT_FALSE(script.empty());
  Generator gen(440);
  std::vector<std::pair<std::string, std::string>> pairs;
  for (int i = 0; i < 4000; ++i) {
    gen.set_narrow(i % 2 == 1);
    std::string a = gen.Version();
    pairs.emplace_back(a, i % 4 == 0 ? a : gen.Version());
  }
  std::string input;
  for (const auto& [a, b] : pairs) {
    input += "[" + JsonString(a) + "," + JsonString(b) + "]\n";
  }
  std::optional<std::string> out =
      RunOracle(std::string(kPython) + " '" + script + "'", input);
  unlink(script.c_str());
  if (!out)
    GTEST_SKIP() << "packaging.version is not importable by " << kPython;
  std::istringstream lines(*out);
  int valid_pairs = 0, invalid = 0, mismatches = 0;
  for (const auto& [a, b] : pairs) {
    int valid_a = 0, valid_b = 0, want = 0;
    ASSERT_TRUE(lines >> valid_a >> valid_b >> want) << "short oracle output";
    Result<int> got = ComparePep440(a, b);
    bool both_valid = valid_a == 1 && valid_b == 1;
    if (!both_valid) ++invalid;
    if (both_valid) ++valid_pairs;
    if (got.ok() != both_valid || (got.ok() && Sign(*got) != want)) {
      ++mismatches;
      ADD_FAILURE() << "\"" << a << "\" vs \"" << b << "\": packaging says "
                    << (both_valid ? std::to_string(want) : "invalid")
                    << ", we say "
                    << (got.ok() ? std::to_string(Sign(*got))
                                 : got.status().ToString());
    }
    if (mismatches > 20) break;
  }
  // The generator must exercise both outcomes substantially.
  EXPECT_GT(valid_pairs, 2000);
  EXPECT_GT(invalid, 300);
}

TEST(ComparePep440Test, IsAntisymmetricOnRandomInput) {
  // Generated versions, a third of them with one byte replaced by any byte.
  Generator gen(1);
  std::mt19937 rng(1);
  auto random_version = [&] {
    std::string v = gen.Version();
    if (!v.empty() && std::uniform_int_distribution<int>(0, 2)(rng) == 0) {
      v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng)] =
          static_cast<char>(std::uniform_int_distribution<int>(0, 255)(rng));
    }
    return v;
  };
  int valid = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string a = random_version(), b = random_version();
    Result<int> ab = ComparePep440(a, b);
    Result<int> ba = ComparePep440(b, a);
    ASSERT_EQ(ab.ok(), ba.ok()) << a << " vs " << b;
    if (!ab.ok()) continue;
    ++valid;
    ASSERT_EQ(Sign(*ab), -Sign(*ba)) << a << " vs " << b;
    ASSERT_EQ(*ComparePep440(a, a), 0) << a;
  }
  EXPECT_GT(valid, 1000);
}

}  // namespace
}  // namespace strata::version
