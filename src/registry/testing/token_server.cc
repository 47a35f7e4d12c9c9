#include <chrono>
#include <ctime>

#include "base/json.h"
#include "registry/testing/harness.h"

namespace strata::registry::testing {
namespace {

constexpr size_t kMaxTokenRecords = 10'000;
constexpr int64_t kMaxFormBytes = 64 * 1024;
constexpr size_t kMaxScopes = 64;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// application/x-www-form-urlencoded decoding ('+' is a space).
std::string UrlDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 &&
               HexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

using Params = std::vector<std::pair<std::string, std::string>>;

Params ParseParams(std::string_view s) {
  Params out;
  while (!s.empty()) {
    size_t amp = s.find('&');
    std::string_view kv = s.substr(0, amp);
    s = amp == std::string_view::npos ? "" : s.substr(amp + 1);
    if (kv.empty()) continue;
    size_t eq = kv.find('=');
    out.emplace_back(UrlDecode(kv.substr(0, eq)),
                     eq == std::string_view::npos
                         ? std::string()
                         : UrlDecode(kv.substr(eq + 1)));
  }
  return out;
}

std::string Param(const Params& params, std::string_view name) {
  for (const auto& [k, v] : params) {
    if (k == name) return v;
  }
  return "";
}

// Every "scope" value; with split_spaces (the POST form) each value may hold
// several scopes separated by spaces.
std::vector<std::string> Scopes(const Params& params, bool split_spaces) {
  std::vector<std::string> out;
  for (const auto& [k, v] : params) {
    if (k != "scope") continue;
    std::string_view rest = v;
    while (!rest.empty() && out.size() < kMaxScopes) {
      size_t sp = split_spaces ? rest.find(' ') : std::string_view::npos;
      if (sp != 0) out.emplace_back(rest.substr(0, sp));
      rest = sp == std::string_view::npos ? "" : rest.substr(sp + 1);
    }
  }
  return out;
}

// "type:name:a,b" (name may contain ':', e.g. a registry host with a port).
std::optional<TokenAccess> ParseScope(std::string_view scope) {
  size_t first = scope.find(':');
  size_t last = scope.rfind(':');
  if (first == std::string_view::npos || first == last) return std::nullopt;
  TokenAccess access{std::string(scope.substr(0, first)),
                     std::string(scope.substr(first + 1, last - first - 1)),
                     {}};
  std::string_view actions = scope.substr(last + 1);
  while (!actions.empty()) {
    size_t comma = actions.find(',');
    if (comma != 0) access.actions.emplace_back(actions.substr(0, comma));
    actions = comma == std::string_view::npos ? "" : actions.substr(comma + 1);
  }
  return access;
}

std::string JsonError(std::string_view code, std::string_view message) {
  json::Json j = {{"errors", {{{"code", code}, {"message", message}}}},
                  {"error", code}};
  return json::Dump(j);
}

std::string HttpResponse(int status, std::string_view reason,
                         const HeaderList& extra, std::string_view body) {
  HeaderList headers = extra;
  headers.emplace_back("Content-Type", "application/json");
  headers.emplace_back("Content-Length", std::to_string(body.size()));
  headers.emplace_back("Connection", "close");
  std::string out = SerializeHead(
      "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason),
      headers);
  out += body;
  return out;
}

int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Rfc3339(int64_t unix_seconds) {
  time_t t = static_cast<time_t>(unix_seconds);
  tm utc{};
  gmtime_r(&t, &utc);
  char buf[32];
  strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buf;
}

}  // namespace

Result<std::unique_ptr<TokenServer>> TokenServer::Start(
    TokenServerOptions options) {
  if (options.password.empty()) {
    ASSIGN_OR_RETURN(options.password, RandomHex(12));
  }
  std::unique_ptr<TokenServer> ts(new TokenServer(std::move(options)));
  ASSIGN_OR_RETURN(TempDir dir, TempDir::Create("strata-token"));
  ts->dir_.emplace(std::move(dir));
  ASSIGN_OR_RETURN(TestCa ca, TestCa::Create("strata test token ca"));
  ASSIGN_OR_RETURN(ts->signer_,
                   ca.Issue({.common_name = "strata test token signer",
                             .usage = CertUsage::kSigning}));
  ts->ca_.emplace(std::move(ca));
  ts->bundle_path_ = ts->dir_->Join("token-ca.crt");
  RETURN_IF_ERROR(ts->ca_->root().WritePem(ts->bundle_path_,
                                           ts->dir_->Join("token-ca.key")));
  TokenServer* self = ts.get();
  ASSIGN_OR_RETURN(ts->server_,
                   LoopbackServer::Start([self](int fd, LoopbackServer&) {
                     return self->Handle(fd);
                   }));
  ts->host_ = "127.0.0.1:" + std::to_string(ts->server_->port());
  return ts;
}

TokenServer::~TokenServer() { server_.reset(); }

int64_t TokenServer::request_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return request_count_;
}

