#!/usr/bin/env python3
"""Build OCI test images offline into an OCI image layout.

Usage:
  mkimage.py busybox LAYOUT [--name NAME] [--compress gzip|zstd|none]
  mkimage.py layers  LAYOUT SPEC.json [--name NAME]

Images are made from files on this machine (Debian's busybox-static), never
downloaded. The layout is written the way skopeo writes one: blobs under
blobs/sha256, index.json naming the image with
org.opencontainers.image.ref.name.

A SPEC for `layers` is JSON: {"config": {...image config "config" part...},
"layers": [[entry, ...], ...]} where an entry is
  {"path": "a/b", "type": "file"|"dir"|"symlink"|"hardlink"|"fifo"|"char"|"block",
   "data": "text", "mode": 420, "uid": 0, "gid": 0, "target": "...",
   "mtime": 1700000000.5, "xattrs": {"user.x": "v"}, "pax": {"k": "v"},
   "major": 1, "minor": 3, "size": N (declared size override: hostile)}
An optional "compress" per layer list is given as {"compress": "zstd",
"entries": [...]} instead of a bare list.
"""
import argparse
import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time

EPOCH = 1700000000  # fixed mtimes make the images reproducible

MT_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_INDEX = "application/vnd.oci.image.index.v1+json"
MT_LAYER = {
    "gzip": "application/vnd.oci.image.layer.v1.tar+gzip",
    "zstd": "application/vnd.oci.image.layer.v1.tar+zstd",
    "none": "application/vnd.oci.image.layer.v1.tar",
}


def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


class Layout:
    def __init__(self, path):
        self.path = path
        os.makedirs(os.path.join(path, "blobs", "sha256"), exist_ok=True)
        lay = os.path.join(path, "oci-layout")
        if not os.path.exists(lay):
            with open(lay, "w") as f:
                f.write('{"imageLayoutVersion":"1.0.0"}')
        idx = os.path.join(path, "index.json")
        if os.path.exists(idx):
            with open(idx) as f:
                self.index = json.load(f)
        else:
            self.index = {"schemaVersion": 2, "manifests": []}

    def put(self, data):
        d = sha(data)
        p = os.path.join(self.path, "blobs", "sha256", d[7:])
        if not os.path.exists(p):
            with open(p + ".tmp", "wb") as f:
                f.write(data)
            os.rename(p + ".tmp", p)
        return d

    def name(self, name, mediatype, digest, size, platform=None):
        self.index["manifests"] = [
            m for m in self.index["manifests"]
            if m.get("annotations", {}).get("org.opencontainers.image.ref.name") != name]
        desc = {"mediaType": mediatype, "digest": digest, "size": size,
                "annotations": {"org.opencontainers.image.ref.name": name}}
        if platform:
            desc["platform"] = platform
        self.index["manifests"].append(desc)
        with open(os.path.join(self.path, "index.json"), "w") as f:
            json.dump(self.index, f)


def compress(raw, how):
    if how == "gzip":
        return gzip.compress(raw, compresslevel=6, mtime=0)
    if how == "zstd":
        return subprocess.run(["zstd", "-q", "-c", "-3"], input=raw, check=True,
                              stdout=subprocess.PIPE).stdout
    return raw


