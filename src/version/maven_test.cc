#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <iterator>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "testing/test_util.h"
#include "version/version.h"

namespace strata::version {
namespace {

// The oracle: Maven's own ComparableVersion, whose main() prints the order of
// consecutive arguments as "   <a> <|==|> <b>" lines.
constexpr char kJava[] = "/usr/bin/java";
constexpr char kMavenArtifactJar[] =
    "/usr/share/maven/lib/maven-artifact-3.x.jar";

int Sign(int c) { return c < 0 ? -1 : (c > 0 ? 1 : 0); }

int Cmp(std::string_view a, std::string_view b) {
  Result<int> r = CompareMaven(a, b);
  EXPECT_TRUE(r.ok()) << a << " vs " << b << ": " << r.status().ToString();
  return r.ok() ? Sign(*r) : 99;
}

// Runs `command`; its output, or nullopt when it could not run or exited
// non-zero.
std::optional<std::string> RunOracle(const std::string& command) {
  int status = 0;
  std::string out = testing::RunCommand(command + " 2>/dev/null", &status);
  if (status != 0) return std::nullopt;
  return out;
}

class Generator {
 public:
  explicit Generator(uint32_t seed) : rng_(seed) {}

  // Tokens of real Maven versions joined by '.', '-' or nothing (which makes
  // digit/letter transitions), plus the odd stray character. Never a quote,
  // space or newline: versions travel as shell words and output lines.
  std::string Version() {
    std::string v;
    int tokens = 1 + Below(6);
    for (int i = 0; i < tokens; ++i) {
      if (i > 0) {
        int sep = Below(10);
        v += sep < 5 ? "." : (sep < 9 ? "-" : "");
      }
      v += Token();
    }
    if (Below(10) == 0) {
      v.insert(static_cast<size_t>(Below(static_cast<int>(v.size()) + 1)), 1,
               "._-+~xA"[Below(7)]);
    }
    return v;
  }

 private:
  int Below(int n) {
    return std::uniform_int_distribution<int>(0, n - 1)(rng_);
  }
  std::string Token() {
    static constexpr const char* kTokens[] = {"1",
                                              "1",
                                              "0",
                                              "0",
                                              "2",
                                              "10",
                                              "00",
                                              "01",
                                              "123456789",
                                              "1234567890",
                                              "123456789012345678",
                                              "1234567890123456789",
                                              "12345678901234567890",
                                              "0000000000",
                                              "alpha",
                                              "beta",
                                              "a",
                                              "b",
                                              "m",
                                              "milestone",
                                              "rc",
                                              "cr",
                                              "RC",
                                              "snapshot",
                                              "SNAPSHOT",
                                              "ga",
                                              "final",
                                              "Final",
                                              "release",
                                              "RELEASE",
                                              "sp",
                                              "SP",
                                              "foo",
                                              "abc",
                                              "",
                                              "M3",
                                              "RC1",
                                              "a1",
                                              "b2",
                                              "x",
                                              "jre",
                                              "android"};
    return kTokens[Below(static_cast<int>(std::size(kTokens)))];
  }

