#include "registry/retry.h"

#include <gtest/gtest.h>

#include <vector>

namespace strata::registry {
namespace {

TEST(IsRetryableStatusTest, RetriesOnlyTransientAnswers) {
  for (int s : {429, 500, 502, 503, 504}) EXPECT_TRUE(IsRetryableStatus(s));
  for (int s : {200, 400, 401, 404, 501, 505})
    EXPECT_FALSE(IsRetryableStatus(s));
}

TEST(ParseRetryAfterTest, ReadsSecondsAndDates) {
  EXPECT_EQ(ParseRetryAfter("0", 0), 0);
  EXPECT_EQ(ParseRetryAfter("120", 0), 120000);
  // 784111777 is Sun, 06 Nov 1994 08:49:37 GMT.
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", 784111770), 7000);
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", 784111800), 0);
}

TEST(ParseRetryAfterTest, RefusesMalformedValues) {
  for (const char* v :
       {"", "-1", "1.5", " 5", "5s", "9999999999",
        "Sun, 06 Nov 1994 08:49:37 UTC", "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:37 GMTx"}) {
    EXPECT_EQ(ParseRetryAfter(v, 0), std::nullopt) << v;
  }
}

TEST(BackoffTest, GivesUpAfterMaxAttempts) {
  std::vector<int> sleeps;
  RetryPolicy p;
  p.max_attempts = 3;
  Backoff b(p, [&](int ms) { sleeps.push_back(ms); });
  EXPECT_TRUE(b.Next("HTTP 500", std::nullopt).ok());
  EXPECT_TRUE(b.Next("HTTP 500", std::nullopt).ok());
  EXPECT_EQ(b.attempts(), 3);
  EXPECT_EQ(b.Next("HTTP 503", std::nullopt),
            UnavailableError("gave up after 3 attempts: HTTP 503"));
  ASSERT_EQ(sleeps.size(), 2u);
  EXPECT_LE(sleeps[0], 200);  // full jitter below base * 2^(n-1)
  EXPECT_LE(sleeps[1], 400);
}

TEST(BackoffTest, DelaysStayWithinTheCap) {
  RetryPolicy p;
  p.max_attempts = 1000;
  p.max_delay_ms = 1000;
  p.max_total_ms = 1'000'000'000;
  int max_seen = 0;
  Backoff b(p, [&](int ms) { max_seen = std::max(max_seen, ms); });
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(b.Next("x", std::nullopt).ok());
  EXPECT_LE(max_seen, 1000);
  EXPECT_GT(max_seen, 0);
}

TEST(BackoffTest, EndlessFailuresStopWithinTheTotalBudget) {
  RetryPolicy p;
  p.max_attempts = 1'000'000;
  p.max_total_ms = 30000;
  int64_t slept = 0;
  Backoff b(p, [&](int ms) { slept += ms; });
  Status s;
  while ((s = b.Next("HTTP 500", std::nullopt)).ok()) {
  }
  EXPECT_LE(slept, 30000);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_TRUE(s.message().starts_with("gave up after ")) << s.ToString();
  EXPECT_TRUE(s.message().ends_with(" attempts: HTTP 500")) << s.ToString();
}

TEST(BackoffTest, HonoursRetryAfterUpToTheMaxDelay) {
  std::vector<int> sleeps;
  RetryPolicy p;
  Backoff b(p, [&](int ms) { sleeps.push_back(ms); });
  EXPECT_TRUE(b.Next("HTTP 429", 3000).ok());
  EXPECT_TRUE(b.Next("HTTP 429", 60000).ok());  // capped at max_delay_ms
  EXPECT_EQ(sleeps, (std::vector<int>{3000, 10000}));
}

TEST(BackoffTest, RetryAfterBeyondTheBudgetGivesUpAtOnce) {
  int sleeps = 0;
  RetryPolicy p;
  p.max_total_ms = 5000;
  Backoff b(p, [&](int) { ++sleeps; });
  EXPECT_EQ(b.Next("HTTP 429", 3'600'000),
            UnavailableError("HTTP 429: server asked to retry after 3600s, "
                             "beyond the retry budget"));
  EXPECT_EQ(sleeps, 0);
}

}  // namespace
}  // namespace strata::registry
