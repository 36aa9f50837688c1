#!/usr/bin/env bats
# Differential: the same images through `umoci unpack` (Debian's umoci
# 0.4.7) and img-unpack must give identical trees (tests/lib/treelist.py:
# type, mode, owner, size, content, link target, hard-link groups, xattrs,
# mtimes incl. directories). Where umoci fails, the failure is shown and
# img-unpack must succeed:
#   - a PAX global header ('g', as `git archive` writes): umoci aborts with
#     "unknown typeflag '\x67'";
#   - a zstd layer: umoci says "blob is not correct mediatype";
#   - an index with several platforms: umoci cannot choose ("tag is ambiguous");
#   - a hard link to a path outside the root: umoci aborts the whole unpack
#     ("link: no such file or directory"); img-unpack skips that entry.
load ../lib/common

setup() {
  common_setup
  command -v umoci >/dev/null || skip "umoci not installed"
  START=$(date +%s%N)
}

listing() { python3 "$SRC/tests/lib/treelist.py" "$1" --new-after "$START"; }

same_as_umoci() { # LAYOUT NAME
  umoci unpack --image "$1:$2" "$TESTTMP/bundle" >/dev/null 2>&1
  img-unpack --store "$1" "$2" -o "$TESTTMP/ours" >/dev/null
  diff -u <(listing "$TESTTMP/bundle/rootfs") <(listing "$TESTTMP/ours")
}

@test "umoci: the multi-layer image (gzip only, no global header) gives the same tree" {
  same_as_umoci "$(fixture_layout unpack-multilayer-umoci-v4)" multilayer:latest
}

@test "umoci: busybox gives the same tree" {
  same_as_umoci "$(fixture_layout busybox)" busybox:latest
}

@test "umoci: fails on a PAX global header, img-unpack does not" {
  lay=$(fixture_layout unpack-multilayer-umoci-v4)
  run umoci unpack --image "$lay:paxglobal:latest" "$TESTTMP/bundle"
  [ "$status" -ne 0 ]
  [[ "$output" == *typeflag* ]]
  img-unpack --store "$lay" paxglobal:latest -o "$TESTTMP/ours" >/dev/null
  [ "$(cat "$TESTTMP/ours/global/file")" = "after a global header" ]
}

@test "umoci: fails on a zstd layer, img-unpack does not" {
  lay=$(fixture_layout unpack-multilayer-v4)
  run umoci unpack --image "$lay:multilayer:latest" "$TESTTMP/bundle"
  [ "$status" -ne 0 ]
  [[ "$output" == *zstd* ]]
  img-unpack --store "$lay" multilayer:latest -o "$TESTTMP/ours" >/dev/null
  [ -f "$TESTTMP/ours/opq/new" ]
}

@test "umoci: cannot pick a platform from an index, img-unpack can" {
  lay=$(fixture_layout unpack-index-v4)
  run umoci unpack --image "$lay:multiarch:latest" "$TESTTMP/bundle"
  [ "$status" -ne 0 ]
  img-unpack --store "$lay" --platform linux/arm64 multiarch:latest -o "$TESTTMP/ours" >/dev/null
  [ "$(cat "$TESTTMP/ours/arch")" = arm64 ]
}

@test "umoci: aborts on a hard link to outside, img-unpack contains it" {
  lay=$(fixture_layout unpack-hostile-v5)
  run umoci unpack --image "$lay:hostile-hardlink" "$TESTTMP/bundle"
  [ "$status" -ne 0 ]
  run img-unpack --store "$lay" hostile-hardlink -o "$TESTTMP/ours"
  [ "$status" -eq 0 ]
  [ -f "$TESTTMP/ours/after" ] && [ ! -e "$TESTTMP/ours/hl-out" ]
}
