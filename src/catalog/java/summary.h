// What the java-archive capture rule keeps of one archive file: the
// packages named from an archive scan (archive.h), and its problems, in a
// compact JSON form (the rule's reduce output, read back by the cataloger).
//
// Naming, per archive (the outer one and each nested one), after syft and
// Trivy:
//   1. The archive's own identity is the pom.properties whose artifactId is
//      the archive's file-name name (metadata.h ParseArchiveFileName;
//      among several, the one whose version is the file-name version too),
//      else the first whose artifactId starts with that name or that name
//      ends with it (syft): group, name = artifactId, version.
//   2. Otherwise, unless the manifest has Weave-Classes (New Relic
//      instrumentation jars, which syft skips): name = the file-name name,
//      version = the file-name version, else Implementation-Version,
//      Specification-Version, Bundle-Version; group = Implementation-
//      Vendor-Id, else Bundle-SymbolicName without its last dot segment
//      (Trivy). No name or no version: no package for the archive itself.
//   3. Every other pom.properties with an artifactId and a version (a fat
//      or shaded jar's embedded artifacts) is a package of its own, located
//      at the pom.properties, unless it repeats the archive's identity.
// Licences: the pom.xml beside the pom.properties, else (archive identity
// only) the manifest's Bundle-License; mapped to SPDX ids (LicenseId).
// `parent` links every package to the package of the nearest enclosing
// archive that has one (the cataloger turns it into "contains").
#ifndef STRATA_CATALOG_JAVA_SUMMARY_H_
#define STRATA_CATALOG_JAVA_SUMMARY_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "catalog/java/archive.h"

namespace strata::catalog::java {

struct JavaPackage {
  // Inside the scanned file, "!/"-joined: "" (the file itself),
  // "BOOT-INF/lib/a.jar", "META-INF/maven/g/a/pom.properties".
  std::string path;
  int parent = -1;  // index of the containing package, always lower
  std::string group;
  std::string name;
  std::string version;
  std::string sha1;  // archives only
  std::vector<std::string> licenses;
  // Manifest attributes that name the archive ("manifest:Bundle-Version"),
  // and "pomProperties": the pom.properties that named it.
  std::map<std::string, std::string> extra;
  friend bool operator==(const JavaPackage&, const JavaPackage&) = default;
};

struct Summary {
  std::vector<JavaPackage> packages;
  std::vector<Problem> problems;
  friend bool operator==(const Summary&, const Summary&) = default;
};

// Names the packages of a scan of the file called `file_name` (its base
// name: "commons-lang3-3.12.0.jar").
Summary Summarize(std::string_view file_name, const ScanResult& scan);

// Round trip through JSON. Decode checks the structure (types, parent
// indexes) and fails with kDataLoss on anything else.
std::string EncodeSummary(const Summary& summary);
Result<Summary> DecodeSummary(std::string_view text);

}  // namespace strata::catalog::java

#endif  // STRATA_CATALOG_JAVA_SUMMARY_H_
