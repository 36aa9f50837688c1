#!/usr/bin/env python3
"""registry_verify_store.py STORE: check an OCI layout independently of our
C code: every blob under blobs/sha256 hashes to its name, nothing is left
in blobs/tmp, every index.json entry and every descriptor reachable from it
(index -> manifests -> config + layers) is present with the declared size.
Prints the problems; exit 1 if any."""
import hashlib
import json
import os
import sys


def main():
    root = sys.argv[1]
    bad = []
    bdir = os.path.join(root, "blobs", "sha256")
    for name in sorted(os.listdir(bdir)):
        with open(os.path.join(bdir, name), "rb") as f:
            h = hashlib.sha256()
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        if h.hexdigest() != name:
            bad.append("blob %s hashes to %s" % (name, h.hexdigest()))
    tmp = os.path.join(root, "blobs", "tmp")
    if os.path.isdir(tmp) and os.listdir(tmp):
        bad.append("leftovers in blobs/tmp: %s" % os.listdir(tmp))
    with open(os.path.join(root, "index.json")) as f:
        index = json.load(f)

    def check(desc, where):
        d = desc.get("digest", "")
        p = os.path.join(bdir, d[7:])
        if not d.startswith("sha256:") or not os.path.exists(p):
            if desc.get("urls"):
                return None
            bad.append("%s: missing blob %s" % (where, d))
            return None
        if os.path.getsize(p) != desc.get("size"):
            bad.append("%s: blob %s has size %d, descriptor says %s" % (
                where, d, os.path.getsize(p), desc.get("size")))
        return p

    def walk(desc, where):
        p = check(desc, where)
        if p is None:
            return
        mt = desc.get("mediaType", "")
        if mt.endswith("index.v1+json") or mt.endswith("manifest.list.v2+json"):
            with open(p) as f:
                doc = json.load(f)
            for i, m in enumerate(doc.get("manifests", [])):
                # a single-platform pull keeps only its own manifest
                if os.path.exists(os.path.join(bdir, m["digest"][7:])):
                    walk(m, "%s/manifests[%d]" % (where, i))
        elif mt.endswith("manifest.v1+json") or mt.endswith("manifest.v2+json"):
            with open(p) as f:
                doc = json.load(f)
            check(doc["config"], where + "/config")
            for i, l in enumerate(doc.get("layers", [])):
                check(l, "%s/layers[%d]" % (where, i))

    for i, m in enumerate(index.get("manifests", [])):
        walk(m, "index.json[%d]" % i)
    for b in bad:
        print(b)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
