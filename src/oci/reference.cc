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
constexpr std::array<Prefix, 4> kPrefixes = {{
    {"oci:", Transport::kOciLayout},
    {"oci-archive:", Transport::kOciArchive},
    {"docker-archive:", Transport::kDockerArchive},
    {"dir:", Transport::kRootfs},
}};

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

}  // namespace

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
  }
  return "unknown";
}

std::string ImageRef::ToString() const {
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
    if (LooksLikeOtherTransport(ref)) {
      return UnimplementedError("registry references are not supported yet");
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
