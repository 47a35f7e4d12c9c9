#include "registry/auth.h"

#include <algorithm>
#include <chrono>

#include "base/base64.h"
#include "base/json.h"

namespace strata::registry {
namespace {

// A token server's answer (a JWT or two and some fields).
constexpr int64_t kMaxTokenResponseBytes = 1024 * 1024;
// Longest token lifetime believed (a year); keeps the arithmetic sane.
constexpr int64_t kMaxTokenLifetimeS = 365 * 24 * 3600;

bool IsTchar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsToken68Char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("-._~+/").find(c) != std::string_view::npos;
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

// A cursor over a WWW-Authenticate value.
class ChallengeParser {
 public:
  explicit ChallengeParser(std::string_view s) : s_(s) {}

  Result<std::vector<Challenge>> Parse() {
    std::vector<Challenge> out;
    while (true) {
      SkipSpaceAndCommas();
      if (pos_ == s_.size()) break;
      RETURN_IF_ERROR(Count());
      size_t start = pos_;
      std::string_view tok = Token();
      if (tok.empty()) return Error("expected a token");
      SkipSpace();
      bool param =
          Peek() == '=' && !out.empty() && !out.back().params.contains("");
      if (param) {
        --items_;  // counted as the parameter
        pos_ = start;
        RETURN_IF_ERROR(Param(out.back()));
        continue;
      }
      Challenge c;
      c.scheme = ToLower(tok);
      if (pos_ < s_.size() && Peek() != ',') {
        if (pos_ == start + tok.size()) return Error("expected a space");
        if (std::optional<std::string_view> t68 = Token68()) {
          RETURN_IF_ERROR(Count());
          c.params[""] = std::string(*t68);
        } else {
          RETURN_IF_ERROR(Param(c));
        }
      }
      out.push_back(std::move(c));
    }
    if (out.empty()) return Error("no challenge");
    return out;
  }

 private:
  char Peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  void SkipSpace() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t')) ++pos_;
  }
  void SkipSpaceAndCommas() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == ',')) {
      ++pos_;
    }
  }
  std::string_view Token() {
    size_t start = pos_;
    while (pos_ < s_.size() && IsTchar(s_[pos_])) ++pos_;
    return s_.substr(start, pos_ - start);
  }
  // A token68 running to the end of the element; otherwise nothing consumed.
  std::optional<std::string_view> Token68() {
    size_t start = pos_, p = pos_;
    while (p < s_.size() && IsToken68Char(s_[p])) ++p;
    if (p == start) return std::nullopt;
    while (p < s_.size() && s_[p] == '=') ++p;
    size_t end = p;
    while (p < s_.size() && (s_[p] == ' ' || s_[p] == '\t')) ++p;
    if (p < s_.size() && s_[p] != ',') return std::nullopt;
    pos_ = p;
    return s_.substr(start, end - start);
  }
  // Counts a challenge or parameter against kMaxChallengeParams.
  Status Count() {
    if (++items_ > kMaxChallengeParams) {
      return ResourceExhaustedError("WWW-Authenticate: more than " +
                                    std::to_string(kMaxChallengeParams) +
                                    " challenges and parameters");
    }
    return Status::Ok();
  }
  // name BWS "=" BWS (token / quoted-string)
  Status Param(Challenge& c) {
    RETURN_IF_ERROR(Count());
    std::string name = ToLower(Token());
    if (name.empty()) return Error("expected a parameter name");
    SkipSpace();
    if (Peek() != '=') return Error("expected '=' after \"" + name + "\"");
    ++pos_;
    SkipSpace();
    std::string value;
    if (Peek() == '"') {
      ++pos_;
      while (true) {
        if (pos_ == s_.size()) return Error("unterminated quoted string");
        char ch = s_[pos_++];
        if (ch == '"') break;
        if (ch == '\\') {
          if (pos_ == s_.size()) return Error("unterminated quoted string");
          ch = s_[pos_++];
        }
        unsigned char u = static_cast<unsigned char>(ch);
        if ((u < 0x20 && ch != '\t') || u == 0x7f) {
          return Error("control character in a quoted string");
        }
        value += ch;
      }
    } else {
      value = std::string(Token());
      if (value.empty()) return Error("expected a value for \"" + name + "\"");
    }
    if (!c.params.emplace(name, std::move(value)).second) {
      return Error("duplicate parameter \"" + name + "\"");
    }
    SkipSpace();
    if (pos_ < s_.size() && Peek() != ',') return Error("expected ','");
    return Status::Ok();
  }
  Status Error(const std::string& what) const {
    return DataLossError("WWW-Authenticate: " + what + " at offset " +
                         std::to_string(pos_));
  }

  std::string_view s_;
  size_t pos_ = 0;
  int items_ = 0;
};

