#include "catalog/rust/audit_data.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "catalog/rust/test_binaries.h"

namespace strata::catalog::rust {
namespace {

using namespace testbin;  // NOLINT(build/namespaces): test helpers
using ::testing::ElementsAre;

std::string Read(const std::string& bytes) {
  auto r = ReadAuditData(bytes);
  if (!r.ok()) return "error: " + r.status().ToString();
  return r->has_value() ? **r : "nullopt";
}

TEST(ReadAuditDataTest, DecompressesTheDepSection) {
  EXPECT_EQ(Read(RustElf(Zlib(kJson))), kJson);
  EXPECT_EQ(Read(RustElf(Zlib(kJson), {.is_64 = false, .big_endian = true})),
            kJson);
}

TEST(ReadAuditDataTest, OtherFilesHaveNone) {
  EXPECT_EQ(Read(elf::BuildElf({}, {{.name = ".text", .data = "x"}})),
            "nullopt");
  // Without section headers there is no section to find.
  EXPECT_EQ(Read(RustElf(Zlib(kJson), {.section_headers = false})), "nullopt");
  EXPECT_EQ(Read("#!/bin/sh\n"), "nullopt");
}

TEST(ReadAuditDataTest, Corruption) {
  const std::string z = Zlib(kJson);
  EXPECT_EQ(Read(RustElf("not zlib at all")),
            "error: rust audit data: bad zlib stream");
  EXPECT_EQ(Read(RustElf("")), "error: rust audit data: truncated zlib stream");
  EXPECT_EQ(Read(RustElf(z.substr(0, z.size() / 2))),
            "error: rust audit data: truncated zlib stream");
  std::string flipped = z;
  flipped[z.size() - 2] ^= 0x55;  // the Adler-32 checksum
  EXPECT_EQ(Read(RustElf(flipped)), "error: rust audit data: bad zlib stream");
  // A bomb: 9 MiB of spaces compress to ~9 KiB.
  EXPECT_EQ(Read(RustElf(Zlib(std::string(9 << 20, ' ')))),
            "error: rust audit data: decompressed JSON exceeds the cap of "
            "8388608 bytes");
  // Exactly at the cap is fine.
  EXPECT_EQ(Read(RustElf(Zlib(std::string(8 << 20, ' ')))).size(), 8u << 20);

  std::string bytes = RustElf(z);
  const uint64_t shoff = elf::Load64(bytes.data() + 40, false);
  for (int i = 0; i < 8; ++i) bytes[shoff + 2 * 64 + 32 + i] = '\x7f';
  EXPECT_EQ(Read(bytes),
            "error: rust audit data: elf: section .dep-v0 out of bounds");
}

TEST(ReadAuditDataTest, EveryTruncationAndByteFlipIsHandled) {
  const std::string good = RustElf(Zlib(kJson));
  for (size_t n = 0; n < good.size(); ++n) {
    ReadAuditData(good.substr(0, n)).status().IgnoreError();
  }
  for (size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] = static_cast<char>(bad[i] ^ 0xff);
    auto r = ReadAuditData(bad);
    if (r.ok() && r->has_value()) {
      // Either the data is intact or the change was outside it.
      ParseAuditData(**r).status().IgnoreError();
    }
  }
}

TEST(ParseAuditDataTest, Crates) {
  auto crates = ParseAuditData(kJson);
  ASSERT_TRUE(crates.ok()) << crates.status().ToString();
  ASSERT_EQ(crates->size(), 5u);
  const Crate& hello = (*crates)[2];
  EXPECT_EQ(hello.name, "hello");
  EXPECT_EQ(hello.version, "0.1.0");
  EXPECT_EQ(hello.source, "local");
  EXPECT_EQ(hello.kind, "runtime");
  EXPECT_TRUE(hello.root);
  EXPECT_THAT(hello.dependencies, ElementsAre(0, 1, 3, 4));
  EXPECT_EQ((*crates)[1].kind, "build");
  EXPECT_FALSE((*crates)[1].root);
  EXPECT_TRUE((*crates)[0].dependencies.empty());
  // Unknown members (newer format revisions) are ignored.
  auto newer =
      ParseAuditData(R"({"format":1,"packages":[{"name":"a","version":"1.0.0",)"
                     R"("source":"git","features":["x"]}]})");
  ASSERT_TRUE(newer.ok()) << newer.status().ToString();
  EXPECT_EQ((*newer)[0].source, "git");
}

std::string Error(const std::string& json) {
  auto crates = ParseAuditData(json);
  return crates.ok() ? "ok" : crates.status().ToString();
}

TEST(ParseAuditDataTest, Errors) {
  EXPECT_EQ(Error("[]"), "not a JSON object");
  EXPECT_EQ(Error("{}"), "no packages array");
  EXPECT_EQ(Error(R"({"packages":{}})"), "field \"packages\" must be an array");
  EXPECT_EQ(Error(R"({"packages":[1]})"), "package 0: not an object");
  EXPECT_EQ(Error(R"({"packages":[{"name":"a","source":"local"}]})"),
            "package 0: no version");
  EXPECT_EQ(
      Error(R"({"packages":[{"name":1,"version":"1","source":"local"}]})"),
      "package 0: field \"name\" must be a string");
  EXPECT_EQ(Error(R"({"packages":[{"name":"a","version":"1","source":"x",)"
                  R"("root":1}]})"),
            "package 0: field \"root\" must be a boolean");
  for (const char* dep : {"1", "-1", "\"0\"", "0.5"}) {
    EXPECT_EQ(Error(std::string(R"({"packages":[{"name":"a","version":"1",)") +
                    R"("source":"x","dependencies":[)" + dep + "]}]}"),
              std::string("package 0: dependency ") + dep + " out of range")
        << dep;
  }
  EXPECT_EQ(Error(R"({"packages":[{"name":"a","version":"1","source":"x",)"
                  R"("dependencies":0}]})"),
            "package 0: field \"dependencies\" must be an array");
  EXPECT_EQ(Error("{\"packages\":["),
            "rust audit data is not valid JSON: parse error at line 1, "
            "column 14: syntax error while parsing value - unexpected "
            "end of input; expected '[', '{', or a literal");
  EXPECT_EQ(Error(std::string((8 << 20) + 1, ' ')),
            "rust audit data is 8388609 bytes, over the cap of 8388608");
  EXPECT_EQ(Error(std::string(100, '[') + std::string(100, ']')),
            "rust audit data nests deeper than 64 levels");
}

TEST(CratePackagesTest, OnePackagePerCrate) {
  auto crates = ParseAuditData(kJson);
  ASSERT_TRUE(crates.ok());
  const sbom::Location loc{"usr/bin/hello", 1, "sha256:abc"};
  std::vector<sbom::Package> pkgs = CratePackages(*crates, loc, "rust-cat");
  ASSERT_EQ(pkgs.size(), 5u);
  for (const sbom::Package& p : pkgs) {
    EXPECT_EQ(p.type, sbom::PackageType::kRustCrate);
    EXPECT_THAT(p.locations, ElementsAre(loc));
    EXPECT_EQ(p.introduced_layer, 1);
    EXPECT_EQ(p.cataloger, "rust-cat");
    EXPECT_TRUE(p.purl.empty());
  }
  const sbom::Package& hello = pkgs[2];
  EXPECT_EQ(hello.name, "hello");
  EXPECT_EQ(hello.version, "0.1.0");
  EXPECT_THAT(hello.depends, ElementsAre("adler", "cc", "libc", "libc"));
  EXPECT_EQ(hello.extra,
            (std::map<std::string, std::string>{{"rust.kind", "runtime"},
                                                {"rust.root", "true"},
                                                {"rust.source", "local"}}));
  EXPECT_EQ(pkgs[1].extra.at("rust.kind"), "build");
  EXPECT_EQ(pkgs[4].version, "0.1.12");
  EXPECT_EQ(pkgs[4].extra.at("rust.source"), "registry");
}

}  // namespace
}  // namespace strata::catalog::rust