int64_t TokenServer::tokens_issued() const {
  std::lock_guard<std::mutex> lock(mu_);
  return tokens_issued_;
}

std::vector<TokenRequestRecord> TokenServer::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

void TokenServer::ClearRequests() {
  std::lock_guard<std::mutex> lock(mu_);
  requests_.clear();
  request_count_ = 0;
  tokens_issued_ = 0;
}

Result<std::string> TokenServer::MintToken(
    std::string_view subject, std::string_view audience,
    const std::vector<TokenAccess>& access, int64_t expires_in_seconds) const {
  const int64_t now = UnixNow();
  ASSIGN_OR_RETURN(std::string jti, RandomHex(16));
  json::Json header = {
      {"typ", "JWT"}, {"alg", "ES256"}, {"x5c", {Base64(signer_.CertDer())}}};
  json::Json grants = json::Json::array();
  for (const TokenAccess& a : access) {
    grants.push_back(
        {{"type", a.type}, {"name", a.name}, {"actions", a.actions}});
  }
  json::Json claims = {{"iss", options_.issuer},
                       {"sub", subject},
                       {"aud", audience},
                       {"exp", now + expires_in_seconds},
                       {"nbf", now - 1},
                       {"iat", now},
                       {"jti", jti},
                       {"access", grants}};
  std::string signing_input =
      Base64Url(json::Dump(header)) + "." + Base64Url(json::Dump(claims));
  ASSIGN_OR_RETURN(std::string signature,
                   SignEs256(signer_.key.get(), signing_input));
  return signing_input + "." + signature;
}

Result<std::string> TokenServer::IssueResponse(
    std::string_view subject, std::string_view service,
    const std::vector<std::string>& scopes, bool offline,
    bool include_token_field) {
  std::vector<TokenAccess> granted;
  for (const std::string& scope : scopes) {
    std::optional<TokenAccess> asked = ParseScope(scope);
    if (!asked) continue;
    TokenAccess grant{asked->type, asked->name, {}};
    for (const std::string& action : asked->actions) {
      for (const std::string& allowed : options_.allowed_actions) {
        if (action == allowed) grant.actions.push_back(action);
      }
    }
    if (!grant.actions.empty()) granted.push_back(std::move(grant));
  }
  ASSIGN_OR_RETURN(
      std::string token,
      MintToken(subject, service.empty() ? options_.service : service, granted,
                options_.expires_in_seconds));
  json::Json body = {{"access_token", token},
                     {"expires_in", options_.expires_in_seconds},
                     {"issued_at", Rfc3339(UnixNow())}};
  if (include_token_field) body["token"] = token;
  if (offline) {
    ASSIGN_OR_RETURN(std::string refresh, RandomHex(24));
    std::lock_guard<std::mutex> lock(mu_);
    refresh_tokens_[refresh] = std::string(subject);
    body["refresh_token"] = refresh;
  }
  return json::Dump(body);
}

