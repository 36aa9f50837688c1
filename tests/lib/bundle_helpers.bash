# Helpers for mkbundle's end-to-end tests (load after ../lib/common).
#   bundle_unpack LAYOUT NAME ROOTFS   unpack an image (img-unpack, else umoci)
#   mkb ARGS...                        mkbundle --store $LAYOUT ARGS; checks the
#                                      config.json against the runtime-spec schema
#   run_container RUNTIME BUNDLE       run it under runc/crun/runner with a private
#                                      --root; the container is deleted in teardown

BUNDLE_SCHEMA_CHECK=$SRC/tests/lib/bundle_schema_check.py

bundle_unpack() {
  local lay=$1 name=$2 dst=$3
  if img-unpack --store "$lay" -o "$dst" "$name" >/dev/null 2>&1; then
    return 0
  fi
  rm -rf "$dst"
  umoci raw unpack --image "$lay:$name" "$dst" >/dev/null 2>&1
}

# A rootfs of fixture $1 (image $2) unpacked once per test file.
shared_rootfs() {
  local fixture=$1 name=$2 dir=$BATS_FILE_TMPDIR/rootfs-$1
  if [ ! -d "$dir" ]; then
    bundle_unpack "$(fixture_layout "$fixture")" "$name" "$dir.tmp" && mv "$dir.tmp" "$dir"
  fi
  echo "$dir"
}

# mkb ARGS...: stdout in $mkb_out, stderr in $mkb_err, status in $mkb_status.
mkb() {
  mkb_status=0
  mkbundle --store "$LAYOUT" "$@" >"$TESTTMP/mkb.out" 2>"$TESTTMP/mkb.err" || mkb_status=$?
  mkb_out=$(cat "$TESTTMP/mkb.out")
  mkb_err=$(cat "$TESTTMP/mkb.err")
  if [ "$mkb_status" -ne 0 ]; then
    echo "mkbundle failed ($mkb_status): $mkb_err"
    return 1
  fi
  python3 "$BUNDLE_SCHEMA_CHECK" "$mkb_out/config.json"
}

# cfg JQ-FILTER: query the last bundle's config.json.
cfg() {
  jq -r "$1" "$mkb_out/config.json"
}

run_container() {
  local rt=$1 bundle=$2 id root
  container_seq=$(( ${container_seq:-0} + 1 ))
  id=mkb-$BATS_TEST_NUMBER-$$-$container_seq
  root=$TESTTMP/rt-root
  mkdir -p "$root"
  defer "$rt" --root "$root" delete -f "$id"
  run timeout 60 "$rt" --root "$root" run --bundle "$bundle" "$id" </dev/null
  # shown by bats only when the test fails
  echo "# $(basename "$rt") run $id: status $status, output: $output"
}
