// Test harness for registry tests: the real registry (Debian's
// docker-registry, CNCF distribution 2.8) started on 127.0.0.1 in a fresh
// temporary directory, plus the fakes a real registry will not be on
// demand: a Docker token server and a fault-injecting reverse proxy.
//
//   if (!RegistryServer::Available(RegistryMode::kTlsToken)) GTEST_SKIP();
//   Result<std::unique_ptr<TokenServer>> tokens = TokenServer::Start();
//   Result<std::unique_ptr<RegistryServer>> registry = RegistryServer::Start(
//       RegistryMode::kTlsToken, {.token_server = tokens->get()});
//   // (*registry)->url() is "https://127.0.0.1:PORT", its CA at
//   // (*registry)->ca_cert_path(), credentials (*registry)->username() ...
//
// Everything here is test support: it runs on loopback only, trusts its
// callers, and cleans up after itself in destructors (processes stopped and
// reaped, threads joined, temporary directories removed), also when a test
// fails. Raw HTTP(S) requests for assertions: raw_http.h. Certificates and
// JWT signing: pki.h.
#ifndef STRATA_REGISTRY_TESTING_HARNESS_H_
#define STRATA_REGISTRY_TESTING_HARNESS_H_

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "registry/testing/http_wire.h"
#include "registry/testing/pki.h"

namespace strata::registry::testing {

// ---------------------------------------------------------------------------
// Helpers

// A port that was free on 127.0.0.1 a moment ago (bound to port 0, then
// released). Another process may take it before the caller binds it;
// RegistryServer retries on that race.
Result<int> PickFreePort();

// A fresh directory under $TMPDIR (or /tmp), removed with its contents by
// the destructor. Move-only.
class TempDir {
 public:
  static Result<TempDir> Create(std::string_view prefix = "strata-regtest");
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&& other) noexcept;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();

  const std::string& path() const { return path_; }
  // path() + "/" + name.
  std::string Join(std::string_view name) const;

 private:
  explicit TempDir(std::string path) : path_(std::move(path)) {}
  void Remove();
  std::string path_;
};

// ---------------------------------------------------------------------------
// TokenServer: the Docker registry token flow over plain HTTP on
// 127.0.0.1:PORT (clients accept plain http to loopback for the realm).
//
//   GET /token?service=S&scope=repository:NAME:pull,push[&scope=...]
//       [&offline_token=true]
//     with Authorization: Basic (or none when allow_anonymous)
//     -> 200 {"token","access_token","expires_in","issued_at"
//             [,"refresh_token"]}
//        401 (WWW-Authenticate: Basic) for missing or wrong credentials.
//   POST /token, application/x-www-form-urlencoded (unless !accept_post,
//     then 404 as some servers do):
//     grant_type=password&username&password&service&scope[&access_type=offline]
//     grant_type=refresh_token&refresh_token&service&scope
//     -> 200 {"access_token","expires_in","issued_at"[,"refresh_token"]}
//        (refresh_token when access_type=offline), 401 for bad
//        credentials or an unknown refresh token, 400 for a bad grant.
//
// Tokens are JWTs as distribution 2.8 verifies them
// (registry/auth/token/token.go): header {"typ":"JWT","alg":"ES256",
// "x5c":[signing cert]}, claims iss, sub (the user, "" when anonymous),
// aud (the service parameter, else the configured service), exp, nbf, iat,
// jti and access: one {"type","name","actions"} per scope, with the
// requested actions that allowed_actions permits (scopes left with no action
// are dropped). The signing certificate is issued by the server's own CA,
// whose PEM (root_cert_bundle_path) goes into the registry's
// auth.token.rootcertbundle.
struct TokenServerOptions {
  std::string username = "strata";
  std::string password;  // empty: a random one
  std::string service = "strata-test-registry";
  std::string issuer = "strata-test-token-issuer";
  int64_t expires_in_seconds = 300;
  // Actions ever granted; e.g. {"pull"} to deny push.
  std::vector<std::string> allowed_actions = {"pull", "push", "delete", "*"};
  // Requests without credentials get tokens (sub ""), as for public repos.
  bool allow_anonymous = false;
  bool accept_post = true;
};

// One access entry of a token ("repository", "library/x", {"pull"}).
struct TokenAccess {
  std::string type;
  std::string name;
  std::vector<std::string> actions;
};

