#include "registry/http.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mutex>
#include <thread>

#include "base/unique_fd.h"

namespace strata::registry {
namespace {

TEST(ParseUrlTest, SplitsSchemeHostAndPath) {
  Result<Url> u = ParseUrl("HTTPS://Reg.example:5000/v2/a/b?n=1");
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->scheme, "https");
  EXPECT_EQ(u->host, "Reg.example:5000");
  EXPECT_EQ(u->path, "/v2/a/b?n=1");
  EXPECT_EQ(ParseUrl("http://h")->path, "/");
  EXPECT_EQ(ParseUrl("http://h?x=1")->path, "/?x=1");
  EXPECT_EQ(ParseUrl("http://[::1]:80/v2/")->host, "[::1]:80");
}

TEST(ParseUrlTest, RefusesOtherSchemesUserinfoAndControls) {
  EXPECT_EQ(ParseUrl("file:///etc/passwd").status().ToString(),
            "URL scheme \"file\" is not http or https");
  EXPECT_EQ(ParseUrl("https://user:pw@host/").status().ToString(),
            "URL with user information refused");
  EXPECT_EQ(ParseUrl("https://host/a b").status().ToString(),
            "URL contains a space or control character");
  EXPECT_EQ(ParseUrl("https://host/a\r\nX-Evil: 1").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseUrl("/v2/").status().ToString(), "not an absolute URL: /v2/");
  EXPECT_EQ(ParseUrl("https:///v2/").status().ToString(), "URL has no host");
  EXPECT_EQ(ParseUrl("https://h/#frag").status().ToString(),
            "URL with a fragment refused");
}

TEST(ResolveUrlTest, ResolvesLocationAndLinkForms) {
  Url base = *ParseUrl("https://reg:5000/v2/repo/blobs/uploads/?x=1");
  EXPECT_EQ(ResolveUrl(base, "/v2/repo/blobs/uploads/abc?_state=s")->ToString(),
            "https://reg:5000/v2/repo/blobs/uploads/abc?_state=s");
  EXPECT_EQ(ResolveUrl(base, "abc")->ToString(),
            "https://reg:5000/v2/repo/blobs/uploads/abc");
  EXPECT_EQ(ResolveUrl(base, "../../tags/list?last=a")->ToString(),
            "https://reg:5000/v2/repo/tags/list?last=a");
  EXPECT_EQ(ResolveUrl(base, "/a/../../b")->ToString(), "https://reg:5000/b");
  EXPECT_EQ(ResolveUrl(base, "//other/x")->ToString(), "https://other/x");
  EXPECT_EQ(ResolveUrl(base, "http://s3.example/o?sig=1")->ToString(),
            "http://s3.example/o?sig=1");
  EXPECT_EQ(ResolveUrl(base, "?last=b")->ToString(),
            "https://reg:5000/v2/repo/blobs/uploads/?last=b");
  EXPECT_EQ(ResolveUrl(base, "ftp://x/").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ResolveUrl(base, "/a\nb").status().code(),
            StatusCode::kInvalidArgument);
}

TEST(IsLoopbackHostTest, KnowsLoopbackForms) {
  EXPECT_TRUE(IsLoopbackHost("localhost"));
  EXPECT_TRUE(IsLoopbackHost("LOCALHOST:5000"));
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("127.1.2.3:80"));
  EXPECT_TRUE(IsLoopbackHost("[::1]:5000"));
  EXPECT_TRUE(IsLoopbackHost("[::1]"));
  EXPECT_FALSE(IsLoopbackHost("128.0.0.1"));
  EXPECT_FALSE(IsLoopbackHost("127.0.0.1.example.com"));
  EXPECT_FALSE(IsLoopbackHost("localhost.example.com"));
  EXPECT_FALSE(IsLoopbackHost("[::2]:5000"));
  EXPECT_FALSE(IsLoopbackHost("[::1]x"));
  EXPECT_FALSE(IsLoopbackHost("registry-1.docker.io"));
}

TEST(QueryEscapeTest, EscapesReservedBytes) {
  EXPECT_EQ(QueryEscape("repository:a/b:pull,push"),
            "repository%3Aa%2Fb%3Apull%2Cpush");
  EXPECT_EQ(QueryEscape("a-b_c.d~e"), "a-b_c.d~e");
  EXPECT_EQ(QueryEscape(std::string("\x00 +&", 4)), "%00%20%2B%26");
}

TEST(HttpResponseTest, HeaderLookupIgnoresCase) {
  HttpResponse r;
  r.headers = {{"link", "a"}, {"content-type", "t"}, {"link", "b"}};
  EXPECT_EQ(r.Header("Content-Type"), "t");
  EXPECT_EQ(r.Header("missing"), "");
  EXPECT_EQ(r.Headers("LINK"), (std::vector<std::string>{"a", "b"}));
}

