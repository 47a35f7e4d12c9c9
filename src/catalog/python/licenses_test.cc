#include "catalog/python/licenses.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace strata::catalog::python {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(ClassifierLicenseTest, MapsClassifiersToSpdxIds) {
  EXPECT_EQ(ClassifierLicense("License :: OSI Approved :: MIT License"), "MIT");
  EXPECT_EQ(
      ClassifierLicense(
          "License :: OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)"),
      "MPL-2.0");
  EXPECT_EQ(ClassifierLicense("License :: OSI Approved :: GNU Lesser General "
                              "Public License v2 or later (LGPLv2+)"),
            "LGPL-2.0-or-later");
  EXPECT_EQ(
      ClassifierLicense(
          "License :: CC0 1.0 Universal (CC0 1.0) Public Domain Dedication"),
      "CC0-1.0");
  EXPECT_EQ(ClassifierLicense("License :: OSI Approved :: zlib/libpng License"),
            "Zlib");
}

TEST(ClassifierLicenseTest, AmbiguousClassifiersBecomeLicenseRefs) {
  EXPECT_EQ(ClassifierLicense("License :: OSI Approved :: BSD License"),
            "LicenseRef-BSD-License");
  EXPECT_EQ(ClassifierLicense(
                "License :: OSI Approved :: GNU General Public License (GPL)"),
            "LicenseRef-GNU-General-Public-License--GPL-");
  EXPECT_EQ(ClassifierLicense("License :: Other/Proprietary License"),
            "LicenseRef-Other-Proprietary-License");
  EXPECT_EQ(ClassifierLicense("License :: Public Domain"),
            "LicenseRef-Public-Domain");
}

TEST(ClassifierLicenseTest, IgnoresCategoriesAndOtherClassifiers) {
  EXPECT_EQ(ClassifierLicense("License :: OSI Approved"), "");
  EXPECT_EQ(ClassifierLicense("License :: DFSG approved"), "");
  EXPECT_EQ(ClassifierLicense("Programming Language :: Python"), "");
  EXPECT_EQ(ClassifierLicense("License ::"), "");
  EXPECT_EQ(ClassifierLicense(""), "");
}

TEST(LicensesTest, LicenseExpressionComesFirst) {
  EXPECT_THAT(Licenses("mit OR apache-2.0", "BSD",
                       {"License :: OSI Approved :: MIT License"}),
              ElementsAre("MIT OR Apache-2.0"));
  EXPECT_THAT(Licenses("Custom licence", "MIT", {}),
              ElementsAre("LicenseRef-Custom-licence"));
}

TEST(LicensesTest, ThenTheLicenseFieldWhenItIsAnSpdxExpression) {
  EXPECT_THAT(Licenses("", "BSD-3-Clause OR Apache-2.0",
                       {"License :: OSI Approved :: BSD License"}),
              ElementsAre("BSD-3-Clause OR Apache-2.0"));
  EXPECT_THAT(Licenses("", " mpl-2.0 ", {}), ElementsAre("MPL-2.0"));
}

TEST(LicensesTest, ThenClassifiersThenFreeText) {
  const std::vector<std::string> classifiers = {
      "Development Status :: 5 - Production/Stable",
      "License :: OSI Approved :: Apache Software License",
      "License :: OSI Approved",
      "License :: OSI Approved :: Apache Software License",
      "License :: OSI Approved :: BSD License"};
  EXPECT_THAT(Licenses("", "Apache 2.0", classifiers),
              ElementsAre("Apache-2.0", "LicenseRef-BSD-License"));
  EXPECT_THAT(Licenses("", "GNU GPL", {}), ElementsAre("LicenseRef-GNU-GPL"));
}

TEST(LicensesTest, IgnoresLicenceTextsAndUnknown) {
  EXPECT_THAT(Licenses("", "UNKNOWN", {}), IsEmpty());
  EXPECT_THAT(Licenses("", "", {}), IsEmpty());
  EXPECT_THAT(Licenses("", "Copyright (c) 2004\nPermission is granted", {}),
              IsEmpty());
  EXPECT_THAT(Licenses("", std::string(129, 'x'), {}), IsEmpty());
  EXPECT_THAT(Licenses(std::string(200, 'y'), "MIT", {}), ElementsAre("MIT"));
}

}  // namespace
}  // namespace strata::catalog::python
