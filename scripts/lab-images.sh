#!/usr/bin/env bash
# Builds (once) the lab's real images into the cache and prints the folder.
# Exits 0 with a "skip:" line on stderr when ../shared/lab is absent (outside
# users) or cannot run here (not root), so tests depending on it skip.
#   scripts/lab-images.sh            -> prints e.g. ~/.cache/strata-lab/images
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
LAB=${STRATA_LAB_DIR:-$HERE/../shared/lab}
OUT=${STRATA_LAB_IMAGES:-${XDG_CACHE_HOME:-$HOME/.cache}/strata-lab/images}
if [ ! -f "$LAB/make-images.sh" ]; then
  echo "skip: $LAB not found (the lab exists only beside the project's own checkouts)" >&2
  exit 0
fi
if [ -f "$OUT/alpine-3.20.docker.tar" ] && [ -f "$OUT/debian-fat.docker.tar" ]; then
  echo "$OUT"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "skip: building lab images needs root (mmdebstrap); images absent in $OUT" >&2
  exit 0
fi
# The Debian mirrors this machine's apt uses (make-images.sh's own lookup
# trips over pipefail on some apt layouts, so pass them explicitly).
uris() { grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{for (i = 2; i <= NF; i++) print $i}' || true
         grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | sed 's/\[[^]]*\]//' | awk '{print $2}' || true; }
ALL=$(uris)
export MIRROR=${MIRROR:-$(echo "$ALL" | grep -E '/debian/?$' | head -n1 | sed 's#/$##' || true)}
export SECURITY_MIRROR=${SECURITY_MIRROR:-$(echo "$ALL" | grep -E '/debian-security/?$' | head -n1 | sed 's#/$##' || true)}
[ -n "$MIRROR" ] || MIRROR=http://deb.debian.org/debian
[ -n "$SECURITY_MIRROR" ] || SECURITY_MIRROR=${MIRROR%/debian}/debian-security
mkdir -p "$OUT"
echo "building lab images in $OUT (a few minutes, once)" >&2
bash "$LAB/make-images.sh" "$OUT" >&2
echo "$OUT"
