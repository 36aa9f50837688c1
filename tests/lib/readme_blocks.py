#!/usr/bin/env python3
"""readme_blocks.py README MODE [REGISTRY]: the shell blocks of README.md,
for tests/e2e/readme.bats (which documents the convention).

MODE run      a bash script of every ```sh block to run, in order, each
              preceded by a line naming its README line, with the image
              names substituted (`alpine` and `docker.io/library/alpine`
              -> REGISTRY/library/alpine) and the commands that cannot run
              inside the test substituted (see SUBSTITUTIONS)
MODE skipped  one line per block marked not run: "LINE: REASON"
MODE first    the first two ```sh blocks, one line each
MODE config NAME  the first ```toml block after the prose that names NAME
              (e.g. containers.conf), as the README shows it
"""
import re
import sys

NOT_RUN = re.compile(r"^<!--\s*readme:\s*not run:\s*(.*?)\s*-->\s*$")
FULL_IMAGE = re.compile(r"docker\.io/library/alpine(?![\w-])")
IMAGE = re.compile(r"(?<![\w/.:-])alpine(?![\w-])")
# Commands of the README that cannot run as they are inside a test, and
# what stands in for them.
SUBSTITUTIONS = [
    # `make demo` = deps (apt-get) + build + examples/demo: the test
    # machine has the deps and the build already
    (re.compile(r"^make demo$"), "examples/demo"),
    # install from the build under test, not whatever build/ holds
    (re.compile(r"^make install "), 'make -s O="$OCIKIT_BUILD" install '),
    # the installed runner the podman and containerd examples name: the
    # runtime under test (the built runner, or EXAMPLE_RUNTIME's)
    (re.compile(r"/usr/local/bin/runner(?![\w-])"), '"$README_RUNTIME"'),
]


def blocks(path):
    """(line, lines, reason or None) of each ```sh block."""
    out, reason, cur, start = [], None, None, 0
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if cur is not None:
                if line.startswith("```"):
                    out.append((start, cur, reason))
                    cur, reason = None, None
                else:
                    cur.append(line)
                continue
            m = NOT_RUN.match(line)
            if m:
                reason = m.group(1)
            elif line.startswith("```sh"):
                cur, start = [], n
            elif line.strip() and not line.startswith("```"):
                reason = None  # a marker belongs to the very next block
    return out


def config_block(path, name):
    """The text of the first ```toml block after a prose line naming NAME."""
    named, cur = False, None
    with open(path) as f:
        for line in f:
            if cur is not None:
                if line.startswith("```"):
                    return "".join(cur)
                cur.append(line)
            elif line.startswith("```toml") and named:
                cur = []
            elif not line.startswith("```") and name in line:
                named = True
    raise SystemExit("readme_blocks.py: no toml block after " + name)


def substitute(line, registry):
    for pat, rep in SUBSTITUTIONS:
        line = pat.sub(rep, line)
    line = FULL_IMAGE.sub(registry + "/library/alpine", line)
    return IMAGE.sub(registry + "/library/alpine", line)


def main():
    path, mode = sys.argv[1], sys.argv[2]
    bs = blocks(path)
    if mode == "run":
        reg = sys.argv[3]
        for start, lines, reason in bs:
            if reason is not None:
                continue
            print("echo '# README.md:%d' >&2" % start)
            for l in lines:
                print(substitute(l, reg))
    elif mode == "skipped":
        for start, _, reason in bs:
            if reason is not None:
                print("%d: %s" % (start, reason))
    elif mode == "config":
        print(config_block(path, sys.argv[3]), end="")
    elif mode == "first":
        for _, lines, _ in bs[:2]:
            print(" ; ".join(lines))
    else:
        raise SystemExit("readme_blocks.py: unknown mode " + mode)


if __name__ == "__main__":
    main()
