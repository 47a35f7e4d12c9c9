#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
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

constexpr char kDpkg[] = "/usr/bin/dpkg";

int Sign(int v) { return (v > 0) - (v < 0); }

struct Case {
  const char* a;
  const char* b;
  int want;
};

TEST(CompareDpkg, OrdersPolicyExamples) {
  const Case kCases[] = {
      {"1.0", "1.0", 0},
      {"1.0", "1.00", 0},
      {"0:1.0", "1.0", 0},
      {"1.0-1", "1.0-01", 0},
      {"1.0", "1.0-0", 0},
      {"1.0~rc1", "1.0", -1},
      {"1.0~~", "1.0~", -1},
      {"1.0~~a", "1.0~", -1},
      {"1.0~", "1.0", -1},
      {"1.0", "1.0a", -1},
      {"1.0a", "1.0+", -1},
      {"1.0", "1.0+deb12u1", -1},
      {"1.0-1~deb12u1", "1.0-1", -1},
      {"1.0-1", "1.0-1+b1", -1},
      {"1.0-1+deb12u1", "1.0-1+deb12u2", -1},
      {"1.0-1+deb11u1", "1.0-1+deb12u1", -1},
      {"1.0-1~bpo11+1", "1.0-1", -1},
      {"2.36-9+deb12u4", "2.36-9+deb12u10", -1},
      {"1:1.0", "2.0", 1},
      {"1:2.3-4+b1", "1:2.3-4", 1},
      {"2:1.0", "10:0.1", -1},
      {"1.2.3", "1.2.10", -1},
      {"1.2.3-1ubuntu1", "1.2.3-1", 1},
      {"1.2.3-0ubuntu0.22.04.1", "1.2.3-0ubuntu1", -1},
      {"1.0.0+dfsg-1", "1.0.0-1", 1},
      {"1.0-a-1", "1.0-1", 1},  // revision after the last '-'
      {"7.88.1-10+deb12u5", "7.88.1-10+deb12u12", -1},
      {"3.0.11-1~deb12u2", "3.0.11-1", -1},
      {"99999999999999999999999", "99999999999999999999998", 1},
      {"1.0000000000000000000000001", "1.1", 0},
      {"1:1.0", "1:1.0", 0},
      {"1.0", "1.0.", -1},
      {"1.0.", "1.0a", 1},
  };
  for (const Case& c : kCases) {
    Result<int> got = CompareDpkg(c.a, c.b);
    ASSERT_TRUE(got.ok()) << c.a << " " << c.b << ": "
                          << got.status().ToString();
    EXPECT_EQ(Sign(*got), c.want) << c.a << " vs " << c.b;
    Result<int> back = CompareDpkg(c.b, c.a);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(Sign(*back), -c.want) << c.b << " vs " << c.a;
  }
}

TEST(CompareDpkg, AcceptsWhatDpkgOnlyWarnsAbout) {
  // dpkg warns about these but still compares them.
  for (const char* v : {"a1.0", "1_0", "1.0-1_2", "1:1.0:x", "+1:1.0", " 1.0 ",
                        "\t1.0", "-0:1.0", "1.0\xc3\xa9"}) {
    EXPECT_TRUE(CompareDpkg(v, "1.0").ok()) << v;
  }
  // Surrounding blanks are trimmed; the epoch may carry a '+' sign.
  EXPECT_EQ(*CompareDpkg(" 1.0\t", "1.0"), 0);
  EXPECT_EQ(*CompareDpkg("+1:1.0", "1:1.0"), 0);
  // Letters sort before bytes >= 0x80 (signed char), which sort before '+'.
  EXPECT_LT(*CompareDpkg("1.0z", "1.0\xc3\xa9"), 0);
  EXPECT_LT(*CompareDpkg("1.0\xc3\xa9", "1.0+"), 0);
}

TEST(CompareDpkg, RejectsInvalidVersions) {
  for (const char* v :
       {"", " ", "1 0", ":1.0", "x:1.0", "1.0:1", "1:", "-1:1.0",
        "2147483648:1.0", "1.0-", "1.0-a-", "-1", "1:-1", "0x1:1"}) {
    Result<int> got = CompareDpkg(v, "1.0");
    ASSERT_FALSE(got.ok()) << v;
    EXPECT_EQ(got.status(), InvalidArgumentError(std::string("invalid dpkg "
                                                             "version \"") +
                                                 v + "\""));
    EXPECT_EQ(CompareDpkg("1.0", v).status(), got.status());
  }
  EXPECT_EQ(CompareDpkg(std::string_view("1.0\0", 4), "1.0").status(),
            InvalidArgumentError(std::string("invalid dpkg version \"1.0") +
                                 '\0' + "\""));
  EXPECT_TRUE(CompareDpkg("2147483647:1.0", "1.0").ok());
}

