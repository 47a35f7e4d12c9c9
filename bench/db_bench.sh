#!/usr/bin/env bash
# strata db import speed on the lab's OSV corpus (AlmaLinux, Go and PyPI
# all.zip, 12.6k records) against the goal of 20k records/s.
#   bench/db_bench.sh [RUNS]
# Each run imports the three zips into a fresh database in one transaction.
# Prints the best wall time, the CPU time of that run (user+sys: wall time
# on a loaded machine says little), records/s for both and the ratio to the
# goal (>= 1.00 meets it).
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${1:-5}
STRATA=${STRATA:-$HERE/build/strata}
CORPUS=${STRATA_OSV_CORPUS:-$HERE/../shared/fixtures/osv-corpus}
GOAL=20000
ZIPS=("$CORPUS/AlmaLinux-all.zip" "$CORPUS/Go-all.zip" "$CORPUS/PyPI-all.zip")
for z in "${ZIPS[@]}"; do
  [ -f "$z" ] || { echo "no OSV corpus (need $CORPUS)"; exit 0; }
done
OUT=$(mktemp -d); trap 'rm -rf "$OUT"' EXIT
cat "${ZIPS[@]}" >/dev/null  # warm the page cache

best="" best_cpu="" records=""
for _ in $(seq "$RUNS"); do
  rm -f "$OUT/vuln.db"
  /usr/bin/time -o "$OUT/time" -f '%e %U %S' \
    "$STRATA" db import --db "$OUT/vuln.db" "${ZIPS[@]}" 2>"$OUT/log"
  read -r wall user sys < "$OUT/time"
  records=$(sed -n 's/^imported \([0-9]*\) records.*/\1/p' "$OUT/log")
  if [ -z "$best" ] || awk "BEGIN{exit !($wall < $best)}"; then
    best=$wall; best_cpu=$(awk "BEGIN{print $user + $sys}")
  fi
done
[ -n "$records" ] || { cat "$OUT/log"; exit 1; }
awk -v n="$records" -v w="$best" -v c="$best_cpu" -v g="$GOAL" 'BEGIN{
  w = (w > 0 ? w : 0.01); c = (c > 0 ? c : 0.01)
  printf "%-10s %8s %8s %12s %12s %10s %10s\n", "records", "wall_s", "cpu_s",
         "rec/s_wall", "rec/s_cpu", "goal_wall", "goal_cpu"
  printf "%-10d %8.2f %8.2f %12.0f %12.0f %9.2fx %9.2fx\n", n, w, c, n / w,
         n / c, n / w / g, n / c / g
}'
