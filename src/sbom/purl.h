// Package URLs (https://github.com/package-url/purl-spec) and CPE 2.3
// strings for OS packages.
#ifndef STRATA_SBOM_PURL_H_
#define STRATA_SBOM_PURL_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sbom/model.h"

namespace strata::sbom {

// Percent-encodes a PURL component (name, version, qualifier value) per
// the purl spec: unreserved characters stay, everything else is %XX.
std::string PurlEncode(std::string_view s);

// A parsed, percent-decoded Package URL.
struct Purl {
  std::string type;  // lowercase
  std::string namespace_;
  std::string name;
  std::string version;
  std::map<std::string, std::string> qualifiers;  // keys lowercase; empty
                                                  // values dropped
  std::string subpath;
};

// Parses a Package URL the way the purl spec says, right to left: #subpath,
// ?qualifiers, @version (the last '@' after the last '/', so an unencoded
// npm scope is no version), then type/namespace/name. nullopt when `s` is
// not one (no "pkg:" scheme, no type or name, bad percent-encoding, a
// qualifier without '=').
std::optional<Purl> ParsePurl(std::string_view s);

// The PURL of an OS package, syft style:
//   pkg:deb/debian/openssl@3.0.15-1~deb12u1?arch=amd64&distro=debian-12
//     (dpkg epochs stay inside the version: "1:1.2.13.dfsg-1" ->
//     "1%3A1.2.13.dfsg-1")
//   pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&distro=alpine-3.20.3
//   pkg:rpm/redhat/bash@5.1.8-1.el9?arch=x86_64&distro=rhel-9.4&epoch=1
// The namespace is the distro id (or "debian"/"alpine"/"redhat" when the
// distro is unknown); `upstream=` carries a differing source package name.
// Qualifiers are sorted by key as the spec requires.
std::string MakePurl(const Package& p, const Distro& d);

// CPE 2.3 formatted-string binding of one attribute value (NISTIR 7695
// §6.2): alphanumerics, '_', '-' and '.' stay; other printable ASCII is
// backslash-quoted. A value with bytes outside printable ASCII cannot be
// bound: "".
std::string CpeEscape(std::string_view s);

// CPE 2.3 guesses good enough for NVD lookups:
//   cpe:2.3:a:<vendor>:<product>:<version>:*:*:*:*:*:*:*
// with vendor/product candidates from the package and source names.
std::vector<std::string> MakeCpes(const Package& p, const Distro& d);

}  // namespace strata::sbom

#endif  // STRATA_SBOM_PURL_H_
