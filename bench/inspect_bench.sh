#!/usr/bin/env bash
# strata inspect vs the decompression floor on the lab images.
#   bench/inspect_bench.sh [IMAGES_DIR] [RUNS]
# The floor of reading an image is inflating its largest layer: `igzip -dc`
# (ISA-L) of that blob to /dev/null, single-threaded; the other layers can be
# read in parallel on the other core(s). Prints best-of-RUNS wall times, the
# ratio strata/floor (goal: <= 1.15 on debian-fat) and strata's peak RSS
# (goal: < 100 MB). Inputs are read once first so both sides run from the
# page cache.
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
IMAGES=${1:-$("$HERE/scripts/lab-images.sh")}
RUNS=${2:-5}
STRATA=${STRATA:-$HERE/build/strata}
[ -n "$IMAGES" ] && [ -d "$IMAGES" ] || { echo "no lab images (need ../shared/lab)"; exit 0; }
command -v igzip >/dev/null || { echo "igzip missing: apt-get install isal"; exit 1; }

TMP=$(mktemp); trap 'rm -f "$TMP"' EXIT
best() {  # best wall seconds and max RSS (KiB) of RUNS runs of "$@"
  local b="" rss=0 t m
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -o "$TMP" -f '%e %M' "$@" >/dev/null 2>&1
    read -r t m < "$TMP"
    if [ -z "$b" ] || awk "BEGIN{exit !($t < $b)}"; then b=$t; fi
    [ "$m" -gt "$rss" ] && rss=$m
  done
  echo "$b $rss"
}

printf '%-18s %10s %10s %7s %9s\n' image strata_s floor_s ratio rss_MB
for name in debian-fat debian-minbase distroless-style alpine-3.20; do
  layout=$IMAGES/$name.oci
  [ -d "$layout" ] || continue
  largest=$(ls -S "$layout"/blobs/sha256/* | head -n1)
  cat "$layout"/blobs/sha256/* >/dev/null
  read -r st srss < <(best "$STRATA" inspect -q -o json "oci:$layout")
  read -r fl _ < <(best igzip -dc "$largest")
  ratio=$(awk "BEGIN{printf \"%.2f\", $st / $fl}")
  printf '%-18s %10s %10s %7s %9.1f\n' "$name" "$st" "$fl" "$ratio" "$(awk "BEGIN{print $srss/1024}")"
done
