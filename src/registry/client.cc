#include "registry/client.h"

#include <algorithm>
#include <ctime>
#include <set>

#include "base/caps.h"
#include "base/json.h"
#include "oci/reference.h"

namespace strata::registry {
namespace {

constexpr size_t kMaxRepositoryLength = 255;
constexpr size_t kMaxTagLength = 128;
// Registry error messages quoted in ours.
constexpr size_t kMaxQuotedMessage = 200;

// Quotes a name from a caller or registry for a message: at most 128
// characters, controls replaced.
std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s.substr(0, 128)) {
    out += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c;
  }
  if (s.size() > 128) out += "...";
  return out + "\"";
}

std::string OneLine(std::string_view s) {
  std::string out(s.substr(0, kMaxQuotedMessage));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return out;
}

// A tag or a digest, validated.
struct Ref {
  std::string text;
  std::optional<Digest> digest;
};

Result<Ref> ParseRef(const std::string& tag_or_digest) {
  Ref r{tag_or_digest, std::nullopt};
  if (tag_or_digest.find(':') != std::string::npos) {
    Result<Digest> d = Digest::Parse(tag_or_digest);
    if (!d.ok()) {
      return InvalidArgumentError("invalid digest " + Quote(tag_or_digest));
    }
    r.digest = std::move(*d);
    return r;
  }
  RETURN_IF_ERROR(ValidateTag(tag_or_digest));
  return r;
}

std::string RefName(const std::string& repo, const Ref& ref) {
  return repo + (ref.digest ? "@" : ":") + ref.text;
}

std::string PullScope(const std::string& repo) {
  return "repository:" + repo + ":pull";
}
std::string PushScope(const std::string& repo) {
  return "repository:" + repo + ":pull,push";
}

// The first error of a registry's JSON error body: code and message.
std::pair<std::string, std::string> RegistryError(const std::string& body) {
  Result<json::Json> doc =
      json::Parse(body, "error body", kDefaultMaxBodyBytes);
  if (!doc.ok() || !doc->is_object()) return {};
  Result<const json::Json*> errors = json::GetArray(*doc, "errors");
  if (!errors.ok() || *errors == nullptr || !(*errors)->is_array() ||
      (*errors)->empty()) {
    return {};
  }
  const json::Json& first = (**errors)[0];
  if (!first.is_object()) return {};
  Result<std::optional<std::string>> code = json::GetString(first, "code");
  Result<std::optional<std::string>> msg = json::GetString(first, "message");
  return {code.ok() ? OneLine(code->value_or("")) : "",
          msg.ok() ? OneLine(msg->value_or("")) : ""};
}

// The error for an unexpected answer (see client.h for the mapping).
Status ResponseError(const HttpResponse& r) {
  auto [code, message] = RegistryError(r.body);
  std::string suffix = code.empty() ? "" : " (" + code + ")";
  std::string detail = message.empty() ? "" : ": " + message;
  std::string http = "HTTP " + std::to_string(r.status);
  switch (r.status) {
    case 401:
      return PermissionDeniedError((message.empty()
                                        ? "authentication required"
                                        : "unauthorized: " + message) +
                                   suffix);
    case 403:
      return PermissionDeniedError("denied" + detail + suffix);
    case 404:
      return NotFoundError("not found" + suffix);
    case 400:
      return InvalidArgumentError("rejected" + detail + suffix);
  }
  if (IsRetryableStatus(r.status)) {
    return UnavailableError(http + detail + suffix);
  }
  return FailedPreconditionError(http + detail + suffix);
}

// Runs `body` and names the registry in its error.
template <typename T, typename F>
Result<T> Named(const std::string& host, F&& body) {
  Result<T> r = body();
  if (!r.ok()) return r.status().WithContext("registry " + host);
  return r;
}
template <typename F>
Status NamedStatus(const std::string& host, F&& body) {
  return body().WithContext("registry " + host);
}

// The media type without parameters ("application/json; charset=utf-8").
std::string BareMediaType(std::string_view content_type) {
  std::string_view t = content_type.substr(0, content_type.find(';'));
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  return std::string(t);
}

