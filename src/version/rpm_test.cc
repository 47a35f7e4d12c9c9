#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "testing/test_util.h"
#include "version/version.h"

namespace strata::version {
namespace {

constexpr char kPython[] = "/usr/bin/python3";

int Sign(int v) { return (v > 0) - (v < 0); }

struct Case {
  const char* a;
  const char* b;
  int want;
};

TEST(CompareRpm, OrdersRpmvercmpExamples) {
  const Case kCases[] = {
      {"1.0", "1.0", 0},
      {"1.0", "1.00", 0},
      {"1.0", "1_0", 0},
      {"1.0", "1.0.", 0},
      {"1.0", "1..0", 0},
      {"0:1.0", "1.0", 0},
      {":1.0", "1.0", 0},
      {"00:1.0", "1.0", 0},
      {"1.0", "2.0", -1},
      {"1.0", "1.0.1", -1},
      {"1.10", "1.9", 1},
      {"2.0", "2.0a", -1},
      {"2.0a", "2.0.1", -1},  // alphabetic segment before numeric
      {"a", "1", -1},
      {"1.0a", "1.0b", -1},
      {"1.0B", "1.0a", -1},  // alphabetic segments compare as bytes
      {"1.0~rc1", "1.0", -1},
      {"1.0~rc1", "1.0~rc2", -1},
      {"1.0~~", "1.0~", -1},
      {"1.0~", "1.0", -1},
      {"1.0^", "1.0", 1},
      {"1.0^git1", "1.0", 1},
      {"1.0^git1", "1.0.1", -1},
      {"1.0^git1", "1.0^git2", -1},
      {"1.0^a", "1.0.a", -1},
      {"1.0^", "1.0~", 1},
      {"1.0~rc1^git1", "1.0~rc1", 1},
      {"1.0~rc1^git1", "1.0", -1},
      {"1:1.0", "2.0", 1},
      {"1.0-1", "1.0", 1},  // a missing release sorts first
      {"1.0-", "1.0", 1},
      {"1.0-1.el9", "1.0-1.el9_3", -1},
      {"5.14.0-362.8.1.el9_3", "5.14.0-362.13.1.el9_3", -1},
      {"3.0.7-24.el9", "1:3.0.7-24.el9", -1},
      {"1.1.1k-7.el8_6", "1.1.1k-12.el8_9", -1},
      {"2.28-225.el8_8.6", "2.28-225.el8", 1},
      {"1.0-1.fc39", "1.0-1.fc40", -1},
      {"1.0-a-1", "1.0-1", 1},  // release after the last '-'
      {"12345678901234567890123", "12345678901234567890122", 1},
      {"007", "7", 0},
  };
  for (const Case& c : kCases) {
    Result<int> got = CompareRpm(c.a, c.b);
    ASSERT_TRUE(got.ok()) << c.a << " " << c.b << ": "
                          << got.status().ToString();
    EXPECT_EQ(Sign(*got), c.want) << c.a << " vs " << c.b;
    Result<int> back = CompareRpm(c.b, c.a);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(Sign(*back), -c.want) << c.b << " vs " << c.a;
  }
}

TEST(CompareRpm, AcceptsAnySeparators) {
  // rpm takes every byte that is not alphanumeric, '~' or '^' as a
  // separator, non-ASCII bytes and spaces included.
  EXPECT_EQ(*CompareRpm("1 0", "1.0"), 0);
  EXPECT_EQ(*CompareRpm("1\xc3\xa9"
                        "0",
                        "1.0"),
            0);
  EXPECT_EQ(*CompareRpm("1.0:x", "1.0:x"), 0);  // no epoch: ':' separates
}

TEST(CompareRpm, RejectsInvalidVersions) {
  for (const char* v : {"", "1:", ":", "-1", "1:-1", "0:-"}) {
    Result<int> got = CompareRpm(v, "1.0");
    ASSERT_FALSE(got.ok()) << v;
    EXPECT_EQ(
        got.status(),
        InvalidArgumentError(std::string("invalid rpm version \"") + v + "\""));
    EXPECT_EQ(CompareRpm("1.0", v).status(), got.status());
  }
  EXPECT_EQ(CompareRpm(std::string_view("1.0\0", 4), "1.0").status(),
            InvalidArgumentError(std::string("invalid rpm version \"1.0") +
                                 '\0' + "\""));
}

TEST(CompareRpm, CapsVersionLength) {
  std::string longest = "1." + std::string(kMaxVersionLength - 2, '9');
  EXPECT_TRUE(CompareRpm(longest, longest).ok());
  std::string too_long = longest + "9";
  EXPECT_EQ(CompareRpm(too_long, "1.0").status(),
            InvalidArgumentError("invalid rpm version \"" +
                                 too_long.substr(0, 100) + "\""));
}

// Random EVRs from realistic RHEL, Fedora and SUSE parts, and near
// neighbours of them.
class RpmGenerator {
 public:
  explicit RpmGenerator(uint32_t seed) : rng_(seed) {}

  std::string Version() {
    std::string v;
    if (Chance(20)) v += Pick({"0:", "1:", "2:", "10:", "01:", ":"});
    v += Pick({"1.0", "1.2.3", "2.34", "4.18.0", "1.1.1k", "3.0.7", "5.14.0",
               "20230101", "0.9", "2.28", "9.0.0", "1.0a", "17"});
    if (Chance(30)) {
      v += Pick({"~rc1", "~beta2", "^20230101git1a2b3c", "^", "~", ".1", "_1",
                 "a", "+git1", "~rc1^post1", ".0"});
    }
    if (Chance(75)) {
      v += "-";
      v += Pick({"1", "1.el9", "1.el9_3", "427.13.1.el9_4", "2.fc39", "2.fc40",
                 "3.el8_8.1", "1.module+el8.9.0+19500+6b1a2c3d", "0.1.rc1.fc40",
                 "150500.3.6.1", "lp155.2.3", "1~beta", "1^1", "12.el8",
                 "7.amzn2023.0.1", "224.el8_8.6"});
    }
    return v;
  }

