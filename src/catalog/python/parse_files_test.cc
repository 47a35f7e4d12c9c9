#include "catalog/python/parse_files.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "testing/test_util.h"

namespace strata::catalog::python {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr std::string_view kSite = "usr/lib/python3/dist-packages";

std::string Testdata(const std::string& rel) {
  return testing::ReadTestFile(std::string(STRATA_SOURCE_DIR) +
                               "/src/catalog/python/testdata/site/" + rel);
}

std::vector<std::string> MustParseRecord(std::string_view bytes,
                                         std::string_view site = kSite) {
  auto files = ParseRecord(bytes, site);
  EXPECT_TRUE(files.ok()) << files.status().ToString();
  return files.ok() ? *std::move(files) : std::vector<std::string>{};
}

TEST(ParseRecordTest, ReadsARecordFile) {
  std::string bytes = Testdata(
      "usr/lib/python3/dist-packages/requests-2.28.1.dist-info/RECORD");
  ASSERT_FALSE(bytes.empty());
  // A quoted path keeps its comma; "../../../bin" reaches usr/bin; the path
  // climbing above the root is dropped.
  EXPECT_THAT(
      MustParseRecord(bytes),
      ElementsAre(
          "usr/lib/python3/dist-packages/requests-2.28.1.dist-info/LICENSE",
          "usr/lib/python3/dist-packages/requests-2.28.1.dist-info/METADATA",
          "usr/lib/python3/dist-packages/requests-2.28.1.dist-info/RECORD",
          "usr/lib/python3/dist-packages/requests-2.28.1.dist-info/WHEEL",
          "usr/lib/python3/dist-packages/requests-2.28.1.dist-info/"
          "top_level.txt",
          "usr/lib/python3/dist-packages/requests/__init__.py",
          "usr/lib/python3/dist-packages/requests/__pycache__/"
          "__init__.cpython-311.pyc",
          "usr/lib/python3/dist-packages/requests/api.py",
          "usr/lib/python3/dist-packages/requests/odd,name.py",
          "usr/bin/requests-cli"));
}

TEST(ParseRecordTest, HandlesQuotingLineEndsAndAbsolutePaths) {
  EXPECT_THAT(MustParseRecord("\"a\"\"b\",,\r\n"
                              "\"multi\nline\",sha256=x,1\r\n"
                              "/usr/bin/tool,sha256=y,2\n"
                              "\n"
                              ",sha256=z,3\n"
                              "./c/./d.py,,\r"
                              "last,,",
                              "site"),
              ElementsAre("site/a\"b", "site/multi\nline", "usr/bin/tool",
                          "site/c/d.py", "site/last"));
  EXPECT_THAT(MustParseRecord("x.py,,\n", ""), ElementsAre("x.py"));
  EXPECT_THAT(MustParseRecord(""), IsEmpty());
  EXPECT_THAT(MustParseRecord("../../../../../x,,\n/../y,,\n"), IsEmpty());
}

TEST(ParseRecordTest, DropsOverlongPaths) {
  std::string record = std::string(5000, 'a') + ",,\nb,,\n";
  EXPECT_THAT(MustParseRecord(record, "s"), ElementsAre("s/b"));
}

TEST(ParseRecordTest, ReportsAnUnterminatedQuote) {
  EXPECT_EQ(ParseRecord("a,,\n\"b,,\n", kSite).status(),
            DataLossError("unterminated quoted field at line 2"));
  EXPECT_EQ(ParseRecord("a,\"\n\n", kSite).status(),
            DataLossError("unterminated quoted field at line 1"));
}

TEST(ParseRecordTest, EnforcesThePathCap) {
  std::string record;
  for (int i = 0; i < 200'000; ++i) record += "a,,\n";
  EXPECT_EQ(MustParseRecord(record).size(), 200'000u);
  EXPECT_EQ(ParseRecord(record + "b,,\n", kSite).status(),
            ResourceExhaustedError("more than 200000 paths"));
}

TEST(ParseRecordTest, SurvivesTruncationAndFlippedBytes) {
  const std::string bytes = Testdata(
      "usr/lib/python3/dist-packages/requests-2.28.1.dist-info/RECORD");
  ASSERT_FALSE(bytes.empty());
  const size_t quote = bytes.find('"');
  const size_t close = bytes.find('"', quote + 1);
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto files = ParseRecord(bytes.substr(0, n), kSite);
    // Only a cut inside the quoted path leaves a quote open.
    EXPECT_EQ(files.ok(), n <= quote || n > close) << n;
  }
  std::string flipped = bytes;
  flipped[close] = 'x';
  EXPECT_EQ(ParseRecord(flipped, kSite).status(),
            DataLossError("unterminated quoted field at line 9"));
}

TEST(ParseInstalledFilesTest, ReadsPathsRelativeToTheEggInfoDirectory) {
  const std::string dir =
      "usr/local/lib/python3.11/dist-packages/"
      "Flask_Cors-3.0.10-py3.11.egg-info";
  std::string bytes = Testdata(dir + "/installed-files.txt");
  ASSERT_FALSE(bytes.empty());
  auto files = ParseInstalledFiles(bytes, dir);
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  const std::string site = "usr/local/lib/python3.11/dist-packages/";
  EXPECT_THAT(
      *files,
      ElementsAre(site + "flask_cors/__init__.py",
                  site + "flask_cors/__pycache__/__init__.cpython-311.pyc",
                  site + "flask_cors/core.py", site + "flask_cors/decorator.py",
                  site + "flask_cors/extension.py",
                  site + "flask_cors/version.py", dir + "/PKG-INFO",
                  dir + "/SOURCES.txt", dir + "/dependency_links.txt",
                  dir + "/requires.txt", dir + "/top_level.txt"));
}

TEST(ParseInstalledFilesTest, DropsEscapesAndEnforcesThePathCap) {
  auto files =
      ParseInstalledFiles("../../../../x\r\n\n/abs\n.\n", "a/b.egg-info");
  ASSERT_TRUE(files.ok());
  EXPECT_THAT(*files, ElementsAre("abs"));
  std::string many;
  for (int i = 0; i <= 200'000; ++i) many += "f\n";
  EXPECT_EQ(ParseInstalledFiles(many, "d").status(),
            ResourceExhaustedError("more than 200000 paths"));
}

}  // namespace
}  // namespace strata::catalog::python
