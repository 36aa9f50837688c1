#!/usr/bin/env python3
"""Image layouts for the img-unpack tests (tests/e2e/unpack-*.bats).

  unpack_fixtures.py multilayer LAYOUT [--umoci]
  unpack_fixtures.py index LAYOUT
  unpack_fixtures.py hostile LAYOUT
  unpack_fixtures.py bench LAYOUT [MB]

Built on tests/lib/mkimage.py. `multilayer` exercises every entry type,
whiteouts (also an opaque marker after its siblings, a name whited out and
recreated in one layer), replacements, hard links across layers, long and
non-ASCII names, setuid, xattrs incl. security.capability, sub-second mtimes,
a PAX global header and a zstd layer; `--umoci` leaves out the two things
umoci cannot read (PAX global header, zstd) for the differential test.
`hostile` holds one image per attack, named hostile-*. Everything is
deterministic: the expected listing under tests/e2e/expected is checked in.
tests/lib/fixtures.sh builds a fixture once per name and keeps it: the
fixtures.d names carry a version (unpack-hostile-v4, ...) to bump whenever
this file changes what a layout holds, so stale builds are never reused.
"""
import hashlib
import io
import json
import os
import random
import sys
import tarfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mkimage  # noqa: E402
from mkimage import Layout, tar_entries, write_image, compress, sha  # noqa: E402

# security.capability v2 granting cap_net_raw (bit 13), effective
CAP_NET_RAW = "\x01\x00\x00\x02\x00\x20\x00\x00" + "\x00" * 12
T = 1700000000


def layer0():
    e = []
    add = e.append
    add({"path": "etc", "type": "dir", "mtime": T + 10})
    add({"path": "etc/passwd", "data": "root:x:0:0:root:/root:/bin/sh\n"})
    add({"path": "etc/hosts", "data": "127.0.0.1 localhost\n"})
    add({"path": "twice", "data": "first version"})
    add({"path": "bin", "type": "dir"})
    add({"path": "bin/tool", "data": "#!/bin/sh\necho tool\n", "mode": 0o755})
    add({"path": "bin/suid", "data": "setuid", "mode": 0o4755})
    add({"path": "bin/sgid", "data": "setgid", "mode": 0o2755, "gid": 50})
    add({"path": "tmp", "type": "dir", "mode": 0o1777})
    add({"path": "opq", "type": "dir", "mode": 0o750})
    add({"path": "opq/a", "data": "a"})
    add({"path": "opq/b", "data": "b"})
    add({"path": "opq/sub", "type": "dir"})
    add({"path": "opq/sub/c", "data": "c"})
    add({"path": "wh", "type": "dir"})
    add({"path": "wh/gone", "data": "gone"})
    add({"path": "wh/kept", "data": "old"})
    add({"path": "wh/dir", "type": "dir"})
    add({"path": "wh/dir/x", "data": "x"})
    add({"path": "wh/stays", "data": "stays"})
    add({"path": "file2dir", "data": "i am a file"})
    add({"path": "dir2file", "type": "dir"})
    add({"path": "dir2file/child", "data": "child"})
    add({"path": "lnk", "type": "symlink", "target": "etc/passwd"})
    add({"path": "abs", "type": "symlink", "target": "/etc/hosts"})
    add({"path": "lnk2file", "type": "symlink", "target": "etc/hosts"})
    add({"path": "data", "type": "dir"})
    add({"path": "data/orig", "data": "shared inode\n", "mode": 0o640})
    add({"path": "data/hl1", "type": "hardlink", "target": "data/orig"})
    long_dir = "deep/" + "d" * 70
    add({"path": long_dir, "type": "dir"})
    add({"path": long_dir + "/" + "f" * 80, "data": "long name"})
    add({"path": "unicode", "type": "dir"})
    add({"path": "unicode/caf\u00e9-\u65e5\u672c.txt", "data": "non-ascii"})
    add({"path": "caps", "type": "dir"})
    add({"path": "caps/ping", "data": "ping", "mode": 0o755,
         "xattrs": {"security.capability": CAP_NET_RAW, "user.comment": "hello"}})
    add({"path": "caps/dirx", "type": "dir", "xattrs": {"user.dir": "on a dir"}})
    add({"path": "run", "type": "dir"})
    add({"path": "run/fifo", "type": "fifo", "mode": 0o620})
    add({"path": "dev", "type": "dir"})
    add({"path": "dev/null2", "type": "char", "major": 1, "minor": 3, "mode": 0o666})
    add({"path": "dev/loop9", "type": "block", "major": 7, "minor": 9, "mode": 0o660})
    add({"path": "time", "type": "dir", "mtime": T + 0.5})
    add({"path": "time/frac", "data": "t", "mtime": T + 0.25})
    add({"path": "home/user", "type": "dir", "uid": 1000, "gid": 1000, "mode": 0o700})
    add({"path": "home/user/file", "data": "mine", "uid": 1000, "gid": 1000, "mode": 0o600})
    # parents given only implicitly: home/ has no entry of its own
    add({"path": "implied/a/b", "data": "implied parents"})
    # swap/ becomes a symlink to other/ in layer 1: swap/sub's mode and
    # time must not land on other/sub
    add({"path": "swap", "type": "dir"})
    add({"path": "swap/sub", "type": "dir", "mode": 0o700, "mtime": T + 100})
    add({"path": "other", "type": "dir"})
    add({"path": "other/sub", "type": "dir", "mode": 0o751, "mtime": T + 200})
    # the same path twice in one layer: the later entry wins
    add({"path": "twice", "data": "second version"})
    return e


