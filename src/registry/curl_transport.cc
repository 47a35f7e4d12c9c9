// HttpTransport over libcurl easy handles.
#include <curl/curl.h>

#include <cctype>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <vector>

#include "registry/http.h"

namespace strata::registry {
namespace {

// All header lines of one exchange (redirects included).
constexpr int64_t kMaxResponseHeaderBytes = 256 * 1024;
constexpr long kMaxRedirects = 5;
constexpr size_t kMaxIdleHandles = 8;
constexpr const char* kSystemCaPath = "/etc/ssl/certs";

struct CurlFree {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
using CurlPtr = std::unique_ptr<CURL, CurlFree>;
struct SlistFree {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using SlistPtr = std::unique_ptr<curl_slist, SlistFree>;

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e &&
         (s[b] == ' ' || s[b] == '\t' || s[b] == '\r' || s[b] == '\n')) {
    ++b;
  }
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r' ||
                   s[e - 1] == '\n')) {
    --e;
  }
  return std::string(s.substr(b, e - b));
}

bool Is2xx(int status) { return status >= 200 && status < 300; }

// The state of one exchange, shared with the callbacks.
struct Transfer {
  const HttpRequest* request = nullptr;
  const BodySink* sink = nullptr;
  HttpResponse response;
  int64_t max_body = 0;
  int64_t header_bytes = 0;
  int64_t body_bytes = 0;
  bool head_delivered = false;
  bool to_sink = false;
  bool truncated = false;  // an error body hit its cap: not a failure
  Status error;            // why a callback aborted the transfer
  size_t body_pos = 0;     // upload from request->body
  int64_t uploaded = 0;
};

Status DeliverHead(Transfer& t) {
  if (t.head_delivered) return Status::Ok();
  t.head_delivered = true;
  t.to_sink = t.sink != nullptr && Is2xx(t.response.status);
  if (t.request->on_headers) return t.request->on_headers(t.response);
  return Status::Ok();
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  size_t len = size * n;
  t.header_bytes += static_cast<int64_t>(len);
  if (t.header_bytes > kMaxResponseHeaderBytes) {
    t.error = ResourceExhaustedError("response headers larger than " +
                                     std::to_string(kMaxResponseHeaderBytes) +
                                     " bytes");
    return 0;
  }
  std::string_view line(data, len);
  if (line.starts_with("HTTP/")) {  // a new response (redirect, 100)
    t.response.headers.clear();
    t.response.status = 0;
    size_t sp = line.find(' ');
    if (sp != std::string_view::npos && sp + 4 <= line.size()) {
      int status = 0;
      for (size_t i = sp + 1; i < sp + 4; ++i) {
        if (!std::isdigit(static_cast<unsigned char>(line[i]))) return len;
        status = status * 10 + (line[i] - '0');
      }
      t.response.status = status;
    }
    return len;
  }
  if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
    if (!t.response.headers.empty()) {  // obsolete line folding
      t.response.headers.back().second += " " + Trim(line);
    }
    return len;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return len;  // the blank line
  std::string name;
  for (char c : line.substr(0, colon)) {
    name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  t.response.headers.emplace_back(std::move(name),
                                  Trim(line.substr(colon + 1)));
  return len;
}

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  size_t len = size * n;
  if (Status s = DeliverHead(t); !s.ok()) {
    t.error = std::move(s);
    return 0;
  }
  t.body_bytes += static_cast<int64_t>(len);
  if (t.to_sink) {
    Status s = (*t.sink)(
        std::span<const uint8_t>(reinterpret_cast<uint8_t*>(data), len));
    if (!s.ok()) {
      t.error = std::move(s);
      return 0;
    }
    return len;
  }
  int64_t room = t.max_body - static_cast<int64_t>(t.response.body.size());
  if (static_cast<int64_t>(len) > room) {
    if (Is2xx(t.response.status)) {
      t.error = ResourceExhaustedError("response body larger than " +
                                       std::to_string(t.max_body) + " bytes");
    } else {
      t.response.body.append(data, static_cast<size_t>(room));
      t.truncated = true;
    }
    return 0;
  }
  t.response.body.append(data, len);
  return len;
}

size_t OnRead(char* out, size_t size, size_t n, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  size_t cap = size * n;
  const HttpRequest& req = *t.request;
  if (req.upload == nullptr) {
    size_t k = std::min(cap, req.body.size() - t.body_pos);
    std::memcpy(out, req.body.data() + t.body_pos, k);
    t.body_pos += k;
    return k;
  }
  int64_t left = req.upload_size - t.uploaded;
  if (left <= 0) return 0;
  size_t want = static_cast<size_t>(std::min<int64_t>(left, cap));
  Result<size_t> got = req.upload->Read(
      std::span<uint8_t>(reinterpret_cast<uint8_t*>(out), want));
  if (!got.ok()) {
    t.error = got.status();
    return CURL_READFUNC_ABORT;
  }
  if (*got == 0) {
    t.error =
        DataLossError("upload ended after " + std::to_string(t.uploaded) +
                      " of " + std::to_string(req.upload_size) + " bytes");
    return CURL_READFUNC_ABORT;
  }
  t.uploaded += static_cast<int64_t>(*got);
  return *got;
}

