#include "oci/reference.h"

#include <sys/stat.h>

#include <array>
#include <cerrno>

#include "base/caps.h"
#include "base/path.h"
#include "io/file_source.h"
#include "oci/local_stores.h"
#include "tar/tar_reader.h"

namespace strata::oci {
namespace {

struct Prefix {
  std::string_view text;
  Transport transport;
};
constexpr std::array<Prefix, 6> kPrefixes = {{
    {"oci:", Transport::kOciLayout},
    {"oci-archive:", Transport::kOciArchive},
    {"docker-archive:", Transport::kDockerArchive},
    {"dir:", Transport::kRootfs},
    {"docker://", Transport::kRegistry},
    {"registry:", Transport::kRegistry},
}};

constexpr size_t kMaxNameLength = 255;  // distribution's NameTotalLengthMax
constexpr size_t kMaxTagLength = 128;
constexpr std::string_view kDockerHub = "docker.io";

const Prefix* FindPrefix(std::string_view ref) {
  for (const Prefix& p : kPrefixes) {
    if (ref.starts_with(p.text)) return &p;
  }
  return nullptr;
}

// "docker://x", "registry:x", "alpine:3.20": a scheme-like word before the
// first ':' that is no transport of ours.
bool LooksLikeOtherTransport(std::string_view ref) {
  size_t colon = ref.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  for (char c : ref.substr(0, colon)) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return false;
    }
  }
  return true;
}

// OCI ref.name / docker reference characters (image-spec "ref" grammar).
bool IsValidTag(std::string_view tag) {
  if (tag.empty()) return false;
  for (char c : tag) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
              c == ':' || c == '@' || c == '+' || c == '/';
    if (!ok) return false;
  }
  return true;
}

// host[:port] or [v6]:port; host labels of [A-Za-z0-9-] joined by '.'.
bool IsDomain(std::string_view d) {
  std::string_view host = d, port;
  if (d.starts_with('[')) {
    size_t close = d.find(']');
    if (close == std::string_view::npos) return false;
    std::string_view v6 = d.substr(1, close - 1);
    if (v6.empty() || v6.find_first_not_of("0123456789abcdefABCDEF:.") !=
                          std::string_view::npos) {
      return false;
    }
    std::string_view after = d.substr(close + 1);
    if (!after.empty() && !after.starts_with(':')) return false;
    port = after.empty() ? "" : after.substr(1);
    if (!after.empty() && port.empty()) return false;
    host = "";
  } else if (size_t colon = d.find(':'); colon != std::string_view::npos) {
    host = d.substr(0, colon);
    port = d.substr(colon + 1);
    if (port.empty()) return false;
  }
  if (!port.empty() &&
      (port.size() > 5 ||
       port.find_first_not_of("0123456789") != std::string_view::npos)) {
    return false;
  }
  if (d.starts_with('[')) return true;
  if (host.empty()) return false;
  size_t start = 0;
  while (start <= host.size()) {
    size_t dot = host.find('.', start);
    std::string_view label = host.substr(start, dot == std::string_view::npos
                                                    ? std::string_view::npos
                                                    : dot - start);
    if (label.empty() || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char c : label) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                (c >= '0' && c <= '9') || c == '-';
      if (!ok) return false;
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return true;
}

Status BadName(std::string_view name, std::string_view why) {
  return InvalidArgumentError("invalid image name \"" +
                              std::string(name.substr(0, 200)) +
                              "\": " + std::string(why));
}

// Splits "[domain/]path" into registry and repository, validating both.
Status ParseRepositoryPart(std::string_view full, std::string_view name,
                           ImageRef* out) {
  if (name.empty()) return BadName(full, "empty repository");
  std::string_view domain, path = name;
  size_t slash = name.find('/');
  if (slash != std::string_view::npos) {
    std::string_view first = name.substr(0, slash);
    if (first.find_first_of(".:") != std::string_view::npos ||
        first == "localhost" || first.starts_with('[')) {
      domain = first;
      path = name.substr(slash + 1);
    }
  }
  if (!domain.empty() && !IsDomain(domain)) {
    return BadName(full, "invalid registry host \"" +
                             std::string(domain.substr(0, 200)) + "\"");
  }
  if (path.empty()) return BadName(full, "empty repository");
  size_t start = 0;
  while (true) {
    size_t next = path.find('/', start);
    std::string_view comp = path.substr(
        start, next == std::string_view::npos ? next : next - start);
    if (!IsRepositoryComponent(comp)) {
      return BadName(full, "invalid repository component \"" +
                               std::string(comp.substr(0, 200)) +
                               "\" (lowercase letters, digits and . _ __ -)");
    }
    if (next == std::string_view::npos) break;
    start = next + 1;
  }
  std::string registry(domain.empty() ? kDockerHub : domain);
  if (registry == "index.docker.io" || registry == "registry-1.docker.io") {
    registry = kDockerHub;
  }
  std::string repository(path);
  if (registry == kDockerHub && path.find('/') == std::string_view::npos) {
    repository = "library/" + repository;
  }
  if (registry.size() + 1 + repository.size() > kMaxNameLength) {
    return BadName(full,
                   "longer than " + std::to_string(kMaxNameLength) + " bytes");
  }
  out->transport = Transport::kRegistry;
  out->registry = std::move(registry);
  out->repository = std::move(repository);
  return Status::Ok();
}

Status BadReference(std::string_view ref, std::string_view why) {
  return InvalidArgumentError("invalid image reference \"" + std::string(ref) +
                              "\": " + std::string(why));
}

// oci:DIR[:TAG|@DIGEST] and oci-archive:FILE[:TAG|@DIGEST].
Status ParseOciRest(std::string_view ref, std::string_view rest,
                    ImageRef* out) {
  size_t at = rest.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view d = rest.substr(at + 1);
    if (d.starts_with("sha256:") || d.starts_with("sha512:")) {
      Result<Digest> digest = Digest::Parse(d);
      if (!digest.ok()) return BadReference(ref, digest.status().message());
      out->digest = *digest;
      out->path = std::string(rest.substr(0, at));
      return Status::Ok();
    }
  }
  size_t colon = rest.find(':');
  out->path = std::string(rest.substr(0, colon));
  if (colon != std::string_view::npos) {
    std::string_view tag = rest.substr(colon + 1);
    if (!IsValidTag(tag)) {
      return BadReference(ref, "invalid tag \"" + std::string(tag) + "\"");
    }
    out->tag = std::string(tag);
  }
  return Status::Ok();
}