// What the token server saw, per request.
struct TokenRequestRecord {
  std::string method;  // "GET" or "POST"
  std::string path;    // without the query
  std::string service;
  std::vector<std::string> scopes;  // as requested
  std::string grant_type;           // POST only
  bool had_basic_auth = false;
  int status = 0;  // the status answered
};

// Thread-safe. The destructor stops the server and joins its threads.
class TokenServer {
 public:
  static Result<std::unique_ptr<TokenServer>> Start(
      TokenServerOptions options = {});
  ~TokenServer();
  TokenServer(const TokenServer&) = delete;
  TokenServer& operator=(const TokenServer&) = delete;

  const std::string& host() const { return host_; }  // "127.0.0.1:PORT"
  std::string realm() const { return "http://" + host_ + "/token"; }
  const std::string& service() const { return options_.service; }
  const std::string& issuer() const { return options_.issuer; }
  const std::string& username() const { return options_.username; }
  const std::string& password() const { return options_.password; }
  // PEM of the CA that issued the signing certificate; lives as long as
  // this server.
  const std::string& root_cert_bundle_path() const { return bundle_path_; }

  // Requests answered since start or the last ClearRequests() (malformed
  // ones, answered 400, are not counted).
  int64_t request_count() const;
  // Tokens issued (200 answers) since start or the last ClearRequests().
  int64_t tokens_issued() const;
  // The first 10,000 requests, in order; a record is complete before its
  // response is sent.
  std::vector<TokenRequestRecord> requests() const;
  void ClearRequests();

  // A token signed like the served ones, for hand-made grants. A negative
  // expires_in makes an expired token.
  Result<std::string> MintToken(std::string_view subject,
                                std::string_view audience,
                                const std::vector<TokenAccess>& access,
                                int64_t expires_in_seconds) const;

 private:
  explicit TokenServer(TokenServerOptions options)
      : options_(std::move(options)) {}
  LoopbackServer::Close Handle(int fd);
  // Answers one parsed request; fills `record`.
  std::string Respond(const HttpHead& head, std::string_view body,
                      TokenRequestRecord& record);
  Result<std::string> IssueResponse(std::string_view subject,
                                    std::string_view service,
                                    const std::vector<std::string>& scopes,
                                    bool offline, bool include_token_field);

  TokenServerOptions options_;
  std::optional<TempDir> dir_;
  std::optional<TestCa> ca_;
  CertKey signer_;
  std::string bundle_path_;
  std::string host_;

  mutable std::mutex mu_;
  int64_t request_count_ = 0;
  int64_t tokens_issued_ = 0;
  std::vector<TokenRequestRecord> requests_;
  std::map<std::string, std::string> refresh_tokens_;  // token -> subject

  std::unique_ptr<LoopbackServer> server_;  // destroyed first
};

// ---------------------------------------------------------------------------
// RegistryServer: `docker-registry serve CONFIG` on 127.0.0.1:PORT, storage
// (filesystem driver, deletes enabled) and config in a fresh TempDir.
//
// Modes:
//   kPlain        http, no auth.
//   kTls          https; the server certificate (subjectAltName IP:127.0.0.1
//                 and DNS:localhost) is issued by a CA the harness makes;
//                 ca_cert_path() is its PEM.
//   kTlsBasicAuth kTls + htpasswd basic auth (bcrypt line made by
//                 `htpasswd -Bbn`); username()/password() are the harness's.
//   kTlsToken     kTls + auth.token with the realm, service, issuer and root
//                 certificate of RegistryOptions::token_server;
//                 username()/password() are that server's.
//
// Start waits (at most ~10 s) until /v2/ answers with any HTTP status. The
// destructor sends SIGTERM, then SIGKILL after 5 s, reaps the process and
// removes the directory. The process is started with PR_SET_PDEATHSIG, so it
// also dies if the thread that started it exits: start it from the test's
// own thread. Environment variables REGISTRY_* (which override the config)
// are not passed to it. Accessors are thread-safe; MakeOtherCa and
// IssueClientCert are not (call them from one thread).
enum class RegistryMode { kPlain, kTls, kTlsBasicAuth, kTlsToken };
std::string_view RegistryModeName(RegistryMode mode);

