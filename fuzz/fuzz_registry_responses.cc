// Fuzzes the registry client's handling of hostile registry answers: every
// exchange (manifests, tag pages with Link headers, referrers, blobs, auth
// challenges and token responses, error documents, Retry-After) is answered
// from the fuzz input through a fake HttpTransport. Input: responses
// separated by "\n--\n", each "STATUS\nname: value\n...\n\nBODY".
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "registry/client.h"

namespace {

using namespace strata;
using namespace strata::registry;

class ScriptedHttp : public HttpTransport {
 public:
  explicit ScriptedHttp(std::string_view input) {
    size_t start = 0;
    while (start <= input.size() && replies_.size() < 64) {
      size_t sep = input.find("\n--\n", start);
      std::string_view one = input.substr(start, sep == std::string_view::npos
                                                     ? std::string_view::npos
                                                     : sep - start);
      replies_.push_back(Parse(one));
      if (sep == std::string_view::npos) break;
      start = sep + 4;
    }
  }

  Result<HttpResponse> Do(const HttpRequest& request,
                          const BodySink* sink) override {
    if (request.upload) {  // drain a streamed upload as curl would
      uint8_t buf[4096];
      while (true) {
        Result<size_t> n = request.upload->Read(buf);
        if (!n.ok()) return n.status();
        if (*n == 0) break;
      }
    }
    if (next_ >= replies_.size()) {
      return UnavailableError("connection refused");
    }
    HttpResponse r = replies_[next_++];
    std::string body = std::move(r.body);
    r.body.clear();
    if (request.on_headers) RETURN_IF_ERROR(request.on_headers(r));
    if (sink && r.status >= 200 && r.status < 300) {
      RETURN_IF_ERROR((*sink)(std::span<const uint8_t>(
          reinterpret_cast<const uint8_t*>(body.data()), body.size())));
    } else {
      int64_t cap = request.max_body_bytes > 0 ? request.max_body_bytes
                                               : kDefaultMaxBodyBytes;
      if (static_cast<int64_t>(body.size()) > cap) {
        if (r.status >= 200 && r.status < 300) {
          return ResourceExhaustedError("response body over the cap");
        }
        body.resize(static_cast<size_t>(cap));
      }
      r.body = std::move(body);
    }
    return r;
  }

 private:
  static HttpResponse Parse(std::string_view one) {
    HttpResponse r;
    size_t nl = one.find('\n');
    std::string_view status = one.substr(0, nl);
    int s = 0;
    for (char c : status.substr(0, 3)) {
      if (c >= '0' && c <= '9') s = s * 10 + (c - '0');
    }
    r.status = s;
    if (nl == std::string_view::npos) return r;
    std::string_view rest = one.substr(nl + 1);
    while (!rest.empty() && rest.front() != '\n') {
      size_t end = rest.find('\n');
      std::string_view line = rest.substr(0, end);
      size_t colon = line.find(':');
      if (colon != std::string_view::npos) {
        std::string name(line.substr(0, colon));
        for (char& c : name) c = static_cast<char>(std::tolower(c));
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        r.headers.emplace_back(std::move(name), std::string(value));
      }
      if (end == std::string_view::npos) return r;
      rest = rest.substr(end + 1);
    }
    if (!rest.empty()) r.body = std::string(rest.substr(1));
    return r;
  }

  std::vector<HttpResponse> replies_;
  size_t next_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto http = std::make_shared<ScriptedHttp>(input);
  ClientOptions o;
  o.http = http;
  o.insecure_registries = {"registry.test"};
  o.credential = Credential{"user", "pass", ""};
  o.retry.max_attempts = 2;
  o.sleep = [](int) {};
  auto client = Client::Create("registry.test", o);
  if (!client.ok()) return 0;
  Client& c = **client;
  (void)c.GetManifest("a/b", "v1");
  (void)c.HeadManifest("a/b", "v1");
  (void)c.ListTags("a/b");
  auto digest = Digest::Parse(
      "sha256:"
      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
  (void)c.Referrers("a/b", *digest, "application/x");
  oci::Descriptor d;
  d.digest = *digest;
  d.size = 64;
  (void)c.FetchBlob("a/b", d,
                    [](std::span<const uint8_t>) { return Status::Ok(); });
  (void)c.BlobExists("a/b", d);
  (void)c.MountBlob("a/b", d, "c/d");
  return 0;
}
