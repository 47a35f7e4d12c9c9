#include "catalog/dpkg/licenses.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace strata::catalog::dpkg {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::string Testdata(const std::string& rel) {
  std::ifstream in(
      std::string(STRATA_SOURCE_DIR) + "/src/catalog/dpkg/testdata/" + rel,
      std::ios::binary);
  EXPECT_TRUE(in) << rel;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(DebianLicenseToSpdxTest, MapsDebianShortNames) {
  EXPECT_EQ(DebianLicenseToSpdx("GPL-2"), "GPL-2.0-only");
  EXPECT_EQ(DebianLicenseToSpdx("GPL-2+"), "GPL-2.0-or-later");
  EXPECT_EQ(DebianLicenseToSpdx("GPL-2.0+"), "GPL-2.0-or-later");
  EXPECT_EQ(DebianLicenseToSpdx("GPLv3+"), "GPL-3.0-or-later");
  EXPECT_EQ(DebianLicenseToSpdx("LGPL-2.1+"), "LGPL-2.1-or-later");
  EXPECT_EQ(DebianLicenseToSpdx("LGPL-2"), "LGPL-2.0-only");
  EXPECT_EQ(DebianLicenseToSpdx("AGPL-3+"), "AGPL-3.0-or-later");
  EXPECT_EQ(DebianLicenseToSpdx("GFDL-1.3"), "GFDL-1.3-only");
  EXPECT_EQ(DebianLicenseToSpdx("gpl-3.0-or-later"), "GPL-3.0-or-later");
  EXPECT_EQ(DebianLicenseToSpdx("BSD-3-clause"), "BSD-3-Clause");
  EXPECT_EQ(DebianLicenseToSpdx("Expat"), "MIT");
  EXPECT_EQ(DebianLicenseToSpdx("Apache-2"), "Apache-2.0");
  EXPECT_EQ(DebianLicenseToSpdx("Artistic"), "Artistic-1.0-Perl");
  EXPECT_EQ(DebianLicenseToSpdx("MPL-2.0"), "MPL-2.0");
  EXPECT_EQ(DebianLicenseToSpdx("PSF-2.0"), "PSF-2.0");
  EXPECT_EQ(DebianLicenseToSpdx("zlib"), "Zlib");
  EXPECT_EQ(DebianLicenseToSpdx("OpenLDAP-2.8"), "OLDAP-2.8");
}

TEST(DebianLicenseToSpdxTest, UnknownNamesBecomeLicenseRefs) {
  EXPECT_EQ(DebianLicenseToSpdx("public-domain"), "LicenseRef-public-domain");
  EXPECT_EQ(DebianLicenseToSpdx("GPL-4+"), "LicenseRef-GPL-4-");
  EXPECT_EQ(DebianLicenseToSpdx("GPL"), "LicenseRef-GPL");
  EXPECT_EQ(DebianLicenseToSpdx("BSD-3-google"), "LicenseRef-BSD-3-google");
  EXPECT_EQ(DebianLicenseToSpdx("a/b_c"), "LicenseRef-a-b-c");
}

TEST(ParseCopyrightLicensesTest, ReadsDep5LicenseFields) {
  EXPECT_THAT(
      ParseCopyrightLicenses(Testdata("status/usr/share/doc/zlib1g/copyright")),
      ElementsAre("Artistic-1.0-Perl", "BSL-1.0", "GPL-2.0-or-later", "Zlib"));
}

TEST(ParseCopyrightLicensesTest, SplitsExpressionsAndDropsExceptions) {
  // "Some-Custom License" has a space: free text, not a name.
  EXPECT_THAT(ParseCopyrightLicenses(
                  Testdata("status/usr/share/doc/python3/copyright")),
              ElementsAre("LGPL-2.1-or-later", "MIT", "PSF-2.0"));
}

TEST(ParseCopyrightLicensesTest, ReadsCommonLicensesReferences) {
  // "any later version" makes both GNU references -or-later.
  EXPECT_THAT(
      ParseCopyrightLicenses(Testdata("status/usr/share/doc/libc6/copyright")),
      ElementsAre("GPL-2.0-or-later", "LGPL-2.1-or-later"));
  EXPECT_THAT(ParseCopyrightLicenses("See /usr/share/common-licenses/GPL-2.\n"
                                     "and /usr/share/common-licenses/BSD and "
                                     "/usr/share/common-licenses/Apache-2.0\n"),
              ElementsAre("Apache-2.0", "BSD-3-Clause", "GPL-2.0-only"));
}

TEST(ParseCopyrightLicensesTest, NothingFoundIsEmpty) {
  EXPECT_THAT(ParseCopyrightLicenses(""), IsEmpty());
  EXPECT_THAT(ParseCopyrightLicenses("Copyright 2020 someone\n"), IsEmpty());
  EXPECT_THAT(ParseCopyrightLicenses("/usr/share/common-licenses/"), IsEmpty());
}

TEST(ParseCopyrightLicensesTest, CapsTheNumberOfLicences) {
  std::string content = "Format: x\n";
  for (int i = 0; i < 1000; ++i) {
    content += "License: custom-" + std::to_string(i) + "\n";
  }
  EXPECT_EQ(ParseCopyrightLicenses(content).size(), 64u);
}

TEST(ParseCopyrightLicensesTest, SurvivesTruncationAndByteFlips) {
  const std::string good = Testdata("status/usr/share/doc/zlib1g/copyright");
  for (size_t n = 0; n <= good.size(); ++n) {
    EXPECT_LE(ParseCopyrightLicenses(good.substr(0, n)).size(), 5u);
  }
  for (size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] = '\0';
    EXPECT_LE(ParseCopyrightLicenses(bad).size(), 5u);
  }
}

}  // namespace
}  // namespace strata::catalog::dpkg
