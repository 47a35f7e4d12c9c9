#include "io/verify.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace strata::io {
namespace {

Result<std::string> ReadThrough(ByteSource& src, size_t read_size = 5) {
  std::string out;
  std::vector<uint8_t> buf(read_size);
  while (true) {
    ASSIGN_OR_RETURN(size_t n, src.Read(buf));
    if (n == 0) return out;
    out.append(reinterpret_cast<const char*>(buf.data()), n);
  }
}

VerifyingSource Verifier(std::string data, std::string_view expected_content,
                         int64_t expected_size) {
  return VerifyingSource(std::make_unique<StringSource>(std::move(data)),
                         Sha256Of(expected_content), expected_size, "blob b");
}

TEST(VerifyingSourceTest, PassesMatchingContent) {
  VerifyingSource src = Verifier("hello world", "hello world", 11);
  Result<std::string> r = ReadThrough(src);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, "hello world");
  EXPECT_EQ(src.bytes_read(), 11);
  EXPECT_EQ(*src.Read(std::span<uint8_t>()), 0u);  // stays at end
}

TEST(VerifyingSourceTest, AcceptsUnknownSize) {
  VerifyingSource src = Verifier("hello world", "hello world", -1);
  EXPECT_TRUE(ReadThrough(src).ok());
}

TEST(VerifyingSourceTest, ReportsDigestMismatchAtEnd) {
  VerifyingSource src = Verifier("hello world", "hello there", 11);
  Result<std::string> r = ReadThrough(src);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(r.status().message(), "blob b: digest mismatch: got " +
                                      Sha256Of("hello world").ToString() +
                                      ", want " +
                                      Sha256Of("hello there").ToString());
  uint8_t buf[4];
  EXPECT_EQ(src.Read(buf).status(), r.status());  // sticky
}

TEST(VerifyingSourceTest, VerifiesSha512) {
  Hasher h(DigestAlgorithm::kSha512);
  h.Update(std::string_view("data"));
  VerifyingSource src(std::make_unique<StringSource>("data"), h.Finish(), 4,
                      "blob c");
  EXPECT_TRUE(ReadThrough(src).ok());
}

TEST(VerifyingSourceTest, FailsAsSoonAsTheSizeIsExceeded) {
  VerifyingSource src = Verifier("0123456789", "0123456789", 7);
  uint8_t buf[5];
  EXPECT_EQ(*src.Read(buf), 5u);
  Result<size_t> r = src.Read(buf);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status(),
            DataLossError("blob b: larger than its descriptor size 7"));
  EXPECT_EQ(src.bytes_read(), 5);
  EXPECT_EQ(src.Read(buf).status(), r.status());
}

TEST(VerifyingSourceTest, ReportsTruncation) {
  VerifyingSource src = Verifier("01234", "01234", 7);
  Result<std::string> r = ReadThrough(src);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status(), DataLossError("blob b: truncated: got 5 of 7 bytes"));
}

TEST(VerifyingSourceTest, PassesUpstreamErrorsThrough) {
  class Failing : public ByteSource {
    Result<size_t> Read(std::span<uint8_t>) override {
      return UnavailableError("read: I/O error");
    }
  };
  VerifyingSource src(std::make_unique<Failing>(), Sha256Of(""), 0, "blob b");
  uint8_t buf[4];
  EXPECT_EQ(src.Read(buf).status(), UnavailableError("read: I/O error"));
}

TEST(HashingSourceTest, HashesAndCountsWhatPassesThrough) {
  StringSource up("layer contents");
  HashingSource src(up);
  EXPECT_FALSE(src.finished());
  Result<std::string> r = ReadThrough(src, 3);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "layer contents");
  EXPECT_TRUE(src.finished());
  EXPECT_EQ(src.bytes_read(), 14);
  EXPECT_EQ(src.digest(), Sha256Of("layer contents"));
  EXPECT_EQ(*src.Read(std::span<uint8_t>()), 0u);
  EXPECT_EQ(src.digest(), Sha256Of("layer contents"));
}

TEST(ByteBudgetTest, FailsOnceTheLimitIsPassed) {
  ByteBudget budget(10, "expanded layer bytes");
  EXPECT_TRUE(budget.Take(6).ok());
  EXPECT_TRUE(budget.Take(4).ok());
  Status s = budget.Take(1);
  EXPECT_EQ(s, ResourceExhaustedError(
                   "expanded layer bytes exceeds the cap of 10 bytes"));
  EXPECT_FALSE(budget.Take(0).ok());  // stays exhausted
}

TEST(ByteBudgetTest, IsSharedAcrossThreads) {
  ByteBudget budget(1000, "budget");
  std::atomic<int> failures = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 300; ++i) {
        if (!budget.Take(1).ok()) ++failures;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures, 200);
}

TEST(BudgetedSourceTest, StopsWhenTheSharedBudgetRunsOut) {
  ByteBudget budget(12, "expanded bytes");
  StringSource a("0123456789");
  StringSource b("0123456789");
  BudgetedSource src_a(a, budget);
  BudgetedSource src_b(b, budget);
  EXPECT_TRUE(ReadThrough(src_a, 4).ok());
  Result<std::string> r = ReadThrough(src_b, 4);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status(), ResourceExhaustedError(
                            "expanded bytes exceeds the cap of 12 bytes"));
  uint8_t buf[4];
  EXPECT_EQ(src_b.Read(buf).status(), r.status());
}

}  // namespace
}  // namespace strata::io
