// The sigstore-conformance bundle-verify suite, run through the library:
// every case directory, once with the artifact file and once with only its
// sha256 digest; a case whose name ends in _fail must fail, every other
// must verify.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "sigstore/bundle.h"
#include "sigstore/trusted_root.h"
#include "sigstore/verify.h"

namespace strata::sigstore {
namespace {

namespace fs = std::filesystem;

constexpr char kDefaultIdentity[] =
    "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-"
    "beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/"
    "main";
constexpr char kDefaultIssuer[] = "https://token.actions.githubusercontent.com";

const fs::path kShared =
    fs::path(STRATA_SOURCE_DIR) / "../shared/conformance/sigstore";

std::string ReadFile(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string Trim(std::string s) {
  while (!s.empty() &&
         (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) {
    s.pop_back();
  }
  return s;
}

// Runs one case; OK or why it failed.
Status RunCase(const fs::path& dir, bool digest_only) {
  const fs::path assets = dir.parent_path();
  const fs::path root_path = fs::exists(dir / "trusted_root.json")
                                 ? dir / "trusted_root.json"
                                 : kShared / "trusted-roots" /
                                       "prod_trusted_root_from_sigstore_tuf_"
                                       "seeds.json";
  ASSIGN_OR_RETURN(TrustedRoot root, ParseTrustedRoot(ReadFile(root_path)));
  ASSIGN_OR_RETURN(Bundle bundle,
                   ParseBundle(ReadFile(dir / "bundle.sigstore.json")));
  const std::string artifact_bytes = ReadFile(
      fs::exists(dir / "artifact") ? dir / "artifact" : assets / "a.txt");
  Artifact artifact = Artifact::FromBytes(artifact_bytes);
  if (digest_only) artifact = Artifact::FromSha256(artifact.sha256);
  VerifyPolicy policy;
  policy.now_unix = std::chrono::duration_cast<std::chrono::seconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
  if (fs::exists(dir / "key.pub")) {
    ASSIGN_OR_RETURN(policy.key,
                     crypto::PublicKey::FromPem(ReadFile(dir / "key.pub")));
  } else {
    const std::string identity = fs::exists(dir / "identity")
                                     ? Trim(ReadFile(dir / "identity"))
                                     : kDefaultIdentity;
    const std::string issuer = fs::exists(dir / "issuer")
                                   ? Trim(ReadFile(dir / "issuer"))
                                   : kDefaultIssuer;
    policy.identity = pki::IdentityPolicy{pki::Matcher::Exact(identity),
                                          pki::Matcher::Exact(issuer)};
  }
  return VerifyBundle(bundle, artifact, root, policy).status();
}

TEST(SigstoreConformanceTest, EveryBundleVerifyCaseGivesItsExpectedResult) {
  const fs::path cases =
      kShared / "sigstore-conformance/test/assets/bundle-verify";
  if (!fs::exists(cases)) GTEST_SKIP() << "no " << cases.string();
  int run = 0, passed = 0;
  for (const auto& entry : fs::directory_iterator(cases)) {
    if (!entry.is_directory()) continue;
    const std::string name = entry.path().filename().string();
    const bool must_fail = name.ends_with("_fail");
    for (bool digest_only : {false, true}) {
      ++run;
      Status st = RunCase(entry.path(), digest_only);
      const bool ok = st.ok() != must_fail;
      if (ok) ++passed;
      EXPECT_TRUE(ok) << name << (digest_only ? " (digest)" : " (file)") << ": "
                      << (st.ok() ? "verified" : st.ToString());
      if (must_fail && !st.ok()) {
        std::printf("  %-55s %s: %s\n", name.c_str(),
                    digest_only ? "digest" : "file  ", st.ToString().c_str());
      }
    }
  }
  EXPECT_EQ(run, 140);
  std::printf("conformance: %d of %d cases as expected\n", passed, run);
}

}  // namespace
}  // namespace strata::sigstore

namespace strata::sigstore {
namespace {

// sigstore-go's test bundles: a DSSE envelope with two signatures must be
// refused even though one of them is valid (a bundle binds one signer);
// the same envelope with one signature verifies up to its content.
TEST(SigstoreGoBundlesTest, RefusesADsseEnvelopeWithTwoSignatures) {
  const fs::path dir = kShared / "sigstore-go/pkg/testing/data";
  if (!fs::exists(dir)) GTEST_SKIP() << "no " << dir.string();
  Result<TrustedRoot> root =
      ParseTrustedRoot(ReadFile(dir / "trusted-roots/public-good.json"));
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  Result<Bundle> two =
      ParseBundle(ReadFile(dir / "bundles/dsse-2sigs.sigstore.json"));
  ASSERT_TRUE(two.ok()) << two.status().ToString();
  ASSERT_EQ(two->dsse_envelope->signatures.size(), 2u);
  VerifyPolicy policy;
  policy.now_unix = 2'000'000'000;
  policy.identity =
      pki::IdentityPolicy{pki::Matcher::Exact("x"), pki::Matcher::Exact("y")};
  Result<VerifiedBundle> v = VerifyBundle(
      *two, Artifact::FromSha256(std::string(32, '\0')), *root, policy);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().ToString(),
            "a bundle's DSSE envelope must have exactly one signature, it "
            "has 2");
}

}  // namespace
}  // namespace strata::sigstore