def tar_entries(entries):
    """Tar bytes (PAX format) from entry dicts."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for e in entries:
            ti = tarfile.TarInfo(e["path"])
            ti.mtime = e.get("mtime", EPOCH)
            ti.uid = e.get("uid", 0)
            ti.gid = e.get("gid", 0)
            ti.uname = e.get("uname", "")
            ti.gname = e.get("gname", "")
            kind = e.get("type", "file")
            data = None
            if kind == "file":
                ti.type = tarfile.REGTYPE
                data = e.get("data", "")
                data = data.encode() if isinstance(data, str) else bytes(data)
                if "data_hex" in e:
                    data = bytes.fromhex(e["data_hex"])
                if "repeat" in e:
                    data = data * e["repeat"]
                ti.size = len(data)
                ti.mode = e.get("mode", 0o644)
            elif kind == "dir":
                ti.type = tarfile.DIRTYPE
                ti.mode = e.get("mode", 0o755)
            elif kind == "symlink":
                ti.type = tarfile.SYMTYPE
                ti.linkname = e["target"]
                ti.mode = e.get("mode", 0o777)
            elif kind == "hardlink":
                ti.type = tarfile.LNKTYPE
                ti.linkname = e["target"]
                ti.mode = e.get("mode", 0o644)
            elif kind == "fifo":
                ti.type = tarfile.FIFOTYPE
                ti.mode = e.get("mode", 0o644)
            elif kind in ("char", "block"):
                ti.type = tarfile.CHRTYPE if kind == "char" else tarfile.BLKTYPE
                ti.devmajor = e.get("major", 1)
                ti.devminor = e.get("minor", 3)
                ti.mode = e.get("mode", 0o666)
            else:
                raise SystemExit("unknown entry type " + kind)
            pax = dict(e.get("pax", {}))
            for k, v in e.get("xattrs", {}).items():
                pax["SCHILY.xattr." + k] = v
            if isinstance(ti.mtime, float) and ti.mtime != int(ti.mtime):
                pax["mtime"] = "%.9f" % ti.mtime
            if pax:
                ti.pax_headers = pax
            tf.addfile(ti, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()


def write_image(layout, name, layer_tars, config_part, arch="amd64", os_="linux",
                compression="gzip", history=None, extra_config=None):
    """Write blobs for layers (list of (tarbytes, compression)), config, manifest.
    Returns (manifest digest, manifest size)."""
    descs, diff_ids = [], []
    for raw, how in layer_tars:
        how = how or compression
        blob = compress(raw, how)
        descs.append({"mediaType": MT_LAYER[how], "digest": layout.put(blob), "size": len(blob)})
        diff_ids.append(sha(raw))
    config = {
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(EPOCH)),
        "architecture": arch, "os": os_,
        "config": config_part,
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": history or [{"created_by": "ocikit tests/lib/mkimage.py"}
                               for _ in layer_tars],
    }
    if extra_config:
        config.update(extra_config)
    cbytes = json.dumps(config, sort_keys=True).encode()
    manifest = {
        "schemaVersion": 2, "mediaType": MT_MANIFEST,
        "config": {"mediaType": MT_CONFIG, "digest": layout.put(cbytes), "size": len(cbytes)},
        "layers": descs,
    }
    mbytes = json.dumps(manifest, sort_keys=True).encode()
    md = layout.put(mbytes)
    if name:
        layout.name(name, MT_MANIFEST, md, len(mbytes))
    return md, len(mbytes)


def busybox_entries():
    bb = shutil.which("busybox") or "/bin/busybox"
    with open(bb, "rb") as f:
        data = f.read()
    applets = subprocess.run([bb, "--list-full"], check=True, stdout=subprocess.PIPE,
                             text=True).stdout.split()
    dirs = ["bin", "sbin", "usr", "usr/bin", "usr/sbin", "etc", "root", "tmp", "proc",
            "sys", "dev", "home", "var", "var/tmp", "run"]
    entries = []
    for d in dirs:
        mode = 0o1777 if d in ("tmp", "var/tmp") else (0o700 if d == "root" else 0o755)
        entries.append({"path": d, "type": "dir", "mode": mode})
    entries.append({"path": "bin/busybox", "type": "file", "data_hex": data.hex(), "mode": 0o755})
    seen = {"bin/busybox"}
    for a in applets:
        if a in seen or a.startswith("/"):
            continue
        seen.add(a)
        depth = a.count("/")
        entries.append({"path": a, "type": "symlink",
                        "target": "../" * depth + "bin/busybox" if depth > 1 else "busybox"})
    entries.append({"path": "etc/passwd", "type": "file",
                    "data": "root:x:0:0:root:/root:/bin/sh\n"
                            "daemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
                            "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
                            "tester:x:1000:1000:tester:/home/tester:/bin/sh\n"})
    entries.append({"path": "etc/group", "type": "file",
                    "data": "root:x:0:\ndaemon:x:1:\nusers:x:100:tester\n"
                            "tester:x:1000:\nnogroup:x:65534:\n"})
    entries.append({"path": "home/tester", "type": "dir", "mode": 0o755, "uid": 1000, "gid": 1000})
    return entries


def busybox_config():
    return {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
            "Cmd": ["/bin/sh"]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=["busybox", "layers"])
    ap.add_argument("layout")
    ap.add_argument("spec", nargs="?")
    ap.add_argument("--name", default=None)
    ap.add_argument("--compress", default="gzip", choices=["gzip", "zstd", "none"])
    ap.add_argument("--arch", default="amd64")
    a = ap.parse_args()
    lay = Layout(a.layout)
    if a.kind == "busybox":
        md, size = write_image(lay, a.name or "busybox:latest",
                               [(tar_entries(busybox_entries()), a.compress)],
                               busybox_config(), arch=a.arch)
    else:
        with open(a.spec) as f:
            spec = json.load(f)
        tars = []
        for l in spec["layers"]:
            if isinstance(l, dict):
                tars.append((tar_entries(l["entries"]), l.get("compress")))
            else:
                tars.append((tar_entries(l), None))
        md, size = write_image(lay, a.name or "test:latest", tars, spec.get("config", {}),
                               arch=spec.get("architecture", a.arch), compression=a.compress)
    print(md)


if __name__ == "__main__":
    main()
