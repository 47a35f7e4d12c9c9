// An OCI Distribution API client for one registry host: manifests, blobs
// (streamed, verified, resumed), uploads (monolithic, chunked, cross-repo
// mounts), tags and referrers (OCI 1.1 API with the tag-schema fallback).
//
// Every exchange goes through the retry policy (retry.h) and the auth flow
// (auth.h). Every response read whole is capped; every byte fetched by
// digest is verified. Repository names, tags and digests are validated
// before they go into a URL.
//
// Errors name the registry and the thing:
//   "registry 127.0.0.1:5000: manifest library/alpine:3.20: not found
//    (MANIFEST_UNKNOWN)"
// with the first error of the registry's JSON error body. 401 after the
// auth flow -> kPermissionDenied ("authentication required" /
// "unauthorized: <message>"); 403 -> kPermissionDenied; 404 -> kNotFound;
// 400 -> kInvalidArgument; other 4xx -> kFailedPrecondition; 429 and 5xx
// after the retries -> kUnavailable "gave up after N attempts: HTTP 503".
#ifndef STRATA_REGISTRY_CLIENT_H_
#define STRATA_REGISTRY_CLIENT_H_

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/byte_source.h"
#include "base/digest.h"
#include "base/status.h"
#include "oci/manifest.h"
#include "registry/auth.h"
#include "registry/http.h"
#include "registry/retry.h"

namespace strata::registry {

struct ClientOptions {
  TransportOptions transport;
  // Hosts (host[:port]) spoken to over plain http.
  std::vector<std::string> insecure_registries;
  std::optional<Credential> credential;  // from the command line; wins
  // Further credentials for the host; null: CredentialSourcesFromEnvironment.
  std::shared_ptr<const CredentialStore> credential_store;
  RetryPolicy retry;
  std::shared_ptr<HttpTransport> http;  // null: NewCurlTransport(transport)
  std::function<void(int ms)> sleep;    // null: real sleep (see Backoff)
  // Monotonic clock for token expiry; null: steady_clock.
  std::function<int64_t()> now_ms;
};

// A manifest or index as fetched. descriptor: media type from the
// document's mediaType (it is covered by the digest), else from the
// Content-Type; digest computed (sha256, or the algorithm of the requested
// digest) and, when the reference was a digest, verified; size = bytes.
struct FetchedManifest {
  oci::Descriptor descriptor;
  std::string bytes;
};

// The manifest media types asked for (Accept) on every manifest request.
inline constexpr std::string_view kManifestAccept =
    "application/vnd.oci.image.index.v1+json, "
    "application/vnd.oci.image.manifest.v1+json, "
    "application/vnd.docker.distribution.manifest.list.v2+json, "
    "application/vnd.docker.distribution.manifest.v2+json";

// Distribution grammar, checked before a name goes into a URL.
// Repository: path components [a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*
// separated by '/', at most 255 characters. Tag: [\w][\w.-]{0,127}.
Status ValidateRepository(std::string_view repo);
Status ValidateTag(std::string_view tag);

// The referrers fallback tag for a subject: "sha256-<hex>" (truncated to
// 128 characters, the tag limit).
std::string ReferrersTag(const Digest& subject);

// The caps on listings.
inline constexpr int64_t kMaxTags = 1'000'000;
inline constexpr int kMaxListPages = 10'000;
inline constexpr int64_t kMaxListPageBytes = 16 * 1024 * 1024;

class Client {  // one registry host; thread-safe
 public:
  // host: "registry-1.docker.io" for docker.io, "127.0.0.1:5000", ...
  // Does no I/O.
  static Result<std::unique_ptr<Client>> Create(std::string host,
                                                ClientOptions options);

  // Scheme: https, except plain http for hosts in insecure_registries, and
  // for loopback hosts (127.0.0.0/8, ::1, localhost) only after the TLS
  // handshake fails because the server answered in plain HTTP (never after
  // a certificate verification failure). Decided once per client, on the
  // first request, by GET /v2/ (loopback hosts only).

  // GET /v2/<repo>/manifests/<ref> (Accept: kManifestAccept), at most
  // caps::kMaxManifestBytes. A digest reference whose bytes hash to
  // something else is kDataLoss.
  Result<FetchedManifest> GetManifest(const std::string& repo,
                                      const std::string& tag_or_digest);
  // HEAD: Docker-Content-Digest, Content-Type, Content-Length. Falls back to
  // GetManifest when the answer lacks the digest or the length.
  Result<oci::Descriptor> HeadManifest(const std::string& repo,
                                       const std::string& tag_or_digest);

