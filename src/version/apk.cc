// apk version ordering, as apk-tools 3 (src/version.c) orders versions:
//   digits{.digits}...{letter}{_suffix{digits}}...{~hexhash}{-rdigits}
// Versions are read as a sequence of typed tokens and two versions are
// compared token by token while the token types agree. Numbers are compared
// exactly at any length (apk-tools wraps them at 2^64).
#include <string>
#include <utility>

#include "version/version.h"

namespace strata::version {
namespace {

// Token types in apk-tools' order: when two versions first differ in token
// type, the one with the lower type is newer (it has more version to it),
// except that a pre-release suffix is older than anything.
enum class Token {
  kInitialDigit,
  kDigit,
  kLetter,
  kSuffix,
  kSuffixNumber,
  kCommitHash,
  kRevision,
  kEnd,
  kInvalid,
};

// Suffix ranks: pre-release suffixes below kNone, post-release above.
enum Suffix {
  kAlpha = 1,
  kBeta,
  kPre,
  kRc,
  kNone,
  kCvs,
  kSvn,
  kGit,
  kHg,
  kP,
};

struct TokenState {
  Token token = Token::kInitialDigit;
  int suffix = 0;
  std::string_view value;  // digits, letter, suffix name or hash
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f'); }

Status Invalid(std::string_view v) {
  return InvalidArgumentError("invalid apk version \"" +
                              std::string(v.substr(0, 100)) + "\"");
}

int SuffixValue(std::string_view name) {
  static constexpr std::pair<std::string_view, int> kSuffixes[] = {
      {"alpha", kAlpha}, {"beta", kBeta}, {"pre", kPre},
      {"rc", kRc},       {"cvs", kCvs},   {"svn", kSvn},
      {"git", kGit},     {"hg", kHg},     {"p", kP},
  };
  for (const auto& [suffix, value] : kSuffixes) {
    if (name == suffix) return value;
  }
  return 0;
}

// Reads the longest prefix of *s whose bytes satisfy pred into *value.
template <typename Pred>
void Take(std::string_view* s, std::string_view* value, Pred pred) {
  size_t n = 0;
  while (n < s->size() && pred((*s)[n])) ++n;
  *value = s->substr(0, n);
  s->remove_prefix(n);
}

void TakeDigits(TokenState* t, std::string_view* s) {
  Take(s, &t->value, IsDigit);
  if (t->value.empty()) t->token = Token::kInvalid;
}

// Advances t to the next token of *s, consuming it.
void NextToken(TokenState* t, std::string_view* s) {
  if (s->empty()) {
    t->token = Token::kEnd;
    return;
  }
  char c = s->front();
  if (IsLower(c)) {
    if (t->token > Token::kDigit) {
      t->token = Token::kInvalid;
      return;
    }
    t->value = s->substr(0, 1);
    t->token = Token::kLetter;
    s->remove_prefix(1);
  } else if (c == '.' || IsDigit(c)) {
    if (c == '.') {
      if (t->token > Token::kDigit) {
        t->token = Token::kInvalid;
        return;
      }
      s->remove_prefix(1);
    }
    if (t->token == Token::kInitialDigit || t->token == Token::kDigit) {
      t->token = Token::kDigit;
    } else if (t->token == Token::kSuffix) {
      t->token = Token::kSuffixNumber;
    } else {
      t->token = Token::kInvalid;
      return;
    }
    TakeDigits(t, s);
  } else if (c == '_') {
    if (t->token > Token::kSuffixNumber) {
      t->token = Token::kInvalid;
      return;
    }
    s->remove_prefix(1);
    Take(s, &t->value, IsLower);
    t->suffix = SuffixValue(t->value);
    t->token = t->suffix == 0 ? Token::kInvalid : Token::kSuffix;
  } else if (c == '~') {
    if (t->token >= Token::kCommitHash) {
      t->token = Token::kInvalid;
      return;
    }
    s->remove_prefix(1);
    Take(s, &t->value, IsHex);
    t->token = t->value.empty() ? Token::kInvalid : Token::kCommitHash;
  } else if (c == '-') {
    if (t->token >= Token::kRevision || s->size() < 2 || (*s)[1] != 'r') {
      t->token = Token::kInvalid;
      return;
    }
    s->remove_prefix(2);
    t->token = Token::kRevision;
    TakeDigits(t, s);
  } else {
    t->token = Token::kInvalid;
  }
}

void FirstToken(TokenState* t, std::string_view* s) {
  t->token = Token::kInitialDigit;
  TakeDigits(t, s);
}

// Digit strings as unbounded numbers.
int CompareNumbers(std::string_view a, std::string_view b) {
  while (!a.empty() && a.front() == '0') a.remove_prefix(1);
  while (!b.empty() && b.front() == '0') b.remove_prefix(1);
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  int r = a.compare(b);
  return r < 0 ? -1 : (r > 0 ? 1 : 0);
}

// Two tokens of the same type.
int CompareTokens(const TokenState& a, const TokenState& b) {
  switch (a.token) {
    case Token::kDigit:
      // A leading zero in either makes it a string comparison (Gentoo).
      if (a.value.front() != '0' && b.value.front() != '0') {
        return CompareNumbers(a.value, b.value);
      }
      break;
    case Token::kInitialDigit:
    case Token::kSuffixNumber:
    case Token::kRevision:
      return CompareNumbers(a.value, b.value);
    case Token::kSuffix:
      return a.suffix < b.suffix ? -1 : (a.suffix > b.suffix ? 1 : 0);
    default:
      break;
  }
  int r = a.value.compare(b.value);
  return r < 0 ? -1 : (r > 0 ? 1 : 0);
}

Status ValidateApk(std::string_view v) {
  if (v.size() > kMaxVersionLength) return Invalid(v);
  TokenState t;
  std::string_view s = v;
  for (FirstToken(&t, &s); t.token < Token::kEnd; NextToken(&t, &s)) {
  }
  if (t.token != Token::kEnd) return Invalid(v);
  return Status::Ok();
}

bool IsPreRelease(const TokenState& t) {
  return t.token == Token::kSuffix && t.suffix < kNone;
}

}  // namespace

Result<int> CompareApk(std::string_view a, std::string_view b) {
  RETURN_IF_ERROR(ValidateApk(a));
  RETURN_IF_ERROR(ValidateApk(b));
  TokenState ta, tb;
  FirstToken(&ta, &a);
  FirstToken(&tb, &b);
  while (ta.token == tb.token && ta.token < Token::kEnd) {
    if (int r = CompareTokens(ta, tb); r != 0) return r;
    NextToken(&ta, &a);
    NextToken(&tb, &b);
  }
  if (ta.token == tb.token) return 0;
  if (IsPreRelease(ta)) return -1;
  if (IsPreRelease(tb)) return 1;
  return ta.token > tb.token ? -1 : 1;
}

}  // namespace strata::version
