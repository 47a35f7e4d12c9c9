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

// The oracle: Ruby's own Gem::Version.
constexpr char kRuby[] = "/usr/bin/ruby";
constexpr char kOracleScript[] = R"(require "json"
def parse(s)
  Gem::Version.correct?(s) ? Gem::Version.new(s) : nil
rescue ArgumentError
  nil
end
STDIN.each_line do |line|
  a, b = JSON.parse(line)
  va, vb = parse(a), parse(b)
  c = va && vb ? (va <=> vb) : 0
  puts "#{va ? 1 : 0} #{vb ? 1 : 0} #{c}"
end
)";

int Sign(int c) { return c < 0 ? -1 : (c > 0 ? 1 : 0); }

int Cmp(std::string_view a, std::string_view b) {
  Result<int> r = CompareRubyGems(a, b);
  EXPECT_TRUE(r.ok()) << a << " vs " << b << ": " << r.status().ToString();
  return r.ok() ? Sign(*r) : 99;
}

// Runs `command` with `input` on stdin; its output, or nullopt when it could
// not run or exited non-zero.
std::optional<std::string> RunOracle(const std::string& command,
                                     const std::string& input) {
  std::string in_path = testing::WriteTempFile(input, "rubygems_oracle");
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
  // segment only.
  void set_narrow(bool narrow) { narrow_ = narrow; }

  // Release segments, then maybe letters ("1.0.a", "1.0.0.pre1", "1.0rc2")
  // or a '-' prerelease, with the odd mutation that makes it invalid.
  std::string Version() {
    std::string v;
    if (Chance(5)) v += Pick({" ", "\t", "\n "});
    v += Number();
    int parts = Below(4);
    for (int i = 0; i < parts; ++i) v += "." + Segment();
    if (Chance(25)) {
      v += "-" + Segment();
      if (Chance(30)) v += "-" + Segment();
      if (Chance(30)) v += "." + Segment();
    }
    if (Chance(5)) v += Pick({" ", "\r\n", "\v"});
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
  std::string Number() {
    if (narrow_) return Pick({"0", "1", "1", "01"});
    return Pick({"0", "0", "1", "1", "2", "3", "10", "00", "01", "1000",
                 "12345678901234567890", "12345678901234567891"});
  }
  std::string Segment() {
    if (Chance(60)) return Number();
    if (narrow_) return Pick({"a", "b", "A"});
    return Pick({"a", "b", "pre", "rc", "alpha", "beta", "A", "Pre", "z",
                 "pre1", "rc2", "0a", "1b2", "beta3"});
  }
  void Mutate(std::string& v) {
    size_t at = static_cast<size_t>(Below(static_cast<int>(v.size())));
    switch (Below(3)) {
      case 0:
        v.insert(at, Pick({".", "-", "_", "a", "+", " ", "~", "9", ".."}));
        break;
      case 1:
        v.erase(at, 1);
        break;
      default:
        v.insert(at, 1, v[at]);
        break;
    }
  }

  std::mt19937 rng_;
  bool narrow_ = false;
};

TEST(CompareRubyGemsTest, OrdersKnownCases) {
  // Letters make prereleases, which sort before the release.
  EXPECT_EQ(Cmp("1.0.a", "1.0"), -1);
  EXPECT_EQ(Cmp("1.0.0.pre1", "1.0.0"), -1);
  EXPECT_EQ(Cmp("1.0.0.pre1", "1.0.0.pre2"), -1);
  EXPECT_EQ(Cmp("1.0.0.rc1", "1.0.0.pre1"), 1);
  EXPECT_EQ(Cmp("1.0rc1", "1.0.rc.1"), 0);
  EXPECT_EQ(Cmp("1.0.b1", "1.0.a2"), 1);
  EXPECT_EQ(Cmp("1.0.a", "0.9"), 1);
  // '-' reads as ".pre.".
  EXPECT_EQ(Cmp("1.0-1", "1.0.pre.1"), 0);
  EXPECT_EQ(Cmp("1.0-rc1", "1.0"), -1);
  // Trailing zeros drop from the release and from the prerelease part.
  EXPECT_EQ(Cmp("1.0.0", "1"), 0);
  EXPECT_EQ(Cmp("1.0.a.0", "1.0.a"), 0);
  EXPECT_EQ(Cmp("1.a", "1.0.a"), 0);
  EXPECT_EQ(Cmp("1.0.a.0.b", "1.0.a.b"), 1);  // 0 vs "b": numbers win
  // Numbers by value, strings bytewise (case matters).
  EXPECT_EQ(Cmp("1.10", "1.9"), 1);
  EXPECT_EQ(Cmp("1.010", "1.10"), 0);
  EXPECT_EQ(Cmp("12345678901234567891", "12345678901234567890"), 1);
  EXPECT_EQ(Cmp("1.A", "1.a"), -1);
  // Blank is "0"; surrounding whitespace is ignored.
  EXPECT_EQ(Cmp("", "0"), 0);
  EXPECT_EQ(Cmp(" \t", "0.0"), 0);
  EXPECT_EQ(Cmp(" 1.0\n", "1"), 0);
}

TEST(CompareRubyGemsTest, RejectsInvalidVersions) {
  for (std::string_view bad :
       {"1a", "a", "a.1", "1..0", "1.", "-1", "1-", "1-a.", "1_0", "1 0",
        "1.0+1", "1.0-a..b", "v1.0", "1.0.\xc3\xa9", ".1", "1.0~rc"}) {
    Result<int> r = CompareRubyGems(bad, "1.0");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().message(),
              "invalid rubygems version \"" + std::string(bad) + "\"");
    EXPECT_FALSE(CompareRubyGems("1.0", bad).ok()) << bad;
  }
  // A NUL inside is no whitespace either.
  EXPECT_FALSE(CompareRubyGems(std::string("1\0", 2), "1").ok());
}