  // Streams a blob to sink, verifying size and digest (a mismatch is
  // kDataLoss and the sink has then seen bad bytes: callers write to a temp
  // file). A failure mid-body is retried with a Range request from the
  // offset reached (a server that ignores Range and answers 200 has the
  // bytes already delivered skipped). The sink sees every byte once, in
  // order. A sink error aborts and is returned as is.
  Status FetchBlob(const std::string& repo, const oci::Descriptor& d,
                   const BodySink& sink);
  // HEAD /v2/<repo>/blobs/<digest>: true on 2xx, false on 404.
  Result<bool> BlobExists(const std::string& repo, const oci::Descriptor& d);

  // Uploads a blob: POST /blobs/uploads/ then PUT ?digest= with the whole
  // body (chunk_size == 0), or PATCH chunks of chunk_size bytes then PUT
  // (chunk_size > 0). `open` re-opens the content for each attempt (a
  // failed attempt restarts the upload). The content must be exactly d.size
  // bytes; the registry checks the digest.
  Status PushBlob(
      const std::string& repo, const oci::Descriptor& d,
      const std::function<Result<std::unique_ptr<ByteSource>>()>& open,
      int64_t chunk_size = 0);
  // POST /blobs/uploads/?mount=<digest>&from=<from_repo>: true when the
  // registry mounted the blob (201); false when it opened an upload session
  // instead (202), which is then cancelled (DELETE).
  Result<bool> MountBlob(const std::string& repo, const oci::Descriptor& d,
                         const std::string& from_repo);

  // PUT /v2/<repo>/manifests/<ref> with Content-Type d.media_type; `bytes`
  // must hash to d.digest (checked before sending). Returns true when the
  // registry answered with an OCI-Subject header (it supports referrers).
  Result<bool> PutManifest(const std::string& repo,
                           const std::string& tag_or_digest,
                           const oci::Descriptor& d, std::string_view bytes);

  // GET /v2/<repo>/tags/list, following Link: <...>; rel="next" (relative,
  // or absolute on the same host and scheme); at most kMaxTags tags and
  // kMaxListPages pages.
  Result<std::vector<std::string>> ListTags(const std::string& repo);

  // OCI 1.1 referrers: GET /v2/<repo>/referrers/<digest>[?artifactType=]
  // (pages followed as in ListTags); on 404 falls back to the tag schema
  // (the index tagged ReferrersTag(subject), or an empty index when that
  // tag is absent). Entries are filtered by artifact_type when given.
  Result<oci::Index> Referrers(const std::string& repo, const Digest& subject,
                               const std::string& artifact_type = "");
  // Adds `d` to the fallback index tagged ReferrersTag(subject) (read,
  // modify, write; created when absent; an entry with the same digest is
  // replaced), for registries without the referrers API. Not atomic: two
  // concurrent writers may lose an entry, as with every tag-schema client.
  Status AddReferrerFallback(const std::string& repo, const Digest& subject,
                             const oci::Descriptor& d);

  const std::string& host() const { return host_; }

 private:
  struct Call;
  Client(std::string host, ClientOptions options,
         std::shared_ptr<HttpTransport> http);
  Result<std::string> BaseUrl();
  Result<HttpResponse> Exchange(Call& call);
  Result<HttpResponse> ExchangeOnce(Call& call);
  // The public operations without the registry name in their errors.
  Result<FetchedManifest> GetManifestAt(const std::string& repo,
                                        const std::string& tag_or_digest);
  Result<bool> PutManifestAt(const std::string& repo,
                             const std::string& tag_or_digest,
                             const oci::Descriptor& d, std::string_view bytes);
  Status PushBlobOnce(const std::string& repo, const oci::Descriptor& d,
                      ByteSource& content, int64_t chunk_size);
  Result<oci::Index> ReferrersFallback(const std::string& repo,
                                       const Digest& subject,
                                       const std::string& artifact_type);

  std::string host_;
  ClientOptions options_;
  std::shared_ptr<HttpTransport> http_;
  std::unique_ptr<Authenticator> auth_;
  std::mutex scheme_mu_;
  std::string scheme_;  // decided on first use
};

}  // namespace strata::registry

#endif  // STRATA_REGISTRY_CLIENT_H_
