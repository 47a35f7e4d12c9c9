// A minimal HTTP/1.1 client over a socket or OpenSSL, for the harness's
// readiness checks and for tests that must see the wire as it is: one
// request per connection (it sends Connection: close), status, fields and
// body returned as received, and how the body ended (complete, truncated,
// reset) reported separately from the response.
//
// Not strata's registry client: no redirects, no auth flows, no retries.
#ifndef STRATA_REGISTRY_TESTING_RAW_HTTP_H_
#define STRATA_REGISTRY_TESTING_RAW_HTTP_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "registry/testing/http_wire.h"

namespace strata::registry::testing {

struct RawRequest {
  std::string host;  // "127.0.0.1:PORT": where to connect and the Host field
  bool tls = false;
  // TLS: the PEM file of the only trusted roots (required). The peer's name
  // is checked against host (IP or DNS subjectAltName).
  std::string ca_cert_path;
  // TLS: optional client certificate and key (PEM files) for mTLS.
  std::string client_cert_path = "";
  std::string client_key_path = "";

  std::string method = "GET";
  std::string target = "/v2/";
  HeaderList headers = {};  // sent after Host; Connection: close is added
  std::string body = "";    // sent with Content-Length unless chunked is set
  // Send the body with Transfer-Encoding: chunked (in up to three chunks).
  bool chunked = false;
  // Send Expect: 100-continue and the body only after a 100 response; a
  // final response instead ends the exchange without sending the body.
  bool expect_continue = false;
  int timeout_ms = 10'000;  // per connect/read/write, not for the whole call
  int64_t max_body_bytes = 64 * 1024 * 1024;
};

struct RawResponse {
  int status = 0;
  HeaderList headers;
  std::string body;  // decoded (chunk framing removed); what arrived
  // OK if the body ended where its framing said it would; else why not:
  // kDataLoss "truncated body" for a clean close too early, the read error
  // (e.g. "Connection reset by peer") for a reset.
  Status body_status;
  bool got_continue = false;  // a 100 Continue arrived first

  std::optional<std::string> Header(std::string_view name) const {
    return FindHeader(headers, name);
  }
};

// Sends one request and reads the response. Fails (kUnavailable and the
// like) when no response head could be read: connection refused, TLS
// handshake or certificate verification failure ("tls handshake with
// 127.0.0.1:5000: certificate verify failed: ..."), a reset before the head.
// The first call ignores SIGPIPE process-wide (OpenSSL writes with write(2)).
// Thread-safe.
Result<RawResponse> SendRawRequest(const RawRequest& request);

}  // namespace strata::registry::testing

#endif  // STRATA_REGISTRY_TESTING_RAW_HTTP_H_
