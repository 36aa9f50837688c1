#!/usr/bin/env bats
# Ctrl-C at each stage of examples/run-image: SIGINT to its process group,
# as a terminal delivers it, while img-fetch downloads, while img-unpack
# writes, while the mkbundle stage is open and while the container runs.
# Each time run-image ends with 130 and the host is as before: no process
# of the group, no mount, cgroup, link on ocikit0, rule in `ip ocikit`,
# lease, bundle or state dir; the store still verifies. At a terminal
# (run-image -t), Ctrl-C goes to the container's program instead.
load ../lib/common
load ../lib/registry
load ../lib/examples_helpers

setup_file() {
  registry_setup_file
  registry_start plain
  local reg=127.0.0.1:$REG_plain_PORT
  registry_push "$(fixture_layout busybox)" busybox:latest "$reg/library/busybox:latest"
  registry_push "$(fixture_layout examples-big)" big:latest "$reg/library/big:latest"
  # a first run creates the bridge and the nft table, which stay
  TMPDIR=$REG_HOME OCIKIT_STORE=$REG_HOME/store RUNTIME=$(examples_runtime) \
    "$SRC/examples/run-image" "$reg/library/busybox" true
}

teardown_file() { registry_teardown_file; }

setup() {
  common_setup
  export TMPDIR=$TESTTMP OCIKIT_STORE=$TESTTMP/store HOME=$TESTTMP/home
  RUNTIME=$(examples_runtime)
  export RUNTIME
  REG=127.0.0.1:$REG_plain_PORT
  host_state >"$TESTTMP/before"
}

teardown() { common_teardown; }

# After ctrl_c: run-image ends with 130 and nothing of it is left.
interrupted_cleanly() {
  wait_exit "$RUN_PGID" 30
  echo "run-image: status $RUN_STATUS, output:"; cat "$TESTTMP/out"
  [ "$RUN_STATUS" -eq 130 ]
  [ -z "$(pgrp_members "$RUN_PGID")" ]
  ! ps -eo args= | grep -qx 'sleep 3021'
  host_state >"$TESTTMP/after"
  diff -u "$TESTTMP/before" "$TESTTMP/after"
  if [ -d "$OCIKIT_STORE" ]; then store_verify "$OCIKIT_STORE"; fi
}

@test "Ctrl-C while img-fetch downloads (a slow registry holds the blobs)" {
  reg_proxy_start "$REG_plain_PORT" --fault 'blob-slow:30*always'
  start_as_from_terminal "$TESTTMP/out" "$SRC/examples/run-image" "127.0.0.1:$PROXY_PORT/library/busybox" true
  wait_until 20 grep -q 'GET /v2/library/busybox/blobs/' "$PROXY_LOG"
  pgrp_pid "$RUN_PGID" img-fetch
  ctrl_c "$RUN_PGID"
  interrupted_cleanly
}

@test "Ctrl-C while img-unpack writes a 1 GiB layer" {
  start_as_from_terminal "$TESTTMP/out" "$SRC/examples/run-image" "$REG/library/big" true
  wait_until 60 eval 'ls "$TESTTMP"/ocikit-run.*/rootfs/big/f00 >/dev/null 2>&1'
  # freeze img-unpack mid-layer so the signal surely finds it at work
  local unpack
  unpack=$(pgrp_pid "$RUN_PGID" img-unpack)
  kill -STOP "$unpack"
  ctrl_c "$RUN_PGID"
  # if run-image has already exited, the kernel sent the orphaned, stopped
  # img-unpack SIGHUP and SIGCONT itself, and it is gone
  kill -CONT "$unpack" 2>/dev/null || true
  interrupted_cleanly
  [ ! -e "$TESTTMP"/ocikit-run.* ]
}

@test "Ctrl-C while the mkbundle stage is open (bundle written, not yet run)" {
  # mkbundle takes milliseconds: a wrapper keeps its stage open after the
  # real one wrote config.json (with the netsetup hooks)
  mkdir "$TESTTMP/bin"
  local p
  for p in img-fetch img-unpack netsetup runner; do ln -s "$BIN/$p" "$TESTTMP/bin/$p"; done
  cat >"$TESTTMP/bin/mkbundle" <<EOF
#!/bin/sh
"$BIN/mkbundle" "\$@" >"$TESTTMP/mkbundle.out" || exit
touch "$TESTTMP/mkbundle.done"
sleep 30
cat "$TESTTMP/mkbundle.out"
EOF
  chmod +x "$TESTTMP/bin/mkbundle"
  OCIKIT_BIN=$TESTTMP/bin start_as_from_terminal "$TESTTMP/out" "$SRC/examples/run-image" "$REG/library/busybox" true
  wait_until 20 test -e "$TESTTMP/mkbundle.done"
  ls "$TESTTMP"/ocikit-run.*/config.json
  ctrl_c "$RUN_PGID"
  interrupted_cleanly
}

@test "Ctrl-C while the container runs sleep (PID 1 ignores SIGINT)" {
  start_as_from_terminal "$TESTTMP/out" "$SRC/examples/run-image" "$REG/library/busybox" sleep 3021
  wait_until 20 eval 'ps -eo args= | grep -qx "sleep 3021"'
  ip -o link show master ocikit0 | grep -q .
  ctrl_c "$RUN_PGID"
  interrupted_cleanly
}

@test "Ctrl-C at a terminal (-t) goes to the container's program, as docker run -it" {
  # on a terminal the container gets one of its own; the key reaches its
  # shell, which decides (here: its trap ends it with 9)
  run "$SRC/tests/lib/examples_pty.py" ready '\x03' "$SRC/examples/run-image" "$REG/library/busybox" \
    sh -c 'trap "echo got-int; exit 9" INT; echo ready; sleep 3021 & wait; echo not-interrupted'
  echo "$output"
  [ "$status" -eq 9 ]
  [[ "$output" == *got-int* ]]
  [[ "$output" != *not-interrupted* ]]
  ! ps -eo args= | grep -qx 'sleep 3021'
  host_state >"$TESTTMP/after"
  diff -u "$TESTTMP/before" "$TESTTMP/after"
}
