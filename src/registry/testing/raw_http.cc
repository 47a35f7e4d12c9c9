#include "registry/testing/raw_http.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <memory>

namespace strata::registry::testing {
namespace {

using SslCtxPtr =
    std::unique_ptr<SSL_CTX, CHandleDeleter<SSL_CTX, SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, CHandleDeleter<SSL, SSL_free>>;

std::string OpenSslReason() {
  unsigned long err = ERR_get_error();
  ERR_clear_error();
  if (err == 0) return "";
  char buf[256];
  ERR_error_string_n(err, buf, sizeof(buf));
  return buf;
}

// A TLS session over a socket it does not own.
class TlsStream : public Stream {
 public:
  TlsStream(SslPtr ssl, std::string peer)
      : ssl_(std::move(ssl)), peer_(std::move(peer)) {}

  Result<size_t> ReadSome(char* buf, size_t n) override {
    size_t got = 0;
    if (SSL_read_ex(ssl_.get(), buf, n, &got) == 1) return got;
    return Failure("read from", SSL_get_error(ssl_.get(), 0));
  }

  Status WriteAll(std::string_view data) override {
    while (!data.empty()) {
      size_t put = 0;
      if (SSL_write_ex(ssl_.get(), data.data(), data.size(), &put) != 1) {
        RETURN_IF_ERROR(Failure("write to", SSL_get_error(ssl_.get(), 0)));
        return UnavailableError("write to " + peer_ + ": connection closed");
      }
      data.remove_prefix(put);
    }
    return Status::Ok();
  }

 private:
  // Maps a failed SSL_read/SSL_write: a clean close_notify reads as EOF.
  Result<size_t> Failure(std::string_view what, int ssl_error) {
    std::string where = std::string(what) + " " + peer_;
    if (ssl_error == SSL_ERROR_ZERO_RETURN) return size_t{0};
    if (ssl_error == SSL_ERROR_SYSCALL) {
      int err = errno;
      ERR_clear_error();
      if (err == 0) return DataLossError(where + ": unexpected eof");
      return ErrnoError(where, err);
    }
    std::string reason = OpenSslReason();
    // OpenSSL 3 reports a TCP FIN without close_notify this way.
    if (reason.find("unexpected eof") != std::string::npos) {
      return DataLossError(where + ": unexpected eof");
    }
    return UnavailableError(where + ": " +
                            (reason.empty() ? "tls error" : reason));
  }

  SslPtr ssl_;
  std::string peer_;
};

Result<SslPtr> Handshake(const RawRequest& request, const std::string& host,
                         int fd) {
  const std::string what = "tls handshake with " + request.host;
  if (request.ca_cert_path.empty()) {
    return InvalidArgumentError(what + ": no ca certificate given");
  }
  SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) return InternalError(what + ": " + OpenSslReason());
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  if (SSL_CTX_load_verify_locations(ctx.get(), request.ca_cert_path.c_str(),
                                    nullptr) != 1) {
    return InvalidArgumentError("load ca certificate " + request.ca_cert_path +
                                ": " + OpenSslReason());
  }
  if (!request.client_cert_path.empty() &&
      (SSL_CTX_use_certificate_chain_file(
           ctx.get(), request.client_cert_path.c_str()) != 1 ||
       SSL_CTX_use_PrivateKey_file(ctx.get(), request.client_key_path.c_str(),
                                   SSL_FILETYPE_PEM) != 1)) {
    return InvalidArgumentError("load client certificate " +
                                request.client_cert_path + ": " +
                                OpenSslReason());
  }
  SslPtr ssl(SSL_new(ctx.get()));
  if (!ssl || SSL_set_fd(ssl.get(), fd) != 1) {
    return InternalError(what + ": " + OpenSslReason());
  }
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl.get());
  in6_addr scratch;
  bool is_ip = inet_pton(AF_INET, host.c_str(), &scratch) == 1 ||
               inet_pton(AF_INET6, host.c_str(), &scratch) == 1;
  if (is_ip) {
    X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
  } else {
    X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0);
    SSL_set_tlsext_host_name(ssl.get(), host.c_str());
  }
  if (SSL_connect(ssl.get()) != 1) {
    long verify = SSL_get_verify_result(ssl.get());
    std::string reason = OpenSslReason();
    if (verify != X509_V_OK) {
      return UnavailableError(what + ": certificate verify failed: " +
                              X509_verify_cert_error_string(verify));
    }
    if (reason.empty()) reason = "connection closed";
    return UnavailableError(what + ": " + reason);
  }
  return ssl;
}