TEST(CompareDpkg, CapsVersionLength) {
  std::string longest = "1." + std::string(kMaxVersionLength - 2, '1');
  EXPECT_TRUE(CompareDpkg(longest, longest).ok());
  std::string too_long = longest + "1";
  EXPECT_EQ(CompareDpkg("1.0", too_long).status(),
            InvalidArgumentError("invalid dpkg version \"" +
                                 too_long.substr(0, 100) + "\""));
}

// Random versions from realistic Debian parts, and near neighbours of them.
class DpkgGenerator {
 public:
  explicit DpkgGenerator(uint32_t seed) : rng_(seed) {}

  std::string Version() {
    std::string v;
    if (Chance(25)) v += Pick({"0:", "1:", "2:", "10:", "01:", "3:"});
    v += Pick({"0", "1", "2", "3", "10", "1.2", "2.36", "7.88.1", "1.0.0",
               "20240101", "0.9.8", "3.0.11", "007"});
    int parts = Int(0, 3);
    for (int i = 0; i < parts; ++i) {
      v += Pick({".", ".", "+", "~", "+", "."});
      v += Pick({"0", "1", "2", "10", "a", "b", "rc1", "beta2", "dfsg",
                 "git20230101", "ds", "really1.2", "p1", "", "00"});
    }
    if (Chance(10)) v += Pick({"~", "~~", "+", "a", "~rc1"});
    if (Chance(70)) {
      v += "-";
      v += Pick({"1", "0", "2", "10", "1ubuntu1", "0ubuntu0.22.04.1", "1build1",
                 "3.1", "1+b1", "9+deb12u4", "9+deb12u10", "1~deb12u1",
                 "1~bpo11+1", "1+deb11u2", "2~exp1", "1.1"});
    }
    return v;
  }

  // A version close to v: one edit, so the order hinges on details.
  std::string Neighbour(const std::string& v) {
    std::string n = v;
    switch (Int(0, 7)) {
      case 0:
        return n + Pick({"~", "+b1", ".0", "a", "~rc1", "+deb12u1", "0"});
      case 1: {  // bump or drop one digit
        for (size_t i = n.size(); i-- > 0;) {
          if (n[i] >= '0' && n[i] <= '8' && Chance(50)) {
            ++n[i];
            return n;
          }
        }
        return n + "1";
      }
      case 2:  // drop the last character (and a separator left behind)
        if (n.size() > 1) n.pop_back();
        while (n.size() > 1 && (n.back() == '-' || n.back() == ':')) {
          n.pop_back();
        }
        return n;
      case 3:
        return Chance(50) ? "1:" + n : n;
      case 4: {  // swap one separator for another
        for (size_t i = 0; i < n.size(); ++i) {
          if ((n[i] == '.' || n[i] == '+' || n[i] == '~') && Chance(40)) {
            n[i] = Pick({".", "+", "~"})[0];
            return n;
          }
        }
        return n;
      }
      case 5: {  // leading zero
        size_t dot = n.find('.');
        return dot == std::string::npos ? "0" + n : n.insert(dot + 1, "0");
      }
      case 6:
        return Version();
      default:
        return n;
    }
  }

