// yarn.lock: v1's own text format, parsed by hand, and berry's YAML (see
// lock.h).
//
// v1, as yarn writes it:
//   # yarn lockfile v1
//
//   "@babel/code-frame@^7.0.0", "@babel/code-frame@^7.10.4":
//     version "7.12.13"
//     resolved "https://registry.yarnpkg.com/...tgz#dcfc826b..."
//     integrity sha512-...
//     dependencies:
//       "@babel/highlight" "^7.12.13"
// Entries at indent 0 (comma-separated specs ending in ':'), fields at 2
// ("key value" or "key:" opening a block), block entries at 4. Strings are
// JSON-quoted when they need it.
#include <string>
#include <vector>

#include "base/caps.h"
#include "base/json.h"
#include "catalog/javascript/lock.h"
#include "catalog/javascript/yaml.h"

namespace strata::catalog::javascript {
namespace {

// Largest yarn.lock read (the biggest real ones are a few MiB).
constexpr int64_t kMaxYarnLockBytes = 32 * caps::kMiB;

std::string LineError(int line, std::string_view what) {
  return "yarn.lock line " + std::to_string(line) + ": " + std::string(what);
}

// Reads one token of a v1 line at `*pos`: a JSON-quoted string, or bare
// text up to a blank, a ',' or the end. Advances `*pos`.
Result<std::string> Token(std::string_view s, size_t* pos, int line) {
  size_t i = *pos;
  if (i < s.size() && s[i] == '"') {
    size_t j = i + 1;
    bool escaped = false;
    while (j < s.size() && s[j] != '"') {
      if (s[j] == '\\') {
        escaped = true;
        ++j;
      }
      ++j;
    }
    if (j >= s.size())
      return DataLossError(LineError(line, "unterminated string"));
    *pos = j + 1;
    if (!escaped) return std::string(s.substr(i + 1, j - i - 1));
    Result<json::Json> v = json::Parse(s.substr(i, j + 1 - i), "string",
                                       static_cast<int64_t>(s.size()));
    if (!v.ok() || !v->is_string()) {
      return DataLossError(LineError(line, "bad string escape"));
    }
    return v->get<std::string>();
  }
  size_t j = i;
  while (j < s.size() && s[j] != ' ' && s[j] != '\t' && s[j] != ',') ++j;
  *pos = j;
  return std::string(s.substr(i, j - i));
}

void SkipBlanks(std::string_view s, size_t* pos) {
  while (*pos < s.size() && (s[*pos] == ' ' || s[*pos] == '\t')) ++*pos;
}

// The real package of a v1 spec: "foo@^1" -> foo; an alias
// "foo@npm:bar@^1" -> bar.
std::string NameOfSpec(std::string_view spec) {
  auto [name, range] = SplitSpec(spec);
  if (range.starts_with("npm:")) {
    auto [real, real_range] = SplitSpec(range.substr(4));
    if (!real.empty() && !real_range.empty()) return std::string(real);
  }
  return std::string(name);
}

struct V1Entry {
  int line = 0;
  std::string spec;  // the first of the header
  LockPackage package;
};

void Finish(V1Entry& e, LockCollector& out) {
  if (e.spec.empty()) return;
  if (e.package.version.empty()) {
    out.problems().push_back(
        LineError(e.line, "entry \"" + e.spec + "\" has no version"));
  } else {
    e.package.name = NameOfSpec(e.spec);
    out.Add(std::move(e.package));
  }
  e = V1Entry{};
}

Result<ParsedLock> ParseV1(std::string_view text) {
  LockCollector out;
  V1Entry entry;
  std::string block;  // the open "key:" block of the entry, if any
  int line_no = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    if (line.ends_with('\r')) line.remove_suffix(1);
    size_t indent = line.find_first_not_of(' ');
    if (indent == std::string_view::npos || line[indent] == '#') continue;
    std::string_view content = line.substr(indent);
    while (content.ends_with(' ')) content.remove_suffix(1);
    if (indent == 0) {  // an entry header: specs separated by commas
      if (!content.ends_with(':')) {
        return DataLossError(LineError(line_no, "entry header without ':'"));
      }
      Finish(entry, out);
      entry.line = line_no;
      block.clear();
      std::string_view specs = content.substr(0, content.size() - 1);
      size_t pos = 0;
      SkipBlanks(specs, &pos);
      ASSIGN_OR_RETURN(entry.spec, Token(specs, &pos, line_no));
      if (entry.spec.empty()) {
        return DataLossError(LineError(line_no, "empty entry header"));
      }
    } else if (indent == 2) {  // a field or the start of a block
      if (entry.spec.empty()) {
        return DataLossError(LineError(line_no, "field outside an entry"));
      }
      if (content.ends_with(':')) {  // "key:" opens a block
        std::string_view key = content.substr(0, content.size() - 1);
        size_t pos = 0;
        ASSIGN_OR_RETURN(block, Token(key, &pos, line_no));
        if (pos == key.size()) continue;
      }
      block.clear();
      size_t pos = 0;
      ASSIGN_OR_RETURN(std::string key, Token(content, &pos, line_no));
      SkipBlanks(content, &pos);
      ASSIGN_OR_RETURN(std::string value, Token(content, &pos, line_no));
      if (key == "version") {
        entry.package.version = std::move(value);
      } else if (key == "resolved") {
        entry.package.resolved = std::move(value);
      } else if (key == "integrity") {
        entry.package.integrity = std::move(value);
      }
    } else if (indent == 4) {  // an entry of the open block
      if (block.empty()) {
        return DataLossError(LineError(line_no, "block entry outside a block"));
      }
      if (block == "dependencies" || block == "optionalDependencies") {
        size_t pos = 0;
        ASSIGN_OR_RETURN(std::string name, Token(content, &pos, line_no));
        entry.package.depends.push_back(std::move(name));
      }
    } else {
      return DataLossError(LineError(line_no, "unexpected indentation"));
    }
  }
  Finish(entry, out);
  return std::move(out).Take();
}

Result<ParsedLock> ParseBerry(std::string_view text) {
  ASSIGN_OR_RETURN(std::vector<YamlNode> docs, ParseYaml(text, "yarn.lock"));
  if (docs.empty() || docs.back().kind != YamlNode::Kind::kMap) {
    return DataLossError("yarn.lock is not a YAML mapping");
  }
  const YamlNode& doc = docs.back();
  LockCollector out;
  for (size_t i = 0; i < doc.keys.size(); ++i) {
    const std::string& key = doc.keys[i];
    const YamlNode& e = doc.items[i];
    if (key == "__metadata") continue;
    if (e.kind != YamlNode::Kind::kMap) {
      out.problems().push_back("yarn.lock entry \"" + key +
                               "\" is not a mapping");
      continue;
    }
    if (e.ScalarAt("linkType") == "soft") continue;  // link:, portal:
    std::string_view resolution = e.ScalarAt("resolution");
    std::string_view name;
    if (!resolution.empty()) {
      auto [n, locator] = SplitSpec(resolution);
      if (locator.starts_with("workspace:")) continue;
      name = n;
    } else {
      name = SplitSpec(std::string_view(key).substr(0, key.find(','))).first;
    }
    LockPackage p;
    p.name = std::string(name);
    p.version = std::string(e.ScalarAt("version"));
    if (p.name.empty() || p.version.empty()) {
      out.problems().push_back("yarn.lock entry \"" + key +
                               "\" has no name or version");
      continue;
    }
    if (const YamlNode* deps = e.Find("dependencies")) p.depends = deps->keys;
    out.Add(std::move(p));
  }
  return std::move(out).Take();
}

bool IsBerry(std::string_view text) {
  return text.starts_with("__metadata:") ||
         text.find("\n__metadata:") != std::string_view::npos;
}

}  // namespace

Result<ParsedLock> ParseYarnLock(std::string_view text) {
  if (static_cast<int64_t>(text.size()) > kMaxYarnLockBytes) {
    return ResourceExhaustedError(
        "yarn.lock is " + std::to_string(text.size()) +
        " bytes, over the cap of " + std::to_string(kMaxYarnLockBytes));
  }
  return IsBerry(text) ? ParseBerry(text) : ParseV1(text);
}

}  // namespace strata::catalog::javascript
