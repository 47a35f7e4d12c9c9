#include "catalog/python/parse_files.h"

#include <optional>
#include <utility>

#include "base/caps.h"
#include "base/path.h"

namespace strata::catalog::python {
namespace {

// Paths in one file list (the largest wheels install tens of thousands).
constexpr size_t kMaxPaths = 200'000;

Status TooManyPaths() {
  return ResourceExhaustedError("more than " + std::to_string(kMaxPaths) +
                                " paths");
}

// The image path of `p` (relative to `dir`, or absolute), or nullopt when it
// climbs above the root or cannot be normalised.
std::optional<std::string> ImagePath(std::string_view dir, std::string_view p) {
  if (p.empty()) return std::nullopt;
  std::string joined(p);
  if (p.front() != '/' && !dir.empty())
    joined = std::string(dir) + "/" + joined;
  Result<std::string> normalized = path::NormalizeEntryPath(joined);
  if (!normalized.ok() || normalized->empty()) return std::nullopt;
  return *std::move(normalized);
}

}  // namespace

Result<std::vector<std::string>> ParseRecord(std::string_view bytes,
                                             std::string_view site_dir) {
  std::vector<std::string> out;
  size_t i = 0;
  int line = 1;
  while (i < bytes.size()) {
    const int row_line = line;
    std::string first;  // the path field, up to the path length cap
    bool first_too_long = false;
    for (int field = 0;; ++field) {
      auto keep = [&](char c) {
        if (field != 0) return;
        if (first.size() >= static_cast<size_t>(caps::kMaxPathLength)) {
          first_too_long = true;
        } else {
          first += c;
        }
      };
      if (i < bytes.size() && bytes[i] == '"') {
        ++i;
        while (true) {
          if (i >= bytes.size()) {
            return DataLossError("unterminated quoted field at line " +
                                 std::to_string(row_line));
          }
          if (bytes[i] == '"') {
            if (i + 1 < bytes.size() && bytes[i + 1] == '"') {
              keep('"');
              i += 2;
              continue;
            }
            ++i;
            break;
          }
          if (bytes[i] == '\n') ++line;
          keep(bytes[i++]);
        }
      }
      // Unquoted text (or what follows a closing quote, kept as Python's
      // csv module does).
      while (i < bytes.size() && bytes[i] != ',' && bytes[i] != '\n' &&
             bytes[i] != '\r') {
        keep(bytes[i++]);
      }
      if (i < bytes.size() && bytes[i] == ',') {
        ++i;
        continue;
      }
      break;  // end of row
    }
    if (i < bytes.size() && bytes[i] == '\r') ++i;
    if (i < bytes.size() && bytes[i] == '\n') ++i;
    ++line;
    if (first_too_long) continue;
    if (auto p = ImagePath(site_dir, first)) {
      if (out.size() >= kMaxPaths) return TooManyPaths();
      out.push_back(*std::move(p));
    }
  }
  return out;
}

Result<std::vector<std::string>> ParseInstalledFiles(
    std::string_view bytes, std::string_view egg_info_dir) {
  std::vector<std::string> out;
  while (!bytes.empty()) {
    size_t end = bytes.find('\n');
    std::string_view line = bytes.substr(0, end);
    bytes = end == std::string_view::npos ? "" : bytes.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    auto p = ImagePath(egg_info_dir, line);
    if (!p || *p == egg_info_dir) continue;
    if (out.size() >= kMaxPaths) return TooManyPaths();
    out.push_back(*std::move(p));
  }
  return out;
}

}  // namespace strata::catalog::python