// docker-archive:FILE[:REF|:N|:@N].
Status ParseDockerArchiveRest(std::string_view ref, std::string_view rest,
                              ImageRef* out) {
  size_t colon = rest.find(':');
  out->path = std::string(rest.substr(0, colon));
  if (colon == std::string_view::npos) return Status::Ok();
  std::string_view sel = rest.substr(colon + 1);
  std::string_view digits = sel.starts_with('@') ? sel.substr(1) : sel;
  bool all_digits = !digits.empty() &&
                    digits.find_first_not_of("0123456789") == std::string::npos;
  if (all_digits) {
    if (digits.size() > 9) return BadReference(ref, "image index too large");
    out->index = std::stoi(std::string(digits));
    return Status::Ok();
  }
  if (sel.starts_with('@')) {
    return BadReference(ref, "\"@\" must be followed by an image index");
  }
  if (!IsValidTag(sel)) {
    return BadReference(ref, "invalid image name \"" + std::string(sel) + "\"");
  }
  out->tag = std::string(sel);
  return Status::Ok();
}

bool PathExists(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0;
}

Status NotAnImage(const std::string& path) {
  return InvalidArgumentError(path +
                              " is not an image (expected an OCI layout, an "
                              "OCI or docker archive, or a directory)");
}

Result<Transport> DetectArchive(const std::string& path) {
  ASSIGN_OR_RETURN(std::shared_ptr<io::SharedFile> file,
                   io::SharedFile::Open(path));
  RETURN_IF_ERROR(RejectCompressedArchive(*file));
  // Only headers are read: data is skipped with seeks.
  io::RangeSource src(file, 0, file->size());
  tar::Reader reader(src);
  tar::Entry entry;
  bool oci_layout = false, docker_manifest = false;
  for (int64_t count = 0; count < caps::kMaxArchiveMembers; ++count) {
    Result<bool> next = reader.Next(&entry);
    if (!next.ok() || !*next) break;
    if (entry.type != tar::EntryType::kRegular) continue;
    Result<std::string> name = path::NormalizeEntryPath(entry.name);
    if (!name.ok()) continue;
    if (*name == "oci-layout") oci_layout = true;
    if (*name == "manifest.json") docker_manifest = true;
    if (oci_layout) break;  // an OCI layout wins over docker's manifest.json
  }
  if (oci_layout) return Transport::kOciArchive;
  if (docker_manifest) return Transport::kDockerArchive;
  return NotAnImage(path);
}

