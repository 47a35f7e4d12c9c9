// Test support for the pki tests: the Sigstore conformance data read in
// place (bundles and trusted roots, reduced to what pki takes), and
// certificates generated with OpenSSL for corruption cases.
#ifndef STRATA_PKI_TEST_UTIL_H_
#define STRATA_PKI_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "base/base64.h"
#include "base/json.h"
#include "crypto/keys.h"
#include "pki/certificate.h"
#include "pki/chain.h"
#include "pki/sct.h"

namespace strata::pki::testing {

inline std::filesystem::path ConformanceDir() {
  return std::filesystem::path(STRATA_SOURCE_DIR) /
         "../shared/conformance/sigstore";
}
inline std::filesystem::path BundleDir(const std::string& name) {
  return ConformanceDir() / "sigstore-conformance/test/assets/bundle-verify" /
         name;
}

#define SKIP_WITHOUT_CONFORMANCE_DATA()                                   \
  if (!std::filesystem::exists(::strata::pki::testing::ConformanceDir())) \
  GTEST_SKIP() << "no ../shared/conformance/sigstore next to the source"

inline std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline TimePoint FromUnix(int64_t secs) {
  return TimePoint(std::chrono::seconds(secs));
}

// "2021-03-07T03:20:29.000Z" / "2026-01-15T22:45:54Z"; fractions dropped.
inline TimePoint ParseRfc3339(const std::string& s) {
  struct tm tm = {};
  if (std::sscanf(s.c_str(), "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon,
                  &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6) {
    ADD_FAILURE() << "bad time " << s;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return FromUnix(timegm(&tm));
}

inline std::string B64(const std::string& s) {
  auto r = Base64Decode(s);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::string();
}

// What pki needs from a bundle.
struct BundleMaterial {
  std::vector<std::string> certs_der;  // leaf first
  std::vector<std::string> timestamps_der;
  std::string signature;  // messageSignature or DSSE signature
  std::optional<int64_t> integrated_time;
};

inline BundleMaterial LoadBundle(const std::string& name) {
  BundleMaterial out;
  const std::string text = ReadFile(BundleDir(name) / "bundle.sigstore.json");
  auto doc = json::Parse(text, name, 1 << 20);
  EXPECT_TRUE(doc.ok()) << doc.status().ToString();
  if (!doc.ok()) return out;
  const json::Json& vm = (*doc)["verificationMaterial"];
  if (vm.contains("certificate")) {
    out.certs_der.push_back(B64(vm["certificate"]["rawBytes"]));
  } else if (vm.contains("x509CertificateChain")) {
    for (const auto& c : vm["x509CertificateChain"]["certificates"]) {
      out.certs_der.push_back(B64(c["rawBytes"]));
    }
  }
  if (vm.contains("timestampVerificationData")) {
    for (const auto& t : vm["timestampVerificationData"]["rfc3161Timestamps"]) {
      // rekor2-timestamp-with-incorrect-time_fail wraps its base64 at 76
      // columns (it was made with `base64`); strict decoding refuses that.
      std::string b64 = t["signedTimestamp"];
      std::erase(b64, '\n');
      out.timestamps_der.push_back(B64(b64));
    }
  }
  if (vm.contains("tlogEntries") && !vm["tlogEntries"].empty() &&
      vm["tlogEntries"][0].contains("integratedTime")) {
    out.integrated_time =
        std::stoll(vm["tlogEntries"][0]["integratedTime"].get<std::string>());
  }
  if (doc->contains("messageSignature")) {
    out.signature = B64((*doc)["messageSignature"]["signature"]);
  } else if (doc->contains("dsseEnvelope")) {
    out.signature = B64((*doc)["dsseEnvelope"]["signatures"][0]["sig"]);
  }
  return out;
}

// What pki needs from a trusted root.
struct TrustMaterial {
  std::vector<TrustedAuthority> cas;
  std::vector<TrustedAuthority> tsas;
  std::vector<CtLog> ctlogs;
};

inline void ReadWindow(const json::Json& valid_for, TimePoint* from,
                       std::optional<TimePoint>* until) {
  *from = ParseRfc3339(valid_for["start"]);
  if (valid_for.contains("end")) *until = ParseRfc3339(valid_for["end"]);
}

inline std::vector<TrustedAuthority> ReadAuthorities(const json::Json& list) {
  std::vector<TrustedAuthority> out;
  for (const auto& a : list) {
    TrustedAuthority ta;
    for (const auto& c : a["certChain"]["certificates"]) {
      ta.chain_der.push_back(B64(c["rawBytes"]));
    }
    ReadWindow(a["validFor"], &ta.valid_from, &ta.valid_until);
    out.push_back(std::move(ta));
  }
  return out;
}

// The case's trusted_root.json, or the production root when it has none.
inline TrustMaterial LoadTrustedRoot(const std::string& name) {
  std::filesystem::path p = BundleDir(name) / "trusted_root.json";
  if (!std::filesystem::exists(p)) {
    p = ConformanceDir() /
        "trusted-roots/prod_trusted_root_from_sigstore_tuf_seeds.json";
  }
  TrustMaterial out;
  auto doc = json::Parse(ReadFile(p), p.string(), 1 << 20);
  EXPECT_TRUE(doc.ok()) << doc.status().ToString();
  if (!doc.ok()) return out;
  out.cas = ReadAuthorities((*doc)["certificateAuthorities"]);
  if (doc->contains("timestampAuthorities")) {
    out.tsas = ReadAuthorities((*doc)["timestampAuthorities"]);
  }
  for (const auto& l : (*doc)["ctlogs"]) {
    CtLog log;
    log.public_key_der = B64(l["publicKey"]["rawBytes"]);
    ReadWindow(l["publicKey"]["validFor"], &log.valid_from, &log.valid_until);
    out.ctlogs.push_back(std::move(log));
  }
  return out;
}

inline Certificate MustParse(const std::string& der) {
  auto c = Certificate::FromDer(der);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return std::move(c).value();
}

// --- Generated certificates -------------------------------------------------

// A certificate and the key it certifies.
struct TestCert {
  Certificate cert;
  crypto::PrivateKey key;
};

// Extensions as OpenSSL config lines: {"basicConstraints", "critical,CA:TRUE"},
// {"subjectAltName", "email:a@b"}, {"1.3.6.1.4.1.57264.1.8",
// "ASN1:UTF8String:https://x"}.
using ExtList = std::vector<std::pair<std::string, std::string>>;

// Issues a P-256 certificate for CN=`cn`, valid [not_before, not_after],
// signed by `issuer` (self-signed when null).
inline TestCert MakeCert(const std::string& cn, const TestCert* issuer,
                         int64_t not_before, int64_t not_after,
                         const ExtList& exts) {
  auto key = crypto::PrivateKey::GenerateEcdsaP256();
  EXPECT_TRUE(key.ok());
  X509Ptr x(X509_new());
  X509_set_version(x.get(), X509_VERSION_3);
  static long serial = 1;
  ASN1_INTEGER_set(X509_get_serialNumber(x.get()), serial++);
  X509_NAME* name = X509_get_subject_name(x.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()),
                             -1, -1, 0);
  X509_set_issuer_name(
      x.get(), issuer ? X509_get_subject_name(issuer->cert.get()) : name);
  ASN1_TIME_set(X509_getm_notBefore(x.get()), static_cast<time_t>(not_before));
  ASN1_TIME_set(X509_getm_notAfter(x.get()), static_cast<time_t>(not_after));
  X509_set_pubkey(x.get(), key->get());
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer ? issuer->cert.get() : x.get(), x.get(), nullptr,
                 nullptr, 0);
  X509V3_set_ctx_nodb(&ctx);
  for (const auto& [ext_name, value] : exts) {
    X509_EXTENSION* ext =
        X509V3_EXT_conf(nullptr, &ctx, ext_name.c_str(), value.c_str());
    EXPECT_NE(ext, nullptr) << ext_name << "=" << value;
    if (ext) {
      X509_add_ext(x.get(), ext, -1);
      X509_EXTENSION_free(ext);
    }
  }
  X509_sign(x.get(), issuer ? issuer->key.get() : key->get(), EVP_sha256());
  auto cert = Certificate::FromX509(x.get());
  EXPECT_TRUE(cert.ok()) << cert.status().ToString();
  return TestCert{std::move(cert).value(), std::move(key).value()};
}

inline ExtList CaExts() {
  return {{"basicConstraints", "critical,CA:TRUE"},
          {"keyUsage", "critical,keyCertSign,cRLSign"},
          {"subjectKeyIdentifier", "hash"},
          {"authorityKeyIdentifier", "keyid:always"}};
}
inline ExtList LeafExts(const std::string& san = "email:alice@example.com") {
  return {{"basicConstraints", "critical,CA:FALSE"},
          {"keyUsage", "critical,digitalSignature"},
          {"extendedKeyUsage", "codeSigning"},
          {"subjectAltName", "critical," + san},
          {"authorityKeyIdentifier", "keyid"}};
}

// 2024-01-01T00:00:00Z and a day.
inline constexpr int64_t kT0 = 1704067200;
inline constexpr int64_t kDay = 86400;

}  // namespace strata::pki::testing

#endif  // STRATA_PKI_TEST_UTIL_H_
