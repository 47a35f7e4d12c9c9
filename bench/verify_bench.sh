#!/usr/bin/env bash
# Signature verification: `strata verify --key` vs skopeo's sigstoreSigned
# policy check of the same image (the peer), same registry.
#   bench/verify_bench.sh [RUNS]
# Starts Debian's docker-registry on a free 127.0.0.1 port (plain HTTP, as
# ../shared/lab/registry.sh does), pushes a tiny one-layer image (a 1 KiB
# tar.gz), signs it once with `strata sign`, then RUNS times each:
#   strata verify --key K.pub IMAGE
#   skopeo --policy P copy docker://IMAGE dir:DST
# P requires a sigstoreSigned signature by K.pub (matchRepository). skopeo
# enforces a policy only when it copies (inspect does not), so its lightest
# enforcing command is a copy of the tiny image to dir: (one 1 KiB layer and
# the config besides the signature). Prints the best wall time of each and
# the ratio. Goal (issue: sign/verify): strata no slower than skopeo.
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${1:-10}
STRATA=${STRATA:-$HERE/build/strata}
LAB=${STRATA_LAB_DIR:-$HERE/../shared/lab}
SK=${STRATA_SKOPEO:-${XDG_CACHE_HOME:-$HOME/.cache}/strata-lab/skopeo-trixie/bin/skopeo-sigstore}
[ -x "$SK" ] || { echo "needs sigstore-enabled skopeo at $SK (bash $LAB/setup-skopeo.sh)"; exit 0; }
command -v docker-registry >/dev/null && [ -f "$LAB/registry.sh" ] || { echo "needs docker-registry and $LAB/registry.sh"; exit 0; }

OUT=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cleanup() { bash "$LAB/registry.sh" stop "$PORT" "$OUT/reg" >/dev/null 2>&1 || true; rm -rf "$OUT"; }
trap cleanup EXIT
bash "$LAB/registry.sh" start "$PORT" "$OUT/reg" >/dev/null
HOST=127.0.0.1:$PORT
REF=$HOST/bench/tiny:v1

# A tiny OCI layout: one layer holding one small file.
L=$OUT/tiny.oci
mkdir -p "$L/blobs/sha256" "$OUT/root"
echo "hello from the verify bench" > "$OUT/root/hello.txt"
tar -C "$OUT/root" --owner=0 --group=0 --mtime=@0 -cf - hello.txt | gzip -n > "$OUT/layer"
diffid=$(gzip -dc "$OUT/layer" | sha256sum | cut -d' ' -f1)
blob() { local d; d=$(sha256sum "$1" | cut -d' ' -f1); cp "$1" "$L/blobs/sha256/$d"; echo "$d"; }
ld=$(blob "$OUT/layer"); ls=$(stat -c %s "$OUT/layer")
printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' "$diffid" > "$OUT/config"
cd_=$(blob "$OUT/config"); cs=$(stat -c %s "$OUT/config")
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' \
  "$cd_" "$cs" "$ld" "$ls" > "$OUT/manifest"
md=$(blob "$OUT/manifest"); ms=$(stat -c %s "$OUT/manifest")
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"v1"}}]}' \
  "$md" "$ms" > "$L/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' > "$L/oci-layout"
"$STRATA" copy -q "oci:$L:v1" "docker://$REF" >/dev/null

export STRATA_PASSWORD=bench
"$STRATA" generate-key-pair --output-key-prefix "$OUT/k" </dev/null >/dev/null 2>&1
"$STRATA" sign --tlog-upload=false --key "$OUT/k.key" "$REF" </dev/null 2>/dev/null

mkdir -p "$OUT/registries.d"
printf 'docker:\n  %s:\n    use-sigstore-attachments: true\n' "$HOST" > "$OUT/registries.d/bench.yaml"
printf '{"default":[{"type":"reject"}],"transports":{"docker":{"%s/bench/tiny":[{"type":"sigstoreSigned","keyPath":"%s","signedIdentity":{"type":"matchRepository"}}]}}}' \
  "$HOST" "$OUT/k.pub" > "$OUT/policy.json"

# --insecure-registry is strata's --src-tls-verify=false (plain HTTP at
# once). Without it strata probes TLS first on loopback hosts (timed too).
SV=("$STRATA" verify --insecure-registry "$HOST" --key "$OUT/k.pub" "$REF")
SA=("$STRATA" verify --key "$OUT/k.pub" "$REF")
[ -n "${VERBOSE:-}" ] && "${SA[@]}" --verbose >/dev/null
KV=("$SK" --registries.d "$OUT/registries.d" --policy "$OUT/policy.json" copy -q
    --src-tls-verify=false "docker://$REF" "dir:$OUT/dst")
# Both must accept before timing.
"${SV[@]}" >/dev/null 2>&1 || { echo "strata verify failed"; exit 1; }
rm -rf "$OUT/dst"; "${KV[@]}" >/dev/null || { echo "skopeo policy check failed"; exit 1; }

best() {  # RUNS runs of "$@": best wall seconds
  local b="" t0 t1 t
  for _ in $(seq "$RUNS"); do
    rm -rf "$OUT/dst"
    t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N)
    t=$(awk "BEGIN{printf \"%.4f\", $t1 - $t0}")
    if [ -z "$b" ] || awk "BEGIN{exit !($t < $b)}"; then b=$t; fi
  done
  echo "$b"
}
st=$(best "${SV[@]}")
at=$(best "${SA[@]}")
kt=$(best "${KV[@]}")
printf '%-40s %9s\n' command best_s
printf '%-40s %9s\n' "strata verify --key --insecure-registry" "$st"
printf '%-40s %9s\n' "strata verify --key (TLS probe first)" "$at"
printf '%-40s %9s\n' "skopeo copy --policy (dir:)" "$kt"
printf 'skopeo/strata: %.2fx\n' "$(awk "BEGIN{print $kt/$st}")"