bool IsLowerAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

}  // namespace

bool IsRepositoryComponent(std::string_view c) {
  if (c.empty() || !IsLowerAlnum(c.front()) || !IsLowerAlnum(c.back())) {
    return false;
  }
  for (size_t i = 0; i < c.size();) {
    if (IsLowerAlnum(c[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < c.size() && !IsLowerAlnum(c[j])) ++j;
    std::string_view sep = c.substr(i, j - i);
    bool ok = sep == "." || sep == "_" || sep == "__" ||
              sep.find_first_not_of('-') == std::string_view::npos;
    if (!ok) return false;
    i = j;
  }
  return true;
}

bool IsRegistryTag(std::string_view t) {
  if (t.empty() || t.size() > kMaxTagLength) return false;
  for (size_t i = 0; i < t.size(); ++i) {
    char c = t[i];
    bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                (c >= '0' && c <= '9') || c == '_';
    if (!word && (i == 0 || (c != '.' && c != '-'))) return false;
  }
  return true;
}

std::string_view TransportName(Transport t) {
  switch (t) {
    case Transport::kOciLayout:
      return "oci";
    case Transport::kOciArchive:
      return "oci-archive";
    case Transport::kDockerArchive:
      return "docker-archive";
    case Transport::kRootfs:
      return "dir";
    case Transport::kRegistry:
      return "docker";
  }
  return "unknown";
}

std::string ImageRef::Name() const {
  std::string out = registry + "/" + repository;
  if (!tag.empty()) out += ":" + tag;
  if (digest) out += "@" + digest->ToString();
  return out;
}

std::string RegistryApiHost(std::string_view registry) {
  if (registry == kDockerHub) return "registry-1.docker.io";
  return std::string(registry);
}

Result<ImageRef> ParseRegistryName(std::string_view name) {
  if (name.empty()) return InvalidArgumentError("empty image name");
  if (name.size() > caps::kMaxReferenceLength) {
    return ResourceExhaustedError("image name longer than " +
                                  std::to_string(caps::kMaxReferenceLength) +
                                  " bytes");
  }
  ImageRef out;
  std::string_view rest = name;
  if (size_t at = rest.find('@'); at != std::string_view::npos) {
    Result<Digest> d = Digest::Parse(rest.substr(at + 1));
    if (!d.ok()) return BadName(name, d.status().message());
    out.digest = *d;
    rest = rest.substr(0, at);
  }
  // A tag follows the last ':' that comes after the last '/' (a ':' before
  // it is a port).
  size_t slash = rest.rfind('/');
  size_t colon = rest.rfind(':');
  if (colon != std::string_view::npos &&
      (slash == std::string_view::npos || colon > slash) &&
      !(slash == std::string_view::npos && rest.starts_with('['))) {
    std::string_view tag = rest.substr(colon + 1);
    if (!IsRegistryTag(tag)) {
      return BadName(name,
                     "invalid tag \"" + std::string(tag.substr(0, 200)) + "\"");
    }
    out.tag = std::string(tag);
    rest = rest.substr(0, colon);
  }
  RETURN_IF_ERROR(ParseRepositoryPart(name, rest, &out));
  if (out.tag.empty() && !out.digest) out.tag = "latest";
  return out;
}

Result<ImageRef> ParseRepository(std::string_view name) {
  if (name.empty()) return InvalidArgumentError("empty repository name");
  if (name.size() > caps::kMaxReferenceLength) {
    return ResourceExhaustedError("repository name longer than " +
                                  std::to_string(caps::kMaxReferenceLength) +
                                  " bytes");
  }
  for (std::string_view p : {"docker://", "registry:"}) {
    if (name.starts_with(p)) name.remove_prefix(p.size());
  }
  ImageRef out;
  RETURN_IF_ERROR(ParseRepositoryPart(name, name, &out));
  return out;
}

std::string ImageRef::ToString() const {
  if (transport == Transport::kRegistry) return "docker://" + Name();
  std::string out = std::string(TransportName(transport)) + ":" + path;
  if (digest) {
    out += "@" + digest->ToString();
  } else if (index) {
    out += ":@" + std::to_string(*index);
  } else if (!tag.empty()) {
    out += ":" + tag;
  }
  return out;
}

Result<ImageRef> ParseReferenceSyntax(std::string_view ref,
                                      bool* needs_detection) {
  *needs_detection = false;
  if (ref.empty()) return InvalidArgumentError("empty image reference");
  if (static_cast<int64_t>(ref.size()) > caps::kMaxReferenceLength) {
    return ResourceExhaustedError("image reference longer than " +
                                  std::to_string(caps::kMaxReferenceLength) +
                                  " bytes");
  }
  if (ref.find('\0') != std::string_view::npos) {
    return InvalidArgumentError("image reference contains a NUL byte");
  }
  ImageRef out;
  const Prefix* prefix = FindPrefix(ref);
  if (prefix == nullptr) {
    // Not a path (ParseReference has looked): a registry name if it is one.
    Result<ImageRef> named = ParseRegistryName(ref);
    if (named.ok()) {
      *needs_detection = true;
      named->path = std::string(ref);
      return named;
    }
    if (LooksLikeOtherTransport(ref)) {
      return UnimplementedError("unknown transport in \"" +
                                std::string(ref.substr(0, 200)) +
                                "\" (want oci:, oci-archive:, "
                                "docker-archive:, dir:, docker:// or "
                                "registry:)");
    }
    out.transport = Transport::kRootfs;
    out.path = std::string(ref);
    *needs_detection = true;
    return out;
  }
  out.transport = prefix->transport;
  std::string_view rest = ref.substr(prefix->text.size());
  switch (out.transport) {
    case Transport::kOciLayout:
    case Transport::kOciArchive:
      RETURN_IF_ERROR(ParseOciRest(ref, rest, &out));
      break;
    case Transport::kDockerArchive:
      RETURN_IF_ERROR(ParseDockerArchiveRest(ref, rest, &out));
      break;
    case Transport::kRootfs:
      out.path = std::string(rest);
      break;
    case Transport::kRegistry:
      return ParseRegistryName(rest);
  }
  if (out.path.empty()) return BadReference(ref, "empty path");
  return out;
}

Result<ImageRef> ParseReference(std::string_view ref) {
  // A remainder that names an existing path wins over any reading of its
  // colons ("oci:PATH:with:colons", a plain "PATH:x").
  const Prefix* prefix = FindPrefix(ref);
  std::string_view whole = prefix ? ref.substr(prefix->text.size()) : ref;
  if (!whole.empty() &&
      static_cast<int64_t>(ref.size()) <= caps::kMaxReferenceLength &&
      whole.find('\0') == std::string_view::npos &&
      PathExists(std::string(whole))) {
    ImageRef out;
    out.path = std::string(whole);
    if (prefix) {
      out.transport = prefix->transport;
    } else {
      ASSIGN_OR_RETURN(out.transport, DetectTransport(out.path));
    }
    return out;
  }
  bool needs_detection = false;
  ASSIGN_OR_RETURN(ImageRef out, ParseReferenceSyntax(ref, &needs_detection));
  if (needs_detection && out.transport == Transport::kRegistry) {
    out.path.clear();  // no such path: the registry name it also is
    return out;
  }
  if (needs_detection) {
    ASSIGN_OR_RETURN(out.transport, DetectTransport(out.path));
  }
  return out;
}

Result<Transport> DetectTransport(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    int err = errno;
    if (err == ENOENT || err == ENOTDIR) {
      return NotFoundError(path + ": no such file or directory");
    }
    return ErrnoError(path, err);
  }
  if (S_ISDIR(st.st_mode)) {
    struct stat layout;
    std::string marker = path + "/oci-layout";
    if (::stat(marker.c_str(), &layout) == 0 && S_ISREG(layout.st_mode)) {
      return Transport::kOciLayout;
    }
    return Transport::kRootfs;
  }
  if (!S_ISREG(st.st_mode)) return NotAnImage(path);
  return DetectArchive(path);
}

}  // namespace strata::oci