// The target of a Link header's rel="next", if any.
std::optional<std::string> NextLink(const HttpResponse& r) {
  for (const std::string& value : r.Headers("link")) {
    std::string_view rest = value;
    while (true) {
      size_t open = rest.find('<');
      if (open == std::string_view::npos) break;
      size_t close = rest.find('>', open);
      if (close == std::string_view::npos) break;
      std::string_view target = rest.substr(open + 1, close - open - 1);
      rest.remove_prefix(close + 1);
      std::string_view params = rest.substr(0, rest.find('<'));
      std::string lowered;
      for (char c : params) {
        if (c != ' ' && c != '"') {
          lowered +=
              static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
      }
      if (lowered.find("rel=next") != std::string::npos) {
        return std::string(target);
      }
    }
  }
  return std::nullopt;
}

// Pagination guard: the next page must stay on the same scheme and host,
// and never repeat.
Result<std::string> NextPage(const HttpResponse& r, const std::string& url,
                             std::set<std::string>& seen, int pages) {
  std::optional<std::string> link = NextLink(r);
  if (!link.has_value()) return std::string();
  if (pages >= kMaxListPages) {
    return ResourceExhaustedError("more than " + std::to_string(kMaxListPages) +
                                  " pages");
  }
  ASSIGN_OR_RETURN(Url base, ParseUrl(url));
  Result<Url> next = ResolveUrl(base, *link);
  if (!next.ok()) return DataLossError("bad Link header: " + OneLine(*link));
  if (next->scheme != base.scheme || next->host != base.host) {
    return PermissionDeniedError("Link to another host refused: " +
                                 OneLine(*link));
  }
  std::string s = next->ToString();
  if (!seen.insert(s).second) return DataLossError("pagination loop at " + s);
  return s;
}

json::Json DescriptorJson(const oci::Descriptor& d) {
  json::Json j = json::Json::object();
  j["mediaType"] = d.media_type;
  j["digest"] = d.digest.ToString();
  j["size"] = d.size;
  if (!d.artifact_type.empty()) j["artifactType"] = d.artifact_type;
  if (!d.annotations.empty()) j["annotations"] = d.annotations;
  if (d.platform.has_value()) {
    json::Json p = json::Json::object();
    p["os"] = d.platform->os;
    p["architecture"] = d.platform->architecture;
    if (!d.platform->variant.empty()) p["variant"] = d.platform->variant;
    if (!d.platform->os_version.empty()) {
      p["os.version"] = d.platform->os_version;
    }
    j["platform"] = std::move(p);
  }
  return j;
}

std::string AppendQuery(const std::string& url, const std::string& param) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + param;
}

}  // namespace

Status ValidateRepository(std::string_view repo) {
  if (repo.empty()) return InvalidArgumentError("empty repository name");
  if (repo.size() > kMaxRepositoryLength) {
    return InvalidArgumentError("repository name longer than " +
                                std::to_string(kMaxRepositoryLength) +
                                " characters");
  }
  std::string_view rest = repo;
  while (true) {
    size_t slash = rest.find('/');
    if (!oci::IsRepositoryComponent(rest.substr(0, slash))) {
      return InvalidArgumentError("invalid repository name " + Quote(repo));
    }
    if (slash == std::string_view::npos) return Status::Ok();
    rest.remove_prefix(slash + 1);
  }
}

Status ValidateTag(std::string_view tag) {
  if (!oci::IsRegistryTag(tag)) {
    return InvalidArgumentError("invalid tag " + Quote(tag));
  }
  return Status::Ok();
}

std::string ReferrersTag(const Digest& subject) {
  std::string tag = std::string(subject.algorithm_name()) + "-" + subject.hex();
  return tag.substr(0, kMaxTagLength);
}

// One logical exchange: the request, the auth scopes it needs, where its
// body goes, and whether failures are retried here.
struct Client::Call {
  HttpRequest request;
  std::vector<std::string> scopes;
  const BodySink* sink = nullptr;
  bool retry = true;
};

Result<std::unique_ptr<Client>> Client::Create(std::string host,
                                               ClientOptions options) {
  bool bad = host.empty() || host.find_first_of("/@?#") != std::string::npos;
  for (char c : host) bad = bad || static_cast<unsigned char>(c) <= 0x20;
  if (bad) {
    return InvalidArgumentError("invalid registry host " + Quote(host));
  }
  std::shared_ptr<HttpTransport> http = options.http;
  if (http == nullptr) http = NewCurlTransport(options.transport);
  return std::unique_ptr<Client>(
      new Client(std::move(host), std::move(options), std::move(http)));
}