def layer1():
    e = []
    add = e.append
    add({"path": "opq", "type": "dir", "mode": 0o755})
    add({"path": "opq/new", "data": "new"})
    # image-spec layer.md: the opaque marker applies whatever its position
    add({"path": "opq/.wh..wh..opq", "data": ""})
    add({"path": "wh/.wh.gone", "data": ""})
    add({"path": "wh/.wh.dir", "data": ""})
    add({"path": "wh/.wh.kept", "data": ""})
    add({"path": "wh/kept", "data": "recreated in the same layer"})
    add({"path": "file2dir", "type": "dir"})
    add({"path": "file2dir/inner", "data": "inner"})
    add({"path": "dir2file", "data": "now a file"})
    add({"path": "lnk2file", "data": "replaced the symlink, not its target"})
    add({"path": "data/hl2", "type": "hardlink", "target": "data/orig"})
    add({"path": "swap", "type": "symlink", "target": "other"})
    add({"path": "bin/tool", "data": "#!/bin/sh\necho tool v2\n", "mode": 0o755})
    return e


def layer2_tar(global_header):
    entries = [
        {"path": "global/file", "data": "after a global header"},
        {"path": "data/.wh.orig", "data": ""},
        {"path": "etc/.wh.hosts", "data": ""},
        {"path": "symdir", "type": "symlink", "target": "etc"},
    ]
    raw = tar_entries(entries)
    if not global_header:
        return raw
    # the same members behind a PAX global header ('g'), as `git archive` writes
    src = tarfile.open(fileobj=io.BytesIO(raw))
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT,
                      pax_headers={"comment": "0123456789abcdef"}) as tf:
        for m in src.getmembers():
            tf.addfile(m, src.extractfile(m) if m.isfile() else None)
    return buf.getvalue()


def layer3():
    return [{"path": "plain/file", "data": "from an uncompressed layer"},
            # bigger than what the file-writer threads take: streamed
            {"path": "plain/big", "data": "0123456789abcdef", "repeat": 200000}]


def multilayer(path, umoci=False):
    lay = Layout(path)
    layers = [
        (tar_entries(layer0()), "gzip"),
        (tar_entries(layer1()), "gzip" if umoci else "zstd"),
        (layer2_tar(not umoci), "gzip"),
        (tar_entries(layer3()), "none"),
        (tar_entries([]), "gzip"),  # an empty layer
    ]
    write_image(lay, "multilayer:latest", layers, {"Cmd": ["/bin/tool"]})
    if umoci:
        # one gzip layer behind a PAX global header alone, to show umoci's failure
        write_image(lay, "paxglobal:latest", [(layer2_tar(True), "gzip")], {})


def index(path):
    """An index of two platforms, each a one-layer image saying which."""
    lay = Layout(path)
    descs = []
    for arch in ("amd64", "arm64"):
        md, size = write_image(lay, None, [(tar_entries([{"path": "arch", "data": arch + "\n"}]),
                                            "gzip")], {}, arch=arch)
        descs.append({"mediaType": mkimage.MT_MANIFEST, "digest": md, "size": size,
                      "platform": {"os": "linux", "architecture": arch}})
    idx = json.dumps({"schemaVersion": 2, "mediaType": mkimage.MT_INDEX,
                      "manifests": descs}, sort_keys=True).encode()
    lay.name("multiarch:latest", mkimage.MT_INDEX, lay.put(idx), len(idx))


