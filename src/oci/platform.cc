#include <algorithm>
#include <cctype>

#include "oci/manifest.h"

namespace strata::oci {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}

// containerd's platforms.Normalize for architecture and variant.
Platform Normalize(const Platform& p) {
  Platform n = p;
  n.os = Lower(p.os);
  n.architecture = Lower(p.architecture);
  n.variant = Lower(p.variant);
  std::string& arch = n.architecture;
  std::string& var = n.variant;
  if (arch == "i386") {
    arch = "386";
    var.clear();
  } else if (arch == "x86_64" || arch == "x86-64" || arch == "amd64") {
    arch = "amd64";
    if (var == "v1") var.clear();
  } else if (arch == "aarch64" || arch == "arm64") {
    arch = "arm64";
    if (var == "8" || var == "v8.0") var = "v8";
    if (var == "9" || var == "9.0" || var == "v9.0") var = "v9";
  } else if (arch == "armhf") {
    arch = "arm";
    var = "v7";
  } else if (arch == "armel") {
    arch = "arm";
    var = "v6";
  } else if (arch == "arm") {
    if (var == "5" || var == "6" || var == "7" || var == "8") var = "v" + var;
  }
  return n;
}

// The variant a platform without one means.
std::string DefaultVariant(const Platform& normalized) {
  if (normalized.architecture == "arm64") return "v8";
  if (normalized.architecture == "arm") return "v7";
  return "";
}

}  // namespace

std::string Platform::ToString() const {
  std::string out = os + "/" + architecture;
  if (!variant.empty()) out += "/" + variant;
  return out;
}

Result<Platform> ParsePlatform(std::string_view s) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (parts.size() < 4) {
    size_t j = s.find('/', i);
    parts.push_back(s.substr(i, j == std::string_view::npos ? j : j - i));
    if (j == std::string_view::npos) break;
    i = j + 1;
  }
  bool ok = (parts.size() == 2 || parts.size() == 3);
  for (std::string_view part : parts) ok = ok && !part.empty();
  if (!ok) {
    return InvalidArgumentError("invalid platform \"" +
                                std::string(s.substr(0, 100)) +
                                "\": want os/arch[/variant]");
  }
  Platform p;
  p.os = std::string(parts[0]);
  p.architecture = std::string(parts[1]);
  if (parts.size() == 3) p.variant = std::string(parts[2]);
  return Normalize(p);
}

Platform HostPlatform() {
  Platform p;
  p.os = "linux";
#if defined(__x86_64__)
  p.architecture = "amd64";
#elif defined(__aarch64__)
  p.architecture = "arm64";
  p.variant = "v8";
#elif defined(__arm__)
  p.architecture = "arm";
  p.variant = "v7";
#elif defined(__i386__)
  p.architecture = "386";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  p.architecture = "ppc64le";
#elif defined(__s390x__)
  p.architecture = "s390x";
#elif defined(__riscv) && __riscv_xlen == 64
  p.architecture = "riscv64";
#else
#error "unsupported host architecture"
#endif
  return p;
}

bool PlatformMatches(const Platform& want, const Platform& candidate) {
  Platform w = Normalize(want);
  Platform c = Normalize(candidate);
  if (w.os != c.os || w.architecture != c.architecture) return false;
  if (w.variant.empty()) return true;
  std::string cv = c.variant.empty() ? DefaultVariant(c) : c.variant;
  return w.variant == cv;
}

}  // namespace strata::oci
