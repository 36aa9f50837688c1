#!/usr/bin/env bats
# Real cgroup limits on containers run by runner: memory (OOM kill), pids
# (a fork bomb stops), CPU quota, the files written on the host, cleanup.
load ../lib/common
load ../lib/cgroup-bundle

setup() {
  common_setup
  cg_require_runner
  ID=cgt-$$-$BATS_TEST_NUMBER
  STATE=$TESTTMP/state
  B=$TESTTMP/bundle
  defer cg_cleanup "$ID"
  defer timeout 20 "$BIN/runner" --root "$STATE" delete --force "$ID"
}

teardown() { common_teardown; }

@test "runner: a container allocating past its memory limit is OOM-killed" {
  cg_bundle "$B" '["/bin/dd","if=/dev/zero","of=/dev/null","bs=128M","count=1"]' \
    '.linux.resources.memory={"limit":33554432,"swap":33554432}'
  run timeout 60 "$BIN/runner" --root "$STATE" run --bundle "$B" "$ID"
  echo "$output"
  [ "$status" -eq 137 ]
  [ -z "$(cg_left "$ID")" ]
}

@test "runner: a fork bomb stops at the pids limit" {
  cg_bundle "$B" '["/bin/sh","-c","for i in $(seq 1 60); do sleep 20 & done; sleep 1; ls /proc | grep -c \"^[0-9]\""]' \
    '.linux.resources.pids={"limit":16}'
  run timeout 60 "$BIN/runner" --root "$STATE" run --bundle "$B" "$ID"
  echo "$output"
  [[ "$output" == *"fork"* ]]
  n=$(printf '%s\n' "$output" | grep -E '^[0-9]+$' | tail -1)
  [ -n "$n" ] && [ "$n" -le 16 ] && [ "$n" -ge 8 ]
  [ -z "$(cg_left "$ID")" ]
}

@test "runner: a CPU quota of 20% holds (generous margin)" {
  # yes spins for 2 s; its CPU ticks (100 Hz) are read before it is killed
  cg_bundle "$B" '["/bin/sh","-c","yes >/dev/null & p=$!; sleep 2; cut -d\" \" -f14,15 /proc/$p/stat; kill $p"]' \
    '.linux.resources.cpu={"quota":20000,"period":100000}'
  run timeout 60 "$BIN/runner" --root "$STATE" run --bundle "$B" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  set -- $(printf '%s\n' "$output" | tail -1)
  ticks=$(( $1 + $2 ))
  echo "ticks=$ticks (unlimited would be ~200)"
  [ "$ticks" -ge 10 ] && [ "$ticks" -le 80 ]
}

@test "runner: resources reach the host's cgroup files, and delete removes the cgroup" {
  cg_bundle "$B" '["/bin/sleep","30"]' \
    '.linux.resources.memory={"limit":67108864} | .linux.resources.pids={"limit":42} | .linux.resources.cpu={"shares":512,"quota":50000,"period":100000}'
  # the created container holds its stdio until start: keep bats' pipes out
  timeout 30 "$BIN/runner" --root "$STATE" create --bundle "$B" "$ID" \
    </dev/null >"$TESTTMP/create.out" 2>&1 3>&- || { cat "$TESTTMP/create.out"; false; }
  if [ -d /sys/fs/cgroup/memory ]; then
    [ "$(cat /sys/fs/cgroup/memory/runner/$ID/memory.limit_in_bytes)" = 67108864 ]
    [ "$(cat /sys/fs/cgroup/pids/runner/$ID/pids.max)" = 42 ]
    [ "$(cat /sys/fs/cgroup/cpu/runner/$ID/cpu.shares)" = 512 ]
    [ "$(cat /sys/fs/cgroup/cpu/runner/$ID/cpu.cfs_quota_us)" = 50000 ]
    # the container's process is in the cgroup before it runs
    pid=$(cat /sys/fs/cgroup/pids/runner/$ID/cgroup.procs | head -1)
    [ -n "$pid" ]
  else
    [ "$(cat /sys/fs/cgroup/runner/$ID/memory.max)" = 67108864 ]
    [ "$(cat /sys/fs/cgroup/runner/$ID/pids.max)" = 42 ]
    [ "$(cat /sys/fs/cgroup/runner/$ID/cpu.weight)" = 20 ]
    [ "$(cat /sys/fs/cgroup/runner/$ID/cpu.max)" = "50000 100000" ]
  fi
  run "$BIN/runner" --root "$STATE" delete --force "$ID"
  [ "$status" -eq 0 ]
  [ -z "$(cg_left "$ID")" ]
}