Client::Client(std::string host, ClientOptions options,
               std::shared_ptr<HttpTransport> http)
    : host_(std::move(host)),
      options_(std::move(options)),
      http_(std::move(http)) {
  std::shared_ptr<const CredentialStore> store = options_.credential_store;
  if (store == nullptr) {
    store = std::make_shared<CredentialStore>(
        CredentialSourcesFromEnvironment(std::nullopt));
  }
  Authenticator::Options auth;
  auth.registry_host = host_;
  auth.insecure_hosts = options_.insecure_registries;
  auth.credential = [store, explicit_cred = options_.credential,
                     host = host_]() -> Result<std::optional<Credential>> {
    if (explicit_cred.has_value()) return explicit_cred;
    return store->Lookup(host);
  };
  // Token requests go through the retry policy (never through auth).
  auth.fetch = [this](const HttpRequest& req) -> Result<HttpResponse> {
    Backoff backoff(options_.retry, options_.sleep);
    while (true) {
      Result<HttpResponse> r = http_->Do(req, nullptr);
      std::string cause;
      std::optional<int64_t> retry_after;
      if (!r.ok()) {
        if (r.status().code() != StatusCode::kUnavailable) return r;
        cause = r.status().message();
      } else if (IsRetryableStatus(r->status)) {
        cause = "HTTP " + std::to_string(r->status);
        retry_after = ParseRetryAfter(r->Header("retry-after"), time(nullptr));
      } else {
        return r;
      }
      RETURN_IF_ERROR(backoff.Next(cause, retry_after));
    }
  };
  auth.now_ms = options_.now_ms;
  auth_ = std::make_unique<Authenticator>(std::move(auth));
}

Result<std::string> Client::BaseUrl() {
  std::lock_guard<std::mutex> lock(scheme_mu_);
  if (scheme_.empty()) {
    const auto& insecure = options_.insecure_registries;
    if (std::find(insecure.begin(), insecure.end(), host_) != insecure.end()) {
      scheme_ = "http";
    } else if (!IsLoopbackHost(host_)) {
      scheme_ = "https";
    } else {
      // Loopback: https unless the server answers the handshake in HTTP.
      Backoff backoff(options_.retry, options_.sleep);
      HttpRequest ping;
      ping.url = "https://" + host_ + "/v2/";
      while (scheme_.empty()) {
        Result<HttpResponse> r = http_->Do(ping, nullptr);
        if (r.ok()) {
          scheme_ = "https";
        } else if (IsNotTlsError(r.status())) {
          scheme_ = "http";
        } else if (r.status().code() != StatusCode::kUnavailable) {
          return r.status();
        } else {
          RETURN_IF_ERROR(backoff.Next(r.status().message(), std::nullopt));
        }
      }
    }
  }
  return scheme_ + "://" + host_;
}

Result<HttpResponse> Client::ExchangeOnce(Call& call) {
  for (int round = 0;; ++round) {
    HttpRequest req = call.request;
    RETURN_IF_ERROR(auth_->Authorize(call.scopes, req));
    ASSIGN_OR_RETURN(HttpResponse resp, http_->Do(req, call.sink));
    if (resp.status != 401 || round > 0) return resp;
    RETURN_IF_ERROR(auth_->HandleChallenge(resp, call.scopes));
    if (call.request.upload != nullptr) {
      // The streamed body is spent; the caller restarts the upload.
      return UnavailableError("authorization expired during the upload");
    }
  }
}

Result<HttpResponse> Client::Exchange(Call& call) {
  Backoff backoff(options_.retry, options_.sleep);
  while (true) {
    Result<HttpResponse> r = ExchangeOnce(call);
    if (!call.retry) return r;
    std::string cause;
    std::optional<int64_t> retry_after;
    if (!r.ok()) {
      if (r.status().code() != StatusCode::kUnavailable) return r;
      cause = r.status().message();
    } else if (IsRetryableStatus(r->status)) {
      cause = "HTTP " + std::to_string(r->status);
      retry_after = ParseRetryAfter(r->Header("retry-after"), time(nullptr));
    } else {
      return r;
    }
    RETURN_IF_ERROR(backoff.Next(cause, retry_after));
  }
}

