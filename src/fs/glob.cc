#include <cstddef>
#include <string_view>

#include "fs/file_tree.h"

namespace strata::fs {
namespace {

constexpr size_t kNpos = std::string_view::npos;

// Matches the single pattern token at pat[p] (a literal, '?', '\x' or a
// [..] class) against c; *len receives the token's length. An unclosed '['
// is a literal '['.
bool MatchToken(std::string_view pat, size_t p, char c, size_t* len) {
  char t = pat[p];
  if (t == '?') {
    *len = 1;
    return true;
  }
  if (t == '\\' && p + 1 < pat.size()) {
    *len = 2;
    return pat[p + 1] == c;
  }
  if (t == '[') {
    size_t i = p + 1;
    bool negate = i < pat.size() && (pat[i] == '!' || pat[i] == '^');
    if (negate) ++i;
    size_t first = i;
    bool matched = false;
    while (i < pat.size() && (pat[i] != ']' || i == first)) {
      unsigned char lo = pat[i], hi = lo;
      if (i + 2 < pat.size() && pat[i + 1] == '-' && pat[i + 2] != ']') {
        hi = pat[i + 2];
        i += 3;
      } else {
        ++i;
      }
      unsigned char uc = c;
      if (lo <= uc && uc <= hi) matched = true;
    }
    if (i < pat.size()) {  // closed by ']'
      *len = i + 1 - p;
      return matched != negate;
    }
  }
  *len = 1;
  return t == c;
}

// One component: '*' matches any run of bytes. Greedy with a single
// backtrack point, so O(|pat| * |s|) at worst, never exponential.
bool MatchComponent(std::string_view pat, std::string_view s) {
  size_t p = 0, i = 0, star_p = kNpos, star_i = 0;
  while (i < s.size()) {
    if (p < pat.size() && pat[p] == '*') {
      while (p < pat.size() && pat[p] == '*') ++p;
      star_p = p;
      star_i = i;
      continue;
    }
    size_t len;
    if (p < pat.size() && MatchToken(pat, p, s[i], &len)) {
      p += len;
      ++i;
      continue;
    }
    if (star_p == kNpos) return false;
    p = star_p;
    i = ++star_i;
  }
  while (p < pat.size() && pat[p] == '*') ++p;
  return p == pat.size();
}

// The component of s starting at or after *pos (empty components skipped);
// *pos moves past it. Returns false at the end.
bool NextComponent(std::string_view s, size_t* pos, std::string_view* out) {
  size_t i = *pos;
  while (i < s.size() && s[i] == '/') ++i;
  if (i >= s.size()) {
    *pos = i;
    return false;
  }
  size_t j = s.find('/', i);
  if (j == kNpos) j = s.size();
  *out = s.substr(i, j - i);
  *pos = j;
  return true;
}

}  // namespace

// Component level: '**' plays the role '*' plays within a component, with
// the same single backtrack point.
bool GlobMatch(std::string_view pattern, std::string_view path) {
  size_t pp = 0, sp = 0, star_pp = kNpos, star_sp = 0;
  std::string_view pc, sc;
  while (true) {
    size_t sp_next = sp;
    if (!NextComponent(path, &sp_next, &sc)) break;
    size_t pp_next = pp;
    bool have_pc = NextComponent(pattern, &pp_next, &pc);
    if (have_pc && pc == "**") {
      star_pp = pp = pp_next;
      star_sp = sp;
      continue;
    }
    if (have_pc && MatchComponent(pc, sc)) {
      pp = pp_next;
      sp = sp_next;
      continue;
    }
    if (star_pp == kNpos) return false;
    pp = star_pp;
    NextComponent(path, &star_sp, &sc);  // '**' absorbs one more component
    sp = star_sp;
  }
  while (NextComponent(pattern, &pp, &pc)) {
    if (pc != "**") return false;
  }
  return true;
}

bool GlobMatchAny(const std::vector<std::string>& patterns,
                  std::string_view path) {
  for (const std::string& p : patterns) {
    if (GlobMatch(p, path)) return true;
  }
  return false;
}

GlobSet::GlobSet(std::vector<std::string> patterns) {
  for (std::string& p : patterns) {
    size_t meta = p.find_last_of("*?[]\\");
    std::string tail = meta == kNpos ? p : p.substr(meta + 1);
    // "**/x" also matches "x": a separator is not part of the tail.
    tail.erase(0, tail.find_first_not_of('/'));
    size_t slash = p.rfind('/');
    std::string_view last =
        std::string_view(p).substr(slash == kNpos ? 0 : slash + 1);
    std::string head(last.substr(0, last.find_first_of("*?[]\\")));
    int index = static_cast<int>(patterns_.size());
    if (!tail.empty()) {
      by_last_byte_[static_cast<unsigned char>(tail.back())].push_back(index);
    } else if (!head.empty()) {
      by_first_byte_[static_cast<unsigned char>(head.front())].push_back(index);
    } else {
      no_tail_.push_back(index);
    }
    patterns_.push_back({std::move(p), std::move(tail), std::move(head)});
  }
}

bool GlobSet::Match(std::string_view path) const {
  for (int i : no_tail_) {
    if (GlobMatch(patterns_[i].pattern, path)) return true;
  }
  if (path.empty()) return false;
  for (int i : by_last_byte_[static_cast<unsigned char>(path.back())]) {
    const Compiled& c = patterns_[i];
    if (path.ends_with(c.tail) && GlobMatch(c.pattern, path)) return true;
  }
  size_t slash = path.rfind('/');
  std::string_view base = path.substr(slash == kNpos ? 0 : slash + 1);
  if (base.empty()) return false;
  for (int i : by_first_byte_[static_cast<unsigned char>(base.front())]) {
    const Compiled& c = patterns_[i];
    if (base.starts_with(c.head) && GlobMatch(c.pattern, path)) return true;
  }
  return false;
}

}  // namespace strata::fs
