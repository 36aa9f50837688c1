#!/usr/bin/env python3
"""treelist.py DIR [--no-dir-mtime] [--new-after NS]: a sorted listing of a tree, one line per
path, for comparing unpacked root filesystems (img-unpack tests):

  PATH TYPE MODE UID:GID SIZE CONTENT NLINK-GROUP XATTRS MTIME

TYPE f d l p c b s; MODE octal with setuid/setgid/sticky; CONTENT the
sha256 of a file, the target of a symlink, MAJOR:MINOR of a device, '-'
otherwise; NLINK-GROUP the first path (sorted) sharing the inode when
st_nlink > 1 within the tree, '-' otherwise; XATTRS key=hexvalue joined by
','; MTIME in nanoseconds (not for the root itself, and not for directories
with --no-dir-mtime). Names are printed with backslash escapes for
anything outside printable ASCII.
"""
import hashlib
import os
import stat
import sys


def esc(name):
    b = os.fsencode(name)
    return "".join(chr(c) if 0x21 <= c < 0x7F and c != 0x5C else "\\x%02x" % c for c in b)


def main():
    root = sys.argv[1]
    no_dir_mtime = "--no-dir-mtime" in sys.argv
    # --new-after NS: mtimes from NS on (directories created implicitly,
    # "now") print as "new" so listings stay reproducible
    new_after = None
    if "--new-after" in sys.argv:
        new_after = int(sys.argv[sys.argv.index("--new-after") + 1])
    paths = []
    for dp, dns, fns in os.walk(root):
        for n in dns + fns:
            paths.append(os.path.relpath(os.path.join(dp, n), root))
    paths.sort()
    paths.insert(0, ".")
    inodes = {}
    for p in paths:
        st = os.lstat(os.path.join(root, p))
        if not stat.S_ISDIR(st.st_mode) and st.st_nlink > 1:
            inodes.setdefault((st.st_dev, st.st_ino), p)
    for p in paths:
        full = os.path.join(root, p)
        st = os.lstat(full)
        m = st.st_mode
        content, size = "-", "-"
        if stat.S_ISREG(m):
            t = "f"
            size = str(st.st_size)
            h = hashlib.sha256()
            with open(full, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
            content = h.hexdigest()
        elif stat.S_ISDIR(m):
            t = "d"
        elif stat.S_ISLNK(m):
            t = "l"
            content = esc(os.readlink(full))
        elif stat.S_ISFIFO(m):
            t = "p"
        elif stat.S_ISCHR(m) or stat.S_ISBLK(m):
            t = "c" if stat.S_ISCHR(m) else "b"
            content = "%d:%d" % (os.major(st.st_rdev), os.minor(st.st_rdev))
        else:
            t = "s"
        group = inodes.get((st.st_dev, st.st_ino), "-") if t != "d" else "-"
        try:
            names = sorted(os.listxattr(full, follow_symlinks=False))
        except OSError:
            names = []
        xs = ",".join("%s=%s" % (k, os.getxattr(full, k, follow_symlinks=False).hex())
                      for k in names) or "-"
        mtime = str(st.st_mtime_ns)
        if p == "." or (t == "d" and no_dir_mtime):
            mtime = "-"
        elif new_after is not None and st.st_mtime_ns >= new_after:
            mtime = "new"
        print(" ".join([esc(p), t, "%04o" % stat.S_IMODE(m), "%d:%d" % (st.st_uid, st.st_gid),
                        size, content, esc(group), xs, mtime]))


if __name__ == "__main__":
    main()