@test "runner: linux.cgroupsPath is honoured and a bad one is refused cleanly" {
  cg_bundle "$B" '["/bin/cat","/proc/self/cgroup"]' '.linux.cgroupsPath="/runner/custom-'"$ID"'"'
  defer cg_cleanup "custom-$ID"
  run timeout 30 "$BIN/runner" --root "$STATE" run --bundle "$B" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"/runner/custom-$ID"* ]]
  [ -z "$(cg_left "custom-$ID")" ]

  cg_bundle "$TESTTMP/bad" '["/bin/true"]' '.linux.cgroupsPath="/runner/../../escape"'
  run timeout 30 "$BIN/runner" --root "$STATE" run --bundle "$TESTTMP/bad" "$ID-bad"
  echo "$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *".."* ]]
  [ ! -e /sys/fs/cgroup/memory/escape ] && [ ! -e /sys/fs/cgroup/escape ]
}

# runner subcommands that go through the cgroup; skipped while runner
# does not list them
need_command() {
  "$BIN/runner" --help 2>&1 | grep -qE "^ +$1 " || skip "runner has no $1 yet"
}

@test "runner: pause/resume freeze the cgroup, ps lists it, kill --all empties it" {
  need_command pause
  need_command ps
  cg_bundle "$B" '["/bin/sh","-c","sleep 60 & sleep 60"]' '.linux.resources.pids={"limit":10}'
  timeout 30 "$BIN/runner" --root "$STATE" create --bundle "$B" "$ID" \
    </dev/null >"$TESTTMP/out" 2>&1 3>&- || { cat "$TESTTMP/out"; false; }
  timeout 30 "$BIN/runner" --root "$STATE" start "$ID" </dev/null >"$TESTTMP/out" 2>&1 3>&- \
    || { cat "$TESTTMP/out"; false; }
  sleep 0.3
  run "$BIN/runner" --root "$STATE" pause "$ID"
  [ "$status" -eq 0 ]
  if [ -d /sys/fs/cgroup/freezer ]; then
    [ "$(cat /sys/fs/cgroup/freezer/runner/$ID/freezer.state)" = FROZEN ]
  else
    grep -qx "frozen 1" /sys/fs/cgroup/runner/$ID/cgroup.events
  fi
  run "$BIN/runner" --root "$STATE" state "$ID"
  [[ "$output" == *'"paused"'* ]]
  run "$BIN/runner" --root "$STATE" resume "$ID"
  [ "$status" -eq 0 ]
  run "$BIN/runner" --root "$STATE" ps "$ID"
  echo "$output"
  [ "$(printf '%s\n' "$output" | grep -c 'sleep 60')" -eq 2 ]
  run "$BIN/runner" --root "$STATE" kill --all "$ID" 9
  [ "$status" -eq 0 ]
  for i in $(seq 1 50); do
    [ -z "$(cat /sys/fs/cgroup/pids/runner/$ID/cgroup.procs /sys/fs/cgroup/runner/$ID/cgroup.procs 2>/dev/null)" ] && break
    sleep 0.1
  done
  run "$BIN/runner" --root "$STATE" delete "$ID"
  [ "$status" -eq 0 ]
  [ -z "$(cg_left "$ID")" ]
}
