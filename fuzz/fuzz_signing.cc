// Fuzzes what the signing services and the registry hand back to the
// signing commands: Fulcio and Rekor responses and identity tokens
// (sigstore/services.h), cosign's legacy Rekor bundle annotation
// (cli/verify.h), and attestation layers (cosign/attest.h). Each must be a
// value or an error, never a crash or a hang.
#include <cstdint>
#include <string_view>
#include <vector>

#include "base/digest.h"
#include "cli/verify.h"
#include "cosign/attest.h"
#include "crypto/keys.h"
#include "sigstore/services.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  sigstore::TokenSubject(bytes).status().IgnoreError();
  sigstore::ParseSigningCertResponse(bytes).status().IgnoreError();
  sigstore::ParseRekorResponse(bytes).status().IgnoreError();
  cli::ParseRekorBundle(bytes).status().IgnoreError();
  cli::ParseRfc3161TimestampAnnotation(bytes).status().IgnoreError();

  static const crypto::PublicKey* key = [] {
    static crypto::PublicKey k =
        *crypto::PrivateKey::GenerateEcdsaP256()->Public();
    return &k;
  }();
  const Digest image = Sha256Of("image");
  std::vector<cosign::AttachmentLayer> layers(1);
  layers[0].descriptor = cosign::AttestationDescriptor(bytes, "https://x/y");
  layers[0].blob = std::string(bytes);
  cosign::AttestationVerdict v =
      cosign::VerifyAttestations(image, layers, {key, 1}, "https://x/y");
  if (v.accepted()) __builtin_trap();  // nothing here is signed by `key`
  return 0;
}
