#include "cli/app.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <functional>

#include "cli/attest.h"
#include "cli/blob.h"
#include "cli/copy.h"
#include "cli/db.h"
#include "cli/exit_codes.h"
#include "cli/inspect.h"
#include "cli/keys.h"
#include "cli/registry_cmds.h"
#include "cli/sbom.h"
#include "cli/scan.h"
#include "cli/sign.h"
#include "cli/verify.h"

namespace strata::cli {
namespace {

// Every subcommand, in one table. Adding one is one row here plus its file.
struct Command {
  const char* name;
  const char* summary;
  std::function<int()> (*setup)(CLI::App* cmd);
};

constexpr Command kCommands[] = {
    {"inspect", "show an image's manifest, config, layers and file count",
     SetupInspect},
    {"sbom", "list the packages an image contains (SPDX, CycloneDX, JSON)",
     SetupSbom},
    {"scan", "match an image's or SBOM's packages against the vulnerability DB",
     SetupScan},
    {"db",
     "build and inspect the offline vulnerability database (import, "
     "status)",
     SetupDb},
    {"copy",
     "copy an image between registries, OCI layouts and archives, and "
     "docker archives",
     SetupCopy},
    {"ls", "list the tags of a registry repository", SetupLs},
    {"digest", "print the digest an image reference resolves to", SetupDigest},
    {"generate-key-pair",
     "generate a cosign signing key pair (PREFIX.key encrypted, PREFIX.pub)",
     SetupGenerateKeyPair},
    {"sign", "sign a registry image with a key, as cosign does", SetupSign},
    {"attest",
     "attest a registry image: a signed in-toto statement, as cosign does",
     SetupAttest},
    {"verify-attestation",
     "verify a registry image's attestations of a predicate type with a key",
     SetupVerifyAttestation},
    {"sign-blob", "sign a file into a Sigstore bundle (key or keyless)",
     SetupSignBlob},
    {"verify-blob", "verify a file's Sigstore bundle against a trusted root",
     SetupVerifyBlob},
    {"verify",
     "verify an image's cosign signatures (key or keyless) and print them",
     SetupVerify},
};

}  // namespace

int Run(int argc, char** argv) {
  CLI::App app{"strata: know and prove what is inside every container image",
               "strata"};
  app.set_version_flag("--version", std::string("strata ") + STRATA_VERSION);
  app.require_subcommand(1);
  std::vector<std::pair<CLI::App*, std::function<int()>>> runners;
  for (const Command& c : kCommands) {
    CLI::App* sub = app.add_subcommand(c.name, c.summary);
    runners.emplace_back(sub, c.setup(sub));
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "strata: error: %s\n", e.what());
    std::fprintf(stderr, "Run 'strata --help' for usage.\n");
    return kExitError;
  }
  for (auto& [sub, run] : runners) {
    if (sub->parsed()) return run();
  }
  return kExitError;
}

}  // namespace strata::cli
