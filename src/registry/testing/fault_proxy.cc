#include <algorithm>
#include <cstdint>

#include "base/json.h"
#include "registry/testing/harness.h"

namespace strata::registry::testing {
namespace {

using Close = LoopbackServer::Close;

constexpr int kMaxInterimResponses = 8;

std::string_view Reason(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Injected";
  }
}

std::string_view ErrorCode(int status) {
  switch (status) {
    case 401:
      return "UNAUTHORIZED";
    case 403:
      return "DENIED";
    case 429:
      return "TOOMANYREQUESTS";
    case 503:
      return "UNAVAILABLE";
    default:
      return "UNKNOWN";
  }
}

// A complete registry-style error response that closes the connection.
std::string ErrorResponse(int status, int retry_after_seconds,
                          std::string_view message) {
  json::Json error = {{"code", ErrorCode(status)}, {"message", message}};
  std::string body = json::Dump(json::Json{{"errors", {error}}});
  HeaderList headers = {{"Content-Type", "application/json; charset=utf-8"},
                        {"Content-Length", std::to_string(body.size())},
                        {"Connection", "close"}};
  if (retry_after_seconds >= 0) {
    headers.emplace_back("Retry-After", std::to_string(retry_after_seconds));
  }
  return SerializeHead("HTTP/1.1 " + std::to_string(status) + " " +
                           std::string(Reason(status)),
                       headers) +
         body;
}

int StatusCodeOf(const HttpHead& head) {
  const std::string& code = head.start[1];
  if (code.size() != 3) return 0;
  int v = 0;
  for (char c : code) {
    if (c < '0' || c > '9') return 0;
    v = v * 10 + (c - '0');
  }
  return v;
}

// Keeps a handler's upstream socket on the server's shutdown list.
class TrackedFd {
 public:
  TrackedFd(LoopbackServer& server, UniqueFd fd)
      : server_(server), fd_(std::move(fd)) {
    server_.Track(fd_.get());
  }
  ~TrackedFd() { server_.Untrack(fd_.get()); }
  int get() const { return fd_.get(); }

 private:
  LoopbackServer& server_;
  UniqueFd fd_;
};

Fault Make(FaultKind kind, std::string method, std::string path, int times) {
  Fault f;
  f.kind = kind;
  f.method = std::move(method);
  f.path_substring = std::move(path);
  f.times = times;
  return f;
}

}  // namespace

Fault Fault::Respond(std::string method, std::string path_substring, int status,
                     int times) {
  Fault f = Make(FaultKind::kRespond, std::move(method),
                 std::move(path_substring), times);
  f.status = status;
  return f;
}

Fault Fault::TooManyRequests(std::string method, std::string path_substring,
                             int retry_after_seconds, int times) {
  Fault f = Respond(std::move(method), std::move(path_substring), 429, times);
  f.retry_after_seconds = retry_after_seconds;
  return f;
}

Fault Fault::ResetAfter(std::string method, std::string path_substring,
                        int64_t body_bytes, int times) {
  Fault f = Make(FaultKind::kResetAfter, std::move(method),
                 std::move(path_substring), times);
  f.body_bytes = body_bytes;
  return f;
}

Fault Fault::TruncateAfter(std::string method, std::string path_substring,
                           int64_t body_bytes, int times) {
  Fault f = Make(FaultKind::kTruncateAfter, std::move(method),
                 std::move(path_substring), times);
  f.body_bytes = body_bytes;
  return f;
}

Fault Fault::CorruptByte(std::string method, std::string path_substring,
                         int64_t body_offset, int times) {
  Fault f = Make(FaultKind::kCorruptByte, std::move(method),
                 std::move(path_substring), times);
  f.body_bytes = body_offset;
  return f;
}

Fault Fault::Delay(std::string method, std::string path_substring, int delay_ms,
                   int times) {
  Fault f = Make(FaultKind::kDelay, std::move(method),
                 std::move(path_substring), times);
  f.delay_ms = delay_ms;
  return f;
}

