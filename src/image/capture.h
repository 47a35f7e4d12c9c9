// What the catalogers keep of each regular file while the layers stream by:
// the bytes of files matching capture globs, and the reduced bytes of files
// matching capture rules (loader.h, CaptureRule). Shared by the layer
// scanner and the root filesystem walker.
#ifndef STRATA_IMAGE_CAPTURE_H_
#define STRATA_IMAGE_CAPTURE_H_

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "fs/file_tree.h"
#include "image/loader.h"

namespace strata::image {

// Reads the next bytes of a file into the span; returns how many (0 at its
// end).
using ReadFn = std::function<Result<size_t>(std::span<uint8_t>)>;

// Compiled from a CaptureSpec. Immutable after construction (thread-safe);
// each caller of Capture brings its own scratch buffer.
class Capturer {
 public:
  explicit Capturer(const CaptureSpec& spec);

  // Cheap test on the path and mode alone: could Capture keep anything?
  bool Wants(std::string_view path, uint32_t mode) const;

  // Reads the file through `read` and appends what is kept to `out`, in
  // this order: one CapturedFile for the globs (bytes up to the per-file
  // cap, `truncated` beyond it), then one per matching rule (in rule order)
  // whose magic the content starts with (reduce's result, over the whole
  // file or its windows as CaptureRule describes; `truncated` with no
  // content beyond the rule's cap; `error` when reduce fails). Kept bytes
  // are charged to the spec's total budget; exceeding it is an error.
  // `scratch` holds the file's bytes for the rules' reduce calls (the whole
  // file when some capture needs it whole; otherwise at most the largest
  // window_bytes, or the 64-byte magic head) and keeps its capacity between
  // calls. A file shorter than `size` is taken as it is.
  Status Capture(int layer, int64_t offset, const std::string& path,
                 uint32_t mode, int64_t size, const ReadFn& read,
                 std::string* scratch, std::vector<CapturedFile>* out) const;

 private:
  // Bit i set: rule i matches the path and mode (before its magic).
  uint64_t RuleMatches(std::string_view path, uint32_t mode) const;

  const CaptureSpec& spec_;
  fs::GlobSet globs_;
  std::vector<fs::GlobSet> rule_globs_;
};

}  // namespace strata::image

#endif  // STRATA_IMAGE_CAPTURE_H_
