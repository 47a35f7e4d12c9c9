// Helpers shared by the catalogers' tests (header-only: it needs gtest).
// Each cataloger test binds them to its own cataloger.
#ifndef STRATA_CATALOG_CATALOGER_TEST_UTIL_H_
#define STRATA_CATALOG_CATALOGER_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "base/caps.h"
#include "catalog/cataloger.h"
#include "oci/reference.h"

namespace strata::catalog::test {

// Loads `reference` capturing what `c` declares (its globs and rules), with
// the per-file capture cap `max_file_bytes`.
inline Result<image::LoadedImage> LoadForCataloger(
    const Cataloger& c, const std::string& reference,
    int64_t max_file_bytes = caps::kMaxCapturedFileBytes) {
  ASSIGN_OR_RETURN(oci::ImageRef ref, oci::ParseReference(reference));
  image::LoadOptions options;
  for (std::string_view g : c.globs) options.capture_globs.emplace_back(g);
  options.capture_rules = c.rules;
  options.max_captured_file_bytes = max_file_bytes;
  return image::Load(ref, options);
}

// Runs `c` on `img` (no distro); a failing run is a test failure.
inline sbom::Sbom RunCataloger(const Cataloger& c,
                               const image::LoadedImage& img) {
  sbom::Sbom out;
  sbom::Distro distro;
  Context ctx{img, distro};
  Status s = c.run(ctx, &out);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

// The first package named `name`, or null.
inline const sbom::Package* FindPackage(const sbom::Sbom& s,
                                        std::string_view name) {
  for (const sbom::Package& p : s.packages) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

// "path: reason" of every unknown, each checked to come from `cataloger`.
inline std::vector<std::string> UnknownReasons(const sbom::Sbom& s,
                                               std::string_view cataloger) {
  std::vector<std::string> out;
  for (const sbom::Unknown& u : s.unknowns) {
    EXPECT_EQ(u.cataloger, cataloger);
    out.push_back(u.location.path + ": " + u.reason);
  }
  return out;
}

}  // namespace strata::catalog::test

#endif  // STRATA_CATALOG_CATALOGER_TEST_UTIL_H_