// curl's error text, one line, starting lower-case unless an acronym.
std::string Detail(CURLcode rc, const char* errbuf) {
  std::string s = errbuf[0] ? errbuf : curl_easy_strerror(rc);
  for (char& c : s) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  while (!s.empty() && s.back() == ' ') s.pop_back();
  // "Failed to connect" -> "failed to connect"; "SSL ..." stays.
  if (s.size() > 1 && std::islower(static_cast<unsigned char>(s[1]))) {
    s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  }
  return s;
}

Status CurlError(CURLcode rc, const char* errbuf) {
  std::string detail = Detail(rc, errbuf);
  switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return UnavailableError("cannot resolve host: " + detail);
    case CURLE_COULDNT_CONNECT:
      return UnavailableError("cannot connect: " + detail);
    case CURLE_OPERATION_TIMEDOUT:
      return UnavailableError("timeout: " + detail);
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
      return UnavailableError("connection reset: " + detail);
    case CURLE_PARTIAL_FILE:
      return UnavailableError("connection closed early: " + detail);
    case CURLE_GOT_NOTHING:
      return UnavailableError("connection closed: empty reply from server");
    case CURLE_PEER_FAILED_VERIFICATION:
      return FailedPreconditionError("TLS: certificate verify failed: " +
                                     detail);
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
      return FailedPreconditionError("TLS: " + detail);
    case CURLE_SSL_CONNECT_ERROR:
      // OpenSSL's reading of an HTTP answer to a ClientHello.
      for (const char* sign : {"wrong version number", "packet length too long",
                               "http request", "record layer failure"}) {
        if (detail.find(sign) != std::string::npos) {
          return UnavailableError(std::string(kNotTlsMessage));
        }
      }
      return UnavailableError("TLS: " + detail);
    case CURLE_TOO_MANY_REDIRECTS:
      return FailedPreconditionError(
          "more than " + std::to_string(kMaxRedirects) + " redirects");
    case CURLE_UNSUPPORTED_PROTOCOL:
      return FailedPreconditionError("unsupported protocol: " + detail);
    case CURLE_URL_MALFORMAT:
      return InvalidArgumentError("malformed URL: " + detail);
    default:
      return UnavailableError(detail);
  }
}

class CurlTransport : public HttpTransport {
 public:
  explicit CurlTransport(const TransportOptions& options) : options_(options) {
    if (options_.user_agent.empty()) options_.user_agent = "strata";
  }

  Result<HttpResponse> Do(const HttpRequest& request,
                          const BodySink* sink) override {
    CurlPtr curl = Acquire();
    if (curl == nullptr) return InternalError("curl_easy_init failed");
    Transfer t;
    t.request = &request;
    t.sink = sink;
    t.max_body = request.max_body_bytes > 0 ? request.max_body_bytes
                                            : kDefaultMaxBodyBytes;
    char errbuf[CURL_ERROR_SIZE] = {0};
    SlistPtr headers;
    Status setup = Setup(curl.get(), request, t, errbuf, headers);
    if (!setup.ok()) return setup;
    CURLcode rc = curl_easy_perform(curl.get());
    Release(std::move(curl));
    Result<HttpResponse> result = Finish(rc, t, errbuf);
    if (options_.verbose) Log(request, result, t.body_bytes);
    return result;
  }

