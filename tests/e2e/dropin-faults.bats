#!/usr/bin/env bats
# Faults a client's runtime must survive (issue 6, "Faults"): runner killed
# with SIGKILL in the middle of `create`, then `delete --force` (what
# podman and containerd do after a runtime crash) leaves no cgroup, mount,
# process or state; many sequential run/delete cycles leave no cgroup,
# mount, fd or state file behind (counted before and after).
load ../lib/common
load ../lib/runner_common
load ../lib/dropin_faults

setup() {
  common_setup
  [ "$(id -u)" -eq 0 ] || skip "needs root"
  runner_setup
  ID=fault-$$-$BATS_TEST_NUMBER
  defer faults_cleanup "$ID"
}

teardown() { common_teardown; }

@test "faults: runner SIGKILLed during create (in a createRuntime hook), then delete --force leaves nothing" {
  faults_resources
  # the hook records its PID and waits: runner is killed while it runs
  cfg --arg m "$TESTTMP/hook.pid" \
    '.hooks.createRuntime = [{"path": "/bin/sh", "args": ["sh", "-c", "echo $$ >\($m); exec sleep 30"]}]'
  set_args sleep 100
  "$BIN/runner" --root "$ROOT" create --bundle "$BUNDLE" "$ID" </dev/null >"$TESTTMP/out" 2>&1 &
  rpid=$!
  defer kill -9 "$rpid"
  for _ in $(seq 1 100); do [ -s "$TESTTMP/hook.pid" ] && break; sleep 0.05; done
  [ -s "$TESTTMP/hook.pid" ]
  defer kill -9 "$(cat "$TESTTMP/hook.pid")"
  # mid-create: the cgroup exists and holds the container's init
  [ -n "$(faults_cgroups "$ID")" ]
  kill -9 "$rpid"
  wait "$rpid" || true
  kill -9 "$(cat "$TESTTMP/hook.pid")"
  run R delete --force "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  faults_assert_clean "$ID"
}

@test "faults: runner SIGKILLed at random points of create; delete --force always cleans up" {
  faults_resources
  set_args sleep 100
  for i in $(seq 1 15); do
    id=$ID-$i
    "$BIN/runner" --root "$ROOT" create --bundle "$BUNDLE" "$id" </dev/null >/dev/null 2>&1 &
    rpid=$!
    # 0 to 14 ms: before, during and after the cgroup, clone and mounts
    sleep "0.00$(( (i * 7) % 10 ))"
    kill -9 "$rpid" 2>/dev/null || true
    wait "$rpid" || true
    run R delete --force "$id"
    echo "$i: $output"
    [ "$status" -eq 0 ]
    faults_assert_clean "$id"
  done
}

@test "faults: 1000 sequential run/delete cycles leave no cgroup, mount, fd, process or state behind" {
  faults_resources
  set_args true
  before=$(faults_census "$ID-")
  for i in $(seq 1 1000); do
    R run --keep --bundle "$BUNDLE" "$ID-$i" </dev/null >/dev/null 2>"$TESTTMP/err" \
      || { echo "cycle $i:"; cat "$TESTTMP/err"; false; }
    R delete "$ID-$i" 2>"$TESTTMP/err" || { echo "cycle $i:"; cat "$TESTTMP/err"; false; }
  done
  after=$(faults_census "$ID-")
  echo "before: $before"
  echo "after:  $after"
  [ "$before" = "$after" ]
  [ -z "$(ls -A "$ROOT" | grep -v '^seccomp-cache$')" ]
}
