#!/usr/bin/env python3
"""Independent oracle for strata's squashed view (python3 stdlib only).

usage: oracle.py LAYER.tar[.gz|.zst via zstd -dc]... -> JSON counts by type

Applies layers in order with OCI whiteout rules (whiteouts hide lower layers
only, opaque markers hide lower-layer children) and counts the final paths
by type: regular (hardlinks included), dir, symlink, other.
"""
import json
import posixpath
import subprocess
import sys
import tarfile
import io


def norm(n):
    parts = []
    for c in n.split("/"):
        if c in ("", "."):
            continue
        if c == "..":
            parts.pop()
        else:
            parts.append(c)
    return "/".join(parts)


def open_layer(path):
    with open(path, "rb") as f:
        head = f.read(4)
    if head == b"\x28\xb5\x2f\xfd":
        data = subprocess.run(["zstd", "-dc", path], check=True, capture_output=True).stdout
        return tarfile.open(fileobj=io.BytesIO(data), mode="r:")
    return tarfile.open(path, "r:*")


def main():
    fs = {}
    for i, p in enumerate(sys.argv[1:]):
        with open_layer(p) as tf:
            members = [(norm(t.name), t) for t in tf]
        for name, t in members:
            base, d = posixpath.basename(name), posixpath.dirname(name)
            if base == ".wh..wh..opq":
                pre = d + "/" if d else ""
                for k in [k for k, (li, _) in fs.items() if k.startswith(pre) and li < i]:
                    del fs[k]
            elif base.startswith(".wh."):
                victim = posixpath.join(d, base[4:])
                for k in [k for k, (li, _) in fs.items()
                          if (k == victim or k.startswith(victim + "/")) and li < i]:
                    del fs[k]
        for name, t in members:
            if not name or posixpath.basename(name).startswith(".wh."):
                continue
            old = fs.get(name)
            if not t.isdir() and old is not None and (old[1] is None or old[1].isdir()):
                # A non-directory replaces a directory and its subtree.
                for k in [k for k in fs if k.startswith(name + "/")]:
                    del fs[k]
            fs[name] = (i, t)
            # Implicit parents.
            d = posixpath.dirname(name)
            while d and d not in fs:
                fs[d] = (i, None)
                d = posixpath.dirname(d)
    counts = {"total": len(fs), "regular": 0, "directories": 0, "symlinks": 0, "other": 0}
    for _, t in fs.values():
        if t is None or t.isdir():
            counts["directories"] += 1
        elif t.isreg() or t.islnk():
            counts["regular"] += 1
        elif t.issym():
            counts["symlinks"] += 1
        else:
            counts["other"] += 1
    print(json.dumps(counts, sort_keys=True))


if __name__ == "__main__":
    main()
