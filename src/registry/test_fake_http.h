// A scripted HttpTransport for tests (header-only: it needs gtest). Each
// expected exchange is matched in order by method and URL; the fake keeps
// the transport's contract (on_headers first, the body to the sink only for
// 2xx, collected bodies capped) and records every request it was given.
#ifndef STRATA_REGISTRY_TEST_FAKE_HTTP_H_
#define STRATA_REGISTRY_TEST_FAKE_HTTP_H_

#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/byte_source.h"
#include "registry/http.h"

namespace strata::registry::testing {

// A request as the fake saw it, with a streamed upload read into `body`.
struct SeenRequest {
  std::string method;
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string Header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (k == name) return v;
    }
    return "";
  }
};

// The value of an expected-OK result (a test failure and nullopt if not).
template <typename T>
std::optional<T> Ok(Result<T> r) {
  if (!r.ok()) {
    ADD_FAILURE() << r.status().ToString();
    return std::nullopt;
  }
  return std::move(*r);
}

inline HttpResponse Reply(
    int status, std::string body = "",
    std::vector<std::pair<std::string, std::string>> headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

class FakeHttp : public HttpTransport {
 public:
  // What an exchange does: the response it gives, or a failure. When
  // `fail_after` is set, the first fail_after bytes of the body are
  // delivered and then the exchange fails with `failure`.
  struct Step {
    std::string method;
    std::string url;
    Result<HttpResponse> result = HttpResponse{};
    std::optional<size_t> fail_after;
    Status failure;
  };

  void Expect(std::string method, std::string url, HttpResponse response) {
    Add({std::move(method), std::move(url), std::move(response), std::nullopt,
         Status()});
  }
  void ExpectError(std::string method, std::string url, Status error) {
    Add({std::move(method), std::move(url), std::move(error), std::nullopt,
         Status()});
  }
  // 2xx body cut after `bytes` bytes by `failure` (a connection reset).
  void ExpectCut(std::string method, std::string url, HttpResponse response,
                 size_t bytes, Status failure) {
    Add({std::move(method), std::move(url), std::move(response), bytes,
         std::move(failure)});
  }
  void Add(Step step) {
    std::lock_guard<std::mutex> lock(mu_);
    steps_.push_back(std::move(step));
  }

  Result<HttpResponse> Do(const HttpRequest& request,
                          const BodySink* sink) override {
    SeenRequest seen{request.method, request.url, request.headers,
                     request.body};
    if (request.upload != nullptr) {  // exactly upload_size bytes
      seen.body.resize(static_cast<size_t>(request.upload_size));
      size_t got = 0;
      while (got < seen.body.size()) {
        Result<size_t> n = request.upload->Read(std::span<uint8_t>(
            reinterpret_cast<uint8_t*>(seen.body.data()) + got,
            seen.body.size() - got));
        if (!n.ok()) return n.status();
        if (*n == 0) return DataLossError("upload shorter than its size");
        got += *n;
      }
    }
    Step step;
    {
      std::lock_guard<std::mutex> lock(mu_);
      seen_.push_back(seen);
      if (steps_.empty()) {
        ADD_FAILURE() << "unexpected " << request.method << " " << request.url;
        return InternalError("unexpected request");
      }
      step = std::move(steps_.front());
      steps_.pop_front();
    }
    EXPECT_EQ(step.method + " " + step.url, request.method + " " + request.url);
    if (!step.result.ok()) return step.result.status();
    HttpResponse r = std::move(*step.result);
    HttpResponse head = r;
    head.body.clear();
    if (request.on_headers) {
      Status s = request.on_headers(head);
      if (!s.ok()) return s;
    }
    bool ok2xx = r.status >= 200 && r.status < 300;
    std::string body = std::move(r.body);
    if (step.fail_after.has_value()) body.resize(*step.fail_after);
    if (sink != nullptr && ok2xx) {
      // Two pieces, so that consumers see a split body.
      size_t half = body.size() / 2;
      for (std::string_view piece : {std::string_view(body).substr(0, half),
                                     std::string_view(body).substr(half)}) {
        if (piece.empty()) continue;
        Status s = (*sink)(std::span<const uint8_t>(
            reinterpret_cast<const uint8_t*>(piece.data()), piece.size()));
        if (!s.ok()) return s;
      }
    } else {
      int64_t cap = request.max_body_bytes > 0 ? request.max_body_bytes
                                               : kDefaultMaxBodyBytes;
      if (static_cast<int64_t>(body.size()) > cap) {
        if (ok2xx) {
          return ResourceExhaustedError("response body larger than " +
                                        std::to_string(cap) + " bytes");
        }
        body.resize(static_cast<size_t>(cap));
      }
      head.body = std::move(body);
    }
    if (step.fail_after.has_value()) return step.failure;
    return head;
  }

  std::vector<SeenRequest> seen() const {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }
  size_t pending() const {
    std::lock_guard<std::mutex> lock(mu_);
    return steps_.size();
  }

 private:
  mutable std::mutex mu_;
  std::deque<Step> steps_;
  std::vector<SeenRequest> seen_;
};

}  // namespace strata::registry::testing

#endif  // STRATA_REGISTRY_TEST_FAKE_HTTP_H_
