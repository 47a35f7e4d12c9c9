// Image references.
//
//   oci:DIR[:TAG|@DIGEST]          OCI image layout directory
//   oci-archive:FILE[:TAG]         tar of an OCI image layout
//   docker-archive:FILE[:REF|:N|:@N]  `docker save` tar; REF picks a
//                                  RepoTags entry, N the N-th manifest
//                                  (0-based)
//   dir:ROOTFS                     an unpacked root filesystem
//   docker://NAME, registry:NAME   an image in a registry (NAME below)
//   PATH                           auto-detected: a directory with
//                                  `oci-layout` -> oci; other directory -> dir;
//                                  a tar with `oci-layout` -> oci-archive; a
//                                  tar with `manifest.json` -> docker-archive
//   NAME                           a registry image, when no such path
//                                  exists and NAME is a valid name
// As in skopeo, the path ends at the first ':' after the transport prefix,
// unless the whole remainder names an existing path.
//
// Registry names follow the distribution reference grammar:
//   [DOMAIN/]PATH[:TAG][@DIGEST]
// DOMAIN is the first component when it contains '.' or ':' or is
// "localhost" (host[:port], [IPv6]:port); otherwise docker.io, where a
// one-component PATH gets "library/" (alpine -> docker.io/library/alpine).
// PATH components are [a-z0-9]+ joined by '.', '_', '__' or '-'+; the whole
// name is at most 255 bytes; TAG is [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}.
// Neither tag nor digest means "latest".
#ifndef STRATA_OCI_REFERENCE_H_
#define STRATA_OCI_REFERENCE_H_

#include <optional>
#include <string>
#include <string_view>

#include "base/digest.h"
#include "base/status.h"

namespace strata::oci {

enum class Transport {
  kOciLayout,
  kOciArchive,
  kDockerArchive,
  kRootfs,
  kRegistry
};
std::string_view TransportName(Transport t);  // "oci", "oci-archive", ...

struct ImageRef {
  Transport transport = Transport::kOciLayout;
  std::string path;              // host path
  std::string tag;               // oci/oci-archive tag or docker-archive REF
  std::optional<Digest> digest;  // oci:DIR@DIGEST
  std::optional<int> index;      // docker-archive:FILE:N
  std::string registry;          // kRegistry: "docker.io", "127.0.0.1:5000"
  std::string repository;        // kRegistry: "library/alpine"
  std::string ToString() const;  // canonical form, round-trips through Parse
  // kRegistry: "docker.io/library/alpine:3.20" (tag and/or @digest).
  std::string Name() const;
};

// The host that serves the registry API for a reference's registry:
// registry-1.docker.io for docker.io, the registry itself otherwise.
std::string RegistryApiHost(std::string_view registry);

// Parses a registry name (after any docker:// or registry: prefix) into a
// kRegistry reference.
Result<ImageRef> ParseRegistryName(std::string_view name);

// The grammar's pieces, for code that puts names into URLs: one path
// component of a repository ([a-z0-9]+ joined by '.', '_', '__' or runs of
// '-'), and a tag ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}).
bool IsRepositoryComponent(std::string_view component);
bool IsRegistryTag(std::string_view tag);

// "registry/repository" without tag or digest, validated as above: for
// commands that name a repository (strata ls).
Result<ImageRef> ParseRepository(std::string_view name);

// Parses a reference. Pure syntax; touches the file system only to tell
// whether "PATH" / "oci:PATH:with:colons" exists and for auto-detection.
Result<ImageRef> ParseReference(std::string_view ref);

// Syntax only, no file system access (used by the fuzzer and for prefixed
// references). Unprefixed references set `needs_detection` (they may name a
// path): a valid registry name is returned as kRegistry with `path` also
// set to the reference, anything else as kRootfs.
Result<ImageRef> ParseReferenceSyntax(std::string_view ref,
                                      bool* needs_detection);

// Auto-detects the transport of a plain path (see above).
Result<Transport> DetectTransport(const std::string& path);

}  // namespace strata::oci

#endif  // STRATA_OCI_REFERENCE_H_
