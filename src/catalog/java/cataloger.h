// The Java archive cataloger (see catalog/cataloger.h for the contract).
//
// One capture rule, "java-archive": regular files named *.jar, *.war,
// *.ear, *.par, *.sar, *.nar, *.jpi, *.hpi, *.kar or *.lpkg (syft's list)
// that start with "PK\x03\x04", up to 256 MiB (ScanLimits::
// max_archive_bytes; a larger file is an unknown). Its reduce scans the zip
// in memory, nested archives included (archive.h: depth, entry and byte
// caps against zip bombs), names the packages (summary.h: pom.properties,
// MANIFEST.MF, file name, as syft and Trivy do) and keeps only that
// summary.
//
// run turns each current summary into kJavaArchive packages:
//   name, group, version  Maven artifactId, groupId, version (the PURL
//                         pkg:maven/<group>/<name>@<version> is left to
//                         sbom::Finalize);
//   locations  the archive file; inside it "a.jar!/BOOT-INF/lib/b.jar" for
//              a nested archive, "a.jar!/META-INF/maven/g/x/pom.properties"
//              for an artifact embedded in a fat or shaded jar;
//   digests    {"SHA-1": hex} of each archive's own bytes;
//   licenses   from the pom.xml or the manifest's Bundle-License;
//   extra      "manifest:<attribute>" for the identifying manifest
//              attributes, "pomProperties" for the file that named it.
// Each package inside another archive gets a "contains" relationship from
// the package of its nearest enclosing archive. Packages only get ids in
// sbom::Finalize, so run gives them provisional ids
// ("java-archive-cataloger:<n>") for these relationships, which Finalize
// carries over to the final ids.
// Unknowns: an archive over the cap, an unreadable archive (at its
// location), and each problem inside one (at "a.jar!/<path>").
#ifndef STRATA_CATALOG_JAVA_CATALOGER_H_
#define STRATA_CATALOG_JAVA_CATALOGER_H_

#include "catalog/cataloger.h"

namespace strata::catalog::java {

// "java-archive-cataloger"
Cataloger MakeJavaCataloger();

}  // namespace strata::catalog::java

#endif  // STRATA_CATALOG_JAVA_CATALOGER_H_
