#include "registry/retry.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <thread>

namespace strata::registry {
namespace {

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

bool IsRetryableStatus(int status) {
  return status == 429 || status == 500 || status == 502 || status == 503 ||
         status == 504;
}

std::optional<int64_t> ParseRetryAfter(std::string_view value,
                                       int64_t now_unix_s) {
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(),
                  [](char c) { return c >= '0' && c <= '9'; })) {
    if (value.size() > 9) return std::nullopt;  // over 31 years
    int64_t seconds = 0;
    for (char c : value) seconds = seconds * 10 + (c - '0');
    return seconds * 1000;
  }
  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT".
  if (value.size() != 29) return std::nullopt;
  std::string text(value);
  std::tm tm = {};
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  int64_t when = timegm(&tm);
  return std::max<int64_t>(0, (when - now_unix_s) * 1000);
}

Backoff::Backoff(const RetryPolicy& policy, std::function<void(int ms)> sleep)
    : policy_(policy),
      sleep_(std::move(sleep)),
      start_ms_(sleep_ ? 0 : SteadyMs()),
      rng_(std::random_device{}()) {}

int64_t Backoff::ElapsedMs() const {
  return sleep_ ? slept_ms_ : SteadyMs() - start_ms_;
}

Status Backoff::Next(std::string_view cause,
                     std::optional<int64_t> retry_after_ms) {
  std::string gave_up =
      "gave up after " + std::to_string(attempts_) + " attempts: ";
  if (attempts_ >= policy_.max_attempts) {
    return UnavailableError(gave_up + std::string(cause));
  }
  int64_t remaining = policy_.max_total_ms - ElapsedMs();
  int64_t delay;
  if (retry_after_ms.has_value()) {
    if (*retry_after_ms > remaining) {
      return UnavailableError(std::string(cause) +
                              ": server asked to retry after " +
                              std::to_string((*retry_after_ms + 999) / 1000) +
                              "s, beyond the retry budget");
    }
    delay = std::min<int64_t>(*retry_after_ms, policy_.max_delay_ms);
  } else {
    int shift = std::min(attempts_ - 1, 30);
    int64_t ceiling =
        std::min<int64_t>(policy_.max_delay_ms,
                          static_cast<int64_t>(policy_.base_delay_ms) << shift);
    delay = std::uniform_int_distribution<int64_t>(0, ceiling)(rng_);
  }
  if (delay > remaining) return UnavailableError(gave_up + std::string(cause));
  if (sleep_) {
    sleep_(static_cast<int>(delay));
    slept_ms_ += delay;
  } else {
    std::this_thread::sleep_for(std::chrono::milliseconds(delay));
  }
  ++attempts_;
  return Status::Ok();
}

}  // namespace strata::registry
