#include "base/digest.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

TEST(DigestTest, Sha256OfKnownVectors) {
  EXPECT_EQ(Sha256Of("").ToString(),
            "sha256:"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Of("abc").hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(DigestTest, Sha512Streaming) {
  Hasher h(DigestAlgorithm::kSha512);
  h.Update("a");
  h.Update("bc");
  EXPECT_EQ(
      h.Finish().ToString(),
      "sha512:ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
      "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
}

TEST(DigestTest, ParseRoundTrips) {
  auto d = Digest::Parse(
      "sha256:"
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->algorithm(), DigestAlgorithm::kSha256);
  EXPECT_EQ(d->Short(), "sha256:e3b0c44298fc");
  EXPECT_EQ(*d, Sha256Of(""));
}

TEST(DigestTest, ParseRejectsMalformed) {
  EXPECT_EQ(Digest::Parse("e3b0").status().message(),
            "invalid digest \"e3b0\": missing algorithm");
  EXPECT_EQ(Digest::Parse("md5:abc").status().message(),
            "unsupported digest algorithm \"md5\"");
  // Uppercase hex, wrong length, non-hex.
  EXPECT_FALSE(
      Digest::Parse(
          "sha256:"
          "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855")
          .ok());
  EXPECT_FALSE(Digest::Parse("sha256:e3b0").ok());
  EXPECT_FALSE(Digest::Parse("sha256:../../../../etc/"
                             "passwd0000000000000000000000000000000000000000")
                   .ok());
}

}  // namespace
}  // namespace strata
