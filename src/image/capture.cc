#include "image/capture.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace strata::image {
namespace {

// Longest CaptureRule::magic honoured.
constexpr size_t kMaxMagicBytes = 64;
// Rules beyond this many are ignored (a bit mask tracks matches).
constexpr size_t kMaxRules = 64;

// Reads up to `want` bytes into buf[0..want), stopping early at the end.
Result<size_t> ReadUpTo(const ReadFn& read, char* buf, size_t want) {
  size_t got = 0;
  while (got < want) {
    ASSIGN_OR_RETURN(
        size_t n, read(std::span<uint8_t>(reinterpret_cast<uint8_t*>(buf) + got,
                                          want - got)));
    if (n == 0) break;
    got += n;
  }
  return got;
}

bool HasWindows(const CaptureRule& r) {
  return r.window_bytes > 0 && r.window_overlap >= 0 &&
         r.window_overlap < r.window_bytes && r.reduce;
}

// A rule's results, window by window (or for the whole file).
struct Windows {
  explicit Windows(const CaptureRule* r) : rule(r) {}

  const CaptureRule* rule;
  int64_t next = 0;  // file offset where the next window starts
  bool done = false;
  bool failed = false;  // the first error wins
  std::string error;
  std::optional<std::string> kept;

  void Add(Result<std::optional<std::string>> one) {
    if (!one.ok()) {
      failed = true;
      error = one.status().message();
      kept.reset();
    } else if (one->has_value()) {
      if (!kept) kept.emplace();
      kept->append(**one);
    }
  }
};

// Streams the rest of the file (its first `got` bytes are in scratch)
// through scratch, calling each rule's reduce on its windows as soon as they
// are in. Scratch holds at most max(window_bytes, got) bytes: it drops what
// no pending window needs before reading more. `prefix`, when given,
// receives the file's first `prefix_want` bytes.
Status ReduceWindows(const std::string& path, int64_t size, const ReadFn& read,
                     size_t got, std::string* scratch,
                     std::vector<Windows>* windows, std::string* prefix,
                     size_t prefix_want) {
  int64_t cap = 0;
  for (const Windows& w : *windows) cap = std::max(cap, w.rule->window_bytes);
  cap = std::max(std::min(cap, size), static_cast<int64_t>(got));
  if (scratch->size() < static_cast<size_t>(cap)) {
    scratch->resize(static_cast<size_t>(cap));
  }
  int64_t base = 0;                         // file offset of scratch[0]
  int64_t len = static_cast<int64_t>(got);  // bytes in scratch
  int64_t end = size;                       // lowered when the file ends early
  auto keep_prefix = [&](int64_t from) {
    if (prefix && base + from < static_cast<int64_t>(prefix_want)) {
      int64_t n = std::min(len, static_cast<int64_t>(prefix_want) - base);
      prefix->append(scratch->data() + from, static_cast<size_t>(n - from));
    }
  };
  keep_prefix(0);
  while (true) {
    bool pending = false;
    int64_t keep_from = base + len;
    for (Windows& w : *windows) {
      const CaptureRule& r = *w.rule;
      while (!w.done) {
        int64_t stop = w.next + std::min(r.window_bytes, end - w.next);
        if (stop > base + len) break;
        if (!w.failed) {
          w.Add(r.reduce(path,
                         std::string_view(scratch->data() + (w.next - base),
                                          static_cast<size_t>(stop - w.next))));
        }
        w.done = stop == end || w.failed;
        w.next = stop - r.window_overlap;
      }
      if (!w.done) {
        pending = true;
        keep_from = std::min(keep_from, w.next);
      }
    }
    if (!pending) return Status::Ok();
    if (len == cap) {
      // A pending window ends past the buffer and is at most `cap` long,
      // so it starts past scratch[0]: there is room to make.
      int64_t drop = keep_from - base;
      std::memmove(scratch->data(), scratch->data() + drop,
                   static_cast<size_t>(len - drop));
      base += drop;
      len -= drop;
    }
    ASSIGN_OR_RETURN(
        size_t n,
        ReadUpTo(read, scratch->data() + len,
                 static_cast<size_t>(std::min(cap - len, end - base - len))));
    if (n == 0) {
      end = base + len;
      continue;
    }
    len += static_cast<int64_t>(n);
    keep_prefix(len - static_cast<int64_t>(n));
  }
}

}  // namespace

Capturer::Capturer(const CaptureSpec& spec) : spec_(spec) {
  if (spec.globs) globs_ = fs::GlobSet(*spec.globs);
  if (spec.rules) {
    size_t n = std::min(spec.rules->size(), kMaxRules);
    for (size_t i = 0; i < n; ++i) {
      rule_globs_.emplace_back((*spec.rules)[i].globs);
    }
  }
}

uint64_t Capturer::RuleMatches(std::string_view path, uint32_t mode) const {
  uint64_t mask = 0;
  for (size_t i = 0; i < rule_globs_.size(); ++i) {
    const CaptureRule& r = (*spec_.rules)[i];
    if ((r.executables && (mode & 0111) != 0) || rule_globs_[i].Match(path)) {
      mask |= uint64_t{1} << i;
    }
  }
  return mask;
}