std::string FormEscape(std::string_view s) { return QueryEscape(s); }

std::string JoinScopes(const std::set<std::string>& scopes) {
  std::string out;
  for (const std::string& s : scopes) {
    if (!out.empty()) out += ' ';
    out += s;
  }
  return out;
}

// "token server auth.example.com: HTTP 401: incorrect password"
Status TokenError(const Url& realm, const HttpResponse& r) {
  std::string msg =
      "token server " + realm.host + ": HTTP " + std::to_string(r.status);
  Result<json::Json> doc =
      json::Parse(r.body, "token error", kDefaultMaxBodyBytes);
  if (doc.ok() && doc->is_object()) {
    for (const char* key :
         {"details", "error_description", "message", "error"}) {
      Result<std::optional<std::string>> v = json::GetString(*doc, key);
      if (v.ok() && v->has_value() && !(*v)->empty()) {
        msg += ": " + (*v)->substr(0, 200);
        break;
      }
    }
  }
  if (r.status == 401 || r.status == 403) return PermissionDeniedError(msg);
  if (r.status >= 500 || r.status == 429) return UnavailableError(msg);
  return FailedPreconditionError(msg);
}

}  // namespace

Result<std::vector<Challenge>> ParseWwwAuthenticate(std::string_view header) {
  if (static_cast<int64_t>(header.size()) > kMaxWwwAuthenticateBytes) {
    return ResourceExhaustedError("WWW-Authenticate: longer than " +
                                  std::to_string(kMaxWwwAuthenticateBytes) +
                                  " bytes");
  }
  return ChallengeParser(header).Parse();
}

Authenticator::Authenticator(Options options) : options_(std::move(options)) {}