  // A possibly invalid version: a valid one with one hostile edit.
  std::string Mutant() {
    std::string v = Version();
    static const char kBytes[] = {':', '-', ' ', '\t', 'x',    '~',
                                  '+', '_', '0', '\n', '\x80', '\xff'};
    switch (Int(0, 3)) {
      case 0:
        v.insert(Int(0, static_cast<int>(v.size())), 1, kBytes[Int(0, 11)]);
        break;
      case 1:
        v.erase(Int(0, static_cast<int>(v.size()) - 1), 1);
        break;
      case 2:
        v[Int(0, static_cast<int>(v.size()) - 1)] = kBytes[Int(0, 11)];
        break;
      default:
        v += kBytes[Int(0, 11)];
        break;
    }
    return v;
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
  DpkgGenerator gen(20240601);
  std::vector<std::pair<std::string, std::string>> pairs;
  for (int i = 0; i < count; ++i) {
    std::string a = gen.Version();
    std::string b = i % 3 == 0 ? gen.Version() : gen.Neighbour(a);
    pairs.emplace_back(a, b);
  }
  return pairs;
}

TEST(CompareDpkg, IsAntisymmetricOnGeneratedVersions) {
  for (const auto& [a, b] : GeneratedPairs(3000)) {
    Result<int> ab = CompareDpkg(a, b);
    Result<int> ba = CompareDpkg(b, a);
    ASSERT_EQ(ab.ok(), ba.ok()) << a << " " << b;
    if (!ab.ok()) continue;
    EXPECT_EQ(Sign(*ab), -Sign(*ba)) << a << " vs " << b;
    EXPECT_EQ(*CompareDpkg(a, a), 0) << a;
  }
}

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// Runs a shell script with one dpkg call (or two) per line of output.
std::vector<std::string> RunScript(const std::string& script) {
  std::string path =
      ::testing::TempDir() + "dpkg_oracle_" + std::to_string(getpid()) + ".sh";
  {
    std::ofstream out(path, std::ios::binary);
    out << script;
  }
  int status = 0;
  std::istringstream out(
      testing::RunCommand("sh " + path + " 2>/dev/null", &status));
  std::vector<std::string> lines;
  for (std::string line; std::getline(out, line);) lines.push_back(line);
  std::remove(path.c_str());
  return lines;
}

TEST(CompareDpkg, MatchesDpkgOnGeneratedPairs) {
  if (access(kDpkg, X_OK) != 0) GTEST_SKIP() << "no " << kDpkg << " oracle";
  std::vector<std::pair<std::string, std::string>> pairs = GeneratedPairs(800);
  std::string script;
  for (const auto& [a, b] : pairs) {
    std::string qa = ShellQuote(a), qb = ShellQuote(b);
    script += std::string("if ") + kDpkg + " --compare-versions " + qa +
              " lt " + qb + "; then echo -1; elif " + kDpkg +
              " --compare-versions " + qa + " eq " + qb +
              "; then echo 0; else echo 1; fi\n";
  }
  std::vector<std::string> want = RunScript(script);
  ASSERT_EQ(want.size(), pairs.size());
  int mismatches = 0;
  for (size_t i = 0; i < pairs.size(); ++i) {
    const auto& [a, b] = pairs[i];
    Result<int> got = CompareDpkg(a, b);
    ASSERT_TRUE(got.ok()) << a << " " << b << ": " << got.status().ToString();
    if (std::to_string(Sign(*got)) != want[i]) {
      ++mismatches;
      ADD_FAILURE() << a << " vs " << b << ": got " << Sign(*got)
                    << ", dpkg says " << want[i];
    }
  }
  EXPECT_EQ(mismatches, 0);
}

TEST(CompareDpkg, RejectsExactlyWhatDpkgRejects) {
  if (access(kDpkg, X_OK) != 0) GTEST_SKIP() << "no " << kDpkg << " oracle";
  DpkgGenerator gen(7);
  std::vector<std::string> versions;
  while (versions.size() < 600) {
    std::string v = gen.Mutant();
    // dpkg's command line reads a leading '-' as an option and treats ""
    // as "no version"; neither says anything about parsing.
    if (v.empty() || v[0] == '-') continue;
    versions.push_back(v);
  }
  std::string script;
  for (const std::string& v : versions) {
    std::string q = ShellQuote(v);
    script += std::string(kDpkg) + " --compare-versions " + q + " eq " + q +
              "; echo $?\n";
  }
  std::vector<std::string> rc = RunScript(script);
  ASSERT_EQ(rc.size(), versions.size());
  int invalid = 0;
  for (size_t i = 0; i < versions.size(); ++i) {
    bool dpkg_accepts = rc[i] == "0";
    invalid += dpkg_accepts ? 0 : 1;
    EXPECT_EQ(CompareDpkg(versions[i], "1.0").ok(), dpkg_accepts)
        << "\"" << versions[i] << "\": dpkg exit " << rc[i];
  }
  EXPECT_GT(invalid, 30);  // the mutants do exercise rejection
}

}  // namespace
}  // namespace strata::version
