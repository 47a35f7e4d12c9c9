#include "base/status.h"

#include <gtest/gtest.h>

#include <memory>

namespace strata {
namespace {

Result<int> Half(int x) {
  if (x % 2) return InvalidArgumentError("odd: " + std::to_string(x));
  return x / 2;
}

Result<int> Quarter(int x) {
  ASSIGN_OR_RETURN(int h, Half(x));
  ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

Status CheckEven(int x) {
  RETURN_IF_ERROR(Half(x));
  return Status::Ok();
}

TEST(StatusTest, OkByDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, ContextIsPrefixedOuterFirst) {
  Status s = DataLossError("truncated gzip stream")
                 .WithContext("layer sha256:abc")
                 .WithContext("image demo");
  EXPECT_EQ(s.ToString(),
            "image demo: layer sha256:abc: truncated gzip stream");
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
}

TEST(StatusTest, ToStringIsOneLine) {
  Status s = InvalidArgumentError("a\nb\rc");
  EXPECT_EQ(s.ToString(), "a b c");
}

TEST(StatusTest, ErrnoErrorMapsCodes) {
  EXPECT_EQ(ErrnoError("open x", ENOENT).code(), StatusCode::kNotFound);
  EXPECT_EQ(ErrnoError("open x", EACCES).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(ErrnoError("open x", ENOENT).message(),
            "open x: No such file or directory");
}

TEST(ResultTest, MacrosPropagate) {
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "odd: 3");
  EXPECT_TRUE(CheckEven(4).ok());
  EXPECT_EQ(CheckEven(5).code(), StatusCode::kInvalidArgument);
}

TEST(ResultTest, HoldsMoveOnlyValues) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(7);
  ASSERT_TRUE(r.ok());
  std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(*p, 7);
}

}  // namespace
}  // namespace strata
