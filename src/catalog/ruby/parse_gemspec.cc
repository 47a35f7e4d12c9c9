#include "catalog/ruby/parse_gemspec.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>
#include <utility>

#include "base/caps.h"

namespace strata::catalog::ruby {
namespace {

// Bytes in one string literal (a description can be long; names, versions
// and paths are short) and items in one array literal (s.files of the
// largest gems lists tens of thousands).
constexpr size_t kMaxLiteralBytes = 1 * caps::kMiB;
constexpr size_t kMaxArrayItems = 200'000;

constexpr std::string_view kSpecNew = "Gem::Specification.new";

bool IsIdentChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

bool IsHex(char c) { return std::isxdigit(static_cast<unsigned char>(c)); }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  return (std::tolower(static_cast<unsigned char>(c)) - 'a') + 10;
}

void AppendUtf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp <= 0x10FFFF) {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// A literal value: one string, or an array of strings.
struct Value {
  bool array = false;
  std::vector<std::string> items;
};

// Reads Ruby literals from `text`; positions are byte offsets.
class Literals {
 public:
  explicit Literals(std::string_view text) : text_(text) {}

  // The literal at `pos` (after blanks), moving `pos` past it (and past a
  // ".freeze"). nullopt: not a literal (pos unspecified). Errors:
  // unterminated literals, caps.
  Result<std::optional<Value>> Read(size_t& pos) {
    SkipBlanks(pos, /*newlines=*/false);
    if (pos < text_.size() && text_[pos] == '[') return ReadArray(pos);
    ASSIGN_OR_RETURN(std::optional<std::string> s, ReadString(pos));
    if (!s) return std::optional<Value>();
    return std::optional<Value>(Value{false, {*std::move(s)}});
  }

  // The 1-based line of `pos`.
  int Line(size_t pos) const {
    return 1 + static_cast<int>(std::count(
                   text_.begin(), text_.begin() + std::min(pos, text_.size()),
                   '\n'));
  }

  void SkipBlanks(size_t& pos, bool newlines) const {
    while (pos < text_.size() &&
           (text_[pos] == ' ' || text_[pos] == '\t' ||
            (newlines && (text_[pos] == '\n' || text_[pos] == '\r')))) {
      ++pos;
    }
  }

 private:
  Result<std::optional<Value>> ReadArray(size_t& pos) {
    const size_t start = pos++;
    Value v{true, {}};
    while (true) {
      SkipBlanks(pos, /*newlines=*/true);
      if (pos >= text_.size()) {
        return DataLossError("unterminated array at line " +
                             std::to_string(Line(start)));
      }
      if (text_[pos] == ']') break;
      ASSIGN_OR_RETURN(std::optional<std::string> s, ReadString(pos));
      if (!s) return std::optional<Value>();
      if (v.items.size() >= kMaxArrayItems) {
        return ResourceExhaustedError(
            "array at line " + std::to_string(Line(start)) + " has more than " +
            std::to_string(kMaxArrayItems) + " items");
      }
      v.items.push_back(*std::move(s));
      SkipBlanks(pos, /*newlines=*/true);
      if (pos < text_.size() && text_[pos] == ',') {
        ++pos;
      } else if (pos < text_.size() && text_[pos] != ']') {
        return std::optional<Value>();
      }
    }
    ++pos;  // ']'
    SkipFreeze(pos);
    return std::optional<Value>(std::move(v));
  }

  Result<std::optional<std::string>> ReadString(size_t& pos) {
    if (pos >= text_.size()) return std::optional<std::string>();
    char c = text_[pos];
    std::optional<std::string> s;
    if (c == '"' || c == '\'') {
      ASSIGN_OR_RETURN(s, ReadQuoted(pos, pos + 1, c, c, c == '"'));
    } else if (c == '%' && pos + 2 < text_.size() &&
               (text_[pos + 1] == 'q' || text_[pos + 1] == 'Q')) {
      char open = text_[pos + 2];
      if (IsIdentChar(open) || open == ' ' || open == '\n' || open == '\r' ||
          open == '\t') {
        return std::optional<std::string>();
      }
      char close = open;
      if (open == '(') close = ')';
      if (open == '[') close = ']';
      if (open == '{') close = '}';
      if (open == '<') close = '>';
      ASSIGN_OR_RETURN(
          s, ReadQuoted(pos, pos + 3, open, close, text_[pos + 1] == 'Q'));
    } else {
      return std::optional<std::string>();
    }
    if (s) SkipFreeze(pos);
    return s;
  }

  // Reads a quoted string whose body starts at `body`; `start` is where the
  // literal starts (for errors). Brackets nest when open != close.
  // `interpolating`: double-quoted semantics (escapes; "#{" makes the
  // string a non-literal); else single-quoted (only \\ and \<delimiter>).
  Result<std::optional<std::string>> ReadQuoted(size_t& pos, size_t body,
                                                char open, char close,
                                                bool interpolating) {
    const size_t start = pos;
    std::string out;
    int depth = 0;
    size_t i = body;
    while (true) {
      if (out.size() > kMaxLiteralBytes) {
        return ResourceExhaustedError(
            "string literal at line " + std::to_string(Line(start)) +
            " is longer than " + std::to_string(kMaxLiteralBytes) + " bytes");
      }
      if (i >= text_.size()) {
        return DataLossError("unterminated string literal at line " +
                             std::to_string(Line(start)));
      }
      char c = text_[i];
      if (c == close && depth == 0) {
        pos = i + 1;
        return std::optional<std::string>(std::move(out));
      }
      if (open != close && c == open) ++depth;
      if (open != close && c == close) --depth;
      if (interpolating && c == '#' && i + 1 < text_.size() &&
          (text_[i + 1] == '{' || text_[i + 1] == '@' || text_[i + 1] == '$')) {
        return std::optional<std::string>();  // interpolation: no literal
      }
      if (c != '\\') {
        out += c;
        ++i;
        continue;
      }
      if (i + 1 >= text_.size()) {
        i = text_.size();  // reported as unterminated
        continue;
      }
      char e = text_[i + 1];
      i += 2;
      if (!interpolating) {
        if (e != '\\' && e != open && e != close) out += '\\';
        out += e;
        continue;
      }
      i = Escape(e, i, out);
    }
  }

  // Decodes the double-quoted escape "\<e>" whose following bytes start at
  // `i`; returns the position after it.
  size_t Escape(char e, size_t i, std::string& out) const {
    switch (e) {
      case 'n':
        out += '\n';
        return i;
      case 't':
        out += '\t';
        return i;
      case 'r':
        out += '\r';
        return i;
      case 'e':
        out += '\x1b';
        return i;
      case 's':
        out += ' ';
        return i;
      case 'a':
        out += '\a';
        return i;
      case 'b':
        out += '\b';
        return i;
      case 'f':
        out += '\f';
        return i;
      case 'v':
        out += '\v';
        return i;
      case '\n':
        return i;  // line continuation
      case 'x': {
        int v = 0, n = 0;
        while (n < 2 && i < text_.size() && IsHex(text_[i])) {
          v = v * 16 + HexValue(text_[i++]);
          ++n;
        }
        if (n == 0)
          out += 'x';
        else
          out += static_cast<char>(v);
        return i;
      }
      case 'u': {
        if (i < text_.size() && text_[i] == '{') {
          ++i;
          while (i < text_.size() && text_[i] != '}') {
            if (text_[i] == ' ') {
              ++i;
              continue;
            }
            uint32_t cp = 0;
            int n = 0;
            while (n < 6 && i < text_.size() && IsHex(text_[i])) {
              cp = cp * 16 + HexValue(text_[i++]);
              ++n;
            }
            if (n == 0) return i;  // malformed: stop decoding it
            AppendUtf8(cp, out);
          }
          return i < text_.size() ? i + 1 : i;
        }
        uint32_t cp = 0;
        int n = 0;
        while (n < 4 && i < text_.size() && IsHex(text_[i])) {
          cp = cp * 16 + HexValue(text_[i++]);
          ++n;
        }
        if (n == 4) AppendUtf8(cp, out);
        return i;
      }
      default:
        if (e >= '0' && e <= '7') {
          int v = e - '0', n = 1;
          while (n < 3 && i < text_.size() && text_[i] >= '0' &&
                 text_[i] <= '7') {
            v = v * 8 + (text_[i++] - '0');
            ++n;
          }
          out += static_cast<char>(v);
          return i;
        }
        out += e;  // \" \\ \# and any other character as itself
        return i;
    }
  }

  void SkipFreeze(size_t& pos) const {
    if (text_.substr(pos).starts_with(".freeze") &&
        (pos + 7 >= text_.size() || !IsIdentChar(text_[pos + 7]))) {
      pos += 7;
    }
  }

  std::string_view text_;
};

// The block variable of "Gem::Specification.new do |s|" and the position
// after it, or nullopt.
std::optional<std::pair<std::string, size_t>> BlockVariable(
    std::string_view text) {
  size_t at = text.find(kSpecNew);
  if (at == std::string_view::npos) return std::nullopt;
  size_t i = at + kSpecNew.size();
  auto blanks = [&] {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
  };
  blanks();
  if (text.substr(i).starts_with("do")) {
    i += 2;
  } else if (i < text.size() && text[i] == '{') {
    ++i;
  } else {
    return std::nullopt;
  }
  blanks();
  if (i >= text.size() || text[i] != '|') return std::nullopt;
  ++i;
  blanks();
  size_t start = i;
  while (i < text.size() && IsIdentChar(text[i])) ++i;
  if (i == start) return std::nullopt;
  std::string var(text.substr(start, i - start));
  blanks();
  if (i >= text.size() || text[i] != '|') return std::nullopt;
  return std::make_pair(std::move(var), i + 1);
}

}  // namespace

