#include "catalog/python/parse_metadata.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <utility>

#include "base/caps.h"

namespace strata::catalog::python {
namespace {

// Header fields in one metadata document (real ones have tens to a few
// hundred: classifiers and Requires-Dist), bytes in one folded field (a
// License field may hold a whole licence text), and dependency names kept
// per distribution.
constexpr int kMaxHeaderFields = 4096;
constexpr size_t kMaxFieldBytes = 256 * caps::kKiB;
constexpr size_t kMaxRequirements = 4096;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

bool IsAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)); }

// Splits off the next line (without its '\n' and a trailing '\r').
std::string_view NextLine(std::string_view& rest) {
  size_t end = rest.find('\n');
  std::string_view line = rest.substr(0, end);
  rest = end == std::string_view::npos ? "" : rest.substr(end + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

// RFC 5322 field names: printable ASCII except ':' and space.
bool IsFieldName(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return c > ' ' && c < 127 && c != ':';
  });
}

// Dependency names in first occurrence order, without duplicates, at most
// kMaxRequirements.
class NameList {
 public:
  explicit NameList(std::vector<std::string>& out) : out_(out) {}
  void Add(std::string name) {
    if (out_.size() < kMaxRequirements && seen_.insert(name).second) {
      out_.push_back(std::move(name));
    }
  }

 private:
  std::vector<std::string>& out_;
  std::set<std::string> seen_;
};

// True when the PEP 508 marker names the "extra" variable (outside quoted
// strings).
bool MarkerNamesExtra(std::string_view marker) {
  char quote = 0;
  for (size_t i = 0; i < marker.size(); ++i) {
    char c = marker[i];
    if (quote) {
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      continue;
    }
    if (marker.compare(i, 5, "extra") != 0) continue;
    bool start = i == 0 || !(IsAlnum(marker[i - 1]) || marker[i - 1] == '_');
    bool end = i + 5 == marker.size() ||
               !(IsAlnum(marker[i + 5]) || marker[i + 5] == '_');
    if (start && end) return true;
  }
  return false;
}

void Apply(std::string_view field, std::string_view value, Metadata& m,
           NameList& depends) {
  std::string name = Lower(field);
  std::string_view first_line = Trim(value.substr(0, value.find('\n')));
  auto set_once = [&](std::string& dst, std::string_view v) {
    if (dst.empty()) dst = std::string(v);
  };
  if (name == "name") {
    set_once(m.name, first_line);
  } else if (name == "version") {
    set_once(m.version, first_line);
  } else if (name == "summary") {
    set_once(m.summary, first_line);
  } else if (name == "license") {
    set_once(m.license, value);
  } else if (name == "license-expression") {
    set_once(m.license_expression, value);
  } else if (name == "classifier") {
    m.classifiers.emplace_back(first_line);
  } else if (name == "requires-dist") {
    if (auto dep = RequirementName(value)) depends.Add(*std::move(dep));
  }
}

}  // namespace

Result<Metadata> ParseMetadata(std::string_view bytes) {
  Metadata m;
  NameList depends(m.depends);
  std::string_view rest = bytes;
  std::string field;  // the field being folded
  std::string value;
  int fields = 0;
  auto check_size = [&]() -> Status {
    if (value.size() > kMaxFieldBytes) {
      return ResourceExhaustedError("header field \"" + field +
                                    "\" is longer than " +
                                    std::to_string(kMaxFieldBytes) + " bytes");
    }
    return Status::Ok();
  };
  while (!rest.empty()) {
    std::string_view line = NextLine(rest);
    if (line.empty()) break;  // the body follows
    if (line.front() == ' ' || line.front() == '\t') {
      if (field.empty()) break;  // no field to continue: body
      value += '\n';
      value += Trim(line);
      RETURN_IF_ERROR(check_size());
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos ||
        !IsFieldName(line.substr(0, colon))) {
      break;  // not a header: the body starts here
    }
    if (!field.empty()) Apply(field, value, m, depends);
    if (++fields > kMaxHeaderFields) {
      return ResourceExhaustedError(
          "more than " + std::to_string(kMaxHeaderFields) + " header fields");
    }
    field = std::string(line.substr(0, colon));
    value = std::string(Trim(line.substr(colon + 1)));
    RETURN_IF_ERROR(check_size());
  }
  if (!field.empty()) Apply(field, value, m, depends);
  if (m.name.empty()) return DataLossError("no Name field");
  if (m.version.empty()) return DataLossError("no Version field");
  return m;
}

std::string NormalizeName(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (char c : name) {
    if (c == '-' || c == '_' || c == '.') {
      if (out.empty() || out.back() != '-') out += '-';
    } else {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  return out;
}

std::optional<std::string> RequirementName(std::string_view requirement) {
  requirement = Trim(requirement);
  size_t n = 0;
  while (n < requirement.size() &&
         (IsAlnum(requirement[n]) || requirement[n] == '-' ||
          requirement[n] == '_' || requirement[n] == '.')) {
    ++n;
  }
  if (n == 0 || !IsAlnum(requirement[0]) || !IsAlnum(requirement[n - 1])) {
    return std::nullopt;
  }
  if (size_t semi = requirement.find(';', n);
      semi != std::string_view::npos &&
      MarkerNamesExtra(requirement.substr(semi + 1))) {
    return std::nullopt;
  }
  return NormalizeName(requirement.substr(0, n));
}

std::vector<std::string> ParseRequiresTxt(std::string_view bytes) {
  std::vector<std::string> out;
  NameList names(out);
  bool wanted = true;  // the current section applies without an extra
  while (!bytes.empty()) {
    std::string_view line = Trim(NextLine(bytes));
    if (line.empty() || line.front() == '#') continue;
    if (line.front() == '[') {
      wanted = line.size() >= 2 && line[1] == ':' && line.back() == ']';
      continue;
    }
    if (!wanted) continue;
    if (auto dep = RequirementName(line)) names.Add(*std::move(dep));
  }
  return out;
}

}  // namespace strata::catalog::python
