#!/usr/bin/env bash
# Registry pull: strata copy vs skopeo copy (the peer), same registry, same
# image, same destination format (an OCI layout).
#   bench/pull_bench.sh [IMAGES_DIR] [RUNS]
# Starts Debian's docker-registry on a free 127.0.0.1 port (plain HTTP, as
# ../shared/lab/registry.sh does), pushes the lab's debian-fat image once,
# then pulls it RUNS times with each tool into a fresh layout and prints the
# best wall time and peak RSS of each. Goal (issue: Registry): strata at
# least as fast as skopeo.
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
IMAGES=${1:-$("$HERE/scripts/lab-images.sh")}
RUNS=${2:-5}
STRATA=${STRATA:-$HERE/build/strata}
LAB=${STRATA_LAB_DIR:-$HERE/../shared/lab}
[ -n "$IMAGES" ] && [ -d "$IMAGES/debian-fat.oci" ] || { echo "no lab images (need ../shared/lab)"; exit 0; }
command -v skopeo >/dev/null && command -v docker-registry >/dev/null || { echo "needs skopeo and docker-registry"; exit 0; }

OUT=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cleanup() { bash "$LAB/registry.sh" stop "$PORT" "$OUT/reg" >/dev/null 2>&1 || true; rm -rf "$OUT"; }
trap cleanup EXIT
bash "$LAB/registry.sh" start "$PORT" "$OUT/reg" >/dev/null
REF=127.0.0.1:$PORT/bench/debian-fat:latest
"$STRATA" copy -q "oci:$IMAGES/debian-fat.oci" "docker://$REF" >/dev/null

best() {  # RUNS runs of "$@" into a fresh $OUT/dst: best wall seconds, max RSS KiB
  local b="" rss=0 t m
  for _ in $(seq "$RUNS"); do
    rm -rf "$OUT/dst"
    /usr/bin/time -o "$OUT/time" -f '%e %M' "$@" >/dev/null 2>&1
    read -r t m < "$OUT/time"
    if [ -z "$b" ] || awk "BEGIN{exit !($t < $b)}"; then b=$t; fi
    [ "$m" -gt "$rss" ] && rss=$m
  done
  echo "$b $rss"
}

read -r st srss < <(best "$STRATA" copy -q "docker://$REF" "oci:$OUT/dst:latest")
read -r kt krss < <(best skopeo copy -q --src-tls-verify=false "docker://$REF" "oci:$OUT/dst:latest")
# Both layouts hold the same manifest digest.
rm -rf "$OUT/dst"; "$STRATA" copy -q "docker://$REF" "oci:$OUT/dst:latest" >/dev/null
sd=$("$STRATA" digest "oci:$OUT/dst:latest")
rm -rf "$OUT/dst"; skopeo copy -q --src-tls-verify=false "docker://$REF" "oci:$OUT/dst:latest" >/dev/null
kd=$("$STRATA" digest "oci:$OUT/dst:latest")
[ "$sd" = "$kd" ] || echo "WARNING: manifest digests differ: strata $sd, skopeo $kd"
printf '%-12s %9s %9s %9s %10s %10s\n' image strata_s skopeo_s speedup strata_MB skopeo_MB
printf '%-12s %9s %9s %8.2fx %10.1f %10.1f\n' debian-fat "$st" "$kt" \
  "$(awk "BEGIN{print $kt/$st}")" "$(awk "BEGIN{print $srss/1024}")" "$(awk "BEGIN{print $krss/1024}")"
