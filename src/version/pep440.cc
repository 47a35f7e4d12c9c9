// PEP 440 ordering as packaging.version.Version (packaging 23) implements it:
// the same accepted grammar (VERSION_PATTERN, case-insensitive, surrounding
// whitespace) and the same comparison key (_cmpkey). Numbers are compared as
// decimal strings, so there is no overflow however long they are.
#include <string>
#include <vector>

#include "version/version.h"

namespace strata::version {
namespace {

// Python's \s for the ASCII range (str.isspace includes \x1c..\x1f).
bool IsSpace(char c) {
  return c == ' ' || (c >= '\t' && c <= '\r') || (c >= '\x1c' && c <= '\x1f');
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsSeparator(char c) { return c == '-' || c == '_' || c == '.'; }
char Lower(char c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; }

std::string_view StripZeros(std::string_view digits) {
  size_t i = 0;
  while (i < digits.size() && digits[i] == '0') ++i;
  return digits.substr(i);
}

// Orders two decimal digit strings by value (leading zeros ignored).
int CompareNumbers(std::string_view a, std::string_view b) {
  a = StripZeros(a);
  b = StripZeros(b);
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

enum class PreKind { kAlpha, kBeta, kRc };

struct LocalPart {
  bool numeric;
  std::string text;  // lower-cased
};

struct Pep440Version {
  std::string_view epoch;                 // digits, may be empty (0)
  std::vector<std::string_view> release;  // trailing zero parts dropped
  bool has_pre = false;
  PreKind pre_kind = PreKind::kAlpha;
  std::string_view pre_number;  // empty means 0
  bool has_post = false;
  std::string_view post_number;
  bool has_dev = false;
  std::string_view dev_number;
  bool has_local = false;
  std::vector<LocalPart> local;
};

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  bool AtEnd() const { return pos_ == s_.size(); }

  bool Consume(char c) {
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool ConsumeSeparator() {
    if (pos_ < s_.size() && IsSeparator(s_[pos_])) {
      ++pos_;
      return true;
    }
    return false;
  }
  std::string_view Digits() {
    size_t start = pos_;
    while (pos_ < s_.size() && IsDigit(s_[pos_])) ++pos_;
    return s_.substr(start, pos_ - start);
  }
  // Consumes `word` case-insensitively.
  bool ConsumeWord(std::string_view word) {
    if (s_.size() - pos_ < word.size()) return false;
    for (size_t i = 0; i < word.size(); ++i) {
      if (Lower(s_[pos_ + i]) != word[i]) return false;
    }
    pos_ += word.size();
    return true;
  }
  size_t pos() const { return pos_; }
  void Reset(size_t pos) { pos_ = pos; }
  char Peek(size_t ahead = 0) const {
    return pos_ + ahead < s_.size() ? s_[pos_ + ahead] : '\0';
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

// The regex alternatives that are prefixes of others ("a" of "alpha", "pre"
// of "preview", "r" of "rev") can never be followed by the rest of the
// longer word in a valid version, so the longest spelling is the match the
// regex engine settles on.
bool ParsePre(Parser& p, Pep440Version& v) {
  size_t start = p.pos();
  p.ConsumeSeparator();
  if (p.ConsumeWord("alpha") || p.ConsumeWord("a")) {
    v.pre_kind = PreKind::kAlpha;
  } else if (p.ConsumeWord("beta") || p.ConsumeWord("b")) {
    v.pre_kind = PreKind::kBeta;
  } else if (p.ConsumeWord("preview") || p.ConsumeWord("pre") ||
             p.ConsumeWord("rc") || p.ConsumeWord("c")) {
    v.pre_kind = PreKind::kRc;
  } else {
    p.Reset(start);
    return false;
  }
  p.ConsumeSeparator();
  v.pre_number = p.Digits();
  return true;
}

bool ParsePost(Parser& p, Pep440Version& v) {
  if (p.Peek() == '-' && IsDigit(p.Peek(1))) {  // "1.0-1"
    p.Consume('-');
    v.post_number = p.Digits();
    return true;
  }
  size_t start = p.pos();
  p.ConsumeSeparator();
  if (!p.ConsumeWord("post") && !p.ConsumeWord("rev") && !p.ConsumeWord("r")) {
    p.Reset(start);
    return false;
  }
  p.ConsumeSeparator();
  v.post_number = p.Digits();
  return true;
}

bool ParseDev(Parser& p, Pep440Version& v) {
  size_t start = p.pos();
  p.ConsumeSeparator();
  if (!p.ConsumeWord("dev")) {
    p.Reset(start);
    return false;
  }
  p.ConsumeSeparator();
  v.dev_number = p.Digits();
  return true;
}

// [a-z0-9]+ ([-_.] [a-z0-9]+)* up to the end.
bool ParseLocal(std::string_view s, Pep440Version& v) {
  size_t i = 0;
  while (true) {
    LocalPart part{true, {}};
    while (i < s.size() && !IsSeparator(s[i])) {
      char c = Lower(s[i]);
      if (!IsDigit(c) && !(c >= 'a' && c <= 'z')) return false;
      part.numeric = part.numeric && IsDigit(c);
      part.text.push_back(c);
      ++i;
    }
    if (part.text.empty()) return false;
    v.local.push_back(std::move(part));
    if (i == s.size()) return true;
    ++i;  // separator
  }
}

Result<Pep440Version> Parse(std::string_view text) {
  auto invalid = [&] {
    return InvalidArgumentError("invalid pep440 version \"" +
                                std::string(text.substr(0, 100)) + "\"");
  };
  if (text.size() > kMaxVersionLength) return invalid();
  std::string_view s = text;
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);

  Pep440Version v;
  std::string_view local_text;
  size_t plus = s.find('+');
  if (plus != std::string_view::npos) {
    v.has_local = true;
    local_text = s.substr(plus + 1);
    s = s.substr(0, plus);
    if (!ParseLocal(local_text, v)) return invalid();
  }

  Parser p(s);
  if (!p.Consume('v')) p.Consume('V');
  size_t start = p.pos();
  std::string_view digits = p.Digits();
  if (!digits.empty() && p.Consume('!')) {
    v.epoch = digits;
  } else {
    p.Reset(start);
  }
  std::string_view part = p.Digits();
  if (part.empty()) return invalid();
  v.release.push_back(part);
  while (p.Peek() == '.' && IsDigit(p.Peek(1))) {
    p.Consume('.');
    v.release.push_back(p.Digits());
  }
  while (!v.release.empty() && StripZeros(v.release.back()).empty()) {
    v.release.pop_back();
  }
  v.has_pre = ParsePre(p, v);
  v.has_post = ParsePost(p, v);
  v.has_dev = ParseDev(p, v);
  if (!p.AtEnd()) return invalid();
  return v;
}

int Sign(int c) { return c < 0 ? -1 : (c > 0 ? 1 : 0); }

// The pre-release slot of _cmpkey: -inf for a bare dev release (1.0.dev1
// sorts before 1.0a1), +inf without a pre-release, else (letter, number).
int ComparePre(const Pep440Version& a, const Pep440Version& b) {
  auto rank = [](const Pep440Version& v) {
    if (v.has_pre) return 1;
    return (!v.has_post && v.has_dev) ? 0 : 2;
  };
  int ra = rank(a), rb = rank(b);
  if (ra != rb) return ra < rb ? -1 : 1;
  if (ra != 1) return 0;
  if (a.pre_kind != b.pre_kind) return a.pre_kind < b.pre_kind ? -1 : 1;
  return CompareNumbers(a.pre_number, b.pre_number);
}

// Local parts: numbers sort after strings, numbers by value, strings
// lexically; a shorter prefix sorts first; no local sorts before any.
int CompareLocal(const Pep440Version& a, const Pep440Version& b) {
  if (a.has_local != b.has_local) return a.has_local ? 1 : -1;
  for (size_t i = 0; i < a.local.size() && i < b.local.size(); ++i) {
    const LocalPart& x = a.local[i];
    const LocalPart& y = b.local[i];
    int c = 0;
    if (x.numeric != y.numeric) {
      c = x.numeric ? 1 : -1;
    } else if (x.numeric) {
      c = CompareNumbers(x.text, y.text);
    } else {
      c = Sign(x.text.compare(y.text));
    }
    if (c != 0) return c;
  }
  if (a.local.size() != b.local.size()) {
    return a.local.size() < b.local.size() ? -1 : 1;
  }
  return 0;
}

int CompareParsed(const Pep440Version& a, const Pep440Version& b) {
  if (int c = CompareNumbers(a.epoch, b.epoch); c != 0) return c;
  for (size_t i = 0; i < a.release.size() && i < b.release.size(); ++i) {
    if (int c = CompareNumbers(a.release[i], b.release[i]); c != 0) return c;
  }
  if (a.release.size() != b.release.size()) {
    return a.release.size() < b.release.size() ? -1 : 1;
  }
  if (int c = ComparePre(a, b); c != 0) return c;
  if (a.has_post != b.has_post) return a.has_post ? 1 : -1;
  if (int c = CompareNumbers(a.post_number, b.post_number); c != 0) return c;
  if (a.has_dev != b.has_dev) return a.has_dev ? -1 : 1;
  if (int c = CompareNumbers(a.dev_number, b.dev_number); c != 0) return c;
  return CompareLocal(a, b);
}

}  // namespace

Result<int> ComparePep440(std::string_view a, std::string_view b) {
  ASSIGN_OR_RETURN(Pep440Version va, Parse(a));
  ASSIGN_OR_RETURN(Pep440Version vb, Parse(b));
  return CompareParsed(va, vb);
}

}  // namespace strata::version
