#!/usr/bin/env bats
# pause/resume through the cgroup, and a runtime killed half-way through
# create: delete --force still cleans up.
load ../lib/common
load ../lib/runner_common

setup() { common_setup; runner_setup; }
teardown() { common_teardown; }

@test "pause and resume: state says paused, the processes are frozen, then running" {
  set_args sh -c 'i=0; while :; do i=$((i + 1)); echo $i >/tmp/tick; sleep 0.05; done'
  rcreate c1 || { cat "$TESTTMP/c1.err"; false; }
  R start c1
  sleep 0.2
  run R pause c1
  [ "$status" -eq 0 ]
  [ "$(R state c1 | jq -r .status)" = paused ]
  a=$(cat "$BUNDLE/rootfs/tmp/tick"); sleep 0.3; b=$(cat "$BUNDLE/rootfs/tmp/tick")
  [ "$a" = "$b" ]
  run R pause c1
  [ "$status" -ne 0 ]
  R resume c1
  [ "$(R state c1 | jq -r .status)" = running ]
  sleep 0.3
  [ "$(cat "$BUNDLE/rootfs/tmp/tick")" != "$b" ]
}

@test "runner killed during create: delete --force leaves no state, mount or cgroup" {
  # a createRuntime hook that never ends holds create at its midpoint
  cfg '.hooks = {createRuntime: [{path: "/bin/sleep", args: ["sleep", "100"]}]}'
  set_args sleep 100
  "$BIN/runner" --root "$ROOT" create --bundle "$BUNDLE" c1 </dev/null >/dev/null 2>&1 &
  rpid=$!
  for _ in $(seq 100); do [ -e "$ROOT/c1/config.json" ] && pgrep -f "^/bin/sleep 100" -P "$rpid" >/dev/null && break; sleep 0.05; done
  hook=$(pgrep -f "^/bin/sleep 100" -P "$rpid" || true)
  kill -KILL "$rpid"
  [ -z "$hook" ] || kill -KILL "$hook"
  wait "$rpid" 2>/dev/null || true
  run R delete --force c1
  [ "$status" -eq 0 ]
  assert_no_leftovers
  ! ls -d /sys/fs/cgroup/*/runner/c1 2>/dev/null | grep -q .
}