std::string RequestHead(const RawRequest& request) {
  HeaderList headers = {{"Host", request.host}};
  headers.insert(headers.end(), request.headers.begin(), request.headers.end());
  headers.emplace_back("Connection", "close");
  bool has_body = !request.body.empty() || request.method == "POST" ||
                  request.method == "PUT" || request.method == "PATCH";
  if (request.chunked) {
    headers.emplace_back("Transfer-Encoding", "chunked");
  } else if (has_body) {
    headers.emplace_back("Content-Length", std::to_string(request.body.size()));
  }
  if (request.expect_continue) headers.emplace_back("Expect", "100-continue");
  return SerializeHead(request.method + " " + request.target + " HTTP/1.1",
                       headers);
}

std::string EncodedBody(const RawRequest& request) {
  if (!request.chunked) return request.body;
  std::string out;
  std::string_view rest = request.body;
  size_t piece = rest.size() / 3 + 1;
  while (!rest.empty()) {
    std::string_view chunk = rest.substr(0, piece);
    char size[32];
    snprintf(size, sizeof(size), "%zx\r\n", chunk.size());
    out += size;
    out += chunk;
    out += "\r\n";
    rest.remove_prefix(chunk.size());
  }
  out += "0\r\n\r\n";
  return out;
}

Result<HttpHead> ReadResponseHead(BufferedReader& in) {
  ASSIGN_OR_RETURN(std::optional<std::string> head, in.ReadHead());
  if (!head) return UnavailableError("connection closed before response");
  return ParseHead(*head);
}

int StatusOf(const HttpHead& head) {
  const std::string& code = head.start[1];
  if (code.size() != 3) return 0;
  int v = 0;
  for (char c : code) {
    if (c < '0' || c > '9') return 0;
    v = v * 10 + (c - '0');
  }
  return v;
}

}  // namespace

Result<RawResponse> SendRawRequest(const RawRequest& request) {
  static const bool sigpipe_ignored = [] {
    std::signal(SIGPIPE, SIG_IGN);
    return true;
  }();
  (void)sigpipe_ignored;

  ASSIGN_OR_RETURN(auto host_port, SplitHostPort(request.host));
  ASSIGN_OR_RETURN(UniqueFd fd, ConnectTcp(host_port.first, host_port.second,
                                           request.timeout_ms));
  std::unique_ptr<Stream> stream;
  if (request.tls) {
    ASSIGN_OR_RETURN(SslPtr ssl, Handshake(request, host_port.first, fd.get()));
    stream = std::make_unique<TlsStream>(std::move(ssl), request.host);
  } else {
    stream = std::make_unique<SocketStream>(fd.get(), request.host);
  }
  BufferedReader in(*stream);
  RawResponse response;
  const std::string body = EncodedBody(request);
  RETURN_IF_ERROR(stream->WriteAll(RequestHead(request)));
  bool body_sent = !request.expect_continue;
  if (body_sent) RETURN_IF_ERROR(stream->WriteAll(body));

  HttpHead head;
  for (int interim = 0;; ++interim) {
    if (interim == 8) return DataLossError("too many interim responses");
    ASSIGN_OR_RETURN(head, ReadResponseHead(in));
    response.status = StatusOf(head);
    if (response.status < 100 || response.status > 599) {
      return DataLossError("malformed status line from " + request.host);
    }
    if (response.status >= 200) break;
    if (response.status == 100 && !body_sent) {
      response.got_continue = true;
      RETURN_IF_ERROR(stream->WriteAll(body));
      body_sent = true;
    }
  }
  response.headers = std::move(head.headers);
  auto framing =
      ResponseFraming(response.headers, request.method, response.status);
  if (!framing.ok()) {
    response.body_status = framing.status();
    return response;
  }
  response.body_status =
      ReadBody(in, *framing, nullptr, [&](std::string_view data) -> Status {
        if (static_cast<int64_t>(response.body.size() + data.size()) >
            request.max_body_bytes) {
          return ResourceExhaustedError("response body over the cap");
        }
        response.body.append(data);
        return Status::Ok();
      });
  return response;
}

}  // namespace strata::registry::testing