int64_t Authenticator::NowMs() const {
  if (options_.now_ms) return options_.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool Authenticator::MaySendCredentials(const Url& url) const {
  if (url.scheme == "https" || IsLoopbackHost(url.host)) return true;
  const auto& hosts = options_.insecure_hosts;
  return std::find(hosts.begin(), hosts.end(), url.host) != hosts.end();
}

Result<std::optional<Credential>> Authenticator::GetCredential() {
  if (!credential_resolved_) {
    credential_resolved_ = true;
    if (options_.credential) credential_ = options_.credential();
  }
  return credential_;
}

Status Authenticator::Authorize(const std::vector<std::string>& scopes,
                                HttpRequest& request) {
  ASSIGN_OR_RETURN(Url url, ParseUrl(request.url));
  if (url.host != options_.registry_host) return Status::Ok();
  std::lock_guard<std::mutex> lock(mu_);
  if (scheme_ == "basic") {
    ASSIGN_OR_RETURN(std::optional<Credential> cred, GetCredential());
    if (!cred.has_value()) return Status::Ok();
    if (!MaySendCredentials(url)) {
      return PermissionDeniedError(
          "refusing to send credentials over plain "
          "http to " +
          url.host);
    }
    request.headers.emplace_back(
        "Authorization",
        "Basic " + Base64Encode(cred->username + ":" + cred->password));
  } else if (scheme_ == "bearer") {
    std::set<std::string> key(scopes.begin(), scopes.end());
    auto it = tokens_.find(key);
    if (it == tokens_.end() || it->second.expires_at_ms <= NowMs()) {
      ASSIGN_OR_RETURN(Token token, FetchToken(bearer_params_, key));
      it = tokens_.insert_or_assign(key, std::move(token)).first;
    }
    request.headers.emplace_back("Authorization", "Bearer " + it->second.value);
  }
  return Status::Ok();
}

Status Authenticator::HandleChallenge(const HttpResponse& response,
                                      const std::vector<std::string>& scopes) {
  std::string header;
  for (const std::string& h : response.Headers("www-authenticate")) {
    if (!header.empty()) header += ", ";
    header += h;
  }
  if (header.empty()) {
    return PermissionDeniedError("authentication required (no challenge)");
  }
  ASSIGN_OR_RETURN(std::vector<Challenge> challenges,
                   ParseWwwAuthenticate(header));
  auto find = [&](std::string_view scheme) -> const Challenge* {
    for (const Challenge& c : challenges) {
      if (c.scheme == scheme) return &c;
    }
    return nullptr;
  };
  std::lock_guard<std::mutex> lock(mu_);
  if (const Challenge* bearer = find("bearer")) {
    auto realm = bearer->params.find("realm");
    if (realm == bearer->params.end() || realm->second.empty()) {
      return DataLossError("bearer challenge without a realm");
    }
    std::map<std::string, std::string> params = {{"realm", realm->second}};
    if (auto service = bearer->params.find("service");
        service != bearer->params.end()) {
      params["service"] = service->second;
    }
    std::set<std::string> key(scopes.begin(), scopes.end());
    std::set<std::string> wanted = key;
    if (auto scope = bearer->params.find("scope");
        scope != bearer->params.end()) {
      std::string_view rest = scope->second;
      while (!rest.empty()) {
        size_t sp = rest.find(' ');
        if (sp != 0) wanted.insert(std::string(rest.substr(0, sp)));
        if (sp == std::string_view::npos) break;
        rest.remove_prefix(sp + 1);
      }
    }
    ASSIGN_OR_RETURN(Token token, FetchToken(params, wanted));
    scheme_ = "bearer";
    bearer_params_ = std::move(params);
    tokens_.insert_or_assign(std::move(key), std::move(token));
    return Status::Ok();
  }
  if (find("basic") != nullptr) {
    ASSIGN_OR_RETURN(std::optional<Credential> cred, GetCredential());
    if (!cred.has_value() || cred->username.empty()) {
      return PermissionDeniedError("authentication required");
    }
    scheme_ = "basic";
    return Status::Ok();
  }
  return UnimplementedError("unsupported authentication scheme \"" +
                            challenges[0].scheme + "\"");
}

Result<Authenticator::Token> Authenticator::FetchToken(
    const std::map<std::string, std::string>& params,
    const std::set<std::string>& scopes) {
  ASSIGN_OR_RETURN(Url realm, ParseUrl(params.at("realm")));
  ASSIGN_OR_RETURN(std::optional<Credential> cred, GetCredential());
  auto service = params.find("service");
  HttpRequest req;
  req.max_body_bytes = kMaxTokenResponseBytes;
  if (cred.has_value() &&
      (!cred->identity_token.empty() || !cred->username.empty()) &&
      !MaySendCredentials(realm)) {
    return PermissionDeniedError(
        "refusing to send credentials over plain http to token server " +
        realm.host);
  }
  if (cred.has_value() && !cred->identity_token.empty()) {
    // OAuth2 refresh-token grant (docker's identity tokens).
    req.method = "POST";
    req.url = realm.ToString();
    req.headers.emplace_back("Content-Type",
                             "application/x-www-form-urlencoded");
    req.body = "grant_type=refresh_token&client_id=strata&refresh_token=" +
               FormEscape(cred->identity_token);
    if (service != params.end()) {
      req.body += "&service=" + FormEscape(service->second);
    }
    if (!scopes.empty()) req.body += "&scope=" + FormEscape(JoinScopes(scopes));
  } else {
    std::string query;
    if (service != params.end()) {
      query += "service=" + QueryEscape(service->second);
    }
    for (const std::string& s : scopes) {
      query +=
          (query.empty() ? "" : "&") + std::string("scope=") + QueryEscape(s);
    }
    req.url = realm.ToString();
    if (!query.empty()) {
      req.url +=
          (realm.path.find('?') == std::string::npos ? "?" : "&") + query;
    }
    if (cred.has_value() && !cred->username.empty()) {
      req.headers.emplace_back(
          "Authorization",
          "Basic " + Base64Encode(cred->username + ":" + cred->password));
    }
  }
  ASSIGN_OR_RETURN(HttpResponse resp, options_.fetch(req));
  if (resp.status != 200) return TokenError(realm, resp);
  std::string what = "token from " + realm.host;
  ASSIGN_OR_RETURN(json::Json doc,
                   json::Parse(resp.body, what, kMaxTokenResponseBytes));
  if (!doc.is_object()) return DataLossError(what + ": not a JSON object");
  Result<std::optional<std::string>> token = json::GetString(doc, "token");
  if (token.ok() && (!token->has_value() || (*token)->empty())) {
    token = json::GetString(doc, "access_token");
  }
  if (!token.ok()) return token.status().WithContext(what);
  if (!token->has_value() || (*token)->empty()) {
    return DataLossError(what + ": no token in the answer");
  }
  for (char c : **token) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return DataLossError(what +
                           ": token contains a space or control "
                           "character");
    }
  }
  Result<std::optional<int64_t>> expires_in = json::GetInt(doc, "expires_in");
  if (!expires_in.ok()) return expires_in.status().WithContext(what);
  int64_t lifetime = expires_in->value_or(0) > 0
                         ? std::min(**expires_in, kMaxTokenLifetimeS)
                         : kDefaultTokenLifetimeS;
  return Token{std::move(**token), NowMs() + lifetime * 1000};
}

}  // namespace strata::registry
