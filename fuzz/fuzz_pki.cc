// Fuzzes certificate parsing and what keyless verification reads from a
// certificate (pki/certificate.h): SANs, the Fulcio issuer extensions, key
// usage, the public key, the embedded SCT list (pki/sct.h, no trusted logs)
// and the identity policy (pki/identity.h); the same bytes are also read as
// an RFC 3161 timestamp (pki/timestamp.h, no trusted authorities). A
// certificate read from DER re-encodes to the same bytes.
#include <chrono>
#include <cstdint>
#include <string_view>

#include "pki/certificate.h"
#include "pki/identity.h"
#include "pki/sct.h"
#include "pki/timestamp.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  pki::VerifyTimestamp(input, "signature", {}).status().IgnoreError();
  pki::Certificate::ParsePemChain(input).status().IgnoreError();
  auto der = pki::Certificate::FromDer(input);
  if (der.ok() && der->ToDer() != input) __builtin_trap();
  auto cert = pki::Certificate::Parse(input);
  if (!cert.ok()) return 0;
  cert->SubjectAltNames().status().IgnoreError();
  cert->FulcioIssuer().status().IgnoreError();
  cert->RawExtensionText(pki::kFulcioGithubWorkflowRefOid)
      .status()
      .IgnoreError();
  (void)cert->HasCodeSigningEku();
  (void)cert->IsCa();
  (void)cert->IsSelfIssued();
  (void)cert->SubjectString();
  cert->PublicKey().status().IgnoreError();
  pki::VerifyEmbeddedScts(*cert, *cert, {}, std::chrono::system_clock::now())
      .IgnoreError();
  pki::IdentityPolicy policy{pki::Matcher::Exact("a@example.com"),
                             pki::Matcher::Exact("https://issuer.example")};
  pki::CheckIdentity(*cert, policy).IgnoreError();
  return 0;
}