 private:
  Status Setup(CURL* c, const HttpRequest& req, Transfer& t, char* errbuf,
               SlistPtr& headers) {
    auto set = [&](CURLoption opt, auto value) {
      return curl_easy_setopt(c, opt, value) == CURLE_OK;
    };
    // A redirect never downgrades: what was asked over https stays on https
    // (a registry's blob redirect, a DB download).
    const bool https = req.url.starts_with("https://");
    bool ok =
        set(CURLOPT_URL, req.url.c_str()) &&
        set(CURLOPT_PROTOCOLS_STR, "http,https") &&
        set(CURLOPT_REDIR_PROTOCOLS_STR, https ? "https" : "http,https") &&
        set(CURLOPT_NOSIGNAL, 1L) && set(CURLOPT_ERRORBUFFER, errbuf) &&
        set(CURLOPT_USERAGENT, options_.user_agent.c_str()) &&
        set(CURLOPT_CONNECTTIMEOUT_MS,
            static_cast<long>(options_.connect_timeout_ms)) &&
        set(CURLOPT_LOW_SPEED_LIMIT, 1L) &&
        set(CURLOPT_LOW_SPEED_TIME,
            static_cast<long>(options_.low_speed_timeout_s)) &&
        set(CURLOPT_SSL_VERIFYPEER, options_.tls.verify ? 1L : 0L) &&
        set(CURLOPT_SSL_VERIFYHOST, options_.tls.verify ? 2L : 0L) &&
        set(CURLOPT_HEADERFUNCTION, OnHeader) && set(CURLOPT_HEADERDATA, &t) &&
        set(CURLOPT_WRITEFUNCTION, OnBody) && set(CURLOPT_WRITEDATA, &t);
    if (ok && !options_.tls.ca_cert_file.empty()) {
      ok = set(CURLOPT_CAINFO, options_.tls.ca_cert_file.c_str()) &&
           set(CURLOPT_CAPATH, kSystemCaPath);
    }
    if (ok && !options_.tls.client_cert_file.empty()) {
      ok = set(CURLOPT_SSLCERT, options_.tls.client_cert_file.c_str()) &&
           set(CURLOPT_SSLCERTTYPE, "PEM");
    }
    if (ok && !options_.tls.client_key_file.empty()) {
      ok = set(CURLOPT_SSLKEY, options_.tls.client_key_file.c_str());
    }
    const std::string& m = req.method;
    if (m == "GET" || m == "HEAD") {
      ok = ok && set(CURLOPT_HTTPGET, 1L) && set(CURLOPT_FOLLOWLOCATION, 1L) &&
           set(CURLOPT_MAXREDIRS, kMaxRedirects);
      if (m == "HEAD") ok = ok && set(CURLOPT_NOBODY, 1L);
    } else if (m == "DELETE") {
      ok = ok && set(CURLOPT_CUSTOMREQUEST, "DELETE");
    } else if (m == "PUT" || m == "POST" || m == "PATCH") {
      if (req.upload != nullptr && req.upload_size < 0) {
        return InvalidArgumentError("streamed upload without a size");
      }
      int64_t size = req.upload != nullptr
                         ? req.upload_size
                         : static_cast<int64_t>(req.body.size());
      ok = ok && set(CURLOPT_UPLOAD, 1L) &&
           set(CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(size)) &&
           set(CURLOPT_READFUNCTION, OnRead) && set(CURLOPT_READDATA, &t) &&
           set(CURLOPT_CUSTOMREQUEST, m.c_str());
    } else {
      return InvalidArgumentError("unsupported HTTP method " + m);
    }
    // No "Expect: 100-continue" round trip before uploads.
    std::vector<std::string> lines = {"Expect:"};
    for (const auto& [name, value] : req.headers) {
      lines.push_back(name + ": " + value);
    }
    for (const std::string& line : lines) {
      curl_slist* next = curl_slist_append(headers.get(), line.c_str());
      if (next == nullptr) return InternalError("curl_slist_append failed");
      if (headers == nullptr) headers.reset(next);
    }
    ok = ok && set(CURLOPT_HTTPHEADER, headers.get());
    if (!ok) return InternalError("libcurl refused an option");
    return Status::Ok();
  }

  Result<HttpResponse> Finish(CURLcode rc, Transfer& t, const char* errbuf) {
    if (!t.error.ok()) return t.error;
    if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && t.truncated)) {
      return CurlError(rc, errbuf);
    }
    RETURN_IF_ERROR(DeliverHead(t));
    return std::move(t.response);
  }

  void Log(const HttpRequest& req, const Result<HttpResponse>& r,
           int64_t bytes) {
    std::string outcome =
        r.ok() ? std::to_string(r->status) : "error: " + r.status().ToString();
    std::fprintf(stderr, "strata: %s %s -> %s (%lld bytes)\n",
                 req.method.c_str(), req.url.c_str(), outcome.c_str(),
                 static_cast<long long>(bytes));
  }

  CurlPtr Acquire() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!idle_.empty()) {
        CurlPtr c = std::move(idle_.back());
        idle_.pop_back();
        return c;
      }
    }
    return CurlPtr(curl_easy_init());
  }

  // Keeps the handle (and its connection cache) for the next exchange.
  void Release(CurlPtr c) {
    curl_easy_reset(c.get());
    std::lock_guard<std::mutex> lock(mu_);
    if (idle_.size() < kMaxIdleHandles) idle_.push_back(std::move(c));
  }

  TransportOptions options_;
  std::mutex mu_;
  std::vector<CurlPtr> idle_;
};

}  // namespace

std::unique_ptr<HttpTransport> NewCurlTransport(
    const TransportOptions& options) {
  static std::once_flag init;
  std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  return std::make_unique<CurlTransport>(options);
}

}  // namespace strata::registry
