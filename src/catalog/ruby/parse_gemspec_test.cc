#include "catalog/ruby/parse_gemspec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "testing/test_util.h"

namespace strata::catalog::ruby {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::StartsWith;

std::string Testdata(const std::string& rel) {
  return testing::ReadTestFile(std::string(STRATA_SOURCE_DIR) +
                               "/src/catalog/ruby/testdata/gems/" + rel);
}

Gemspec MustParse(std::string_view text) {
  Result<Gemspec> g = ParseGemspec(text);
  EXPECT_TRUE(g.ok()) << g.status().ToString();
  return g.ok() ? *std::move(g) : Gemspec{};
}

std::string Spec(std::string_view body) {
  return "Gem::Specification.new do |s|\n" + std::string(body) + "end\n";
}

TEST(ParseGemspecTest, ReadsWhatGemInstallWrites) {
  std::string text =
      Testdata("usr/local/bundle/specifications/rack-3.0.8.gemspec");
  ASSERT_FALSE(text.empty());
  Gemspec g = MustParse(text);
  EXPECT_EQ(g.name, "rack");
  EXPECT_EQ(g.version, "3.0.8");
  EXPECT_EQ(g.summary, "A modular Ruby webserver interface.");
  EXPECT_THAT(g.licenses, ElementsAre("MIT"));
  EXPECT_THAT(g.files, IsEmpty());
  EXPECT_THAT(g.depends, IsEmpty());  // development dependencies only

  g = MustParse(Testdata(
      "usr/local/bundle/specifications/nokogiri-1.15.4-x86_64-linux.gemspec"));
  EXPECT_EQ(g.name, "nokogiri");
  EXPECT_EQ(g.summary,
            "Nokogiri (\xE9\x8B\xB8) makes it easy and painless to work with "
            "XML and HTML from Ruby.");
  EXPECT_THAT(g.depends, ElementsAre("racc"));
}

TEST(ParseGemspecTest, ReadsRubyGems1Specs) {
  Gemspec g = MustParse(
      Testdata("var/lib/gems/1.8/specifications/rack-test-0.5.3.gemspec"));
  EXPECT_EQ(g.name, "rack-test");
  EXPECT_EQ(g.version, "0.5.3");
  EXPECT_EQ(g.summary, "Simple testing API built on Rack");
  EXPECT_THAT(g.licenses, ElementsAre("MIT"));  // s.license = 'MIT'
  // The array spans lines; paths are kept as written.
  EXPECT_THAT(g.files,
              ElementsAre("History.txt", "MIT-LICENSE.txt", "README.rdoc",
                          "Rakefile", "lib/rack/mock_session.rb",
                          "lib/rack/test.rb", "lib/rack/test/cookie_jar.rb",
                          "../../../../../../../etc/passwd"));
  // rspec is a development dependency repeated as add_dependency.
  EXPECT_THAT(g.depends, ElementsAre("rack"));
}

TEST(ParseGemspecTest, StringLiteralForms) {
  Gemspec g = MustParse(
      "# comment\n"
      "Gem::Specification.new do |spec|\n"
      "  spec.name    = 'single\\'quoted\\n'\n"
      "  spec.version = %Q(1.(0))\n"
      "  spec.summary = \"tab\\t\\u00e9\\u{1F600 41}\\x41\\101\\#{x}\\\"\"\n"
      "  spec.licenses = [%q[Apache-2.0], \"mit\".freeze,]\n"
      "  spec.add_dependency \"a\", \">= 1\"\n"
      "  spec.add_runtime_dependency %q|b|\n"
      "  spec.add_dependency(\"a\")\n"
      "  s.add_dependency(\"not-the-block-variable\")\n"
      "end\n");
  EXPECT_EQ(g.name, "single'quoted\\n");
  EXPECT_EQ(g.version, "1.(0)");
  EXPECT_EQ(g.summary,
            "tab\t\xC3\xA9\xF0\x9F\x98\x80"
            "AAA#{x}\"");
  EXPECT_THAT(g.licenses, ElementsAre("Apache-2.0", "mit"));
  EXPECT_THAT(g.depends, ElementsAre("a", "b"));
}

TEST(ParseGemspecTest, IgnoresNonLiteralValues) {
  Gemspec g =
      MustParse(Spec("  s.name = \"x\"\n"
                     "  s.version = \"1\"\n"
                     "  s.summary = \"#{name} summary\"\n"
                     "  s.files = Dir[\"lib/**/*\"]\n"
                     "  s.licenses = [\"MIT\", LICENSE]\n"
                     "  s.license = \"BSD-2-Clause\"\n"
                     "  s.name == \"y\"\n"
                     "  s.add_dependency(NAME, \"1\")\n"));
  EXPECT_EQ(g.name, "x");
  EXPECT_EQ(g.summary, "");
  EXPECT_THAT(g.files, IsEmpty());
  EXPECT_THAT(g.licenses, ElementsAre("BSD-2-Clause"));
  EXPECT_THAT(g.depends, IsEmpty());
}

TEST(ParseGemspecTest, ReportsMissingPieces) {
  EXPECT_EQ(ParseGemspec("s.name = \"x\"\n").status(),
            DataLossError("no Gem::Specification.new block"));
  EXPECT_EQ(ParseGemspec("Gem::Specification.new do |s| end").status(),
            DataLossError("no literal name"));
  EXPECT_EQ(ParseGemspec(Spec("  s.name = \"x\"\n")).status(),
            DataLossError("no literal version"));
  EXPECT_EQ(
      ParseGemspec(Spec("  s.name = name\n  s.version = \"1\"\n")).status(),
      DataLossError("no literal name"));
}

TEST(ParseGemspecTest, ReportsUnterminatedLiterals) {
  std::string broken =
      Testdata("usr/local/bundle/specifications/broken-1.0.gemspec");
  ASSERT_FALSE(broken.empty());
  EXPECT_EQ(ParseGemspec(broken).status(),
            DataLossError("unterminated string literal at line 7"));
  EXPECT_EQ(ParseGemspec("Gem::Specification.new do |s|\n"
                         "  s.files = [\"a\",\n \"b\",\n")
                .status(),
            DataLossError("unterminated array at line 2"));
  // An array that goes on with something else is no literal.
  EXPECT_EQ(ParseGemspec(Spec("  s.files = [\"a\",\n \"b\"\n")).status(),
            DataLossError("no literal name"));
  EXPECT_EQ(ParseGemspec(Spec("  s.name = %q<a<b>\n")).status(),
            DataLossError("unterminated string literal at line 2"));
  EXPECT_EQ(
      ParseGemspec("Gem::Specification.new do |s|\n s.name = \"x\\").status(),
      DataLossError("unterminated string literal at line 2"));
}

TEST(ParseGemspecTest, EnforcesItsCaps) {
  std::string files = "  s.files = [";
  for (int i = 0; i < 200'000; ++i) files += "\"f\",";
  Result<Gemspec> ok = ParseGemspec(
      Spec("  s.name = \"x\"\n  s.version = \"1\"\n" + files + "]\n"));
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->files.size(), 200'000u);
  EXPECT_EQ(ParseGemspec(Spec(files + "\"g\"]\n")).status(),
            ResourceExhaustedError("array at line 2 has more than 200000 "
                                   "items"));
  std::string longest(1024 * 1024, 'x');
  EXPECT_TRUE(ParseGemspec(
                  Spec("  s.version = \"1\"\n  s.name = \"" + longest + "\"\n"))
                  .ok());
  EXPECT_EQ(ParseGemspec(Spec("  s.name = \"" + longest + "x\"\n")).status(),
            ResourceExhaustedError(
                "string literal at line 2 is longer than 1048576 bytes"));
}

TEST(ParseGemspecTest, SurvivesTruncationAndFlippedBytes) {
  const std::string text =
      Testdata("usr/local/bundle/specifications/rack-3.0.8.gemspec");
  ASSERT_FALSE(text.empty());
  const size_t complete = text.find("s.version = \"3.0.8\"") + 19;
  for (size_t n = 0; n < text.size(); ++n) {
    Result<Gemspec> g = ParseGemspec(text.substr(0, n));
    if (n >= complete) {
      // Only a cut inside a literal that is read (licenses, summary) fails.
      if (g.ok()) {
        EXPECT_EQ(g->version, "3.0.8");
      } else {
        EXPECT_THAT(g.status().message(), StartsWith("unterminated ")) << n;
      }
    } else {
      EXPECT_FALSE(g.ok()) << n;
    }
  }
  EXPECT_TRUE(ParseGemspec(text).ok());
  // The description is not read: a cut inside it is harmless.
  EXPECT_TRUE(ParseGemspec(text.substr(0, text.find("interface for"))).ok());
  for (size_t i = 0; i < text.size(); i += 3) {
    std::string t = text;
    t[i] = static_cast<char>(t[i] ^ 0x22);  // e.g. ' ' <-> '\x02', '"' <-> '\0'
    ParseGemspec(t).status().IgnoreError();  // must not crash
  }
}

}  // namespace
}  // namespace strata::catalog::ruby
