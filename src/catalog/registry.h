// The cataloger table and the cataloging pipeline.
#ifndef STRATA_CATALOG_REGISTRY_H_
#define STRATA_CATALOG_REGISTRY_H_

#include <string>
#include <vector>

#include "catalog/cataloger.h"

namespace strata::catalog {

// Every cataloger, in the order they run.
const std::vector<Cataloger>& Catalogers();

// Globs of every cataloger plus the distro detection files: pass them to
// image::LoadOptions::capture_globs.
std::vector<std::string> CaptureGlobs();
// Capture rules of every cataloger: pass them to
// image::LoadOptions::capture_rules.
std::vector<image::CaptureRule> CaptureRules();

// Detects the distro, runs every cataloger, fills the source description
// and finalises the SBOM.
Result<sbom::Sbom> Catalog(const image::LoadedImage& image);

}  // namespace strata::catalog

#endif  // STRATA_CATALOG_REGISTRY_H_