std::string TokenServer::Respond(const HttpHead& head, std::string_view body,
                                 TokenRequestRecord& record) {
  const std::string& method = head.start[0];
  const std::string& target = head.start[1];
  size_t q = target.find('?');
  record.method = method;
  record.path = target.substr(0, q);
  const HeaderList basic_challenge = {
      {"WWW-Authenticate", "Basic realm=\"strata-test-token\""}};

  auto unauthorized = [&](std::string_view message) {
    record.status = 401;
    return HttpResponse(401, "Unauthorized", basic_challenge,
                        JsonError("UNAUTHORIZED", message));
  };
  auto answer = [&](Result<std::string> json_body) {
    if (!json_body.ok()) {
      record.status = 500;
      return HttpResponse(500, "Internal Server Error", {},
                          JsonError("UNKNOWN", json_body.status().ToString()));
    }
    record.status = 200;
    return HttpResponse(200, "OK", {}, *json_body);
  };

  if (record.path != "/token" || (method == "POST" && !options_.accept_post) ||
      (method != "GET" && method != "POST")) {
    record.status = 404;
    return HttpResponse(404, "Not Found", {},
                        JsonError("NOT_FOUND", "no such endpoint"));
  }

  if (method == "GET") {
    Params params = ParseParams(q == std::string::npos
                                    ? std::string_view()
                                    : std::string_view(target).substr(q + 1));
    record.service = Param(params, "service");
    record.scopes = Scopes(params, /*split_spaces=*/false);
    std::optional<std::string> auth = FindHeader(head.headers, "Authorization");
    std::string subject;
    if (auth && auth->rfind("Basic ", 0) == 0) {
      record.had_basic_auth = true;
      auto decoded = DecodeBase64(std::string_view(*auth).substr(6));
      if (!decoded.ok() ||
          *decoded != options_.username + ":" + options_.password) {
        return unauthorized("invalid credentials");
      }
      subject = options_.username;
    } else if (!options_.allow_anonymous) {
      return unauthorized("authentication required");
    }
    bool offline = Param(params, "offline_token") == "true" && !subject.empty();
    return answer(IssueResponse(subject, record.service, record.scopes, offline,
                                /*include_token_field=*/true));
  }

  Params form = ParseParams(body);
  record.service = Param(form, "service");
  record.scopes = Scopes(form, /*split_spaces=*/true);
  record.grant_type = Param(form, "grant_type");
  std::string subject;
  if (record.grant_type == "password") {
    if (Param(form, "username") != options_.username ||
        Param(form, "password") != options_.password) {
      return unauthorized("invalid credentials");
    }
    subject = options_.username;
  } else if (record.grant_type == "refresh_token") {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = refresh_tokens_.find(Param(form, "refresh_token"));
    if (it == refresh_tokens_.end()) {
      record.status = 401;
      return HttpResponse(401, "Unauthorized", {},
                          JsonError("UNAUTHORIZED", "unknown refresh token"));
    }
    subject = it->second;
  } else {
    record.status = 400;
    return HttpResponse(400, "Bad Request", {},
                        JsonError("UNSUPPORTED", "unsupported grant_type"));
  }
  bool offline = record.grant_type == "password" &&
                 Param(form, "access_type") == "offline";
  return answer(IssueResponse(subject, record.service, record.scopes, offline,
                              /*include_token_field=*/false));
}

LoopbackServer::Close TokenServer::Handle(int fd) {
  SocketStream stream(fd, "token client");
  BufferedReader in(stream);
  auto head_text = in.ReadHead();
  if (!head_text.ok() || !*head_text) return LoopbackServer::Close::kGraceful;
  auto head = ParseHead(**head_text);
  std::string body;
  Status body_status = head.status();
  if (head.ok()) {
    auto framing = RequestFraming(head->headers);
    body_status = framing.status();
    if (framing.ok() &&
        HeaderHasToken(head->headers, "Expect", "100-continue")) {
      body_status = stream.WriteAll("HTTP/1.1 100 Continue\r\n\r\n");
    }
    if (body_status.ok()) {
      body_status = ReadBody(in, *framing, nullptr, [&](std::string_view d) {
        if (static_cast<int64_t>(body.size() + d.size()) > kMaxFormBytes) {
          return ResourceExhaustedError("token request body over 64 KiB");
        }
        body.append(d);
        return Status::Ok();
      });
    }
  }
  if (!body_status.ok()) {
    stream
        .WriteAll(
            HttpResponse(400, "Bad Request", {},
                         JsonError("BAD_REQUEST", body_status.ToString())))
        .IgnoreError();
    return LoopbackServer::Close::kGraceful;
  }
  TokenRequestRecord record;
  std::string response = Respond(*head, body, record);
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++request_count_;
    if (record.status == 200) ++tokens_issued_;
    if (requests_.size() < kMaxTokenRecords) requests_.push_back(record);
  }
  stream.WriteAll(response).IgnoreError();
  return LoopbackServer::Close::kGraceful;
}

}  // namespace strata::registry::testing
