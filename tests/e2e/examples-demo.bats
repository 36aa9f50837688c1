#!/usr/bin/env bats
# examples/demo (what `make demo` runs after deps and the build), twice in a
# row: both runs print the named lines, and the host is as before.
load ../lib/common
load ../lib/examples_helpers

setup() {
  common_setup
  export TMPDIR=$TESTTMP
  RUNTIME=$(examples_runtime)
  export RUNTIME
  unset OCIKIT_STORE IMAGE
}

# check_demo_output: $output of one demo run, line by line.
check_demo_output() {
  local prefix
  for prefix in "hostname: run-image-" "address: 10.88." "pid 1: sh (this shell is pid 1)" \
                "memory limit: 268435456 bytes" "cpu limit: 50000 100000" \
                "host reachable: yes, gateway 10.88.0.1" "demo: done"; do
    [ "$(printf '%s\n' "$output" | awk -v p="$prefix" 'index($0, p) == 1' | wc -l)" -eq 1 ] || {
      echo "expected one line starting with '$prefix'"; return 1; }
  done
}

@test "demo: runs twice in a row, prints what it names, leaves nothing" {
  # the first run may create the bridge and the nft table, which stay
  run "$SRC/examples/demo"
  echo "$output"
  [ "$status" -eq 0 ]
  check_demo_output
  host_state >"$TESTTMP/before"
  run "$SRC/examples/demo"
  echo "$output"
  [ "$status" -eq 0 ]
  check_demo_output
  host_state >"$TESTTMP/after"
  diff -u "$TESTTMP/before" "$TESTTMP/after"
  # the demo's own temporary dir (store, archive) is gone too
  [ -z "$(ls -d "$TESTTMP"/ocikit-demo.* 2>/dev/null)" ]
}

@test "demo: make demo twice on a fresh clone (without its apt-get step)" {
  # a clone of the committed tree: nothing untracked or prebuilt helps;
  # `-o deps` skips `make deps` (apt-get: network) but runs all the rest
  git clone -q "$SRC" "$TESTTMP/clone"
  run make -C "$TESTTMP/clone" -s -j2 -o deps demo
  echo "$output"
  [ "$status" -eq 0 ]
  check_demo_output
  run make -C "$TESTTMP/clone" -s -o deps demo
  echo "$output"
  [ "$status" -eq 0 ]
  check_demo_output
}
