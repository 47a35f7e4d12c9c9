// Writes the bundled demo image used by `make run`: a small Debian-style
// image in three forms (OCI layout, OCI archive, docker archive) under the
// directory given as argv[1]. Everything is generated, nothing downloaded:
// two layers with an os-release, a dpkg status database naming real package
// versions (xz-utils 5.6.0 among them, the CVE-2024-3094 backdoor release),
// a merged-/usr symlink, and a whiteout in the second layer.
#include <cstdio>
#include <filesystem>
#include <string>

#include "testing/image_writer.h"
#include "testing/tar_writer.h"

namespace {

using strata::testing::TarWriter;

std::string DpkgStanza(const std::string& pkg, const std::string& version,
                       const std::string& source) {
  std::string s = "Package: " + pkg +
                  "\nStatus: install ok installed\nPriority: optional\n"
                  "Architecture: amd64\n";
  if (!source.empty()) s += "Source: " + source + "\n";
  s += "Version: " + version +
       "\nMaintainer: Debian Developers <debian@example.invalid>\n"
       "Description: " +
       pkg + " (strata demo)\n\n";
  return s;
}

std::string BaseLayer() {
  std::string status = DpkgStanza("base-files", "12.4+deb12u5", "") +
                       DpkgStanza("libc6", "2.36-9+deb12u4", "glibc") +
                       DpkgStanza("zlib1g", "1:1.2.13.dfsg-1", "zlib") +
                       DpkgStanza("liblzma5", "5.6.0-0.1", "xz-utils") +
                       DpkgStanza("xz-utils", "5.6.0-0.1", "");
  TarWriter t;
  t.Dir("etc")
      .Dir("usr")
      .Dir("usr/bin")
      .Dir("usr/lib")
      .Dir("var")
      .Dir("var/lib")
      .Dir("var/lib/dpkg")
      .Dir("tmp", 01777)
      .Symlink("bin", "usr/bin")
      .Symlink("lib", "usr/lib")
      .File("usr/lib/os-release",
            "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian "
            "GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\n"
            "VERSION_CODENAME=bookworm\nID=debian\n")
      .Symlink("etc/os-release", "../usr/lib/os-release")
      .File("etc/debian_version", "12.5\n")
      .File("var/lib/dpkg/status", status)
      .File("usr/bin/xz",
            "\x7f"
            "ELF demo xz 5.6.0\n",
            0755)
      .Hardlink("usr/bin/unxz", "usr/bin/xz")
      .File("usr/lib/liblzma.so.5.6.0",
            "\x7f"
            "ELF demo liblzma 5.6.0\n")
      .Symlink("usr/lib/liblzma.so.5", "liblzma.so.5.6.0")
      .File("etc/motd", "demo image\n");
  return t.Finish();
}

std::string AppLayer() {
  TarWriter t;
  t.Whiteout("etc/motd")
      .Dir("app")
      .File("app/run.sh", "#!/bin/sh\nexec xz --version\n", 0755)
      .File("app/README", "strata demo application layer\n")
      // A vendored Python package and an npm dependency, as an app ships
      // them: language packages the SBOM lists beside the OS packages.
      .Dir("app/python/site-packages/PyYAML-5.3.1.dist-info")
      .File("app/python/site-packages/PyYAML-5.3.1.dist-info/METADATA",
            "Metadata-Version: 2.1\nName: PyYAML\nVersion: 5.3.1\n"
            "License: MIT\nSummary: YAML parser and emitter for Python\n")
      .File("app/package.json", R"({"name": "demo-app", "version": "1.0.0",)"
                                R"( "dependencies": {"lodash": "4.17.20"}})")
      .Dir("app/node_modules/lodash")
      .File("app/node_modules/lodash/package.json",
            R"({"name": "lodash", "version": "4.17.20", "license": "MIT"})");
  return t.Finish();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: mkdemo OUTDIR\n");
    return 2;
  }
  std::string out = argv[1];
  std::error_code ec;
  std::filesystem::remove_all(out + "/demo.oci", ec);
  std::filesystem::create_directories(out, ec);
  strata::testing::TestImage img;
  img.layers = {{BaseLayer(), strata::testing::LayerCompression::kGzip, ""},
                {AppLayer(), strata::testing::LayerCompression::kZstd, ""}};
  img.entrypoint = {"/app/run.sh"};
  img.cmd = {};
  img.working_dir = "/app";
  img.user = "1000:1000";
  img.labels = {{"org.opencontainers.image.title", "strata-demo"},
                {"org.opencontainers.image.source",
                 "https://example.invalid/strata-demo"}};
  for (auto r :
       {strata::testing::WriteOciLayout(out + "/demo.oci", {img}, "latest"),
        strata::testing::WriteOciArchive(out + "/demo.oci.tar", {img},
                                         "latest"),
        strata::testing::WriteDockerArchive(out + "/demo.docker.tar", {img},
                                            {"strata.example/demo:latest"})}) {
    if (!r.ok()) {
      std::fprintf(stderr, "mkdemo: %s\n", r.status().ToString().c_str());
      return 1;
    }
  }
  return 0;
}
