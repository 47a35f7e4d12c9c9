#include "cli/registry_cmds.h"

#include <cstdio>

#include "cli/exit_codes.h"
#include "cli/output.h"
#include "cli/remote.h"
#include "oci/manifest.h"

namespace strata::cli {

std::function<int()> SetupLs(CLI::App* cmd) {
  struct Args {
    std::string repo;
    RegistryFlags registry;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("REPO", a->repo,
                  "repository: [REGISTRY/]NAME, e.g. 127.0.0.1:5000/app or "
                  "alpine")
      ->required();
  AddRegistryFlags(cmd, &a->registry, /*with_cache=*/false);
  return [a]() -> int {
    Result<oci::ImageRef> ref = oci::ParseRepository(a->repo);
    if (!ref.ok()) return ReportError(ref.status());
    registry::RegistryOptions ro;
    Result<registry::ClientOptions> co = MakeClientOptions(a->registry);
    if (!co.ok()) return ReportError(co.status());
    ro.client = *std::move(co);
    Result<std::shared_ptr<registry::Client>> client =
        registry::ClientFor(*ref, ro);
    if (!client.ok()) return ReportError(client.status());
    Result<std::vector<std::string>> tags =
        (*client)->ListTags(ref->repository);
    if (!tags.ok()) return ReportError(tags.status());
    std::string out;
    for (const std::string& t : *tags) out += t + "\n";
    Status st = WriteStdout(out);
    return st.ok() ? kExitOk : ReportError(st);
  };
}

std::function<int()> SetupDigest(CLI::App* cmd) {
  struct Args {
    std::string ref;
    std::string platform;
    RegistryFlags registry;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("IMAGE", a->ref,
                  "image reference (docker://NAME, NAME, oci:DIR[:TAG], ...)")
      ->required();
  cmd->add_option("--platform", a->platform,
                  "print the digest of this platform's manifest instead of "
                  "the index's, os/arch[/variant]");
  AddRegistryFlags(cmd, &a->registry, /*with_cache=*/false);
  return [a]() -> int {
    Result<oci::ImageRef> ref = oci::ParseReference(a->ref);
    if (!ref.ok()) return ReportError(ref.status());
    if (ref->transport == oci::Transport::kRootfs) {
      return ReportError(
          InvalidArgumentError("dir: sources have no manifest digest"));
    }
    Result<oci::ImageSource> src = OpenAnySource(*ref, a->registry, nullptr);
    if (!src.ok()) return ReportError(src.status());
    oci::Descriptor d = src->top;
    if (!a->platform.empty()) {
      Result<oci::Platform> want = oci::ParsePlatform(a->platform);
      if (!want.ok()) return ReportError(want.status());
      std::vector<oci::Platform> available;
      Result<oci::Descriptor> chosen =
          oci::SelectPlatformManifest(*src->store, d, *want, &available);
      if (!chosen.ok()) return ReportError(chosen.status());
      d = *chosen;
    }
    std::printf("%s\n", d.digest.ToString().c_str());
    return kExitOk;
  };
}

}  // namespace strata::cli