Result<FetchedManifest> Client::GetManifestAt(
    const std::string& repo, const std::string& tag_or_digest) {
  RETURN_IF_ERROR(ValidateRepository(repo));
  ASSIGN_OR_RETURN(Ref ref, ParseRef(tag_or_digest));
  std::string what = "manifest " + RefName(repo, ref);
  ASSIGN_OR_RETURN(std::string base, BaseUrl());
  Call call;
  call.request.url = base + "/v2/" + repo + "/manifests/" + ref.text;
  call.request.headers.emplace_back("Accept", std::string(kManifestAccept));
  call.request.max_body_bytes = caps::kMaxManifestBytes;
  call.scopes = {PullScope(repo)};
  Result<HttpResponse> r = Exchange(call);
  if (!r.ok()) return r.status().WithContext(what);
  if (r->status != 200) return ResponseError(*r).WithContext(what);

  FetchedManifest m;
  m.bytes = std::move(r->body);
  Hasher hasher(ref.digest ? ref.digest->algorithm()
                           : DigestAlgorithm::kSha256);
  hasher.Update(m.bytes);
  m.descriptor.digest = hasher.Finish();
  m.descriptor.size = static_cast<int64_t>(m.bytes.size());
  if (ref.digest && m.descriptor.digest != *ref.digest) {
    return DataLossError(what + ": digest mismatch: got " +
                         m.descriptor.digest.ToString() + ", want " +
                         ref.digest->ToString());
  }
  if (Result<Digest> claimed =
          Digest::Parse(r->Header("docker-content-digest"));
      claimed.ok() && claimed->algorithm() == m.descriptor.digest.algorithm() &&
      *claimed != m.descriptor.digest) {
    return DataLossError(what + ": Docker-Content-Digest " +
                         claimed->ToString() + " does not match the content " +
                         m.descriptor.digest.ToString());
  }
  ASSIGN_OR_RETURN(json::Json doc,
                   json::Parse(m.bytes, what, caps::kMaxManifestBytes));
  if (!doc.is_object()) return DataLossError(what + ": not a JSON object");
  Result<std::optional<std::string>> media = json::GetString(doc, "mediaType");
  if (!media.ok()) return media.status().WithContext(what);
  std::string content_type = BareMediaType(r->Header("content-type"));
  if (media->has_value() && !(*media)->empty()) {
    m.descriptor.media_type = **media;
  } else if (oci::IsIndexMediaType(content_type) ||
             oci::IsManifestMediaType(content_type)) {
    m.descriptor.media_type = content_type;
  } else {
    ASSIGN_OR_RETURN(oci::DocumentKind kind,
                     oci::ClassifyDocument(m.bytes, ""));
    m.descriptor.media_type = std::string(kind == oci::DocumentKind::kIndex
                                              ? oci::media::kOciIndex
                                              : oci::media::kOciManifest);
  }
  return m;
}

Result<FetchedManifest> Client::GetManifest(const std::string& repo,
                                            const std::string& tag_or_digest) {
  return Named<FetchedManifest>(
      host_, [&] { return GetManifestAt(repo, tag_or_digest); });
}

Result<oci::Descriptor> Client::HeadManifest(const std::string& repo,
                                             const std::string& tag_or_digest) {
  return Named<oci::Descriptor>(host_, [&]() -> Result<oci::Descriptor> {
    RETURN_IF_ERROR(ValidateRepository(repo));
    ASSIGN_OR_RETURN(Ref ref, ParseRef(tag_or_digest));
    std::string what = "manifest " + RefName(repo, ref);
    ASSIGN_OR_RETURN(std::string base, BaseUrl());
    Call call;
    call.request.method = "HEAD";
    call.request.url = base + "/v2/" + repo + "/manifests/" + ref.text;
    call.request.headers.emplace_back("Accept", std::string(kManifestAccept));
    call.scopes = {PullScope(repo)};
    Result<HttpResponse> r = Exchange(call);
    if (!r.ok()) return r.status().WithContext(what);
    if (r->status != 200) return ResponseError(*r).WithContext(what);
    Result<Digest> digest = Digest::Parse(r->Header("docker-content-digest"));
    std::string length = r->Header("content-length");
    std::string media_type = BareMediaType(r->Header("content-type"));
    bool complete = digest.ok() && !media_type.empty() && !length.empty() &&
                    length.size() <= 18 &&
                    std::all_of(length.begin(), length.end(),
                                [](char c) { return c >= '0' && c <= '9'; });
    if (!complete) {
      ASSIGN_OR_RETURN(FetchedManifest m, GetManifestAt(repo, tag_or_digest));
      return std::move(m.descriptor);
    }
    if (ref.digest && *digest != *ref.digest) {
      return DataLossError(what + ": the registry answered for " +
                           digest->ToString());
    }
    oci::Descriptor d;
    d.media_type = media_type;
    d.digest = std::move(*digest);
    d.size = std::stoll(length);
    if (d.size > caps::kMaxManifestBytes) {
      return ResourceExhaustedError(what + ": larger than " +
                                    std::to_string(caps::kMaxManifestBytes) +
                                    " bytes");
    }
    return d;
  });
}