Result<std::unique_ptr<FaultProxy>> FaultProxy::Start(
    std::string upstream_host) {
  RETURN_IF_ERROR(SplitHostPort(upstream_host).status());
  std::unique_ptr<FaultProxy> proxy(new FaultProxy(std::move(upstream_host)));
  FaultProxy* self = proxy.get();
  ASSIGN_OR_RETURN(proxy->server_,
                   LoopbackServer::Start([self](int fd, LoopbackServer& s) {
                     return self->Handle(fd, s);
                   }));
  proxy->host_ = "127.0.0.1:" + std::to_string(proxy->server_->port());
  return proxy;
}

FaultProxy::~FaultProxy() { server_.reset(); }

void FaultProxy::AddFault(Fault fault) {
  std::lock_guard<std::mutex> lock(mu_);
  faults_.push_back(std::move(fault));
}

void FaultProxy::ClearFaults() {
  std::lock_guard<std::mutex> lock(mu_);
  faults_.clear();
}

std::vector<ProxiedRequest> FaultProxy::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

void FaultProxy::ClearRequests() {
  std::lock_guard<std::mutex> lock(mu_);
  requests_.clear();
  ++generation_;
}

std::optional<Fault> FaultProxy::TakeFault(std::string_view method,
                                           std::string_view target) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = faults_.begin(); it != faults_.end(); ++it) {
    if ((!it->method.empty() && it->method != method) ||
        target.find(it->path_substring) == std::string_view::npos) {
      continue;
    }
    Fault taken = *it;
    if (it->times != kForever && --it->times <= 0) faults_.erase(it);
    return taken;
  }
  return std::nullopt;
}

std::pair<uint64_t, size_t> FaultProxy::Record(ProxiedRequest request) {
  std::lock_guard<std::mutex> lock(mu_);
  if (requests_.size() >= kMaxRecords) return {generation_, SIZE_MAX};
  requests_.push_back(std::move(request));
  return {generation_, requests_.size() - 1};
}

void FaultProxy::Update(std::pair<uint64_t, size_t> where,
                        const std::function<void(ProxiedRequest&)>& update) {
  std::lock_guard<std::mutex> lock(mu_);
  if (where.first == generation_ && where.second < requests_.size()) {
    update(requests_[where.second]);
  }
}

