#include "catalog/javascript/package_json.h"

#include <algorithm>
#include <cctype>

#include "base/caps.h"
#include "sbom/model.h"

namespace strata::catalog::javascript {
namespace {

// Largest package.json read (npm 2 copied READMEs into installed manifests;
// a few hundred KiB at most).
constexpr int64_t kMaxPackageJsonBytes = 4 * caps::kMiB;

bool IsBlank(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
         c == '\v';
}

// Runs of blanks (newlines included) become one space; ends trimmed.
std::string OneLine(std::string_view s) {
  std::string out;
  bool blank = false;
  for (char c : s) {
    if (IsBlank(c)) {
      blank = true;
      continue;
    }
    if (blank && !out.empty()) out += ' ';
    blank = false;
    out += c;
  }
  return out;
}

bool IsIdChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-';
}

// A license id or exception: idstring ["+"], or DocumentRef-x:LicenseRef-y.
bool IsIdToken(std::string_view t) {
  if (size_t colon = t.find(':'); colon != std::string_view::npos) {
    return t.starts_with("DocumentRef-") && IsIdToken(t.substr(0, colon)) &&
           t.substr(colon + 1).starts_with("LicenseRef-") &&
           IsIdToken(t.substr(colon + 1));
  }
  if (t.ends_with('+')) t.remove_suffix(1);
  return !t.empty() && std::isalnum(static_cast<unsigned char>(t[0])) &&
         std::all_of(t.begin(), t.end(), IsIdChar);
}

// True when `s` follows the SPDX license-expression grammar (ids joined by
// AND/OR, "id WITH exception", parentheses), checked without recursion.
bool IsSpdxExpressionSyntax(std::string_view s) {
  bool want_operand = true;  // else an operator or ')'
  bool after_id = false;     // the last token was a license id
  bool want_exception = false;
  int64_t depth = 0;
  size_t i = 0;
  while (i < s.size()) {
    if (IsBlank(s[i])) {
      ++i;
      continue;
    }
    std::string_view tok;
    if (s[i] == '(' || s[i] == ')') {
      tok = s.substr(i, 1);
      ++i;
    } else {
      size_t j = i;
      while (j < s.size() && !IsBlank(s[j]) && s[j] != '(' && s[j] != ')') ++j;
      tok = s.substr(i, j - i);
      i = j;
    }
    if (want_exception) {
      if (!IsIdToken(tok)) return false;
      want_exception = false;
      after_id = false;
      continue;
    }
    if (tok == "(") {
      if (!want_operand) return false;
      ++depth;
    } else if (tok == ")") {
      if (want_operand || --depth < 0) return false;
      after_id = false;
    } else if (tok == "AND" || tok == "OR" || tok == "and" || tok == "or") {
      if (want_operand) return false;
      want_operand = true;
    } else if (tok == "WITH" || tok == "with") {
      if (!after_id) return false;
      want_exception = true;
    } else {
      if (!want_operand || !IsIdToken(tok)) return false;
      want_operand = false;
      after_id = true;
    }
  }
  return !want_operand && !want_exception && depth == 0;
}

// A string, or the string member `field` of an object; else "".
std::string StringOr(const json::Json& v, std::string_view field) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object()) {
    auto it = v.find(field);
    if (it != v.end() && it->is_string()) return it->get<std::string>();
  }
  return "";
}

std::string OptionalString(const json::Json& object, std::string_view key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string Author(const json::Json& object) {
  auto it = object.find("author");
  if (it == object.end()) return "";
  if (it->is_string()) return OneLine(it->get<std::string>());
  std::string name = OneLine(StringOr(*it, "name"));
  std::string email = OneLine(StringOr(*it, "email"));
  if (email.empty()) return name;
  return name.empty() ? "<" + email + ">" : name + " <" + email + ">";
}

}  // namespace

std::string NormalizeLicense(std::string_view text) {
  while (!text.empty() && IsBlank(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsBlank(text.back())) text.remove_suffix(1);
  if (text.empty()) return "";
  if (IsSpdxExpressionSyntax(text)) return std::string(text);
  return sbom::LicenseRefFor(text);
}

std::vector<std::string> LicensesOf(const json::Json& object) {
  std::vector<std::string> out;
  if (!object.is_object()) return out;
  auto add = [&out](const json::Json& v) {
    std::string l = NormalizeLicense(StringOr(v, "type"));
    if (!l.empty() && std::find(out.begin(), out.end(), l) == out.end()) {
      out.push_back(std::move(l));
    }
  };
  if (auto it = object.find("license"); it != object.end()) add(*it);
  if (!out.empty()) return out;
  if (auto it = object.find("licenses"); it != object.end()) {
    if (it->is_array()) {
      for (const json::Json& v : *it) add(v);
    } else {
      add(*it);
    }
  }
  return out;
}

std::vector<std::string> KeysOf(const json::Json& object,
                                std::string_view key) {
  std::vector<std::string> out;
  if (!object.is_object()) return out;
  auto it = object.find(key);
  if (it == object.end() || !it->is_object()) return out;
  for (auto d = it->begin(); d != it->end(); ++d) out.push_back(d.key());
  return out;  // nlohmann objects iterate in key order
}

Result<PackageJson> ParsePackageJson(std::string_view text) {
  ASSIGN_OR_RETURN(json::Json doc,
                   json::Parse(text, "package.json", kMaxPackageJsonBytes));
  if (!doc.is_object()) return DataLossError("package.json is not an object");
  PackageJson out;
  ASSIGN_OR_RETURN(std::optional<std::string> name,
                   json::GetString(doc, "name"));
  ASSIGN_OR_RETURN(std::optional<std::string> version,
                   json::GetString(doc, "version"));
  out.name = name.value_or("");
  out.version = version.value_or("");
  out.licenses = LicensesOf(doc);
  out.description = OneLine(OptionalString(doc, "description"));
  out.author = Author(doc);
  out.homepage = OneLine(OptionalString(doc, "homepage"));
  if (auto it = doc.find("repository"); it != doc.end()) {
    out.repository = OneLine(StringOr(*it, "url"));
  }
  out.depends = KeysOf(doc, "dependencies");
  return out;
}

}  // namespace strata::catalog::javascript
