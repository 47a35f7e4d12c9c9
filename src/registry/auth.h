// Registry authentication: WWW-Authenticate challenges, credentials from
// the command line and docker/containers config files (and credential
// helpers), and the Basic and Bearer (token) flows.
#ifndef STRATA_REGISTRY_AUTH_H_
#define STRATA_REGISTRY_AUTH_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "registry/http.h"

namespace strata::registry {

// --- Challenges
// ----------------------------------------------------------------

// One challenge of a WWW-Authenticate header. The scheme is lower-cased
// ("bearer", "basic"), parameter names too; values are unquoted. A token68
// challenge ("Negotiate abc==") has the single parameter "" -> token68.
struct Challenge {
  std::string scheme;
  std::map<std::string, std::string> params;
};

// Parses a WWW-Authenticate value (RFC 7235): one or more comma-separated
// challenges, each a scheme followed by auth-params (token=token or
// token=quoted-string with backslash escapes) or a token68. Fails with
// kDataLoss on syntax errors (duplicate parameters included) and
// kResourceExhausted past kMaxWwwAuthenticateBytes, or past
// kMaxChallengeParams challenges and parameters together.
Result<std::vector<Challenge>> ParseWwwAuthenticate(std::string_view header);

inline constexpr int64_t kMaxWwwAuthenticateBytes = 16 * 1024;
inline constexpr int kMaxChallengeParams = 64;

// --- Credentials
// -----------------------------------------------------------------

struct Credential {
  std::string username, password;
  // docker config `identitytoken`: an OAuth2 refresh token, used in the
  // token POST flow instead of the password.
  std::string identity_token;
};

// A docker config.json / containers auth.json, parsed. Hosts are normalised
// (NormalizeRegistryHost); when two keys normalise to the same host, the
// lexicographically first key wins. Entries without any credential are
// skipped.
struct DockerConfig {
  std::map<std::string, std::string> cred_helpers;  // host -> helper name
  std::string creds_store;                          // helper name or ""
  std::map<std::string, Credential> auths;          // host -> credential
};

// Parses a config file's bytes (at most kMaxDockerConfigBytes). `what` names
// the file in errors: "<what>: auths \"host\": auth is not base64".
// Helper names are restricted to [A-Za-z0-9._-] (they become part of an
// executable name).
Result<DockerConfig> ParseDockerConfig(std::string_view bytes,
                                       std::string_view what);

inline constexpr int64_t kMaxDockerConfigBytes = 4 * 1024 * 1024;

// "https://index.docker.io/v1/" -> "docker.io"; "HTTPS://Host:5000/v2/" ->
// "host:5000". Drops scheme and path, lower-cases; the Docker Hub aliases
// (index.docker.io, registry-1.docker.io, docker.io) become "docker.io".
std::string NormalizeRegistryHost(std::string_view key);

// Where credentials come from, in order: the explicit credential, then each
// config file (a missing file is skipped; an unreadable or corrupt one is an
// error naming it). In each file: credHelpers[host], then credsStore (a
// helper answering "credentials not found" falls through), then auths.
struct CredentialSources {
  std::optional<Credential> explicit_credential;
  std::vector<std::string> config_files;
  // Directories searched for docker-credential-<name> (PATH syntax).
  std::string helper_path;
};

// Reads $REGISTRY_AUTH_FILE, $DOCKER_CONFIG/config.json (else
// $HOME/.docker/config.json) and $PATH.
CredentialSources CredentialSourcesFromEnvironment(
    std::optional<Credential> explicit_credential);

// Resolves the credential for a registry host. Thread-safe (const); runs
// helpers as child processes (posix_spawn, no shell) with the server URL on
// stdin, output capped at kMaxHelperOutputBytes, at most kHelperTimeoutMs.
class CredentialStore {
 public:
  explicit CredentialStore(CredentialSources sources)
      : sources_(std::move(sources)) {}
  // nullopt when no source has a credential for `host` (host[:port], as
  // in a reference: "docker.io", "registry-1.docker.io", "127.0.0.1:5000").
  Result<std::optional<Credential>> Lookup(std::string_view host) const;

 private:
  CredentialSources sources_;
};

inline constexpr int64_t kMaxHelperOutputBytes = 1024 * 1024;
inline constexpr int kHelperTimeoutMs = 60000;

// Runs `docker-credential-<helper> get` (found in helper_path), writing
// `server_url` to its stdin. nullopt when the helper says "credentials not
// found". A username of "<token>" makes the secret an identity token, as in
// docker.
Result<std::optional<Credential>> RunCredentialHelper(
    const std::string& helper, const std::string& server_url,
    const std::string& helper_path);

// --- The Basic and Bearer flows
// ------------------------------------------------

// Per-registry authorisation state: the scheme the registry asked for, the
// credential (resolved once, on the first challenge) and bearer tokens
// cached per scope set until they expire. Thread-safe.
//
// Credentials (a password, basic auth, a refresh token) are only ever sent
// to https URLs, loopback hosts, or hosts in `insecure_hosts`; anything else
// is a kPermissionDenied error, never a clear-text password on the wire.
// Bearer tokens and basic auth are only attached to requests for the
// registry host itself (never to a redirect or upload on another host).
class Authenticator {
 public:
  // Performs one token request (the client passes its retrying exchange).
  using Fetch = std::function<Result<HttpResponse>(const HttpRequest&)>;
  // Resolves the credential for the registry (called at most once).
  using CredentialLookup = std::function<Result<std::optional<Credential>>()>;

  struct Options {
    std::string registry_host;  // host[:port]
    std::vector<std::string> insecure_hosts;
    CredentialLookup credential;      // null: anonymous
    Fetch fetch;                      // required
    std::function<int64_t()> now_ms;  // monotonic clock; null: steady_clock
  };
  explicit Authenticator(Options options);

  // Adds an Authorization header to `request` (for the registry host only)
  // once the registry's scheme is known: Basic credentials, or a bearer
  // token for `scopes` (cached, or fetched now when none is valid, using the
  // realm of the last challenge). Before any challenge this does nothing.
  Status Authorize(const std::vector<std::string>& scopes,
                   HttpRequest& request);

  // Handles a 401 answer: parses its WWW-Authenticate challenges and gets
  // ready for Authorize to succeed (Basic: checks a credential exists;
  // Bearer: fetches a token for `scopes` plus the challenge's own scope).
  // Returns OK when the request should be sent again, else the reason:
  // kPermissionDenied "authentication required" (Basic without a
  // credential), the token endpoint's error, or kUnimplemented for
  // unsupported schemes.
  Status HandleChallenge(const HttpResponse& response,
                         const std::vector<std::string>& scopes);

  // True when a credential may be sent to `url` (see the class comment).
  bool MaySendCredentials(const Url& url) const;

 private:
  struct Token {
    std::string value;
    int64_t expires_at_ms = 0;
  };
  Result<std::optional<Credential>> GetCredential();
  Result<Token> FetchToken(const std::map<std::string, std::string>& params,
                           const std::set<std::string>& scopes);
  int64_t NowMs() const;

  Options options_;
  std::mutex mu_;
  bool credential_resolved_ = false;
  Result<std::optional<Credential>> credential_ = std::optional<Credential>();
  std::string scheme_;                                // "", "basic" or "bearer"
  std::map<std::string, std::string> bearer_params_;  // realm, service
  std::map<std::set<std::string>, Token> tokens_;
};

// A token's lifetime when the server gives no (or no positive) expires_in.
inline constexpr int64_t kDefaultTokenLifetimeS = 60;

}  // namespace strata::registry

#endif  // STRATA_REGISTRY_AUTH_H_