Status Client::FetchBlob(const std::string& repo, const oci::Descriptor& d,
                         const BodySink& sink) {
  return NamedStatus(host_, [&]() -> Status {
    RETURN_IF_ERROR(ValidateRepository(repo));
    std::string what = "blob " + d.digest.ToString();
    if (d.digest.empty() || d.size < 0) {
      return InvalidArgumentError(what + ": invalid descriptor");
    }
    ASSIGN_OR_RETURN(std::string base, BaseUrl());
    Hasher hasher(d.digest.algorithm());
    int64_t offset = 0;  // bytes delivered to the caller's sink
    int64_t skip = 0;    // bytes to drop from this answer (Range ignored)
    Status fatal;        // a failure that no retry can mend
    bool sink_failed = false;
    BodySink verify = [&](std::span<const uint8_t> data) -> Status {
      int64_t drop = std::min<int64_t>(skip, static_cast<int64_t>(data.size()));
      skip -= drop;
      data = data.subspan(static_cast<size_t>(drop));
      if (data.empty()) return Status::Ok();
      if (offset + static_cast<int64_t>(data.size()) > d.size) {
        fatal = DataLossError(what + ": larger than its descriptor size " +
                              std::to_string(d.size));
        return fatal;
      }
      hasher.Update(data);
      offset += static_cast<int64_t>(data.size());
      Status s = sink(data);
      sink_failed = !s.ok();
      return s;
    };
    Backoff backoff(options_.retry, options_.sleep);
    while (true) {
      Call call;
      call.request.url = base + "/v2/" + repo + "/blobs/" + d.digest.ToString();
      call.scopes = {PullScope(repo)};
      call.sink = &verify;
      call.retry = false;
      int64_t from = offset;
      if (from > 0) {
        call.request.headers.emplace_back(
            "Range", "bytes=" + std::to_string(from) + "-");
      }
      call.request.on_headers = [&, from](const HttpResponse& head) -> Status {
        skip = 0;
        if (head.status == 200) skip = from;
        if (head.status != 206) return Status::Ok();
        std::string range = head.Header("content-range");
        std::string want = "bytes " + std::to_string(from) + "-";
        if (!range.starts_with(want)) {
          fatal = DataLossError(what + ": asked for bytes from " +
                                std::to_string(from) + ", got range " +
                                Quote(range));
          return fatal;
        }
        return Status::Ok();
      };
      Result<HttpResponse> r = Exchange(call);
      if (sink_failed) return r.status();
      if (!fatal.ok()) return fatal;
      std::string cause;
      std::optional<int64_t> retry_after;
      if (!r.ok()) {
        if (r.status().code() != StatusCode::kUnavailable) {
          return r.status().WithContext(what);
        }
        cause = r.status().message();
      } else if (r->status == 200 || r->status == 206) {
        if (offset < d.size) {
          return DataLossError(what + ": truncated: got " +
                               std::to_string(offset) + " of " +
                               std::to_string(d.size) + " bytes");
        }
        Digest got = hasher.Finish();
        if (got != d.digest) {
          return DataLossError(what + ": digest mismatch: got " +
                               got.ToString() + ", want " +
                               d.digest.ToString());
        }
        return Status::Ok();
      } else if (IsRetryableStatus(r->status)) {
        cause = "HTTP " + std::to_string(r->status);
        retry_after = ParseRetryAfter(r->Header("retry-after"), time(nullptr));
      } else {
        return ResponseError(*r).WithContext(what);
      }
      RETURN_IF_ERROR(backoff.Next(cause, retry_after).WithContext(what));
    }
  });
}

Result<bool> Client::BlobExists(const std::string& repo,
                                const oci::Descriptor& d) {
  return Named<bool>(host_, [&]() -> Result<bool> {
    RETURN_IF_ERROR(ValidateRepository(repo));
    std::string what = "blob " + d.digest.ToString();
    ASSIGN_OR_RETURN(std::string base, BaseUrl());
    Call call;
    call.request.method = "HEAD";
    call.request.url = base + "/v2/" + repo + "/blobs/" + d.digest.ToString();
    call.scopes = {PullScope(repo)};
    Result<HttpResponse> r = Exchange(call);
    if (!r.ok()) return r.status().WithContext(what);
    if (r->status == 200) return true;
    if (r->status == 404) return false;
    return ResponseError(*r).WithContext(what);
  });
}

