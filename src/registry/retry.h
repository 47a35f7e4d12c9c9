// Retry policy for registry exchanges: which failures are worth another
// attempt, and how long to wait (exponential backoff with full jitter,
// Retry-After honoured within the budget).
#ifndef STRATA_REGISTRY_RETRY_H_
#define STRATA_REGISTRY_RETRY_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "base/status.h"
#include "registry/http.h"

namespace strata::registry {

struct RetryPolicy {
  int max_attempts = 5;  // attempts in all, the first included
  int base_delay_ms = 200;
  int max_delay_ms = 10000;
  int64_t max_total_ms = 120000;  // time spent from the first attempt
};

// True for answers worth another attempt: 429, 500, 502, 503, 504.
bool IsRetryableStatus(int status);

// Parses a Retry-After value: delay-seconds or an HTTP-date (IMF-fixdate),
// given the current time in Unix seconds. Returns the delay in ms (0 for a
// date in the past), nullopt when the value is malformed.
std::optional<int64_t> ParseRetryAfter(std::string_view value,
                                       int64_t now_unix_s);

// The wait between the attempts of one operation. Not thread-safe: one per
// operation.
class Backoff {
 public:
  // sleep null: real sleeps, and the elapsed time is measured on the steady
  // clock. sleep injected (tests): time passes only through the injected
  // sleeps, so a test controls it entirely and never waits.
  Backoff(const RetryPolicy& policy, std::function<void(int ms)> sleep);

  // Call after a failed attempt whose one-line cause is `cause` ("HTTP 503",
  // "connection reset"); `retry_after_ms` is the server's Retry-After, if
  // any. Sleeps and returns OK when another attempt may be made. Otherwise
  // returns kUnavailable "gave up after N attempts: <cause>", or, when the
  // server asks to wait longer than the remaining budget, kUnavailable
  // "<cause>: server asked to retry after Ns, beyond the retry budget".
  // A Retry-After is waited for as asked, but at most max_delay_ms; without
  // one the delay is uniform in [0, min(max_delay_ms, base * 2^(n-1))].
  Status Next(std::string_view cause, std::optional<int64_t> retry_after_ms);

  int attempts() const { return attempts_; }

 private:
  int64_t ElapsedMs() const;

  RetryPolicy policy_;
  std::function<void(int)> sleep_;
  int64_t start_ms_;
  int64_t slept_ms_ = 0;
  int attempts_ = 1;
  std::mt19937_64 rng_;
};

}  // namespace strata::registry

#endif  // STRATA_REGISTRY_RETRY_H_
