#!/usr/bin/env bats
# Hostile layers (tests/lib/unpack_fixtures.py hostile): each unpacks into
# TMP/root beside TMP/canary, where an unsafe unpacker would write, link or
# delete; the canary must stay exactly as it was, and each case either
# fails with one clear line (leaving no target behind) or is contained
# and goes on, as the issue says.
load ../lib/common

setup() {
  common_setup
  LAY=$(fixture_layout unpack-hostile-v5)
  mkdir "$TESTTMP/canary"
  echo precious >"$TESTTMP/canary/victim"
  chmod 644 "$TESTTMP/canary/victim"
  chmod 755 "$TESTTMP/canary"
  BEFORE=$(snapshot)
}

teardown() {
  local ok=0
  [ "$(snapshot)" = "$BEFORE" ] || { echo "canary changed:"; snapshot; ok=1; }
  [ ! -e /canary ] || { echo "/canary appeared"; ok=1; }
  common_teardown
  return $ok
}

# everything about the canary and what sits beside the target
snapshot() {
  (cd "$TESTTMP" && find . -mindepth 1 \( -path ./root -o -path ./root2 \) -prune -o -printf '%p %y %m %n %s %T@\n' | sort
   sha256sum canary/victim)
}

unpack() { run img-unpack --store "$LAY" "$@" -o "$TESTTMP/root"; }

@test "hostile: ../ and absolute entry names stay inside the root" {
  unpack hostile-dotdot
  [ "$status" -eq 0 ]
  [ "$(cat "$TESTTMP/root/canary/dotdot")" = bad ]
  [ -f "$TESTTMP/root/canary/absolute" ]
  [ -f "$TESTTMP/root/canary/mixed" ]
}

@test "hostile: a file written through a symlink to outside is refused" {
  unpack hostile-symlink
  assert_one_line_error
  [[ "$output" == *"escape/file"* ]]
  [ ! -e "$TESTTMP/root" ]
}

@test "hostile: a symlink to / as a parent resolves inside the root" {
  unpack hostile-rootlink
  [ "$status" -eq 0 ]
  [ "$(cat "$TESTTMP/root/etc/through-root")" = kept ]
  [ "$(readlink "$TESTTMP/root/rootlink")" = / ]
}

@test "hostile: a symlink named . does not replace the root" {
  unpack hostile-dot
  [ "$status" -eq 0 ]
  [[ "$output" == *"cannot replace the root"* ]]
  [ -d "$TESTTMP/root" ] && [ ! -L "$TESTTMP/root" ]
  [ "$(cat "$TESTTMP/root/file")" = ok ]
}

@test "hostile: a file replacing a symlink to outside replaces the link only" {
  unpack hostile-symlink-overwrite
  [ "$status" -eq 0 ]
  [ ! -L "$TESTTMP/root/etc/shadow" ]
  [ "$(cat "$TESTTMP/root/etc/shadow")" = new ]
  [ "$(stat -c %a "$TESTTMP/root/etc/shadow")" = 4777 ]
  [ -d "$TESTTMP/root/dirlink" ] && [ ! -L "$TESTTMP/root/dirlink" ]
  [ "$(stat -c %a "$TESTTMP/root/dirlink")" = 777 ]
  [ "$(cat "$TESTTMP/root/dirlink/inside")" = in ]
}

@test "hostile: a hard link to outside is refused, the unpack goes on" {
  unpack hostile-hardlink
  [ "$status" -eq 0 ]
  [[ "$output" == *"hl-out"*"outside the root"* ]]
  [ ! -e "$TESTTMP/root/hl-out" ]
  [ "$(stat -c %i "$TESTTMP/root/hl-in")" = "$(stat -c %i "$TESTTMP/root/etc/passwd")" ]
  [ "$(cat "$TESTTMP/root/after")" = after ]
}

@test "hostile: a whiteout of ../canary removes nothing outside" {
  unpack hostile-whiteout
  [ "$status" -eq 0 ]
  [ -f "$TESTTMP/root/etc/passwd" ]
}

@test "hostile: a lying compressed digest is an error naming the layer" {
  unpack hostile-digest
  assert_one_line_error
  [[ "$output" == *"layer 0"*"does not match its digest"* ]]
  [ ! -e "$TESTTMP/root" ]
}

@test "hostile: a lying diff_id is an error naming the layer" {
  unpack hostile-diffid
  assert_one_line_error
  [[ "$output" == *"layer 0"*"diff_ids"* ]]
  [ ! -e "$TESTTMP/root" ]
}

@test "hostile: a truncated gzip stream is an error" {
  unpack hostile-truncated
  assert_one_line_error
  [[ "$output" == *"layer 0"*"truncated"* ]]
  [ ! -e "$TESTTMP/root" ]
}

@test "hostile: a member declaring 1 PiB is refused before writing" {
  unpack hostile-huge
  assert_one_line_error
  [[ "$output" == *"huge"*"max-size"* ]]
  [ ! -e "$TESTTMP/root" ]
}

@test "hostile: a decompression bomb stops at --max-size, an empty target stays empty" {
  mkdir "$TESTTMP/root"
  run img-unpack --store "$LAY" --max-size 64M hostile-bomb -o "$TESTTMP/root"
  assert_one_line_error
  [[ "$output" == *"layer 0"*"max-size"* ]]
  [ -d "$TESTTMP/root" ] && [ -z "$(ls -A "$TESTTMP/root")" ]
}

@test "hostile: 3000 empty files unpack within 64 file descriptors" {
  run sh -c "ulimit -n 64 && img-unpack --store '$LAY' hostile-many -o '$TESTTMP/root'"
  [ "$status" -eq 0 ]
  [ "$(ls "$TESTTMP/root/many" | wc -l)" -eq 3000 ]
}

@test "hostile: the fallback walk (no openat2) gives the same result for every case" {
  start=$(date +%s%N)
  for img in dotdot symlink rootlink dot symlink-overwrite hardlink whiteout digest diffid \
             truncated huge; do
    rm -rf "$TESTTMP/root" "$TESTTMP/root2"
    run img-unpack --store "$LAY" "hostile-$img" -o "$TESTTMP/root"
    s1=$status o1=$output
    run env OCIKIT_SAFEPATH_FALLBACK=1 img-unpack --store "$LAY" "hostile-$img" -o "$TESTTMP/root2"
    [ "$status" = "$s1" ] || { echo "$img: status $status vs $s1"; false; }
    [ "${output//root2/root}" = "$o1" ] || { echo "$img: '$output' vs '$o1'"; false; }
    if [ -d "$TESTTMP/root" ]; then
      diff <(python3 "$SRC/tests/lib/treelist.py" "$TESTTMP/root" --new-after "$start") \
           <(python3 "$SRC/tests/lib/treelist.py" "$TESTTMP/root2" --new-after "$start")
    fi
  done
  rm -rf "$TESTTMP/root2"
}
