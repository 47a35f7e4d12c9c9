// The SBOM model: what an image contains, independent of any output format.
//
// The Sbom owns its packages; relationships and unknowns refer to packages
// by id (never by pointer). Ids are stable for the same input: derived from
// the package's type, name, version, architecture and where it was found.
// Thread-safety: plain values.
#ifndef STRATA_SBOM_MODEL_H_
#define STRATA_SBOM_MODEL_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata::sbom {

// Where something was found inside the image.
struct Location {
  std::string path;          // normalised image path ("var/lib/dpkg/status")
  int layer = -1;            // layer index, -1 for dir: sources
  std::string layer_digest;  // diffID "sha256:..." of that layer, if any
  friend bool operator==(const Location&, const Location&) = default;
  friend auto operator<=>(const Location&, const Location&) = default;
};

// The operating system of the image (from etc/os-release and fallbacks).
struct Distro {
  std::string id;          // "debian", "alpine", "rhel", "sles", ...
  std::string version_id;  // "12", "3.20.3"
  std::string codename;    // "bookworm"
  std::string name;        // NAME
  std::string pretty_name;
  std::vector<std::string> id_like;
  bool empty() const { return id.empty(); }
};

// OS packages first, then language ecosystems, then unpackaged binaries.
// Names are syft's package types, so that switching costs nothing.
enum class PackageType {
  kDeb,          // "deb"           pkg:deb
  kApk,          // "apk"           pkg:apk
  kRpm,          // "rpm"           pkg:rpm
  kPython,       // "python"        pkg:pypi
  kNpm,          // "npm"           pkg:npm
  kGoModule,     // "go-module"     pkg:golang
  kJavaArchive,  // "java-archive"  pkg:maven
  kRustCrate,    // "rust-crate"    pkg:cargo
  kGem,          // "gem"           pkg:gem
  kPhpComposer,  // "php-composer"  pkg:composer
  kDotnet,       // "dotnet"        pkg:nuget
  kBinary,       // "binary"        pkg:generic
};
std::string_view PackageTypeName(PackageType t);  // "deb", "go-module", ...
// The PURL type of `t` ("deb", "pypi", "golang", "maven", "generic", ...).
std::string_view PurlType(PackageType t);
// The type whose PackageTypeName is `name`, or nullopt.
std::optional<PackageType> PackageTypeFromName(std::string_view name);
// The type whose PurlType is `purl_type`, or nullopt.
std::optional<PackageType> PackageTypeFromPurlType(std::string_view purl_type);
// True for deb, apk and rpm.
bool IsOsPackage(PackageType t);

struct Package {
  std::string id;  // set by Finalize()
  PackageType type = PackageType::kDeb;
  std::string name;          // as the ecosystem writes it: "@babel/core",
                             // "github.com/pkg/errors", "vendor/package"
  std::string group;         // Maven groupId (the PURL namespace); empty
                             // elsewhere
  std::string version;       // full version as the ecosystem writes it
                             // (dpkg: "[epoch:]upstream[-revision]";
                             // rpm: "version-release", epoch apart)
  std::string epoch;         // rpm only ("" when absent)
  std::string architecture;  // "amd64", "x86_64", "noarch", "all"
  std::string source_name;   // dpkg Source:, apk origin, rpm source RPM name
  std::string source_version;
  std::vector<std::string> licenses;  // SPDX ids/expressions; a name that
                                      // is not an SPDX id becomes
                                      // "LicenseRef-<name>" (rpm keeps the
                                      // declared text as is)
  std::string maintainer;   // dpkg Maintainer, apk maintainer, rpm vendor
  std::string description;  // one line
  std::vector<std::string> files;    // owned files (normalised paths)
  std::vector<std::string> depends;  // raw dependency names (resolved by
                                     // Finalize into relationships)
  std::vector<std::string> provides;
  std::vector<Location> locations;  // the records it came from (database,
                                    // metadata file, archive or binary;
                                    // "outer.jar!/BOOT-INF/lib/x.jar" for
                                    // nested archives)
  std::map<std::string, std::string> digests;  // "SHA-1" -> hex (archives)
  int introduced_layer = -1;                   // first layer whose db lists it
  std::string purl;
  std::vector<std::string> cpes;
  std::string cataloger;  // name of the cataloger that found it
  std::map<std::string, std::string> extra;  // format-specific, sorted
};

struct Relationship {
  std::string from;  // package id
  std::string to;    // package id
  // "depends-on"; "contains": `from` (an OS package or an archive) holds
  // the files of `to` (a language package found inside it), so a
  // vulnerability in `to` is the same finding as one in `from`'s contents.
  std::string type;
  friend bool operator==(const Relationship&, const Relationship&) = default;
  friend auto operator<=>(const Relationship&, const Relationship&) = default;
};

// A record that could not be read; the scan went on.
struct Unknown {
  Location location;
  std::string cataloger;
  std::string reason;  // one line
};

// What was scanned.
struct Source {
  std::string reference;        // canonical image reference
  std::string transport;        // "oci", "docker-archive", "dir", ...
  std::string manifest_digest;  // "" for dir:
  std::string config_digest;
  std::string media_type;
  std::string platform;  // "linux/amd64"
  std::vector<std::string> layer_diff_ids;
  std::vector<std::string> repo_tags;
  std::string name;  // a human name: first repo tag, else path
};

struct Sbom {
  Source source;
  Distro distro;
  std::vector<Package> packages;
  std::vector<Relationship> relationships;
  std::vector<Unknown> unknowns;
};

// "LicenseRef-<name>" for a licence name that is not an SPDX id, with every
// character outside [A-Za-z0-9.-] replaced by '-' (the SPDX idstring).
std::string LicenseRefFor(std::string_view name);

// Sorts packages (type, name, version, arch, first location), assigns ids,
// fills PURLs and CPEs where empty, resolves `depends` to depends-on
// relationships between packages present (by name or provides, within the
// same package type), and sorts relationships and unknowns. Idempotent.
void Finalize(Sbom& sbom);

}  // namespace strata::sbom

#endif  // STRATA_SBOM_MODEL_H_
