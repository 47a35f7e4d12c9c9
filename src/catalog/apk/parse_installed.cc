#include "catalog/apk/parse_installed.h"

#include <cctype>
#include <cstdint>
#include <optional>
#include <utility>

#include "base/caps.h"

namespace strata::catalog::apk {

namespace {

// Longest line kept; a longer one makes its record unreadable. Real lines
// (long D: lists included) stay under a few KiB.
constexpr size_t kMaxLineBytes = 64 * 1024;
// Records (packages, good or bad) in one database. Alpine's whole main and
// community repositories hold ~30k packages.
constexpr int64_t kMaxRecords = 100'000;
// Depends, provides and files of all packages together: each entry is
// a string, so one input byte must not become tens of bytes of memory.
constexpr int64_t kMaxListEntries = 4'000'000;
// Bytes of all file paths together (an F: directory is repeated in every
// file path below it).
constexpr int64_t kMaxFilePathBytes = 256 * caps::kMiB;

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

std::vector<std::string_view> Words(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && IsSpace(s[i])) ++i;
    size_t start = i;
    while (i < s.size() && !IsSpace(s[i])) ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

bool IsLicenseId(std::string_view w) {
  if (!w.empty() && w.back() == '+') w.remove_suffix(1);
  if (w.empty()) return false;
  for (unsigned char c : w) {
    if (!std::isalnum(c) && c != '.' && c != '-') return false;
  }
  return true;
}

// Checks the SPDX expression shape without recursion: operands and
// operators alternate, parentheses balance, WITH is followed by an id.
bool IsSpdxExpression(std::string_view s) {
  std::vector<std::string_view> tokens;
  for (std::string_view w : Words(s)) {
    size_t start = 0;
    for (size_t i = 0; i <= w.size(); ++i) {
      if (i == w.size() || w[i] == '(' || w[i] == ')') {
        if (i > start) tokens.push_back(w.substr(start, i - start));
        if (i < w.size()) tokens.push_back(w.substr(i, 1));
        start = i + 1;
      }
    }
  }
  bool want_operand = true;
  bool after_with = false;
  int64_t depth = 0;
  for (std::string_view t : tokens) {
    if (t == "(") {
      if (!want_operand || after_with) return false;
      ++depth;
    } else if (t == ")") {
      if (want_operand || --depth < 0) return false;
    } else if (t == "AND" || t == "OR" || t == "WITH") {
      if (want_operand) return false;
      want_operand = true;
      after_with = t == "WITH";
    } else {
      if (!want_operand || !IsLicenseId(t)) return false;
      want_operand = false;
      after_with = false;
    }
  }
  return !tokens.empty() && !want_operand && depth == 0;
}

std::vector<std::string> Licenses(std::string_view value) {
  if (IsSpdxExpression(value)) {
    std::vector<std::string_view> words = Words(value);
    std::string joined;
    for (std::string_view w : words) {
      if (!joined.empty()) joined += ' ';
      joined += w;
    }
    return {joined};
  }
  std::vector<std::string> out;
  for (std::string_view w : Words(value)) {
    if (IsLicenseId(w)) {
      out.emplace_back(w);
      continue;
    }
    out.push_back(sbom::LicenseRefFor(w));
  }
  return out;
}

// State of the record being read.
struct Record {
  int start_line = 0;
  sbom::Package pkg;
  bool has_name = false, has_version = false, has_arch = false;
  std::string dir;  // current F: directory
  std::optional<std::string> error;
};

class Parser {
 public:
  Result<InstalledDb> Run(std::string_view bytes) {
    int line_no = 0;
    size_t pos = 0;
    while (pos < bytes.size()) {
      size_t end = bytes.find('\n', pos);
      if (end == std::string_view::npos) end = bytes.size();
      std::string_view line = bytes.substr(pos, end - pos);
      pos = end + 1;
      ++line_no;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.empty()) {
        Finish();
        continue;
      }
      if (!record_) {
        if (++records_ > kMaxRecords) {
          return ResourceExhaustedError("apk installed db: more than " +
                                        std::to_string(kMaxRecords) +
                                        " records");
        }
        record_.emplace();
        record_->start_line = line_no;
        record_->pkg.type = sbom::PackageType::kApk;
      }
      if (record_->error) continue;
      RETURN_IF_ERROR(Line(line, line_no));
    }
    Finish();
    return std::move(db_);
  }

