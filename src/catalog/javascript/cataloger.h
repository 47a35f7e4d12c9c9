// The JavaScript catalogers (see catalog/cataloger.h for the contract).
//
// "javascript-package-cataloger": installed packages, from package.json
// (package_json.h) at
//   - node_modules/<name>/ and node_modules/@<scope>/<name>/, at any depth:
//     nested node_modules, pnpm's node_modules/.pnpm/<id>/node_modules/,
//     global installs (usr/lib/node_modules, usr/local/lib/node_modules);
//   - Debian's module roots usr/share/nodejs/, usr/lib/nodejs/ and
//     usr/lib/<triplet>/nodejs/ (<name>/ or @<scope>/<name>/ directly below;
//     sbom-level linking to the owning dpkg package is not done here);
//   - a project's own directory, when a node_modules directory or a lock
//     file is beside its package.json.
//   Any other package.json (a package's lib/package.json, fixtures) is not
//   a package. A manifest without name or version is an unknown in the
//   first two places and silently skipped for a project.
// "javascript-lock-cataloger": lock files (lock.h) named package-lock.json,
//   npm-shrinkwrap.json, yarn.lock or pnpm-lock.yaml, except those inside a
//   node_modules tree or a Debian module (a package's own development
//   locks). When a node_modules directory is beside the lock, the lock
//   adds nothing: what is installed there is reported by the package
//   cataloger, and what is not (other platforms' optional packages, pruned
//   dev dependencies) is not in the image. Without node_modules, an entry
//   whose (name, version) is the project's own package.json is left to the
//   package cataloger; the others are reported with the lock file as
//   location (an image that ships only a lock still says what it pins).
//
// Packages: type npm, name (with its scope), version, licenses
// (NormalizeLicense), description, maintainer (the author), depends
// (dependency names), locations and introduced_layer (the manifest or lock
// file and its layer), extra "npm.homepage", "npm.repository" (manifests),
// "npm.resolved", "npm.integrity", "npm.dev" = "true", "npm.optional" =
// "true" (locks). Unreadable files and bad lock entries become unknowns.
// purl and cpes are left for sbom::Finalize.
#ifndef STRATA_CATALOG_JAVASCRIPT_CATALOGER_H_
#define STRATA_CATALOG_JAVASCRIPT_CATALOGER_H_

#include "catalog/cataloger.h"

namespace strata::catalog::javascript {

// "javascript-package-cataloger"
Cataloger MakeNpmPackageCataloger();
// "javascript-lock-cataloger"
Cataloger MakeJsLockCataloger();

}  // namespace strata::catalog::javascript

#endif  // STRATA_CATALOG_JAVASCRIPT_CATALOGER_H_
