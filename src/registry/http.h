// The HTTP seam of the registry client: one request/response exchange
// (HttpTransport), its libcurl implementation, and the URL helpers the client
// needs (parsing, resolving Location/Link references, loopback hosts).
//
// Tests implement HttpTransport with a scripted fake; strata itself uses
// NewCurlTransport. The transport never retries and never authenticates:
// retries (retry.h) and auth (auth.h) live above it, in the client.
#ifndef STRATA_REGISTRY_HTTP_H_
#define STRATA_REGISTRY_HTTP_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/byte_source.h"
#include "base/status.h"

namespace strata::registry {

struct TlsOptions {
  bool verify = true;  // --tls-verify=false turns it off
  // --ca-cert FILE: trusted in addition to the system CAs (/etc/ssl/certs).
  std::string ca_cert_file;
  std::string client_cert_file;  // --cert FILE (PEM)
  std::string client_key_file;   // --key FILE (PEM)
};

struct HttpResponse;

struct HttpRequest {
  std::string method = "GET";  // GET HEAD PUT POST PATCH DELETE
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;              // small bodies (manifests, tokens)
  ByteSource* upload = nullptr;  // streamed body instead of `body`; borrowed
  int64_t upload_size = -1;      // Content-Length of `upload` (required)
  // Cap for a collected response body. A 2xx body over the cap is
  // kResourceExhausted; a non-2xx body (an error document) is truncated at
  // the cap instead. 0 means kDefaultMaxBodyBytes.
  int64_t max_body_bytes = 0;
  // If set, called once with the final status and headers (body empty)
  // before the first body byte is delivered (to the sink or the collected
  // body), or before Do returns when there is no body. An error aborts the
  // transfer and Do returns it.
  std::function<Status(const HttpResponse& head)> on_headers;
};

// Collected response bodies are capped at this unless the request says
// otherwise (error documents, pings, token responses).
inline constexpr int64_t kDefaultMaxBodyBytes = 64 * 1024;

struct HttpResponse {
  int status = 0;
  // Names lower-cased, values trimmed, in order received.
  std::vector<std::pair<std::string, std::string>> headers;
  // Collected when no sink was given, or when the status is not 2xx.
  std::string body;
  std::string Header(std::string_view name) const;  // first value or ""
  std::vector<std::string> Headers(std::string_view name) const;
};

// Receives a streamed response body; an error aborts the transfer and Do
// returns that error unchanged.
using BodySink = std::function<Status(std::span<const uint8_t>)>;

class HttpTransport {  // thread-safe: Do may be called concurrently
 public:
  virtual ~HttpTransport() = default;
  // One exchange, no retries, no redirects followed except for GET and HEAD
  // (at most 5, http/https only, never from https to http; an Authorization
  // header is dropped when a redirect leaves the host). Network failures
  // (refused, reset, timeout, TLS handshake failure) are kUnavailable with a
  // one-line cause
  // ("connection reset", "TLS: ..."); a server certificate that does not
  // verify is kFailedPrecondition ("TLS: certificate verify failed ...");
  // a TLS handshake answered in plain HTTP is kUnavailable with the message
  // kNotTlsMessage. If `sink` is non-null and the status is 2xx, the body
  // goes to the sink; otherwise it is collected into HttpResponse::body.
  virtual Result<HttpResponse> Do(const HttpRequest& request,
                                  const BodySink* sink) = 0;
};

// The message of the error a transport returns when the server answered a
// TLS handshake in plain HTTP (the only case where the client may fall back
// to http, and only for loopback hosts).
inline constexpr std::string_view kNotTlsMessage =
    "TLS: the server does not speak TLS";
bool IsNotTlsError(const Status& status);

struct TransportOptions {
  TlsOptions tls;
  int connect_timeout_ms = 30000;
  // A transfer slower than 1 byte/s for this long fails (the read timeout).
  int low_speed_timeout_s = 60;
  std::string user_agent;  // empty: "strata"
  // One line per exchange on stderr: method, URL, status, bytes. Never a
  // header value, so never a credential.
  bool verbose = false;
};

// The libcurl transport. Keeps a few idle easy handles so connections (and
// TLS sessions) are reused. Honours the usual *_proxy environment variables.
std::unique_ptr<HttpTransport> NewCurlTransport(
    const TransportOptions& options);

// --- URLs --------------------------------------------------------------------

struct Url {
  std::string scheme;            // "http" or "https"
  std::string host;              // host[:port] as written (IPv6 in brackets)
  std::string path;              // path and query, starting with '/'
  std::string ToString() const;  // scheme://host/path
};

// Parses an absolute http(s) URL. Userinfo ("user@") and fragments are
// refused (kInvalidArgument), as are controls and spaces.
Result<Url> ParseUrl(std::string_view url);

// Resolves a Location or Link target against the URL of the request it
// answered: absolute URLs, "//host/path", "/absolute/path" and relative
// paths. The result is a parsed absolute URL.
Result<Url> ResolveUrl(const Url& base, std::string_view reference);

// "localhost", 127.0.0.0/8, ::1 (with or without a port, IPv6 in brackets).
bool IsLoopbackHost(std::string_view host_port);

// Percent-encodes a query parameter value (RFC 3986 unreserved kept).
std::string QueryEscape(std::string_view value);

}  // namespace strata::registry

#endif  // STRATA_REGISTRY_HTTP_H_