TEST(CompareRubyGemsTest, AcceptsPatternEdges) {
  EXPECT_EQ(Cmp("1.0a", "1.0.a"), 0);  // letters after a '.' are allowed
  EXPECT_EQ(Cmp("1--", "1.pre.pre"), 0);
  EXPECT_EQ(Cmp("1.0-a.b-c", "1.0.pre.a.b.pre.c"), 0);
  EXPECT_EQ(Cmp("\v1\f", "1"), 0);
}

TEST(CompareRubyGemsTest, CapsLength) {
  std::string longest = "1";
  while (longest.size() + 2 <= kMaxVersionLength) longest += ".a";
  longest.resize(kMaxVersionLength, 'b');  // "...a.ab"
  EXPECT_EQ(Cmp(longest, longest), 0);
  EXPECT_EQ(Cmp(longest, "1"), -1);
  std::string too_long = longest + "c";
  ASSERT_EQ(too_long.size(), kMaxVersionLength + 1);
  Result<int> r = CompareRubyGems("1", too_long);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "invalid rubygems version \"" + too_long.substr(0, 100) + "\"");
}

TEST(CompareRubyGemsTest, MatchesGemVersionOnGeneratedVersions) {
  if (access(kRuby, X_OK) != 0) {
    GTEST_SKIP() << kRuby << " is absent: no Gem::Version oracle";
  }
  std::string script = testing::WriteTempFile(kOracleScript, "rubygems_oracle");
  ASSERT_FALSE(script.empty());
  Generator gen(7);
  std::vector<std::pair<std::string, std::string>> pairs;
  for (int i = 0; i < 4000; ++i) {
    gen.set_narrow(i % 2 == 1);
    std::string a = gen.Version();
    pairs.emplace_back(a, i % 4 == 0 ? a + ".0" : gen.Version());
  }
  std::string input;
  for (const auto& [a, b] : pairs) {
    input += "[" + JsonString(a) + "," + JsonString(b) + "]\n";
  }
  std::optional<std::string> out =
      RunOracle(std::string(kRuby) + " '" + script + "'", input);
  unlink(script.c_str());
  if (!out) GTEST_SKIP() << kRuby << " could not run the Gem::Version oracle";
  std::istringstream lines(*out);
  int valid_pairs = 0, invalid = 0, equal = 0, mismatches = 0;
  for (const auto& [a, b] : pairs) {
    int valid_a = 0, valid_b = 0, want = 0;
    ASSERT_TRUE(lines >> valid_a >> valid_b >> want) << "short oracle output";
    Result<int> got = CompareRubyGems(a, b);
    bool both_valid = valid_a == 1 && valid_b == 1;
    if (both_valid) {
      ++valid_pairs;
      if (want == 0) ++equal;
    } else {
      ++invalid;
    }
    if (got.ok() != both_valid || (got.ok() && Sign(*got) != want)) {
      ++mismatches;
      ADD_FAILURE() << "\"" << a << "\" vs \"" << b << "\": Gem::Version says "
                    << (both_valid ? std::to_string(want) : "invalid")
                    << ", we say "
                    << (got.ok() ? std::to_string(Sign(*got))
                                 : got.status().ToString());
    }
    if (mismatches > 20) break;
  }
  // The generator must exercise every outcome substantially.
  EXPECT_GT(valid_pairs, 2500);
  EXPECT_GT(invalid, 300);
  EXPECT_GT(equal, 500);
}

TEST(CompareRubyGemsTest, IsAntisymmetricOnRandomInput) {
  // Generated versions, a third of them with one byte replaced by any byte.
  Generator gen(3);
  std::mt19937 rng(3);
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
    Result<int> ab = CompareRubyGems(a, b);
    Result<int> ba = CompareRubyGems(b, a);
    ASSERT_EQ(ab.ok(), ba.ok()) << a << " vs " << b;
    if (!ab.ok()) continue;
    ++valid;
    ASSERT_EQ(Sign(*ab), -Sign(*ba)) << a << " vs " << b;
    ASSERT_EQ(*CompareRubyGems(a, a), 0) << a;
  }
  EXPECT_GT(valid, 1000);
}

}  // namespace
}  // namespace strata::version