Status Client::PushBlobOnce(const std::string& repo, const oci::Descriptor& d,
                            ByteSource& content, int64_t chunk_size) {
  ASSIGN_OR_RETURN(std::string base, BaseUrl());
  Call post;
  post.request.method = "POST";
  post.request.url = base + "/v2/" + repo + "/blobs/uploads/";
  post.scopes = {PushScope(repo)};
  post.retry = false;
  ASSIGN_OR_RETURN(HttpResponse started, Exchange(post));
  if (started.status != 202) return ResponseError(started);

  // Each answer names the URL of the next request (Location).
  std::string location_of = post.request.url;
  auto next_location = [&](const HttpResponse& r) -> Result<std::string> {
    std::string location = r.Header("location");
    if (location.empty()) {
      return DataLossError("upload answer without a Location header");
    }
    ASSIGN_OR_RETURN(Url from, ParseUrl(location_of));
    Result<Url> to = ResolveUrl(from, location);
    if (!to.ok())
      return DataLossError("bad upload Location " + Quote(location));
    location_of = to->ToString();
    return location_of;
  };
  ASSIGN_OR_RETURN(std::string location, next_location(started));

  Call put;
  put.request.method = "PUT";
  put.scopes = post.scopes;
  put.retry = false;
  put.request.headers.emplace_back("Content-Type", "application/octet-stream");
  if (chunk_size <= 0) {
    put.request.upload = &content;
    put.request.upload_size = d.size;
  } else {
    for (int64_t offset = 0; offset < d.size;) {
      int64_t n = std::min(chunk_size, d.size - offset);
      Call patch;
      patch.request.method = "PATCH";
      patch.request.url = location;
      patch.request.headers = {
          {"Content-Type", "application/octet-stream"},
          {"Content-Range",
           std::to_string(offset) + "-" + std::to_string(offset + n - 1)}};
      patch.request.upload = &content;
      patch.request.upload_size = n;
      patch.scopes = post.scopes;
      patch.retry = false;
      ASSIGN_OR_RETURN(HttpResponse r, Exchange(patch));
      if (r.status != 202) return ResponseError(r);
      ASSIGN_OR_RETURN(location, next_location(r));
      offset += n;
    }
  }
  put.request.url =
      AppendQuery(location, "digest=" + QueryEscape(d.digest.ToString()));
  ASSIGN_OR_RETURN(HttpResponse done, Exchange(put));
  if (done.status != 201 && done.status != 204) return ResponseError(done);
  if (Result<Digest> claimed =
          Digest::Parse(done.Header("docker-content-digest"));
      claimed.ok() && claimed->algorithm() == d.digest.algorithm() &&
      *claimed != d.digest) {
    return DataLossError("the registry stored " + claimed->ToString());
  }
  return Status::Ok();
}

Status Client::PushBlob(
    const std::string& repo, const oci::Descriptor& d,
    const std::function<Result<std::unique_ptr<ByteSource>>()>& open,
    int64_t chunk_size) {
  return NamedStatus(host_, [&]() -> Status {
    RETURN_IF_ERROR(ValidateRepository(repo));
    std::string what = "blob " + d.digest.ToString();
    if (d.digest.empty() || d.size < 0) {
      return InvalidArgumentError(what + ": invalid descriptor");
    }
    Backoff backoff(options_.retry, options_.sleep);
    while (true) {
      Result<std::unique_ptr<ByteSource>> content = open();
      if (!content.ok()) return content.status().WithContext(what);
      Status s = PushBlobOnce(repo, d, **content, chunk_size);
      if (s.ok() || s.code() != StatusCode::kUnavailable) {
        return s.WithContext(what);
      }
      RETURN_IF_ERROR(
          backoff.Next(s.message(), std::nullopt).WithContext(what));
    }
  });
}

Result<bool> Client::MountBlob(const std::string& repo,
                               const oci::Descriptor& d,
                               const std::string& from_repo) {
  return Named<bool>(host_, [&]() -> Result<bool> {
    RETURN_IF_ERROR(ValidateRepository(repo));
    RETURN_IF_ERROR(ValidateRepository(from_repo));
    std::string what =
        "blob " + d.digest.ToString() + ": mount from " + from_repo;
    ASSIGN_OR_RETURN(std::string base, BaseUrl());
    Call call;
    call.request.method = "POST";
    call.request.url = base + "/v2/" + repo + "/blobs/uploads/?mount=" +
                       QueryEscape(d.digest.ToString()) +
                       "&from=" + QueryEscape(from_repo);
    call.scopes = {PushScope(repo), PullScope(from_repo)};
    Result<HttpResponse> r = Exchange(call);
    if (!r.ok()) return r.status().WithContext(what);
    if (r->status == 201) return true;
    if (r->status != 202) return ResponseError(*r).WithContext(what);
    // Not mounted: the registry opened an upload session; cancel it.
    if (std::string location = r->Header("location"); !location.empty()) {
      ASSIGN_OR_RETURN(Url from, ParseUrl(call.request.url));
      if (Result<Url> to = ResolveUrl(from, location); to.ok()) {
        Call cancel;
        cancel.request.method = "DELETE";
        cancel.request.url = to->ToString();
        cancel.scopes = {PushScope(repo)};
        cancel.retry = false;
        Exchange(cancel).status().IgnoreError();  // best effort
      }
    }
    return false;
  });
}