Result<Gemspec> ParseGemspec(std::string_view text) {
  auto block = BlockVariable(text);
  if (!block) return DataLossError("no Gem::Specification.new block");
  const std::string prefix = block->first + ".";
  Literals literals(text);
  Gemspec spec;
  std::vector<std::string> license;  // s.license, used without s.licenses
  std::vector<std::string> runtime;
  std::set<std::string> development;
  bool have_licenses = false;

  size_t pos = text.find('\n', block->second);
  while (pos != std::string_view::npos && pos < text.size()) {
    ++pos;  // start of a line
    literals.SkipBlanks(pos, /*newlines=*/false);
    if (!text.substr(pos).starts_with(prefix)) {
      pos = text.find('\n', pos);
      continue;
    }
    pos += prefix.size();
    size_t name_start = pos;
    while (pos < text.size() && IsIdentChar(text[pos])) ++pos;
    std::string_view method = text.substr(name_start, pos - name_start);
    literals.SkipBlanks(pos, /*newlines=*/false);
    bool assignment = pos < text.size() && text[pos] == '=' &&
                      (pos + 1 >= text.size() || text[pos + 1] != '=');
    bool dependency = method == "add_runtime_dependency" ||
                      method == "add_dependency" ||
                      method == "add_development_dependency";
    bool wanted = method == "name" || method == "version" ||
                  method == "summary" || method == "licenses" ||
                  method == "license" || method == "files";
    if ((assignment && wanted) || dependency) {
      if (assignment) ++pos;
      if (dependency && pos < text.size() && text[pos] == '(') ++pos;
      ASSIGN_OR_RETURN(std::optional<Value> v, literals.Read(pos));
      if (v && !v->items.empty()) {
        std::vector<std::string>& items = v->items;
        auto set_once = [&](std::string& dst) {
          if (dst.empty() && !v->array) dst = items.front();
        };
        if (dependency) {
          if (method == "add_development_dependency") {
            if (!v->array) development.insert(items.front());
          } else if (!v->array) {
            runtime.push_back(items.front());
          }
        } else if (method == "name") {
          set_once(spec.name);
        } else if (method == "version") {
          set_once(spec.version);
        } else if (method == "summary") {
          set_once(spec.summary);
        } else if (method == "licenses") {
          if (!have_licenses) spec.licenses = std::move(items);
          have_licenses = true;
        } else if (method == "license") {
          if (license.empty()) license = std::move(items);
        } else if (method == "files") {
          if (spec.files.empty()) spec.files = std::move(items);
        }
      }
    }
    if (pos >= text.size()) break;
    pos = text.find('\n', pos);
  }
  if (!have_licenses) spec.licenses = std::move(license);
  std::set<std::string> seen;
  for (std::string& d : runtime) {
    if (!development.contains(d) && seen.insert(d).second) {
      spec.depends.push_back(std::move(d));
    }
  }
  if (spec.name.empty()) return DataLossError("no literal name");
  if (spec.version.empty()) return DataLossError("no literal version");
  return spec;
}

}  // namespace strata::catalog::ruby
