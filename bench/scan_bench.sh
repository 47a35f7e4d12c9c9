#!/usr/bin/env bash
# strata scan speed: a 500-package SBOM against the DB of the lab's OSV
# corpus (AlmaLinux, Go and PyPI all.zip, 12.6k records), DB open included,
# against the goal of 100 ms.
#   bench/scan_bench.sh [IMAGES_DIR] [RUNS]
# The SBOM is 500 packages drawn (fixed seed) from strata's SBOM of the lab
# image debian-fat: debs, npm, Python, Go modules and jars, as an image has
# them. No peer runs beside it: grype is not packaged for Debian 12 and
# Trivy cannot scan without downloading its DB, so the goal is absolute.
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
IMAGES=${1:-$("$HERE/scripts/lab-images.sh")}
RUNS=${2:-10}
STRATA=${STRATA:-$HERE/build/strata}
CORPUS=${STRATA_OSV_CORPUS:-$HERE/../shared/fixtures/osv-corpus}
[ -n "$IMAGES" ] && [ -d "$IMAGES/debian-fat.oci" ] || { echo "no lab images (need ../shared/lab)"; exit 0; }
[ -f "$CORPUS/Go-all.zip" ] || { echo "no OSV corpus (need $CORPUS)"; exit 0; }
OUT=$(mktemp -d); trap 'rm -rf "$OUT"' EXIT
"$STRATA" db import --db "$OUT/vuln.db" "$CORPUS"/{AlmaLinux,Go,PyPI}-all.zip 2>/dev/null
"$STRATA" sbom -q -o json="$OUT/fat.json" "oci:$IMAGES/debian-fat.oci"
python3 - "$OUT/fat.json" "$OUT/sbom500.json" <<'PY'
import json, random, sys
d = json.load(open(sys.argv[1]))
random.seed(1)
sel = random.sample(d["packages"], 500)
ids = {p["id"] for p in sel}
d["packages"] = sorted(sel, key=lambda p: p["id"])
d["relationships"] = [r for r in d["relationships"] if r["from"] in ids and r["to"] in ids]
json.dump(d, open(sys.argv[2], "w"))
PY
best="" cpu=""
for _ in $(seq "$RUNS"); do
  /usr/bin/time -o "$OUT/time" -f '%e %U %S' \
    "$STRATA" scan -o json --db "$OUT/vuln.db" "$OUT/sbom500.json" > "$OUT/scan.json"
  read -r wall user sys < "$OUT/time"
  if [ -z "$best" ] || awk "BEGIN{exit !($wall < $best)}"; then
    best=$wall; cpu=$(awk "BEGIN{print $user + $sys}")
  fi
done
findings=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['matches']))" "$OUT/scan.json")
printf 'scan of 500 packages (%s findings): best %s s wall (%s s CPU); goal 0.100 s: %.2fx of the goal\n' \
  "$findings" "$best" "$cpu" "$(awk "BEGIN{print $best/0.100}")"
