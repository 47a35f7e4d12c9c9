#!/usr/bin/env bash
# Installs the Debian 12 packages strata needs to build and test, and nothing
# else. Idempotent: when everything is present it only runs dpkg-query.
#   scripts/bootstrap.sh          build + test dependencies
#   STRATA_BOOTSTRAP=0 ...        skip (e.g. on a machine you manage yourself)
set -euo pipefail
[ "${STRATA_BOOTSTRAP:-1}" = 0 ] && exit 0

HERE=$(cd "$(dirname "$0")/.." && pwd)
PKGS=(
  # toolchain
  g++ cmake ninja-build pkg-config make
  # libraries
  libssl-dev libcurl4-openssl-dev libarchive-dev libzstd-dev zlib1g-dev
  libisal-dev liblzma-dev libsodium-dev
  nlohmann-json3-dev rapidjson-dev libcli11-dev libsqlite3-dev libyaml-cpp-dev
  # data: the SPDX license list (read at build time)
  node-spdx-license-ids node-spdx-exceptions
  # tests and benchmarks (the registry tests run the real docker-registry;
  # the version tests check each scheme against the ecosystem's own code)
  libgtest-dev libgmock-dev libbenchmark-dev isal time python3
  docker-registry apache2-utils
  python3-rpm python3-packaging node-semver ruby php-cli composer maven
)
# The lab (real images, registry, peers) is only available beside a checkout
# that has ../shared; its tests skip otherwise.
if [ -d "$HERE/../shared/lab" ]; then
  PKGS+=(mmdebstrap skopeo eatmydata zstd)
  # The schema validator (../shared/schemas) runs on Node.js; keep a Node
  # that is already there (e.g. from NodeSource, which conflicts with
  # Debian's npm package).
  command -v npm >/dev/null || PKGS+=(nodejs npm)
fi

missing=()
for p in "${PKGS[@]}"; do
  s=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$s" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "bootstrap: installing ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
