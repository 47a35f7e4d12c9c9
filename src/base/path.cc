#include "base/path.h"

#include "base/caps.h"

namespace strata::path {

Result<std::string> NormalizeEntryPath(std::string_view name) {
  if (static_cast<int64_t>(name.size()) > caps::kMaxPathLength) {
    return ResourceExhaustedError(
        "path longer than " + std::to_string(caps::kMaxPathLength) + " bytes");
  }
  if (name.find('\0') != std::string_view::npos) {
    return DataLossError("path contains a NUL byte");
  }
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i <= name.size()) {
    size_t j = name.find('/', i);
    if (j == std::string_view::npos) j = name.size();
    std::string_view c = name.substr(i, j - i);
    if (c.empty() || c == ".") {
      // skip
    } else if (c == "..") {
      if (parts.empty()) {
        return PermissionDeniedError("path \"" +
                                     std::string(name.substr(0, 200)) +
                                     "\" climbs above the image root");
      }
      parts.pop_back();
    } else {
      parts.push_back(c);
      if (static_cast<int>(parts.size()) > caps::kMaxPathComponents) {
        return ResourceExhaustedError("path has more than " +
                                      std::to_string(caps::kMaxPathComponents) +
                                      " components");
      }
    }
    i = j + 1;
  }
  std::string out;
  out.reserve(name.size());
  for (size_t k = 0; k < parts.size(); ++k) {
    if (k) out.push_back('/');
    out.append(parts[k]);
  }
  return out;
}

std::string JoinClamped(std::string_view dir, std::string_view rel) {
  std::vector<std::string_view> parts;
  auto push = [&parts](std::string_view s) {
    size_t i = 0;
    while (i <= s.size()) {
      size_t j = s.find('/', i);
      if (j == std::string_view::npos) j = s.size();
      std::string_view c = s.substr(i, j - i);
      if (c == "..") {
        if (!parts.empty()) parts.pop_back();
      } else if (!c.empty() && c != ".") {
        parts.push_back(c);
      }
      i = j + 1;
    }
  };
  if (rel.empty() || rel.front() != '/') push(dir);
  push(rel);
  std::string out;
  for (size_t k = 0; k < parts.size(); ++k) {
    if (k) out.push_back('/');
    out.append(parts[k]);
  }
  return out;
}

std::vector<std::string_view> Split(std::string_view p) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < p.size()) {
    size_t j = p.find('/', i);
    if (j == std::string_view::npos) j = p.size();
    if (j > i) out.push_back(p.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

std::string_view Dirname(std::string_view p) {
  size_t s = p.rfind('/');
  return s == std::string_view::npos ? std::string_view() : p.substr(0, s);
}

std::string_view Basename(std::string_view p) {
  size_t s = p.rfind('/');
  return s == std::string_view::npos ? p : p.substr(s + 1);
}

std::string Join(std::string_view a, std::string_view b) {
  if (a.empty()) return std::string(b);
  if (b.empty()) return std::string(a);
  std::string out(a);
  out.push_back('/');
  out.append(b);
  return out;
}

}  // namespace strata::path