Result<bool> Client::PutManifestAt(const std::string& repo,
                                   const std::string& tag_or_digest,
                                   const oci::Descriptor& d,
                                   std::string_view bytes) {
  {
    RETURN_IF_ERROR(ValidateRepository(repo));
    ASSIGN_OR_RETURN(Ref ref, ParseRef(tag_or_digest));
    std::string what = "manifest " + RefName(repo, ref);
    if (static_cast<int64_t>(bytes.size()) > caps::kMaxManifestBytes) {
      return ResourceExhaustedError(what + ": larger than " +
                                    std::to_string(caps::kMaxManifestBytes) +
                                    " bytes");
    }
    Hasher hasher(d.digest.algorithm());
    hasher.Update(bytes);
    if (d.digest.empty() || hasher.Finish() != d.digest ||
        d.size != static_cast<int64_t>(bytes.size())) {
      return InvalidArgumentError(what + ": bytes do not match the descriptor");
    }
    if (ref.digest && *ref.digest != d.digest) {
      return InvalidArgumentError(what + ": descriptor digest differs");
    }
    ASSIGN_OR_RETURN(std::string base, BaseUrl());
    Call call;
    call.request.method = "PUT";
    call.request.url = base + "/v2/" + repo + "/manifests/" + ref.text;
    call.request.headers.emplace_back("Content-Type", d.media_type);
    call.request.body = std::string(bytes);
    call.scopes = {PushScope(repo)};
    Result<HttpResponse> r = Exchange(call);
    if (!r.ok()) return r.status().WithContext(what);
    if (r->status != 201 && r->status != 200 && r->status != 204) {
      return ResponseError(*r).WithContext(what);
    }
    if (Result<Digest> claimed =
            Digest::Parse(r->Header("docker-content-digest"));
        claimed.ok() && claimed->algorithm() == d.digest.algorithm() &&
        *claimed != d.digest) {
      return DataLossError(what + ": the registry stored " +
                           claimed->ToString());
    }
    return !r->Header("oci-subject").empty();
  }
}

Result<bool> Client::PutManifest(const std::string& repo,
                                 const std::string& tag_or_digest,
                                 const oci::Descriptor& d,
                                 std::string_view bytes) {
  return Named<bool>(
      host_, [&] { return PutManifestAt(repo, tag_or_digest, d, bytes); });
}

Result<std::vector<std::string>> Client::ListTags(const std::string& repo) {
  using Tags = std::vector<std::string>;
  return Named<Tags>(host_, [&]() -> Result<Tags> {
    RETURN_IF_ERROR(ValidateRepository(repo));
    std::string what = "tags of " + repo;
    ASSIGN_OR_RETURN(std::string base, BaseUrl());
    Tags tags;
    std::string url = base + "/v2/" + repo + "/tags/list";
    std::set<std::string> seen = {url};
    for (int pages = 1; !url.empty(); ++pages) {
      Call call;
      call.request.url = url;
      call.request.max_body_bytes = kMaxListPageBytes;
      call.scopes = {PullScope(repo)};
      Result<HttpResponse> r = Exchange(call);
      if (!r.ok()) return r.status().WithContext(what);
      if (r->status != 200) return ResponseError(*r).WithContext(what);
      ASSIGN_OR_RETURN(json::Json doc,
                       json::Parse(r->body, what, kMaxListPageBytes));
      if (!doc.is_object()) return DataLossError(what + ": not a JSON object");
      Result<std::optional<Tags>> page = json::GetStringArray(doc, "tags");
      if (!page.ok()) return page.status().WithContext(what);
      for (std::string& t : page->value_or(Tags())) {
        if (static_cast<int64_t>(tags.size()) >= kMaxTags) {
          return ResourceExhaustedError(what + ": more than " +
                                        std::to_string(kMaxTags) + " tags");
        }
        tags.push_back(std::move(t));
      }
      Result<std::string> next = NextPage(*r, url, seen, pages);
      if (!next.ok()) return next.status().WithContext(what);
      url = std::move(*next);
    }
    return tags;
  });
}

Result<oci::Index> Client::ReferrersFallback(const std::string& repo,
                                             const Digest& subject,
                                             const std::string& artifact_type) {
  std::string tag = ReferrersTag(subject);
  Result<FetchedManifest> m = GetManifestAt(repo, tag);
  if (!m.ok() && m.status().code() == StatusCode::kNotFound) {
    oci::Index empty;
    empty.media_type = std::string(oci::media::kOciIndex);
    return empty;
  }
  if (!m.ok()) return m.status();
  ASSIGN_OR_RETURN(
      oci::Index index,
      oci::ParseIndex(m->bytes, "referrers index " + repo + ":" + tag));
  if (!artifact_type.empty()) {
    std::erase_if(index.manifests, [&](const oci::Descriptor& e) {
      return e.artifact_type != artifact_type;
    });
  }
  return index;
}

