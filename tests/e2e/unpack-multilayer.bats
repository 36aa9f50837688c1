#!/usr/bin/env bats
# img-unpack on the multi-layer fixture (tests/lib/unpack_fixtures.py):
# the tree must equal the checked-in listing tests/e2e/expected/
# unpack-multilayer.list, written by hand-checking each line against the
# fixture (whiteouts, opaque dirs, replacements, hard links across layers,
# long and non-ASCII names, setuid/setgid/sticky, xattrs incl.
# security.capability, fifo and devices, sub-second mtimes, PAX global
# header, a zstd and an uncompressed layer).
load ../lib/common

setup() {
  common_setup
  LAY=$(fixture_layout unpack-multilayer-v4)
  START=$(date +%s%N)
}

listing() { python3 "$SRC/tests/lib/treelist.py" "$1" --new-after "$START"; }

@test "multilayer: unpacks to exactly the expected listing; token on stdout" {
  run img-unpack --store "$LAY" multilayer:latest -o "$TESTTMP/root"
  [ "$status" -eq 0 ]
  [[ "$output" == docker.io/library/multilayer:latest@sha256:* ]]
  diff -u "$SRC/tests/e2e/expected/unpack-multilayer.list" <(listing "$TESTTMP/root")
}

@test "multilayer: the zlib inflater (and a umask of 077) gives the same tree" {
  umask 077
  OCIKIT_INFLATE=zlib img-unpack --store "$LAY" multilayer:latest -o "$TESTTMP/root" >/dev/null
  diff -u "$SRC/tests/e2e/expected/unpack-multilayer.list" <(listing "$TESTTMP/root")
}

@test "multilayer: without the file-writer threads the tree is the same" {
  OCIKIT_UNPACK_WRITERS=0 img-unpack --store "$LAY" multilayer:latest -o "$TESTTMP/root" >/dev/null
  diff -u "$SRC/tests/e2e/expected/unpack-multilayer.list" <(listing "$TESTTMP/root")
}

@test "multilayer: oci:LAYOUT:NAME source and the token read from stdin" {
  tok=$(img-unpack "oci:$LAY:multilayer:latest" -o "$TESTTMP/a")
  [[ "$tok" == docker.io/library/multilayer:latest@sha256:* ]]
  # the pinned token goes through the next stage unchanged
  run sh -c "echo '$tok' | OCIKIT_STORE='$LAY' img-unpack -o '$TESTTMP/b'"
  [ "$status" -eq 0 ]
  [ "$output" = "$tok" ]
  diff <(listing "$TESTTMP/a") <(listing "$TESTTMP/b")
}

@test "multilayer: a non-empty target is refused without --force" {
  mkdir "$TESTTMP/t" && echo keep >"$TESTTMP/t/mine"
  run img-unpack --store "$LAY" multilayer:latest -o "$TESTTMP/t"
  assert_one_line_error
  [[ "$output" == *"not empty"* ]]
  [ "$(ls "$TESTTMP/t")" = mine ]
  run img-unpack --store "$LAY" --force multilayer:latest -o "$TESTTMP/t"
  [ "$status" -eq 0 ]
  [ "$(cat "$TESTTMP/t/mine")" = keep ]
  [ -f "$TESTTMP/t/bin/tool" ]
}

@test "multilayer: unknown image and missing -o are one-line errors" {
  run img-unpack --store "$LAY" nosuch:latest -o "$TESTTMP/x"
  assert_one_line_error
  [[ "$output" == *nosuch* ]]
  [ ! -e "$TESTTMP/x" ]
  run img-unpack --store "$LAY" multilayer:latest
  assert_one_line_error
  [ "$status" -eq 2 ]
}

@test "index: --platform picks the manifest, the host's by default" {
  idx=$(fixture_layout unpack-index-v4)
  run img-unpack --store "$idx" --platform linux/arm64 multiarch:latest -o "$TESTTMP/arm"
  [ "$status" -eq 0 ]
  [ "$(cat "$TESTTMP/arm/arch")" = arm64 ]
  img-unpack --store "$idx" multiarch:latest -o "$TESTTMP/host" >/dev/null
  [ "$(cat "$TESTTMP/host/arch")" = amd64 ]
  run img-unpack --store "$idx" --platform linux/s390x multiarch:latest -o "$TESTTMP/none"
  assert_one_line_error
}

@test "rootless: no chown, no devices, one warning per kind" {
  command -v setpriv >/dev/null || skip "setpriv missing"
  chmod 755 "$TESTTMP"
  chmod -R a+rX "$LAY"
  mkdir "$TESTTMP/rl" && chown 65534:65534 "$TESTTMP/rl"
  run setpriv --reuid 65534 --regid 65534 --clear-groups \
    "$BIN/img-unpack" --store "$LAY" multilayer:latest -o "$TESTTMP/rl"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(printf '%s\n' "$output" | grep -c 'ownership')" -eq 1 ]
  [ "$(printf '%s\n' "$output" | grep -c 'device')" -eq 1 ]
  [ -f "$TESTTMP/rl/bin/suid" ]
  [ ! -e "$TESTTMP/rl/dev/null2" ]
  [ -p "$TESTTMP/rl/run/fifo" ]
  [ "$(stat -c %a "$TESTTMP/rl/home/user")" = 700 ]
}

@test "pipeline: img-fetch oci:LAYOUT:NAME | img-unpack -o DIR" {
  run sh -c "img-fetch -q --store '$TESTTMP/store' 'oci:$LAY:multilayer:latest' |
             img-unpack --store '$TESTTMP/store' -o '$TESTTMP/root'"
  [ "$status" -eq 0 ]
  [[ "$output" == docker.io/library/multilayer:latest@sha256:* ]]
  diff -u "$SRC/tests/e2e/expected/unpack-multilayer.list" <(listing "$TESTTMP/root")
}