// A loopback TCP server answering each connection with the next scripted
// raw response (after reading the request head and its Content-Length body).
class TinyServer {
 public:
  explicit TinyServer(std::vector<std::string> responses)
      : responses_(std::move(responses)) {
    fd_.Reset(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    EXPECT_EQ(bind(fd_.get(), reinterpret_cast<sockaddr*>(&addr), len), 0);
    EXPECT_EQ(listen(fd_.get(), 8), 0);
    getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~TinyServer() {
    shutdown(fd_.get(), SHUT_RDWR);
    thread_.join();
  }
  std::string base() const {
    return "http://127.0.0.1:" + std::to_string(port_);
  }
  int port() const { return port_; }
  std::vector<std::string> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  void Serve() {
    for (const std::string& response : responses_) {
      UniqueFd conn(accept4(fd_.get(), nullptr, nullptr, SOCK_CLOEXEC));
      if (!conn.valid()) return;
      timeval tv{5, 0};
      setsockopt(conn.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
      std::string req = ReadRequest(conn.get());
      {
        std::lock_guard<std::mutex> lock(mu_);
        requests_.push_back(req);
      }
      size_t off = 0;
      while (off < response.size()) {
        ssize_t n = send(conn.get(), response.data() + off,
                         response.size() - off, MSG_NOSIGNAL);
        if (n <= 0) break;
        off += static_cast<size_t>(n);
      }
      shutdown(conn.get(), SHUT_WR);
      char sink[256];
      while (recv(conn.get(), sink, sizeof(sink), 0) > 0) {
      }
    }
  }
  static std::string ReadRequest(int fd) {
    std::string req;
    char buf[4096];
    size_t want = std::string::npos;
    while (req.size() < want) {
      ssize_t n = recv(fd, buf, sizeof(buf), 0);
      if (n <= 0) break;
      req.append(buf, static_cast<size_t>(n));
      if (req[0] == 0x16) break;  // a TLS ClientHello: answer in HTTP
      size_t end = req.find("\r\n\r\n");
      if (want == std::string::npos && end != std::string::npos) {
        size_t cl = req.find("Content-Length: ");
        size_t body = cl == std::string::npos || cl > end
                          ? 0
                          : std::stoul(req.substr(cl + 16));
        want = end + 4 + body;
      }
    }
    return req;
  }

  std::vector<std::string> responses_;
  UniqueFd fd_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::string> requests_;
};

std::string Raw(int status, std::string_view body,
                std::string_view extra_headers = "") {
  return "HTTP/1.1 " + std::to_string(status) +
         " X\r\nConnection: close\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n" + std::string(extra_headers) +
         "\r\n" + std::string(body);
}

TEST(CurlTransportTest, CollectsHeadersAndBody) {
  TinyServer server({Raw(200, "hello", "Docker-Content-Digest: sha256:x\r\n")});
  auto http = NewCurlTransport({});
  HttpRequest req;
  req.url = server.base() + "/v2/";
  req.headers = {{"Accept", "a/b"}};
  int heads = 0;
  req.on_headers = [&](const HttpResponse& head) {
    ++heads;
    EXPECT_EQ(head.status, 200);
    EXPECT_TRUE(head.body.empty());
    return Status::Ok();
  };
  Result<HttpResponse> r = http->Do(req, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello");
  EXPECT_EQ(r->Header("docker-content-digest"), "sha256:x");
  EXPECT_EQ(r->headers[0].first, "connection");
  EXPECT_EQ(heads, 1);
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_NE(server.requests()[0].find("GET /v2/ HTTP/1.1\r\n"),
            std::string::npos);
  EXPECT_NE(server.requests()[0].find("Accept: a/b\r\n"), std::string::npos);
  EXPECT_NE(server.requests()[0].find("User-Agent: strata\r\n"),
            std::string::npos);
}

TEST(CurlTransportTest, StreamsSuccessToSinkAndCollectsErrors) {
  TinyServer server({Raw(200, "blob bytes"), Raw(404, "{\"errors\":[]}")});
  auto http = NewCurlTransport({});
  std::string got;
  BodySink sink = [&](std::span<const uint8_t> b) {
    got.append(reinterpret_cast<const char*>(b.data()), b.size());
    return Status::Ok();
  };
  HttpRequest req;
  req.url = server.base() + "/blob";
  Result<HttpResponse> r = http->Do(req, &sink);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(got, "blob bytes");
  EXPECT_EQ(r->body, "");
  got.clear();
  r = http->Do(req, &sink);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(got, "");
  EXPECT_EQ(r->body, "{\"errors\":[]}");
}

TEST(CurlTransportTest, CapsCollectedBodies) {
  TinyServer server({Raw(200, "0123456789ab"), Raw(500, "0123456789ab")});
  auto http = NewCurlTransport({});
  HttpRequest req;
  req.url = server.base() + "/x";
  req.max_body_bytes = 10;
  EXPECT_EQ(http->Do(req, nullptr).status(),
            ResourceExhaustedError("response body larger than 10 bytes"));
  Result<HttpResponse> r = http->Do(req, nullptr);  // error bodies truncated
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->body, "0123456789");
}

TEST(CurlTransportTest, SinkErrorAbortsUnchanged) {
  TinyServer server({Raw(200, "data")});
  auto http = NewCurlTransport({});
  BodySink sink = [](std::span<const uint8_t>) {
    return DataLossError("disk says no");
  };
  HttpRequest req;
  req.url = server.base() + "/x";
  EXPECT_EQ(http->Do(req, &sink).status(), DataLossError("disk says no"));
}

TEST(CurlTransportTest, StreamsUploadsWithTheirSize) {
  TinyServer server({Raw(201, ""), Raw(201, "")});
  auto http = NewCurlTransport({});
  StringSource content("0123456789");
  HttpRequest req;
  req.method = "PATCH";
  req.url = server.base() + "/upload";
  req.upload = &content;
  req.upload_size = 4;
  Result<HttpResponse> r = http->Do(req, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 201);
  std::string seen = server.requests()[0];
  EXPECT_TRUE(seen.starts_with("PATCH /upload HTTP/1.1\r\n"));
  EXPECT_NE(seen.find("Content-Length: 4\r\n"), std::string::npos);
  EXPECT_TRUE(seen.ends_with("\r\n\r\n0123"));
  EXPECT_EQ(seen.find("Expect:"), std::string::npos);

  req.method = "PUT";
  req.upload = nullptr;
  req.body = "{\"m\":1}";
  ASSERT_TRUE(http->Do(req, nullptr).ok());
  EXPECT_TRUE(server.requests()[1].ends_with("\r\n\r\n{\"m\":1}"));
}

TEST(CurlTransportTest, ShortUploadSourceIsDataLoss) {
  TinyServer server({Raw(201, "")});
  auto http = NewCurlTransport({});
  StringSource content("abc");
  HttpRequest req;
  req.method = "PUT";
  req.url = server.base() + "/upload";
  req.upload = &content;
  req.upload_size = 10;
  EXPECT_EQ(http->Do(req, nullptr).status(),
            DataLossError("upload ended after 3 of 10 bytes"));
}

TEST(CurlTransportTest, ConnectionCutMidBodyIsUnavailable) {
  TinyServer server(
      {"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b"});
  auto http = NewCurlTransport({});
  HttpRequest req;
  req.url = server.base() + "/blob";
  Status s = http->Do(req, nullptr).status();
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_TRUE(s.message().starts_with("connection closed early: "))
      << s.ToString();
}

TEST(CurlTransportTest, RefusedConnectionIsUnavailable) {
  int port;
  {
    TinyServer server({});  // binds a port, serves nothing, closes it
    port = server.port();
  }
  auto http = NewCurlTransport({});
  HttpRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(port) + "/v2/";
  Status s = http->Do(req, nullptr).status();
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_TRUE(s.message().starts_with("cannot connect: ")) << s.ToString();
}

TEST(CurlTransportTest, RecognisesAPlainHttpAnswerToTls) {
  TinyServer server({"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n"});
  auto http = NewCurlTransport({});
  HttpRequest req;
  req.url = "https://127.0.0.1:" + std::to_string(server.port()) + "/v2/";
  Status s = http->Do(req, nullptr).status();
  EXPECT_TRUE(IsNotTlsError(s)) << s.ToString();
}

TEST(CurlTransportTest, RedirectToAnotherHostDropsAuthorization) {
  // 127.0.0.1 redirects to localhost: another host for curl.
  TinyServer target({Raw(200, "moved")});
  TinyServer origin({Raw(307, "",
                         "Location: http://localhost:" +
                             std::to_string(target.port()) + "/o?sig=1\r\n")});
  auto http = NewCurlTransport({});
  HttpRequest req;
  req.url = origin.base() + "/v2/r/blobs/sha256:x";
  req.headers = {{"Authorization", "Bearer secret"}, {"Range", "bytes=3-"}};
  Result<HttpResponse> r = http->Do(req, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, "moved");
  EXPECT_NE(origin.requests()[0].find("Authorization: Bearer secret"),
            std::string::npos);
  std::string moved = target.requests()[0];
  EXPECT_TRUE(moved.starts_with("GET /o?sig=1 HTTP/1.1\r\n")) << moved;
  EXPECT_EQ(moved.find("Authorization"), std::string::npos) << moved;
  EXPECT_NE(moved.find("Range: bytes=3-"), std::string::npos);
}

TEST(CurlTransportTest, DoesNotFollowRedirectsOfUploads) {
  TinyServer server({Raw(307, "", "Location: /elsewhere\r\n")});
  auto http = NewCurlTransport({});
  HttpRequest req;
  req.method = "PUT";
  req.url = server.base() + "/v2/r/manifests/t";
  req.body = "{}";
  Result<HttpResponse> r = http->Do(req, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 307);
}

}  // namespace
}  // namespace strata::registry