  std::string Neighbour(const std::string& v) {
    std::string n = v;
    switch (Int(0, 6)) {
      case 0:
        return n + Pick({"~", "^", ".1", "_1", "a", "~rc1", "^git1", ".0", "0",
                         "-1"});
      case 1: {  // bump one digit
        for (size_t i = n.size(); i-- > 0;) {
          if (n[i] >= '0' && n[i] <= '8' && Chance(50)) {
            ++n[i];
            return n;
          }
        }
        return n + "1";
      }
      case 2: {  // drop the last character (and a separator left behind)
        if (n.size() > 1) n.pop_back();
        while (n.size() > 1 && (n.back() == '-' || n.back() == ':')) {
          n.pop_back();
        }
        return n;
      }
      case 3:
        return Chance(50) ? "1:" + n : "0:" + n;
      case 4: {  // swap one separator for another
        for (size_t i = 0; i < n.size(); ++i) {
          if ((n[i] == '.' || n[i] == '_' || n[i] == '~' || n[i] == '^' ||
               n[i] == '+') &&
              Chance(40)) {
            n[i] = Pick({".", "_", "~", "^", "+"})[0];
            return n;
          }
        }
        return n;
      }
      case 5: {  // leading zero
        size_t dot = n.find('.');
        return dot == std::string::npos ? n : n.insert(dot + 1, "0");
      }
      default:
        return Version();
    }
  }

 private:
  bool Chance(int percent) { return Int(0, 99) < percent; }
  int Int(int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng_);
  }
  std::string Pick(std::initializer_list<const char*> options) {
    return *(options.begin() + Int(0, static_cast<int>(options.size()) - 1));
  }

  std::mt19937 rng_;
};

std::vector<std::pair<std::string, std::string>> GeneratedPairs(int count) {
  RpmGenerator gen(20240602);
  std::vector<std::pair<std::string, std::string>> pairs;
  for (int i = 0; i < count; ++i) {
    std::string a = gen.Version();
    std::string b = i % 4 == 0 ? gen.Version() : gen.Neighbour(a);
    pairs.emplace_back(a, b);
  }
  return pairs;
}

TEST(CompareRpm, IsAntisymmetricOnGeneratedVersions) {
  for (const auto& [a, b] : GeneratedPairs(3000)) {
    Result<int> ab = CompareRpm(a, b);
    Result<int> ba = CompareRpm(b, a);
    ASSERT_TRUE(ab.ok()) << a << " " << b << ": " << ab.status().ToString();
    ASSERT_TRUE(ba.ok());
    EXPECT_EQ(Sign(*ab), -Sign(*ba)) << a << " vs " << b;
    EXPECT_EQ(*CompareRpm(a, a), 0) << a;
  }
}

// Splits each EVR the way rpm's parseEVR does and asks rpm.labelCompare,
// one pair per input line "a<TAB>b", one result per output line.
constexpr char kOracle[] = R"(
import re, sys, rpm
def evr(s):
    m = re.match(r'(\d*)', s)
    digits = len(m.group(1))
    epoch, rest = None, s
    if s[digits:digits + 1] == ':':
        epoch, rest = (s[:digits] or '0'), s[digits + 1:]
    cut = s.rfind('-')
    release = None
    if cut >= digits:
        cut -= len(s) - len(rest)
        rest, release = rest[:cut], rest[cut + 1:]
    return (epoch, rest, release)
for line in sys.stdin:
    a, b = line.rstrip('\n').split('\t')
    print(rpm.labelCompare(evr(a), evr(b)))
)";

bool HavePythonRpm() {
  if (access(kPython, X_OK) != 0) return false;
  return std::system((std::string(kPython) + " -c 'import rpm' >/dev/null 2>&1")
                         .c_str()) == 0;
}

TEST(CompareRpm, MatchesRpmLabelCompareOnGeneratedPairs) {
  if (!HavePythonRpm()) {
    GTEST_SKIP() << "no python3-rpm oracle for " << kPython;
  }
  std::vector<std::pair<std::string, std::string>> pairs = GeneratedPairs(5000);
  std::string base =
      ::testing::TempDir() + "rpm_oracle_" + std::to_string(getpid());
  {
    std::ofstream script(base + ".py", std::ios::binary);
    script << kOracle;
    std::ofstream input(base + ".in", std::ios::binary);
    for (const auto& [a, b] : pairs) input << a << '\t' << b << '\n';
  }
  std::vector<std::string> want;
  std::string command =
      std::string(kPython) + " " + base + ".py < " + base + ".in";
  int status = 0;
  std::istringstream out(testing::RunCommand(command, &status));
  EXPECT_EQ(status, 0);
  for (std::string line; std::getline(out, line);) want.push_back(line);
  std::remove((base + ".py").c_str());
  std::remove((base + ".in").c_str());
  ASSERT_EQ(want.size(), pairs.size());
  int mismatches = 0;
  for (size_t i = 0; i < pairs.size(); ++i) {
    const auto& [a, b] = pairs[i];
    Result<int> got = CompareRpm(a, b);
    ASSERT_TRUE(got.ok()) << a << " " << b << ": " << got.status().ToString();
    if (std::to_string(Sign(*got)) != want[i]) {
      ++mismatches;
      ADD_FAILURE() << a << " vs " << b << ": got " << Sign(*got)
                    << ", rpm.labelCompare says " << want[i];
    }
  }
  EXPECT_EQ(mismatches, 0);
}

}  // namespace
}  // namespace strata::version
