#include "registry/http.h"

#include <arpa/inet.h>

#include <cctype>

namespace strata::registry {
namespace {

char Lower(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

// Drops "." and ".." segments (RFC 3986 5.2.4) from a path without query.
std::string RemoveDotSegments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t pos = 1;  // path starts with '/'
  while (pos <= path.size()) {
    size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    std::string_view seg = path.substr(pos, end - pos);
    if (seg == "..") {
      if (!out.empty()) out.pop_back();
      if (end == path.size()) out.push_back("");
    } else if (seg == ".") {
      if (end == path.size()) out.push_back("");
    } else {
      out.push_back(seg);
    }
    pos = end + 1;
  }
  std::string result;
  for (std::string_view seg : out) {
    result += '/';
    result += seg;
  }
  return result.empty() ? "/" : result;
}

}  // namespace

std::string HttpResponse::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) return v;
  }
  return "";
}

std::vector<std::string> HttpResponse::Headers(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) out.push_back(v);
  }
  return out;
}

bool IsNotTlsError(const Status& status) {
  return status.code() == StatusCode::kUnavailable &&
         status.message() == kNotTlsMessage;
}

std::string Url::ToString() const { return scheme + "://" + host + path; }

Result<Url> ParseUrl(std::string_view url) {
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return InvalidArgumentError("URL contains a space or control character");
    }
  }
  size_t colon = url.find("://");
  if (colon == std::string_view::npos) {
    return InvalidArgumentError("not an absolute URL: " + std::string(url));
  }
  Url u;
  for (char c : url.substr(0, colon)) u.scheme += Lower(c);
  if (u.scheme != "http" && u.scheme != "https") {
    return InvalidArgumentError("URL scheme \"" + u.scheme +
                                "\" is not http or https");
  }
  std::string_view rest = url.substr(colon + 3);
  size_t host_end = rest.find_first_of("/?#");
  std::string_view host = rest.substr(0, host_end);
  if (host.empty()) return InvalidArgumentError("URL has no host");
  if (host.find('@') != std::string_view::npos) {
    return InvalidArgumentError("URL with user information refused");
  }
  u.host = std::string(host);
  std::string_view path =
      host_end == std::string_view::npos ? "" : rest.substr(host_end);
  if (path.find('#') != std::string_view::npos) {
    return InvalidArgumentError("URL with a fragment refused");
  }
  u.path = path.empty() || path[0] != '/' ? "/" + std::string(path)
                                          : std::string(path);
  return u;
}

Result<Url> ResolveUrl(const Url& base, std::string_view ref) {
  if (ref.find("://") != std::string_view::npos) return ParseUrl(ref);
  if (ref.starts_with("//"))
    return ParseUrl(base.scheme + ":" + std::string(ref));
  for (char c : ref) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return InvalidArgumentError("URL contains a space or control character");
    }
  }
  if (ref.find('#') != std::string_view::npos) {
    return InvalidArgumentError("URL with a fragment refused");
  }
  Url u = base;
  size_t query = ref.find('?');
  std::string_view ref_path = ref.substr(0, query);
  std::string ref_query(query == std::string_view::npos ? ""
                                                        : ref.substr(query));
  std::string path;
  if (ref_path.starts_with("/")) {
    path = std::string(ref_path);
  } else {
    std::string base_path = base.path.substr(0, base.path.find('?'));
    if (ref_path.empty()) {
      path = base_path;
      if (ref_query.empty()) ref_query = base.path.substr(base_path.size());
    } else {
      path =
          base_path.substr(0, base_path.rfind('/') + 1) + std::string(ref_path);
    }
  }
  u.path = RemoveDotSegments(path) + ref_query;
  return u;
}

bool IsLoopbackHost(std::string_view host_port) {
  std::string_view host = host_port;
  if (host.starts_with("[")) {
    size_t end = host.find(']');
    if (end == std::string_view::npos) return false;
    std::string_view after = host.substr(end + 1);
    if (!after.empty() && !after.starts_with(":")) return false;
    host = host.substr(1, end - 1);
    in6_addr addr6;
    return inet_pton(AF_INET6, std::string(host).c_str(), &addr6) == 1 &&
           IN6_IS_ADDR_LOOPBACK(&addr6);
  }
  host = host.substr(0, host.find(':'));
  if (EqualsIgnoreCase(host, "localhost")) return true;
  in_addr addr;
  if (inet_pton(AF_INET, std::string(host).c_str(), &addr) != 1) return false;
  return (ntohl(addr.s_addr) >> 24) == 127;
}

std::string QueryEscape(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace strata::registry