struct RegistryOptions {
  // kTlsToken: required. Only read during Start.
  const TokenServer* token_server = nullptr;
  // TLS modes: also require client certificates issued by the CA (mTLS,
  // http.tls.clientcas); see IssueClientCert.
  bool require_client_certs = false;
};

struct ClientCertFiles {
  std::string cert_path;
  std::string key_path;
};

class RegistryServer {
 public:
  // OK if `mode` can run here; else kFailedPrecondition naming what is
  // missing ("docker-registry not found in PATH", "htpasswd not found in
  // PATH"). The binary is $STRATA_DOCKER_REGISTRY if set, else
  // docker-registry from PATH; it must run `--version` successfully.
  static Status Probe(RegistryMode mode = RegistryMode::kPlain);
  static bool Available(RegistryMode mode = RegistryMode::kPlain) {
    return Probe(mode).ok();
  }

  static Result<std::unique_ptr<RegistryServer>> Start(
      RegistryMode mode, const RegistryOptions& options = {});
  ~RegistryServer();
  RegistryServer(const RegistryServer&) = delete;
  RegistryServer& operator=(const RegistryServer&) = delete;

  RegistryMode mode() const { return mode_; }
  bool tls() const { return mode_ != RegistryMode::kPlain; }
  int port() const { return port_; }
  const std::string& host() const { return host_; }  // "127.0.0.1:PORT"
  std::string url() const {                          // no trailing slash
    return (tls() ? "https://" : "http://") + host_;
  }
  // PEM of the CA that issued the server certificate; "" for kPlain.
  const std::string& ca_cert_path() const { return ca_cert_path_; }
  // Credentials for kTlsBasicAuth and kTlsToken; "" otherwise.
  const std::string& username() const { return username_; }
  const std::string& password() const { return password_; }
  // Root directory of the registry's storage.
  std::string data_dir() const { return dir_->Join("storage"); }
  std::string config_path() const { return dir_->Join("config.yml"); }
  // The registry's stdout and stderr.
  std::string log_path() const { return dir_->Join("registry.log"); }
  pid_t pid() const { return pid_; }

  // Writes the PEM of a new CA unrelated to this server and returns its
  // path (inside the server's directory): verification against it fails.
  Result<std::string> MakeOtherCa();
  // Issues a client certificate (extendedKeyUsage clientAuth) signed by the
  // server's CA and writes it with its key. TLS modes only.
  Result<ClientCertFiles> IssueClientCert(std::string_view common_name);

 private:
  RegistryServer(RegistryMode mode, TempDir dir)
      : mode_(mode), dir_(std::move(dir)) {}
  Status WriteConfig(const RegistryOptions& options);
  // Spawns the process and waits for /v2/; a port taken meanwhile is
  // kUnavailable "address in use" (Start then retries on another port).
  Status Launch();
  void Stop();

  RegistryMode mode_;
  std::optional<TempDir> dir_;
  std::optional<TestCa> ca_;
  int port_ = 0;
  std::string host_;
  std::string ca_cert_path_;
  std::string username_;
  std::string password_;
  pid_t pid_ = -1;
  int files_made_ = 0;
};

// ---------------------------------------------------------------------------
// FaultProxy: a plain-HTTP reverse proxy on 127.0.0.1:PORT in front of a
// plain registry, with scripted faults.
//
// Forwarding: one exchange per client connection. The request head goes
// upstream as received (Host kept, so the registry's Location headers point
// back at the proxy) except that Connection, Keep-Alive, Proxy-Connection
// and Expect are dropped and Connection: close is added; the response head
// comes back the same way. Bodies are streamed byte for byte: request bodies
// with Content-Length or Transfer-Encoding: chunked (chunk framing kept),
// response bodies until the registry closes. Expect: 100-continue is
// answered by the proxy itself (100 Continue, then the body is forwarded);
// a kRespond fault answers such a request at once instead, so its body is
// never sent (without Expect, the body is read and discarded first). A
// request whose body breaks off is answered with a TCP RST.
//
// Faults: each matches a method (exact, "" any) and a substring of the
// request target (path and query, "" any), and applies to the next `times`
// matching requests (kForever: all). The first matching fault with uses
// left wins. Body offsets count bytes after the response head as sent on the
// wire (chunk framing included; registry blobs and manifests use
// Content-Length). A fault whose offset lies beyond the body has no effect.
//   kRespond       answer `status` (with Retry-After when
//                  retry_after_seconds >= 0) and a JSON error body
//                  {"errors":[{"code":..}]} without forwarding.
//   kResetAfter    forward, then after `body_bytes` body bytes close with a
//                  TCP RST (SO_LINGER 0). The client sees at most that many.
//   kTruncateAfter forward, then after `body_bytes` body bytes close cleanly
//                  although Content-Length promised more.
//   kCorruptByte   forward, with the body byte at offset `body_bytes`
//                  inverted (a digest mismatch, same length).
//   kDelay         forward, and hold the response `delay_ms` ms before its
//                  head goes to the client.
//
// Thread-safe. The destructor stops accepting, cuts open connections and
// joins all threads.
enum class FaultKind {
  kRespond,
  kResetAfter,
  kTruncateAfter,
  kCorruptByte,
  kDelay,
};
inline constexpr int kForever = -1;