bool Capturer::Wants(std::string_view path, uint32_t mode) const {
  return globs_.Match(path) || RuleMatches(path, mode) != 0;
}

Status Capturer::Capture(int layer, int64_t offset, const std::string& path,
                         uint32_t mode, int64_t size, const ReadFn& read,
                         std::string* scratch,
                         std::vector<CapturedFile>* out) const {
  const bool plain = globs_.Match(path);
  uint64_t mask = RuleMatches(path, mode);
  if (!plain && mask == 0) return Status::Ok();
  auto make = [&](std::string_view rule) {
    CapturedFile f;
    f.layer = layer;
    f.offset = offset;
    f.path = path;
    f.rule = rule;
    return f;
  };
  auto charge = [&](size_t n) -> Status {
    if (!spec_.total_budget) return Status::Ok();
    Status st = spec_.total_budget->Take(static_cast<int64_t>(n));
    return st.ok() ? st : st.WithContext(path);
  };
  const int64_t plain_want = std::min(size, spec_.max_file_bytes);

  if (mask == 0) {  // globs only: read straight into the kept string
    CapturedFile f = make("");
    RETURN_IF_ERROR(charge(static_cast<size_t>(plain_want)));
    f.truncated = size > plain_want;
    f.content.resize(static_cast<size_t>(plain_want));
    ASSIGN_OR_RETURN(size_t got,
                     ReadUpTo(read, f.content.data(), f.content.size()));
    f.content.resize(got);
    out->push_back(std::move(f));
    return Status::Ok();
  }

  // The head decides the rules' magic before the rest is read.
  size_t head = static_cast<size_t>(
      std::min<int64_t>(size, static_cast<int64_t>(kMaxMagicBytes)));
  if (scratch->size() < head) scratch->resize(head);
  ASSIGN_OR_RETURN(size_t got, ReadUpTo(read, scratch->data(), head));
  std::string_view head_bytes(scratch->data(), got);
  int64_t want = plain ? plain_want : 0;  // bytes held whole
  uint64_t windowed = 0;
  for (uint64_t m = mask; m != 0; m &= m - 1) {
    const CaptureRule& r = (*spec_.rules)[std::countr_zero(m)];
    if (!head_bytes.starts_with(r.magic)) {
      mask &= ~(uint64_t{1} << std::countr_zero(m));
    } else if (size > r.max_file_bytes) {
      // truncated: nothing to read
    } else if (HasWindows(r)) {
      windowed |= m & -m;
    } else {
      want = std::max(want, size);
    }
  }
  if (!plain && mask == 0) return Status::Ok();
  if (want == size) windowed = 0;  // in memory anyway: reduced whole

  std::vector<Windows> windows;
  for (uint64_t m = windowed; m != 0; m &= m - 1) {
    windows.emplace_back(&(*spec_.rules)[std::countr_zero(m)]);
  }
  // The bytes of the file held whole; when windowed, only a truncated glob
  // capture's.
  std::string prefix;
  std::string_view bytes;
  if (!windows.empty()) {
    RETURN_IF_ERROR(ReduceWindows(path, size, read, got, scratch, &windows,
                                  plain ? &prefix : nullptr,
                                  static_cast<size_t>(plain_want)));
    bytes = prefix;
  } else {
    if (scratch->size() < static_cast<size_t>(want)) {
      scratch->resize(static_cast<size_t>(want));
    }
    if (static_cast<int64_t>(got) == static_cast<int64_t>(head) &&
        want > static_cast<int64_t>(got)) {
      ASSIGN_OR_RETURN(size_t more, ReadUpTo(read, scratch->data() + got,
                                             static_cast<size_t>(want) - got));
      got += more;
    }
    bytes = std::string_view(scratch->data(), got);
  }

  if (plain) {
    CapturedFile f = make("");
    f.truncated = size > plain_want;
    f.content.assign(bytes.substr(0, static_cast<size_t>(plain_want)));
    RETURN_IF_ERROR(charge(f.content.size()));
    out->push_back(std::move(f));
  }
  auto w = windows.begin();
  for (uint64_t m = mask; m != 0; m &= m - 1) {
    const CaptureRule& r = (*spec_.rules)[std::countr_zero(m)];
    CapturedFile f = make(r.name);
    Windows whole(&r);
    Windows* result = &whole;
    if (size > r.max_file_bytes) {
      f.truncated = true;
    } else if (windowed & (m & -m)) {
      result = &*w++;
    } else if (r.reduce) {
      whole.Add(r.reduce(path, bytes));
    } else {
      whole.kept.emplace(bytes);
    }
    if (result->failed) {
      f.error = std::move(result->error);
    } else if (result->kept) {
      f.content = std::move(*result->kept);
    } else if (!f.truncated) {
      continue;
    }
    RETURN_IF_ERROR(charge(f.content.size() + f.error.size()));
    out->push_back(std::move(f));
  }
  return Status::Ok();
}

}  // namespace strata::image
