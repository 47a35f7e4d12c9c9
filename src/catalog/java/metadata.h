// Parsers for the metadata inside Java archives: the main section of
// META-INF/MANIFEST.MF, Maven's pom.properties, the <licenses> of a pom.xml,
// and archive file names ("commons-lang3-3.12.0.jar"). Pure functions over
// bytes the caller has already capped (archive.h reads at most
// ScanLimits::max_metadata_bytes per file). Thread-safe.
#ifndef STRATA_CATALOG_JAVA_METADATA_H_
#define STRATA_CATALOG_JAVA_METADATA_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace strata::catalog::java {

// Main-section attributes of a manifest, keyed by lowercased name (names
// are case-insensitive in the JAR specification); a repeated name keeps its
// last value, as java.util.jar.Manifest does.
struct Manifest {
  std::map<std::string, std::string> attributes;
  // The value of `name` (any case), trimmed, if present.
  std::optional<std::string> Get(std::string_view name) const;
};

// Parses the main section (up to the first blank line) of a JAR manifest:
// "Name: value" lines ending in LF, CRLF or CR, continuation lines starting
// with one space. A line that is neither a header ("Name:" with a name of
// [A-Za-z0-9_-]) nor a continuation of one is kDataLoss
// "line N: invalid header".
Result<Manifest> ParseManifest(std::string_view text);

struct PomProperties {
  std::string group_id;
  std::string artifact_id;
  std::string version;
};

// Reads groupId, artifactId and version from a java.util.Properties text
// ('#'/'!' comments, "key=value", "key: value" or "key value", backslash
// line continuations and escapes). Values are trimmed; missing ones stay
// empty. Never fails: every line of a properties file means something.
PomProperties ParsePomProperties(std::string_view text);

// The names (or, for a nameless licence, the URL) of the licences in a
// pom.xml's <licenses> element, XML entities decoded, at most 32. A plain
// text scan, no XML parser: comments and CDATA are not interpreted.
std::vector<std::string> PomLicenseNames(std::string_view xml);

// The licences of an OSGi Bundle-License header: each comma-separated
// clause's first part (an SPDX id or a URL), attributes dropped.
std::vector<std::string> BundleLicenses(std::string_view header);

// An SPDX id for a licence name, id or URL as Maven poms and OSGi manifests
// write them ("The Apache Software License, Version 2.0",
// "https://www.apache.org/licenses/LICENSE-2.0.txt", "MIT"), for the common
// ones; anything else becomes sbom::LicenseRefFor(name).
std::string LicenseId(std::string_view name);

// Name and version from an archive's file name, as syft reads it: the
// extension is dropped, then the version starts at the first '-' followed by
// a digit, "build<digits>", "r<digits>" or "rc<digits>"
// ("jackson-databind-2.14.0.jar" -> jackson-databind, 2.14.0;
// "guava-31.1-jre.jar" -> guava, 31.1-jre); failing that, at the first '.'
// or '_' followed by a digit ("org.eclipse.osgi_3.18.0.v2022.jar"). The
// name must start with a letter, else both are empty ("1.0.jar").
struct FileNameId {
  std::string name;
  std::string version;
};
FileNameId ParseArchiveFileName(std::string_view file_name);

// True for a value usable as a name, group or version: 1 to 256 bytes, no
// control characters.
bool IsUsableValue(std::string_view v);

}  // namespace strata::catalog::java

#endif  // STRATA_CATALOG_JAVA_METADATA_H_
