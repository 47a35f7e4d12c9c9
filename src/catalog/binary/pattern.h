// Byte patterns that find a version string inside a binary: a small, fast
// alternative to regular expressions (no backtracking, no recursion, linear
// in the file size), used by the classifier table (classifiers.h).
//
// Syntax (the pattern is a byte string; NUL bytes are ordinary literals):
//   any byte   itself
//   \x         the byte x literally (for '\', '(', ')' and '{')
//   ( ... )    the capture: the version reported; exactly one pair
//   {N}        a dotted number: [0-9]+(\.[0-9]+)*        ("3.11.2")
//   {A}        zero or more lowercase letters [a-z]*       ("w" of "1.1.1w")
//   {S}        zero or more version-suffix bytes [A-Za-z0-9._+~-]*
//                                                          ("+2-1-Debian")
//   {FV}       the version in the file's base name, as a literal: "3.11" for
//              ".../python3.11" or "libpython3.11.so.1.0" (see FileVersion);
//              a pattern using it never matches a file without one
// Matching: the anchor is the first run of literal bytes (parentheses and
// {FV} do not break it); it must be at least kMinAnchorBytes long (counting
// {FV} as 3) and is searched with a Boyer-Moore-Horspool searcher. Elements
// after the anchor are matched forward from it; at most one element may
// precede the anchor and it must be {N}, matched backward from the anchor
// (for "10.11.6-MariaDB"). Tokens are greedy and never give back bytes, so
// a literal that follows a token must start with a byte outside the token's
// class. A token longer than kMaxTokenBytes fails the attempt. The first
// anchor occurrence (lowest offset) at which the whole pattern matches and
// whose capture starts with a digit wins.
//
// Windows: the bytes may be a window of a larger file, so an attempt that
// runs into either end of the bytes (a token, a literal or the lookahead
// that ends a token is cut there) is not decided by them. One cut at the
// start fails (an earlier, overlapping window decides it); one cut at the
// end stops the search with no match (a later window decides it and
// whatever follows). Hence: searching consecutive windows of a file that
// overlap by at least kMaxDecidingBytes and are each at least twice that
// long (except the last), and taking the match of the first window that
// has one, gives the same match as searching the whole file. A pattern has
// at most kMaxTokens tokens ({N}, {A}, {S}, {FV}) and kMaxLiteralBytes
// literal bytes, so a match is at most kMaxMatchBytes long.
//
// Thread-safety: a BytePattern is immutable after Parse; Find is const.
#ifndef STRATA_CATALOG_BINARY_PATTERN_H_
#define STRATA_CATALOG_BINARY_PATTERN_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace strata::catalog::binary {

inline constexpr size_t kMinAnchorBytes = 4;
inline constexpr size_t kMaxTokenBytes = 48;  // {FV} included
inline constexpr size_t kMaxTokens = 4;
inline constexpr size_t kMaxLiteralBytes = 64;  // all literals of a pattern
inline constexpr size_t kMaxMatchBytes =
    kMaxLiteralBytes + kMaxTokens * kMaxTokenBytes;
// The bytes that decide an attempt at one anchor occurrence: the match plus
// the bytes that end its tokens (at most two per token: the first byte
// outside the class, or a '.' and the byte after it).
inline constexpr size_t kMaxDecidingBytes =
    kMaxLiteralBytes + kMaxTokens * (kMaxTokenBytes + 2);

// The version in a path's base name: the first run of digits and dots that
// starts with a digit, without trailing dots, when it is a dotted number of
// at least two parts ("python3.11" -> "3.11", "libpython3.12d.so" ->
// "3.12"); "" otherwise ("python3", "node").
std::string_view FileVersion(std::string_view path);

struct PatternMatch {
  // Views into the searched bytes: valid as long as they are.
  std::string_view version;   // the capture
  std::string_view evidence;  // everything the pattern matched
};

class BytePattern {
 public:
  // Errors (kInvalidArgument) name the pattern's problem: "pattern ...:
  // unknown token {X}", "...: needs exactly one capture", "...: anchor
  // shorter than 4 bytes", "...: more than 4 tokens", "...: literals
  // longer than 64 bytes", ...
  static Result<BytePattern> Parse(std::string_view spec);

  // The first match in `bytes` (see Windows above); `file_version` is
  // FileVersion(path), used by {FV}.
  std::optional<PatternMatch> Find(std::string_view bytes,
                                   std::string_view file_version) const;

 private:
  enum class Kind { kLiteral, kFileVersion, kNumber, kLetters, kSuffix };
  struct Element {
    Kind kind;
    std::string literal;  // kLiteral only
  };
  enum class Attempt { kMatch, kNoMatch, kCutAtEnd };

  // Matches the elements around an anchor found at `hit`; (*at)[k] receives
  // the offset where element k starts ((*at)[size] the end).
  Attempt MatchAt(std::string_view bytes, size_t hit,
                  std::string_view file_version, std::vector<size_t>* at) const;

  std::vector<Element> elements_;
  size_t anchor_begin_ = 0;   // elements_[anchor_begin_, anchor_end_) form
  size_t anchor_end_ = 0;     // the anchor
  size_t capture_begin_ = 0;  // capture spans elements_[begin, end)
  size_t capture_end_ = 0;
};

}  // namespace strata::catalog::binary

#endif  // STRATA_CATALOG_BINARY_PATTERN_H_