 private:
  void Fail(std::string reason) { record_->error = std::move(reason); }

  Status CountEntry(int64_t path_bytes = 0) {
    if (++entries_ > kMaxListEntries) {
      return ResourceExhaustedError("apk installed db: more than " +
                                    std::to_string(kMaxListEntries) +
                                    " depends, provides and files");
    }
    path_bytes_ += path_bytes;
    if (path_bytes_ > kMaxFilePathBytes) {
      return ResourceExhaustedError("apk installed db: file paths exceed " +
                                    std::to_string(kMaxFilePathBytes) +
                                    " bytes");
    }
    return Status::Ok();
  }

  // P, V and A name the package: a second, different value is ambiguous.
  void SetIdentity(char key, std::string_view value, bool& seen,
                   std::string& field, int line_no) {
    if (seen && field != value) {
      Fail("conflicting " + std::string(1, key) + ": value at line " +
           std::to_string(line_no));
      return;
    }
    seen = true;
    field = std::string(value);
  }

  Status Line(std::string_view line, int line_no) {
    if (line.size() > kMaxLineBytes) {
      Fail("line " + std::to_string(line_no) + " longer than " +
           std::to_string(kMaxLineBytes) + " bytes");
      return Status::Ok();
    }
    if (line.size() < 2 || line[1] != ':') {
      Fail("line " + std::to_string(line_no) + " is not a KEY:value line");
      return Status::Ok();
    }
    Record& r = *record_;
    sbom::Package& p = r.pkg;
    std::string_view value = line.substr(2);
    switch (line[0]) {
      case 'P':
        SetIdentity('P', value, r.has_name, p.name, line_no);
        break;
      case 'V':
        SetIdentity('V', value, r.has_version, p.version, line_no);
        break;
      case 'A':
        SetIdentity('A', value, r.has_arch, p.architecture, line_no);
        break;
      case 'o':
        p.source_name = std::string(value);
        break;
      case 'L':
        p.licenses = Licenses(value);
        break;
      case 'm':
        p.maintainer = std::string(value);
        break;
      case 'T':
        p.description = std::string(value);
        break;
      case 'D':
        for (std::string_view w : Words(value)) {
          std::string_view name = w.substr(0, w.find_first_of("<>=~"));
          if (name.empty() || name == "!") continue;
          RETURN_IF_ERROR(CountEntry());
          p.depends.emplace_back(name);
        }
        break;
      case 'p':
        for (std::string_view w : Words(value)) {
          std::string_view name = w.substr(0, w.find('='));
          if (name.empty()) continue;
          RETURN_IF_ERROR(CountEntry());
          p.provides.emplace_back(name);
        }
        break;
      case 'F':
        r.dir = std::string(value);
        break;
      case 'R': {
        if (value.empty()) break;
        std::string path = r.dir.empty() ? std::string(value)
                                         : r.dir + "/" + std::string(value);
        if (path.size() > static_cast<size_t>(caps::kMaxPathLength)) {
          Fail("line " + std::to_string(line_no) +
               " makes a path longer than " +
               std::to_string(caps::kMaxPathLength) + " bytes");
          break;
        }
        RETURN_IF_ERROR(CountEntry(static_cast<int64_t>(path.size())));
        p.files.push_back(std::move(path));
        break;
      }
      default:
        break;
    }
    return Status::Ok();
  }

  void Finish() {
    if (!record_) return;
    Record& r = *record_;
    if (!r.error && r.pkg.name.empty()) r.error = "no package name (P:)";
    if (!r.error && r.pkg.version.empty()) {
      r.error = "package " + r.pkg.name + " has no version (V:)";
    }
    if (r.error) {
      db_.issues.push_back(
          {r.start_line,
           "record at line " + std::to_string(r.start_line) + ": " + *r.error});
    } else {
      db_.packages.push_back(std::move(r.pkg));
    }
    record_.reset();
  }

  InstalledDb db_;
  std::optional<Record> record_;
  int64_t records_ = 0;
  int64_t entries_ = 0;
  int64_t path_bytes_ = 0;
};

}  // namespace

Result<InstalledDb> ParseInstalled(std::string_view bytes) {
  return Parser().Run(bytes);
}

}  // namespace strata::catalog::apk
