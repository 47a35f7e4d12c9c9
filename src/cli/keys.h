// `strata generate-key-pair`, and reading the key files that `strata sign`
// and `strata verify` take: cosign's encrypted private keys
// (crypto/cosign_key.h) and PEM public keys.
//
// Passphrases come from the environment, as with cosign: STRATA_PASSWORD,
// else COSIGN_PASSWORD (set to the empty string, either means an empty
// passphrase), else a prompt on the controlling terminal without echo when
// standard input is a terminal; otherwise it is an error. An empty
// passphrase typed at the prompt is refused.
#ifndef STRATA_CLI_KEYS_H_
#define STRATA_CLI_KEYS_H_

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "crypto/cosign_key.h"
#include "crypto/keys.h"

namespace strata::cli {

// A passphrase typed at the prompt longer than this is refused.
inline constexpr size_t kMaxPassphraseBytes = 4096;

// `strata generate-key-pair [--output-key-prefix P] [--legacy-cosign-format]`.
std::function<int()> SetupGenerateKeyPair(CLI::App* cmd);

// The passphrase, from the environment or the terminal (see above). With
// `confirm`, the prompt asks twice and the answers must match.
Result<std::string> ReadPassphrase(bool confirm);

struct KeyPairFiles {
  std::string private_key;  // PREFIX.key
  std::string public_key;   // PREFIX.pub
};

// Generates an ECDSA P-256 key pair and writes PREFIX.key (encrypted with the
// passphrase `passphrase()` returns, mode 0600) and PREFIX.pub (PEM
// SubjectPublicKeyInfo, mode 0644), each atomically (a temporary file in the
// same directory renamed without replacing). Refuses, before asking for the
// passphrase, when either file exists; neither file is left behind on error.
Result<KeyPairFiles> GenerateKeyPair(
    const std::string& prefix, crypto::CosignPemType pem_type,
    const std::function<Result<std::string>()>& passphrase);

// Reads an encrypted cosign private key file (at most
// crypto::kMaxCosignKeyFileBytes) and decrypts it; the file is parsed before
// the passphrase is asked for. Errors name the path.
Result<crypto::PrivateKey> LoadPrivateKeyFile(const std::string& path);
Result<crypto::PrivateKey> LoadPrivateKeyFile(const std::string& path,
                                              std::string_view passphrase);

// Reads a PEM "PUBLIC KEY" file (at most crypto::kMaxKeyBytes). Errors name
// the path.
Result<crypto::PublicKey> LoadPublicKeyFile(const std::string& path);

}  // namespace strata::cli

#endif  // STRATA_CLI_KEYS_H_