def raw_tar(members):
    """members: list of (TarInfo, data or None); tarfile writes ustar/PAX."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for ti, data in members:
            tf.addfile(ti, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()


def ti(name, kind=tarfile.REGTYPE, size=0, linkname="", mode=0o644):
    t = tarfile.TarInfo(name)
    t.type, t.size, t.linkname, t.mode, t.mtime = kind, size, linkname, mode, T
    return t


def put_image(lay, name, layer_blobs, diff_ids, media_types=None):
    """An image from ready blobs and diff_ids (so they can lie)."""
    descs = []
    for i, blob in enumerate(layer_blobs):
        mt = (media_types or {}).get(i, mkimage.MT_LAYER["gzip"])
        descs.append({"mediaType": mt, "digest": lay.put(blob), "size": len(blob)})
    config = {"architecture": "amd64", "os": "linux", "config": {},
              "rootfs": {"type": "layers", "diff_ids": diff_ids}}
    cb = json.dumps(config, sort_keys=True).encode()
    manifest = {"schemaVersion": 2, "mediaType": mkimage.MT_MANIFEST,
                "config": {"mediaType": mkimage.MT_CONFIG, "digest": lay.put(cb), "size": len(cb)},
                "layers": descs}
    mb = json.dumps(manifest, sort_keys=True).encode()
    lay.name(name, mkimage.MT_MANIFEST, lay.put(mb), len(mb))


def simple(lay, name, tars):
    blobs = [compress(t, "gzip") for t in tars]
    put_image(lay, name, blobs, [sha(t) for t in tars])


def hostile(path):
    lay = Layout(path)
    base = raw_tar([(ti("etc", tarfile.DIRTYPE, mode=0o755), None),
                    (ti("etc/passwd", size=5), b"root\n")])
    # ../ and absolute names: cleaned into the root
    simple(lay, "hostile-dotdot", [raw_tar([
        (ti("../canary/dotdot", size=3), b"bad"),
        (ti("/canary/absolute", size=3), b"bad"),
        (ti("a/../../canary/mixed", size=3), b"bad")])])
    # The tests unpack into TMP/root next to TMP/canary: "../canary" from
    # the root, or "../../canary" from root/etc, is where an unsafe
    # unpacker would land.
    # a symlink to outside, then a file written "through" it
    simple(lay, "hostile-symlink", [base, raw_tar([
        (ti("escape", tarfile.SYMTYPE, linkname="../canary"), None),
        (ti("escape/file", size=3), b"bad")])])
    # a symlink to "/" used as a parent: stays in the root
    simple(lay, "hostile-rootlink", [base, raw_tar([
        (ti("rootlink", tarfile.SYMTYPE, linkname="/"), None),
        (ti("rootlink/etc/through-root", size=4), b"kept")])])
    # a symlink named "." (must not replace the root)
    simple(lay, "hostile-dot", [raw_tar([
        (ti(".", tarfile.SYMTYPE, linkname="../canary"), None),
        (ti("./file", size=2), b"ok")])])
    # a symlink to outside, then a file entry of the same name in a later
    # layer: the link is replaced, its target untouched
    # (a directory entry over a symlink to the canary directory likewise:
    # its mode must not reach the canary)
    simple(lay, "hostile-symlink-overwrite", [base, raw_tar([
        (ti("etc/shadow", tarfile.SYMTYPE, linkname="../../canary/victim"), None),
        (ti("dirlink", tarfile.SYMTYPE, linkname="../canary"), None)]),
        raw_tar([(ti("etc/shadow", size=3, mode=0o4777), b"new"),
                 (ti("dirlink", tarfile.DIRTYPE, mode=0o777), None),
                 (ti("dirlink/inside", size=2), b"in")])])
    # hard link to a file outside the root: refused, the rest unpacked
    simple(lay, "hostile-hardlink", [base, raw_tar([
        (ti("hl-out", tarfile.LNKTYPE, linkname="../canary/victim"), None),
        (ti("hl-in", tarfile.LNKTYPE, linkname="/etc/passwd"), None),
        (ti("after", size=5), b"after")])])
    # a whiteout naming ../canary
    simple(lay, "hostile-whiteout", [base, raw_tar([
        (ti("../.wh.canary"), None), (ti("etc/../../.wh.canary"), None)])])
    # thousands of empty files: queued file writes must stay bounded (each
    # holds a directory fd)
    simple(lay, "hostile-many", [raw_tar([(ti("many/f%05d" % i), b"") for i in range(3000)])])
    # lying compressed digest: the descriptor names another blob's digest
    good = raw_tar([(ti("f", size=2), b"ok")])
    gz = compress(good, "gzip")
    d = lay.put(gz)
    bad = bytearray(gz)
    bad[-9] ^= 0xFF  # inside the deflate data/CRC: content differs
    lie = os.path.join(path, "blobs", "sha256", d[7:] + ".lie")
    # a blob stored under a digest that is not its content's
    lay_dir = os.path.join(path, "blobs", "sha256")
    fake_digest = sha(b"not the content")
    with open(os.path.join(lay_dir, fake_digest[7:]), "wb") as f:
        f.write(gz)
    man_layers = [{"mediaType": mkimage.MT_LAYER["gzip"], "digest": fake_digest, "size": len(gz)}]
    config = {"architecture": "amd64", "os": "linux", "config": {},
              "rootfs": {"type": "layers", "diff_ids": [sha(good)]}}
    cb = json.dumps(config).encode()
    mb = json.dumps({"schemaVersion": 2, "mediaType": mkimage.MT_MANIFEST,
                     "config": {"mediaType": mkimage.MT_CONFIG, "digest": lay.put(cb),
                                "size": len(cb)}, "layers": man_layers}).encode()
    lay.name("hostile-digest", mkimage.MT_MANIFEST, lay.put(mb), len(mb))
    del lie, bad
    # lying diff_id
    put_image(lay, "hostile-diffid", [gz], [sha(b"another tar")])
    # truncated gzip stream (digests match the truncated blob and the tar)
    tr = gz[: len(gz) // 2]
    put_image(lay, "hostile-truncated", [tr], [sha(good)])
    # a member declaring a huge size (1 PiB) with no data behind it
    t = ti("huge", size=0)
    hdr = raw_tar([(t, b"")])
    h = bytearray(hdr[:512])
    h[124:136] = b"\x80" + (1 << 50).to_bytes(11, "big")  # base-256 size
    h[148:156] = b"        "
    h[148:155] = ("%06o\0" % sum(h)).encode()
    huge = bytes(h) + b"\0" * 1024
    simple(lay, "hostile-huge", [huge])
    # a decompression bomb: 16 members of 32 MiB of zeros (512 MiB) in a
    # ~0.5 MB gzip; each member is small enough, the sum is not
    bomb_tar = io.BytesIO()

    class Zeros(io.RawIOBase):
        def __init__(self, n):
            self.n = n

        def readinto(self, b):
            k = min(len(b), self.n)
            b[:k] = b"\0" * k
            self.n -= k
            return k
    with tarfile.open(fileobj=bomb_tar, mode="w", format=tarfile.GNU_FORMAT) as tf:
        for i in range(16):
            tf.addfile(ti("zeros%02d" % i, size=32 << 20), Zeros(32 << 20))
    raw = bomb_tar.getvalue()
    put_image(lay, "hostile-bomb", [compress(raw, "gzip")], [sha(raw)])


def bench(path, mb=128):
    """A deterministic image of about `mb` MB of tar in 4 gzip layers, shaped
    like a distribution image: many small text-like files and some larger
    half-compressible binaries, ~2.5:1 overall."""
    rnd = random.Random(42)
    words = ["".join(rnd.choice("abcdefghijklmnopqrstuvwxyz_.") for _ in range(rnd.randint(2, 9)))
             for _ in range(5000)]
    weights = [1.0 / (i + 1) for i in range(len(words))]  # Zipf, like text
    corpus = " ".join(rnd.choices(words, weights, k=800000)).encode()
    lay = Layout(path)
    per_layer = (mb << 20) // 4
    layers = []
    n = 0
    for li in range(4):
        buf = io.BytesIO()
        total = 0
        with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
            while total < per_layer:
                d = "usr/share/layer%d/dir%03d" % (li, n // 40)
                if n % 40 == 0:
                    tf.addfile(ti(d, tarfile.DIRTYPE, mode=0o755))
                if n % 25 == 24:
                    size = rnd.randint(100 << 10, 900 << 10)
                    data = rnd.randbytes(size // 8) + corpus[:size - size // 8]
                else:
                    size = rnd.randint(100, 20 << 10)
                    off = rnd.randint(0, len(corpus) - size)
                    data = corpus[off:off + size]
                tf.addfile(ti("%s/f%05d" % (d, n), size=len(data)), io.BytesIO(data))
                total += len(data)
                n += 1
        layers.append((buf.getvalue(), "gzip"))
    write_image(lay, "bench:latest", layers, {})


def main():
    kind, path = sys.argv[1], sys.argv[2]
    if kind == "multilayer":
        multilayer(path, umoci="--umoci" in sys.argv)
    elif kind == "index":
        index(path)
    elif kind == "hostile":
        hostile(path)
    elif kind == "bench":
        bench(path, int(sys.argv[3]) if len(sys.argv) > 3 else 128)
    else:
        raise SystemExit("unknown fixture " + kind)


if __name__ == "__main__":
    main()