Close FaultProxy::Handle(int fd, LoopbackServer& server) {
  SocketStream client(fd, "proxy client");
  BufferedReader from_client(client);
  auto head_text = from_client.ReadHead();
  if (!head_text.ok() || !*head_text) return Close::kGraceful;
  auto head = ParseHead(**head_text);
  if (head.ok() && head->start[2].rfind("HTTP/1.", 0) != 0) {
    head = DataLossError("not an HTTP/1.x request");
  }
  Result<Framing> framing = head.ok() ? RequestFraming(head->headers)
                                      : Result<Framing>(head.status());
  if (!framing.ok()) {
    client.WriteAll(ErrorResponse(400, -1, framing.status().ToString()))
        .IgnoreError();
    return Close::kGraceful;
  }
  const std::string& method = head->start[0];
  const std::string& target = head->start[1];
  const HeaderList& headers = head->headers;

  ProxiedRequest record;
  record.method = method;
  record.target = target;
  if (auto range = FindHeader(headers, "Range")) {
    record.has_range = true;
    record.range = *range;
  }
  record.has_authorization = FindHeader(headers, "Authorization").has_value();
  record.chunked_body = framing->kind == Framing::Kind::kChunked;
  std::optional<Fault> fault = TakeFault(method, target);
  if (fault) record.fault = fault->kind;
  const auto where = Record(record);
  const bool expect_continue =
      HeaderHasToken(headers, "Expect", "100-continue");
  auto set_status = [&](int status) {
    Update(where, [status](ProxiedRequest& r) { r.status = status; });
  };

  uint64_t body_bytes = 0;
  auto count_body = [&](std::string_view raw) {
    body_bytes += raw.size();
    return Status::Ok();
  };
  if (fault && fault->kind == FaultKind::kRespond) {
    // With Expect the client has not sent the body: answer at once.
    if (!expect_continue &&
        !ReadBody(from_client, *framing, count_body, nullptr).ok()) {
      return Close::kGraceful;
    }
    Update(where, [&](ProxiedRequest& r) {
      r.body_bytes = body_bytes;
      r.status = fault->status;
    });
    client
        .WriteAll(ErrorResponse(fault->status, fault->retry_after_seconds,
                                "fault injected by strata test proxy"))
        .IgnoreError();
    return Close::kGraceful;
  }

  auto upstream_addr = SplitHostPort(upstream_);
  auto upstream_fd =
      ConnectTcp(upstream_addr->first, upstream_addr->second, kSocketTimeoutMs);
  if (!upstream_fd.ok()) {
    set_status(502);
    client.WriteAll(ErrorResponse(502, -1, upstream_fd.status().ToString()))
        .IgnoreError();
    return Close::kGraceful;
  }
  TrackedFd upstream_sock(server, std::move(*upstream_fd));
  SocketStream upstream(upstream_sock.get(), "registry " + upstream_);

  if (expect_continue &&
      !client.WriteAll("HTTP/1.1 100 Continue\r\n\r\n").ok()) {
    return Close::kGraceful;
  }
  HeaderList forwarded = headers;
  for (std::string_view name :
       {"Connection", "Keep-Alive", "Proxy-Connection", "Expect"}) {
    RemoveHeader(forwarded, name);
  }
  forwarded.emplace_back("Connection", "close");
  Status sent = upstream.WriteAll(
      SerializeHead(method + " " + target + " " + head->start[2], forwarded));
  if (sent.ok()) {
    sent = ReadBody(
        from_client, *framing,
        [&](std::string_view raw) -> Status {
          RETURN_IF_ERROR(count_body(raw));
          return upstream.WriteAll(raw);
        },
        nullptr);
  }
  Update(where, [&](ProxiedRequest& r) { r.body_bytes = body_bytes; });
  if (!sent.ok()) return Close::kReset;  // the client sees the exchange fail

  BufferedReader from_upstream(upstream);
  HttpHead response;
  int status = 0;
  for (int interim = 0;; ++interim) {
    auto text = from_upstream.ReadHead();
    auto parsed =
        text.ok() && *text
            ? ParseHead(**text)
            : Result<HttpHead>(UnavailableError("no response from registry"));
    status = parsed.ok() ? StatusCodeOf(*parsed) : 0;
    if (status < 100 || status > 599 || interim == kMaxInterimResponses) {
      set_status(502);
      client.WriteAll(ErrorResponse(502, -1, "bad response from registry"))
          .IgnoreError();
      return Close::kGraceful;
    }
    if (status >= 200) {
      response = std::move(*parsed);
      break;
    }
    // Interim (1xx) responses go to the client unchanged.
    if (!client.WriteAll(**text).ok()) return Close::kGraceful;
  }

  if (fault && fault->kind == FaultKind::kDelay &&
      !server.SleepUnlessStopping(fault->delay_ms)) {
    return Close::kReset;
  }
  RemoveHeader(response.headers, "Connection");
  RemoveHeader(response.headers, "Keep-Alive");
  response.headers.emplace_back("Connection", "close");
  set_status(status);
  if (!client
           .WriteAll(SerializeHead(response.start[0] + " " + response.start[1] +
                                       " " + response.start[2],
                                   response.headers))
           .ok()) {
    return Close::kGraceful;
  }

  // The registry closes after the response (Connection: close), so the body
  // is everything up to its end of stream, whatever the framing.
  const bool cut = fault && (fault->kind == FaultKind::kResetAfter ||
                             fault->kind == FaultKind::kTruncateAfter);
  const int64_t limit = fault ? std::max<int64_t>(0, fault->body_bytes) : 0;
  int64_t offset = 0;
  char buf[16384];
  for (;;) {
    auto got = from_upstream.ReadSome(buf, sizeof(buf));
    if (!got.ok() || *got == 0) break;
    std::string_view chunk(buf, *got);
    const int64_t end = offset + static_cast<int64_t>(chunk.size());
    if (fault && fault->kind == FaultKind::kCorruptByte && limit >= offset &&
        limit < end) {
      buf[limit - offset] = static_cast<char>(~buf[limit - offset]);
    }
    if (cut && end >= limit) {
      client.WriteAll(chunk.substr(0, static_cast<size_t>(limit - offset)))
          .IgnoreError();
      return fault->kind == FaultKind::kResetAfter ? Close::kReset
                                                   : Close::kGraceful;
    }
    if (!client.WriteAll(chunk).ok()) break;
    offset = end;
  }
  return Close::kGraceful;
}

}  // namespace strata::registry::testing
