// Image references for local sources (registry references come later and
// become one more Transport).
//
//   oci:DIR[:TAG|@DIGEST]          OCI image layout directory
//   oci-archive:FILE[:TAG]         tar of an OCI image layout
//   docker-archive:FILE[:REF|:N|:@N]  `docker save` tar; REF picks a
//                                  RepoTags entry, N the N-th manifest
//                                  (0-based)
//   dir:ROOTFS                     an unpacked root filesystem
//   PATH                           auto-detected: a directory with
//                                  `oci-layout` -> oci; other directory -> dir;
//                                  a tar with `oci-layout` -> oci-archive; a
//                                  tar with `manifest.json` -> docker-archive
// As in skopeo, the path ends at the first ':' after the transport prefix,
// unless the whole remainder names an existing path.
#ifndef STRATA_OCI_REFERENCE_H_
#define STRATA_OCI_REFERENCE_H_

#include <optional>
#include <string>
#include <string_view>

#include "base/digest.h"
#include "base/status.h"

namespace strata::oci {

enum class Transport { kOciLayout, kOciArchive, kDockerArchive, kRootfs };
std::string_view TransportName(Transport t);  // "oci", "oci-archive", ...

struct ImageRef {
  Transport transport = Transport::kOciLayout;
  std::string path;              // host path
  std::string tag;               // oci/oci-archive tag or docker-archive REF
  std::optional<Digest> digest;  // oci:DIR@DIGEST
  std::optional<int> index;      // docker-archive:FILE:N
  std::string ToString() const;  // canonical form, round-trips through Parse
};

// Parses a reference. Pure syntax; touches the file system only to tell
// whether "PATH" / "oci:PATH:with:colons" exists and for auto-detection.
Result<ImageRef> ParseReference(std::string_view ref);

// Syntax only, no file system access (used by the fuzzer and for prefixed
// references): unprefixed paths are returned with transport kRootfs and
// `needs_detection` set.
Result<ImageRef> ParseReferenceSyntax(std::string_view ref,
                                      bool* needs_detection);

// Auto-detects the transport of a plain path (see above).
Result<Transport> DetectTransport(const std::string& path);

}  // namespace strata::oci

#endif  // STRATA_OCI_REFERENCE_H_
