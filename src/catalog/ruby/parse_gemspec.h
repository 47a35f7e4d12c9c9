// Parser of installed gem specifications, a pure function over bytes.
//
// `gem install` writes <gem home>/specifications/<name>-<version>.gemspec
// with Gem::Specification#to_ruby: Ruby source of the form
//   Gem::Specification.new do |s|
//     s.name = "rack".freeze
//     s.version = "3.0.8"
//     s.licenses = ["MIT".freeze]
//     s.add_runtime_dependency(%q<minitest>.freeze, ["~> 5.0".freeze])
//   end
// (RubyGems 1.x wrote %q{rack} and no .freeze). The assignments and
// dependency calls on the block variable are read by pattern, as literals:
// nothing is evaluated. Only statements that start a line and set a kept
// field (name, version, summary, licenses, license, files) or add a
// dependency are read; the others (description, metadata, ...) are skipped
// unread. A kept statement whose value is not a literal
// (`s.files = Dir["lib/**/*"]` in a hand-written gemspec) is ignored.
// Literals: "..." (with Ruby's escapes; an interpolation makes it a
// non-literal), '...', %q/%Q with any delimiter (brackets nest), each
// optionally followed by .freeze; arrays of those, which may span lines.
//
// All input is hostile: bytes per string literal and items per array are
// capped (constants at the top of parse_gemspec.cc); nothing recurses.
// Thread-safety: pure functions.
#ifndef STRATA_CATALOG_RUBY_PARSE_GEMSPEC_H_
#define STRATA_CATALOG_RUBY_PARSE_GEMSPEC_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace strata::catalog::ruby {

struct Gemspec {
  std::string name;
  std::string version;
  std::string summary;
  std::vector<std::string> licenses;  // s.licenses, else s.license
  std::vector<std::string> files;     // as listed, relative to the gem dir
  // Names of runtime dependencies (add_runtime_dependency, add_dependency),
  // first occurrence order, no duplicates, without the development ones
  // (add_development_dependency: RubyGems 1.x repeats those as
  // add_dependency in a fallback branch).
  std::vector<std::string> depends;
  friend bool operator==(const Gemspec&, const Gemspec&) = default;
};

// Parses a gemspec. Errors (kDataLoss): no "Gem::Specification.new do |x|"
// block, no literal name or version, an unterminated literal (naming its
// line); caps hit are kResourceExhausted.
Result<Gemspec> ParseGemspec(std::string_view text);

}  // namespace strata::catalog::ruby

#endif  // STRATA_CATALOG_RUBY_PARSE_GEMSPEC_H_