struct Fault {
  FaultKind kind = FaultKind::kRespond;
  std::string method;            // exact; "" matches any
  std::string path_substring;    // of the request target; "" matches any
  int times = 1;                 // matching requests affected, or kForever
  int status = 500;              // kRespond
  int retry_after_seconds = -1;  // kRespond: Retry-After when >= 0
  int64_t body_bytes = 0;  // kResetAfter/kTruncateAfter: bytes let through;
                           // kCorruptByte: offset of the inverted byte
  int delay_ms = 0;        // kDelay

  static Fault Respond(std::string method, std::string path_substring,
                       int status, int times = 1);
  // 429 with Retry-After: retry_after_seconds.
  static Fault TooManyRequests(std::string method, std::string path_substring,
                               int retry_after_seconds, int times = 1);
  static Fault ResetAfter(std::string method, std::string path_substring,
                          int64_t body_bytes, int times = 1);
  static Fault TruncateAfter(std::string method, std::string path_substring,
                             int64_t body_bytes, int times = 1);
  static Fault CorruptByte(std::string method, std::string path_substring,
                           int64_t body_offset, int times = 1);
  static Fault Delay(std::string method, std::string path_substring,
                     int delay_ms, int times = 1);
};

// One request as the proxy saw it.
struct ProxiedRequest {
  std::string method;
  std::string target;  // path and query
  bool has_range = false;
  std::string range;  // the Range value, if any
  bool has_authorization = false;
  bool chunked_body = false;       // Transfer-Encoding: chunked
  uint64_t body_bytes = 0;         // request body bytes as sent on the wire
  std::optional<FaultKind> fault;  // the fault applied, if any
  int status = 0;                  // status sent to the client; 0 if none was
};

class FaultProxy {
 public:
  // `upstream_host` is "127.0.0.1:PORT" of a plain-HTTP registry.
  static Result<std::unique_ptr<FaultProxy>> Start(std::string upstream_host);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  const std::string& host() const { return host_; }  // "127.0.0.1:PORT"
  std::string url() const { return "http://" + host_; }

  void AddFault(Fault fault);
  void ClearFaults();
  // Requests in arrival order (at most kMaxRecords are kept). An entry is
  // complete before the client can read any byte of its response.
  std::vector<ProxiedRequest> requests() const;
  void ClearRequests();
  static constexpr size_t kMaxRecords = 10'000;

 private:
  explicit FaultProxy(std::string upstream) : upstream_(std::move(upstream)) {}
  LoopbackServer::Close Handle(int fd, LoopbackServer& server);
  std::optional<Fault> TakeFault(std::string_view method,
                                 std::string_view target);
  // Appends a record; returns where it is (generation, index), index
  // SIZE_MAX when over kMaxRecords.
  std::pair<uint64_t, size_t> Record(ProxiedRequest request);
  // Applies `update` to a record if ClearRequests has not dropped it.
  void Update(std::pair<uint64_t, size_t> where,
              const std::function<void(ProxiedRequest&)>& update);

  std::string upstream_;
  std::string host_;
  mutable std::mutex mu_;
  std::vector<Fault> faults_;
  std::vector<ProxiedRequest> requests_;
  uint64_t generation_ = 0;  // bumped by ClearRequests

  std::unique_ptr<LoopbackServer> server_;  // destroyed first
};

}  // namespace strata::registry::testing

#endif  // STRATA_REGISTRY_TESTING_HARNESS_H_
