#include "base/base64.h"

#include <gtest/gtest.h>

#include <string>

namespace strata {
namespace {

TEST(Base64Test, RoundTripsEveryLengthAndByte) {
  std::string data;
  for (int i = 0; i < 300; ++i) {
    data += static_cast<char>(i * 37 + 11);
    const std::string enc = Base64Encode(data);
    EXPECT_EQ(enc.size() % 4, 0u);
    EXPECT_EQ(*Base64Decode(enc), data);
    const std::string url = Base64UrlEncode(data);
    EXPECT_EQ(url.find_first_of("+/="), std::string::npos);
    EXPECT_EQ(*Base64Decode(url, Base64Alphabet::kUrl), data);
    EXPECT_EQ(*Base64Decode(url, Base64Alphabet::kEither), data);
    EXPECT_EQ(*Base64Decode(enc, Base64Alphabet::kEither), data);
  }
}

TEST(Base64Test, KnownVectors) {
  // RFC 4648 section 10.
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_EQ(*Base64Decode("Zm8"), "fo");  // padding is optional
}

TEST(Base64Test, RefusesMalformedInput) {
  for (const char* bad : {"Z", "Zm9vY", "Zg=", "Zg===", "Z===", "Zm8==", "Zm 8",
                          "Zm8\n", "Zh==", "Zm9=", "-_8+"}) {
    EXPECT_FALSE(Base64Decode(bad, Base64Alphabet::kEither).ok()) << bad;
  }
  EXPECT_EQ(Base64Decode("ab$c").status().ToString(), "bad base64 character");
  EXPECT_FALSE(Base64Decode("-_8").ok());  // URL alphabet, standard wanted
  EXPECT_FALSE(Base64Decode("+/8", Base64Alphabet::kUrl).ok());
}

}  // namespace
}  // namespace strata

#include "base/hex.h"

namespace strata {
namespace {

TEST(HexTest, RoundTripsAndRefusesMalformedInput) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  const std::string hex = HexEncode(all);
  EXPECT_EQ(hex.substr(0, 8), "00010203");
  EXPECT_EQ(hex.substr(hex.size() - 4), "feff");
  EXPECT_EQ(HexDecode(hex), all);
  EXPECT_EQ(HexDecode("ABcd"), std::string("\xab\xcd"));
  EXPECT_EQ(HexDecode(""), std::string());
  for (const char* bad : {"a", "abc", "0g", "-1", " 1", "1 "}) {
    EXPECT_FALSE(HexDecode(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace strata
