// The installed gem cataloger (see catalog/cataloger.h for the contract).
//
// Reads the specifications RubyGems writes when it installs a gem, anywhere
// in the image (the system gem home, bundler's vendor/bundle, rbenv and
// rvm rubies):
//   <gem home>/specifications/<name>-<version>[-<platform>].gemspec
//   <gem home>/specifications/default/<name>-<version>.gemspec  (the gems
//     bundled with Ruby itself)
// For each (parse_gemspec.h):
//   name, version  as written;
//   licenses       each of s.licenses as an SPDX expression when it is one,
//                  else "LicenseRef-<name>";
//   description    s.summary;
//   depends        runtime dependency names;
//   files          s.files as image paths below <gem home>/gems/<spec file
//                  name without .gemspec>/, when that directory exists
//                  (RubyGems 1.x wrote s.files into installed specs; newer
//                  ones leave it out); none for default gems, whose files
//                  live in Ruby's own library directory;
//   locations      the gemspec.
// A gemspec that cannot be read becomes an unknown. purl and cpes are left
// for sbom::Finalize.
#ifndef STRATA_CATALOG_RUBY_CATALOGER_H_
#define STRATA_CATALOG_RUBY_CATALOGER_H_

#include "catalog/cataloger.h"

namespace strata::catalog::ruby {

// "ruby-installed-gemspec-cataloger"
Cataloger MakeRubyCataloger();

}  // namespace strata::catalog::ruby

#endif  // STRATA_CATALOG_RUBY_CATALOGER_H_