  std::mt19937 rng_;
};

TEST(CompareMavenTest, OrdersKnownCases) {
  // Qualifier order: alpha < beta < milestone < rc = cr < snapshot < "" =
  // ga = final = release < sp < unknown (lexically).
  EXPECT_EQ(Cmp("1.0-alpha", "1.0-beta"), -1);
  EXPECT_EQ(Cmp("1.0-beta", "1.0-milestone"), -1);
  EXPECT_EQ(Cmp("2.0-M3", "2.0-milestone-3"), 0);
  EXPECT_EQ(Cmp("1.0-milestone", "1.0-rc"), -1);
  EXPECT_EQ(Cmp("1.0-rc-1", "1.0-cr1"), 0);
  EXPECT_EQ(Cmp("1.0-rc", "1-SNAPSHOT"), -1);
  EXPECT_EQ(Cmp("1-SNAPSHOT", "1"), -1);
  EXPECT_EQ(Cmp("1.0.RELEASE", "1"), 0);
  EXPECT_EQ(Cmp("1.0.0.Final", "1-ga"), 0);
  EXPECT_EQ(Cmp("1-sp1", "1.0.0.Final"), 1);
  EXPECT_EQ(Cmp("1-sp", "1-foo"), -1);
  EXPECT_EQ(Cmp("1-foo", "1-bar"), 1);
  // Single letters are qualifiers only when a digit follows.
  EXPECT_EQ(Cmp("1.0a1", "1-alpha-1"), 0);
  EXPECT_EQ(Cmp("1.0-a", "1.0-alpha"), 1);
  // '-' nests a list: 1-1 sorts below 1.1 and above 1-sp.
  EXPECT_EQ(Cmp("1-1", "1.1"), -1);
  EXPECT_EQ(Cmp("1-1", "1-sp"), 1);
  EXPECT_EQ(Cmp("1.0-1", "1-1"), 0);
  // Trailing nulls are trimmed; empty tokens are zeros.
  EXPECT_EQ(Cmp("1.0.0", "1"), 0);
  EXPECT_EQ(Cmp("", "0"), 0);
  EXPECT_EQ(Cmp("1..1", "1.0.1"), 0);
  EXPECT_EQ(Cmp("1--1", "1-0-1"), 0);
  // Numbers: by value within int, long and big ranges; a wider type wins.
  EXPECT_EQ(Cmp("1.10", "1.9"), 1);
  EXPECT_EQ(Cmp("1.010", "1.10"), 0);
  EXPECT_EQ(Cmp("12345678901234567890", "12345678901234567891"), -1);
  EXPECT_EQ(Cmp("0000000000.1", "1.1"), 1);
  // A qualifier after '.' opens a list when it ends the version or a digit
  // follows it, as '-' does.
  EXPECT_EQ(Cmp("1.rc", "1-rc"), 0);
  EXPECT_EQ(Cmp("a.rc", "a.rc.0"), 1);
  EXPECT_EQ(Cmp("1.0.0.X1", "1.0.0-X2"), -1);
  EXPECT_EQ(Cmp("Final.a1", "alpha-1"), 1);  // [[alpha, [1]]] vs [alpha, [1]]
  // A list against nothing looks at all its items (MNG-6964).
  EXPECT_EQ(Cmp("final-ga.123456789.Final-b", "0"), 1);
  // Case-insensitive.
  EXPECT_EQ(Cmp("1.0-SNAPSHOT", "1.0-snapshot"), 0);
  EXPECT_EQ(Cmp("1-FOO", "1-foo"), 0);
}

TEST(CompareMavenTest, AcceptsAnyBytes) {
  EXPECT_EQ(Cmp("+~!", "+~!"), 0);
  EXPECT_EQ(Cmp(std::string("1\0a", 3), "1"), 1);
  EXPECT_EQ(Cmp("1.0-\xc3\xa9", "1.0-\xc3\xa9"), 0);
  EXPECT_EQ(Cmp("1.0-z", "1.0-\xc3\xa9"), -1);
}

TEST(CompareMavenTest, CapsLength) {
  // 128 nested lists at the cap.
  std::string nested;
  while (nested.size() + 3 <= kMaxVersionLength) nested += "1-";
  EXPECT_EQ(Cmp(nested + "1", nested + "2"), -1);
  EXPECT_EQ(Cmp(nested + "a1", nested), -1);
  std::string too_long(kMaxVersionLength + 1, '-');
  Result<int> r = CompareMaven("1", too_long);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "invalid maven version \"" + too_long.substr(0, 100) + "\"");
}

TEST(CompareMavenTest, MatchesComparableVersionOnGeneratedVersions) {
  if (access(kJava, X_OK) != 0 || access(kMavenArtifactJar, R_OK) != 0) {
    GTEST_SKIP() << kJava << " or " << kMavenArtifactJar
                 << " is absent: no ComparableVersion oracle";
  }
  Generator gen(3);
  std::vector<std::string> versions;
  for (int i = 0; i < 3000; ++i) {
    // Every fourth version respells the one before it (upper case, a
    // trailing ".0"), to produce equal pairs too.
    if (i % 4 == 3) {
      std::string v = versions.back();
      for (char& c : v) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      }
      versions.push_back(v + (i % 8 == 3 ? ".0" : ""));
    } else {
      versions.push_back(gen.Version());
    }
  }
  std::string command = std::string(kJava) + " -cp " + kMavenArtifactJar +
                        " org.apache.maven.artifact.versioning."
                        "ComparableVersion";
  for (const std::string& v : versions) command += " '" + v + "'";
  std::optional<std::string> out = RunOracle(command);
  if (!out) GTEST_SKIP() << "ComparableVersion did not run";
  std::istringstream lines(*out);
  std::string line;
  size_t next = 0;  // the pair (versions[next], versions[next + 1])
  int mismatches = 0, equal = 0;
  while (std::getline(lines, line) && next + 1 < versions.size()) {
    const std::string& a = versions[next];
    const std::string& b = versions[next + 1];
    std::string prefix = "   " + a + " ";
    std::string suffix = " " + b;
    if (line.rfind("   ", 0) != 0) continue;
    ASSERT_TRUE(
        line.size() >= prefix.size() + suffix.size() &&
        line.compare(0, prefix.size(), prefix) == 0 &&
        line.compare(line.size() - suffix.size(), suffix.size(), suffix) == 0)
        << "unexpected oracle line \"" << line << "\" for \"" << a << "\" vs \""
        << b << "\"";
    std::string op =
        line.substr(prefix.size(), line.size() - prefix.size() - suffix.size());
    int want = op == "<" ? -1 : (op == ">" ? 1 : 0);
    ASSERT_TRUE(want != 0 || op == "==")
        << "bad operator in \"" << line << "\"";
    if (want == 0) ++equal;
    int got = Cmp(a, b);
    if (got != want) {
      ++mismatches;
      ADD_FAILURE() << "\"" << a << "\" vs \"" << b
                    << "\": ComparableVersion says " << op << ", we say "
                    << got;
    }
    if (mismatches > 20) break;
    ++next;
  }
  EXPECT_EQ(next + 1, versions.size()) << "oracle output ended early";
  EXPECT_GT(equal, 300);
}

