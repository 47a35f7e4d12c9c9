#include "catalog/dpkg/parse_status.h"

#include <array>
#include <cctype>
#include <cstddef>
#include <optional>
#include <set>
#include <string>

#include "base/path.h"

namespace strata::catalog::dpkg {
namespace {

// A real status file has a few thousand stanzas of ~20 fields; the largest
// fields (Description, Conffiles, Breaks) are a few KiB.
constexpr int kMaxStanzas = 100'000;
constexpr int kMaxFieldsPerStanza = 256;
constexpr size_t kMaxFieldBytes = 1 << 20;
constexpr size_t kMaxFieldNameBytes = 128;
// Paths one .list / .md5sums file may contribute.
constexpr size_t kMaxListedPaths = 1'000'000;

// The fields we read; others are only counted and size-checked.
enum Field {
  kPackage,
  kStatus,
  kVersion,
  kArchitecture,
  kSource,
  kMaintainer,
  kInstalledSize,
  kDescription,
  kPreDepends,
  kDepends,
  kProvides,
  kFieldCount,
  kOtherField = kFieldCount,
};
constexpr std::array<std::string_view, kFieldCount> kFieldNames = {
    "package",     "status",     "version",        "architecture",
    "source",      "maintainer", "installed-size", "description",
    "pre-depends", "depends",    "provides"};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool EqualsLower(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

Field Classify(std::string_view name) {
  for (int f = 0; f < kFieldCount; ++f) {
    if (EqualsLower(name, kFieldNames[f])) return static_cast<Field>(f);
  }
  return kOtherField;
}

bool ValidFieldName(std::string_view name) {
  if (name.empty() || name.size() > kMaxFieldNameBytes) return false;
  for (char c : name) {
    if (c < 33 || c > 126) return false;
  }
  return true;
}

// Appends the package names of a dependency-style field ("a (>= 1) | b:any,
// c [amd64]") to `out`, skipping names already in `seen`.
void AppendNames(std::string_view field, std::set<std::string>& seen,
                 std::vector<std::string>& out) {
  while (!field.empty()) {
    size_t end = field.find_first_of(",|");
    std::string_view item = Trim(field.substr(0, end));
    field = end == std::string_view::npos ? "" : field.substr(end + 1);
    item = item.substr(0, item.find_first_of(" \t\n\r(<[:"));
    if (!item.empty() && seen.emplace(item).second) out.emplace_back(item);
  }
}

class StanzaParser {
 public:
  explicit StanzaParser(int number) : number_(number) {}

  // Consumes one non-blank line (without its line end).
  void Line(std::string_view line) {
    if (!problem_.empty()) return;
    if (line.find('\0') != std::string_view::npos) {
      return Fail(" contains a NUL byte");
    }
    if (line.front() == ' ' || line.front() == '\t') {
      if (fields_ == 0) return Fail(" starts with a continuation line");
      return Append(Trim(line), /*continuation=*/true);
    }
    size_t colon = line.find(':');
    std::string_view name =
        colon == std::string_view::npos ? "" : Trim(line.substr(0, colon));
    if (!ValidFieldName(name)) return Fail(" has a malformed line");
    if (++fields_ > kMaxFieldsPerStanza) {
      return Fail(" has more than " + std::to_string(kMaxFieldsPerStanza) +
                  " fields");
    }
    current_ = Classify(name);
    current_name_ = std::string(name);
    current_bytes_ = 0;
    if (current_ != kOtherField) {
      if (present_[current_]) {
        return Fail(" has a duplicate " + current_name_ + " field");
      }
      present_[current_] = true;
    }
    Append(Trim(line.substr(colon + 1)), /*continuation=*/false);
  }

  // Ends the stanza: a record (installed), a problem, or nothing.
  void Finish(ParsedStatus& out) {
    if (!problem_.empty()) {
      out.problems.push_back({number_, std::move(problem_)});
      return;
    }
    if (present_[kStatus]) {
      std::string_view status = values_[kStatus];
      std::string_view word;
      for (int i = 0; i < 3; ++i) {
        status = Trim(status);
        word = status.substr(0, status.find_first_of(" \t\n\r"));
        status.remove_prefix(word.size());
      }
      if (word.empty()) {
        return out.problems.push_back(
            {number_, Prefix() + " has a malformed Status field"});
      }
      if (word != "installed") return;
    }
    if (values_[kPackage].empty()) {
      return out.problems.push_back(
          {number_, Prefix() + " has no Package field"});
    }
    if (values_[kVersion].empty()) {
      return out.problems.push_back(
          {number_, Prefix() + " has no Version field"});
    }
    StatusRecord r;
    r.stanza = number_;
    r.package = std::move(values_[kPackage]);
    r.version = std::move(values_[kVersion]);
    r.architecture = std::move(values_[kArchitecture]);
    r.maintainer = std::move(values_[kMaintainer]);
    r.installed_size = std::move(values_[kInstalledSize]);
    std::string_view description = values_[kDescription];
    r.description = std::string(description.substr(0, description.find('\n')));
    std::string_view source = values_[kSource];
    size_t name_end = source.find_first_of(" \t\n\r(");
    r.source_name = std::string(source.substr(0, name_end));
    std::string_view rest =
        name_end == std::string_view::npos ? "" : Trim(source.substr(name_end));
    if (rest.size() > 2 && rest.front() == '(' && rest.back() == ')') {
      r.source_version = std::string(Trim(rest.substr(1, rest.size() - 2)));
    }
    if (r.source_name.empty()) r.source_name = r.package;
    if (r.source_version.empty()) r.source_version = r.version;
    std::set<std::string> seen;
    AppendNames(values_[kPreDepends], seen, r.depends);
    AppendNames(values_[kDepends], seen, r.depends);
    seen.clear();
    AppendNames(values_[kProvides], seen, r.provides);
    out.records.push_back(std::move(r));
  }

 private:
  std::string Prefix() const { return "stanza " + std::to_string(number_); }

  void Fail(std::string what) { problem_ = Prefix() + what; }

  void Append(std::string_view text, bool continuation) {
    current_bytes_ += text.size() + (continuation ? 1 : 0);
    if (current_bytes_ > kMaxFieldBytes) {
      return Fail(" field " + current_name_ + " exceeds " +
                  std::to_string(kMaxFieldBytes) + " bytes");
    }
    if (current_ == kOtherField) return;
    std::string& value = values_[current_];
    if (continuation) value += '\n';
    value.append(text);
  }

  int number_;
  int fields_ = 0;
  Field current_ = kOtherField;
  std::string current_name_;
  size_t current_bytes_ = 0;
  std::array<bool, kFieldCount> present_{};
  std::array<std::string, kFieldCount> values_;
  std::string problem_;
};

// Calls fn for each line of `content` without its "\n" or "\r\n".
template <typename Fn>
void ForEachLine(std::string_view content, Fn&& fn) {
  while (!content.empty()) {
    size_t end = content.find('\n');
    std::string_view line = content.substr(0, end);
    content = end == std::string_view::npos ? "" : content.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!fn(line)) return;
  }
}

void AddPath(std::string_view raw, std::vector<std::string>& out) {
  auto normalized = path::NormalizeEntryPath(raw);
  if (normalized.ok() && !normalized->empty()) {
    out.push_back(std::move(normalized).value());
  }
}

}  // namespace

ParsedStatus ParseStatus(std::string_view content) {
  ParsedStatus out;
  std::optional<StanzaParser> stanza;
  int stanzas = 0;
  ForEachLine(content, [&](std::string_view line) {
    if (Trim(line).empty()) {
      if (stanza) stanza->Finish(out);
      stanza.reset();
      return true;
    }
    if (!stanza) {
      if (stanzas == kMaxStanzas) {
        out.problems.push_back({0, "more than " + std::to_string(kMaxStanzas) +
                                       " stanzas, the rest is ignored"});
        return false;
      }
      stanza.emplace(++stanzas);
    }
    stanza->Line(line);
    return true;
  });
  if (stanza) stanza->Finish(out);
  return out;
}

std::vector<std::string> ParseFileList(std::string_view content) {
  std::vector<std::string> out;
  ForEachLine(content, [&](std::string_view line) {
    if (line.find('\0') == std::string_view::npos) AddPath(line, out);
    return out.size() < kMaxListedPaths;
  });
  return out;
}

std::vector<std::string> ParseMd5sums(std::string_view content) {
  std::vector<std::string> out;
  ForEachLine(content, [&](std::string_view line) {
    size_t hex = 0;
    while (hex < line.size() &&
           std::isxdigit(static_cast<unsigned char>(line[hex]))) {
      ++hex;
    }
    if (hex > 0 && hex < line.size() &&
        (line[hex] == ' ' || line[hex] == '\t') &&
        line.find('\0') == std::string_view::npos) {
      std::string_view rest = line.substr(hex);
      while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) {
        rest.remove_prefix(1);
      }
      if (!rest.empty() && rest.front() == '*')
        rest.remove_prefix(1);  // binary
      AddPath(rest, out);
    }
    return out.size() < kMaxListedPaths;
  });
  return out;
}

}  // namespace strata::catalog::dpkg
