#include "image/capture.h"

#include <algorithm>
#include <bit>

namespace strata::image {
namespace {

// Longest CaptureRule::magic honoured.
constexpr size_t kMaxMagicBytes = 64;
// Rules beyond this many are ignored (a bit mask tracks matches).
constexpr size_t kMaxRules = 64;

// Reads up to `want` bytes into buf[0..want), stopping early at the end.
Result<size_t> ReadUpTo(
    const std::function<Result<size_t>(std::span<uint8_t>)>& read, char* buf,
    size_t want) {
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

Status Capturer::Capture(
    int layer, int64_t offset, const std::string& path, uint32_t mode,
    int64_t size, const std::function<Result<size_t>(std::span<uint8_t>)>& read,
    std::string* scratch, std::vector<CapturedFile>* out) const {
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
  int64_t want = plain ? plain_want : 0;
  for (uint64_t m = mask; m != 0; m &= m - 1) {
    const CaptureRule& r = (*spec_.rules)[std::countr_zero(m)];
    if (!head_bytes.starts_with(r.magic)) {
      mask &= ~(uint64_t{1} << std::countr_zero(m));
    } else if (size <= r.max_file_bytes) {
      want = std::max(want, size);
    }
  }
  if (!plain && mask == 0) return Status::Ok();
  if (scratch->size() < static_cast<size_t>(want)) {
    scratch->resize(static_cast<size_t>(want));
  }
  if (static_cast<int64_t>(got) == static_cast<int64_t>(head) &&
      want > static_cast<int64_t>(got)) {
    ASSIGN_OR_RETURN(size_t more, ReadUpTo(read, scratch->data() + got,
                                           static_cast<size_t>(want) - got));
    got += more;
  }
  std::string_view bytes(scratch->data(), got);

  if (plain) {
    CapturedFile f = make("");
    f.truncated = size > plain_want;
    f.content.assign(bytes.substr(0, static_cast<size_t>(plain_want)));
    RETURN_IF_ERROR(charge(f.content.size()));
    out->push_back(std::move(f));
  }
  for (uint64_t m = mask; m != 0; m &= m - 1) {
    const CaptureRule& r = (*spec_.rules)[std::countr_zero(m)];
    CapturedFile f = make(r.name);
    if (size > r.max_file_bytes) {
      f.truncated = true;
      out->push_back(std::move(f));
      continue;
    }
    if (!r.reduce) {
      f.content.assign(bytes);
    } else {
      Result<std::optional<std::string>> kept = r.reduce(path, bytes);
      if (!kept.ok()) {
        f.error = kept.status().message();
      } else if (!kept->has_value()) {
        continue;
      } else {
        f.content = std::move(**kept);
      }
    }
    RETURN_IF_ERROR(charge(f.content.size() + f.error.size()));
    out->push_back(std::move(f));
  }
  return Status::Ok();
}

}  // namespace strata::image