TEST(CompareMavenTest, IsAntisymmetricOnRandomInput) {
  std::mt19937 rng(2);
  constexpr std::string_view kAlphabet = "0123456789.-.-abcdefilmnoprst";
  auto random_version = [&] {
    std::string v(std::uniform_int_distribution<size_t>(0, 40)(rng), '\0');
    for (char& c : v) {
      size_t i =
          std::uniform_int_distribution<size_t>(0, kAlphabet.size())(rng);
      // One pick in kAlphabet.size() + 1 is any byte at all.
      c = i < kAlphabet.size()
              ? kAlphabet[i]
              : static_cast<char>(
                    std::uniform_int_distribution<int>(0, 255)(rng));
    }
    return v;
  };
  int valid = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string a = random_version(), b = random_version();
    Result<int> ab = CompareMaven(a, b);
    Result<int> ba = CompareMaven(b, a);
    ASSERT_EQ(ab.ok(), ba.ok()) << a << " vs " << b;
    if (!ab.ok()) continue;
    ++valid;
    ASSERT_EQ(Sign(*ab), -Sign(*ba)) << a << " vs " << b;
    ASSERT_EQ(*CompareMaven(a, a), 0) << a;
  }
  EXPECT_GT(valid, 1000);
}

}  // namespace
}  // namespace strata::version