Result<oci::Index> Client::Referrers(const std::string& repo,
                                     const Digest& subject,
                                     const std::string& artifact_type) {
  return Named<oci::Index>(host_, [&]() -> Result<oci::Index> {
    RETURN_IF_ERROR(ValidateRepository(repo));
    std::string what = "referrers of " + repo + "@" + subject.ToString();
    ASSIGN_OR_RETURN(std::string base, BaseUrl());
    std::string url = base + "/v2/" + repo + "/referrers/" + subject.ToString();
    if (!artifact_type.empty()) {
      url += "?artifactType=" + QueryEscape(artifact_type);
    }
    std::set<std::string> seen = {url};
    oci::Index all;
    all.media_type = std::string(oci::media::kOciIndex);
    for (int pages = 1; !url.empty(); ++pages) {
      Call call;
      call.request.url = url;
      call.request.headers.emplace_back("Accept",
                                        std::string(oci::media::kOciIndex));
      call.request.max_body_bytes = caps::kMaxManifestBytes;
      call.scopes = {PullScope(repo)};
      Result<HttpResponse> r = Exchange(call);
      if (!r.ok()) return r.status().WithContext(what);
      if (r->status == 404 && pages == 1) {
        Result<oci::Index> index =
            ReferrersFallback(repo, subject, artifact_type);
        if (!index.ok()) return index.status().WithContext(what);
        return index;
      }
      if (r->status != 200) return ResponseError(*r).WithContext(what);
      ASSIGN_OR_RETURN(oci::Index page, oci::ParseIndex(r->body, what));
      for (oci::Descriptor& e : page.manifests) {
        if (!artifact_type.empty() && e.artifact_type != artifact_type) {
          continue;
        }
        if (static_cast<int64_t>(all.manifests.size()) >=
            caps::kMaxIndexManifests) {
          return ResourceExhaustedError(
              what + ": more than " + std::to_string(caps::kMaxIndexManifests) +
              " referrers");
        }
        all.manifests.push_back(std::move(e));
      }
      Result<std::string> next = NextPage(*r, url, seen, pages);
      if (!next.ok()) return next.status().WithContext(what);
      url = std::move(*next);
    }
    return all;
  });
}

Status Client::AddReferrerFallback(const std::string& repo,
                                   const Digest& subject,
                                   const oci::Descriptor& d) {
  return NamedStatus(host_, [&]() -> Status {
    RETURN_IF_ERROR(ValidateRepository(repo));
    std::string tag = ReferrersTag(subject);
    std::string what = "referrers index " + repo + ":" + tag;
    json::Json doc;
    Result<FetchedManifest> current = GetManifestAt(repo, tag);
    if (!current.ok() && current.status().code() == StatusCode::kNotFound) {
      doc = json::Json::object();
      doc["schemaVersion"] = 2;
      doc["mediaType"] = std::string(oci::media::kOciIndex);
    } else if (!current.ok()) {
      return current.status();
    } else {
      // Validate as an index, then edit the document itself so fields we do
      // not model survive.
      RETURN_IF_ERROR(oci::ParseIndex(current->bytes, what));
      ASSIGN_OR_RETURN(
          doc, json::Parse(current->bytes, what, caps::kMaxManifestBytes));
    }
    json::Json manifests = json::Json::array();
    if (auto it = doc.find("manifests"); it != doc.end() && it->is_array()) {
      for (const json::Json& e : *it) {
        auto digest = e.find("digest");
        if (digest != e.end() && digest->is_string() &&
            digest->get_ref<const std::string&>() == d.digest.ToString()) {
          continue;
        }
        manifests.push_back(e);
      }
    }
    if (static_cast<int64_t>(manifests.size()) >= caps::kMaxIndexManifests) {
      return ResourceExhaustedError(what + ": more than " +
                                    std::to_string(caps::kMaxIndexManifests) +
                                    " entries");
    }
    manifests.push_back(DescriptorJson(d));
    doc["manifests"] = std::move(manifests);
    std::string bytes = json::Dump(doc);
    oci::Descriptor index;
    index.media_type = std::string(oci::media::kOciIndex);
    index.digest = Sha256Of(bytes);
    index.size = static_cast<int64_t>(bytes.size());
    return PutManifestAt(repo, tag, index, bytes).status();
  });
}

}  // namespace strata::registry
