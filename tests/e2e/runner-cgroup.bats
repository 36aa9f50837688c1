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

start_detached() { # BUNDLE: create + start $ID with stdio away from bats
  timeout 30 "$BIN/runner" --root "$STATE" create --bundle "$1" "$ID" \
    </dev/null >"$TESTTMP/out" 2>&1 3>&- || { cat "$TESTTMP/out"; return 1; }
  timeout 30 "$BIN/runner" --root "$STATE" start "$ID" </dev/null >"$TESTTMP/out" 2>&1 3>&- \
    || { cat "$TESTTMP/out"; return 1; }
}

# cg_file CTRL/FILE: the host path of FILE in the container's cgroup for
# v1 controller CTRL (or the v2 tree), found from the init's /proc/PID/cgroup
# so that it holds whatever path the runtime chose.
cg_file() {
  local ctrl=${1%%/*} f=${1#*/} pid path
  pid=$("$BIN/runner" --root "$STATE" state "$ID" | jq -r .pid)
  if [ -d /sys/fs/cgroup/$ctrl ]; then
    path=$(awk -F: -v c="$ctrl" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' /proc/$pid/cgroup)
    echo "/sys/fs/cgroup/$ctrl$path/$f"
  else
    path=$(awk -F: '$1 == "0" { print $3 }' /proc/$pid/cgroup)
    echo "/sys/fs/cgroup$path/$f"
  fi
}

# runner subcommands that go through the cgroup; skipped while runner
# does not list them
need_command() {
  "$BIN/runner" --help 2>&1 | grep -qE "^ +$1 " || skip "runner has no $1 yet"
}


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
  [ "$ticks" -ge 1 ] && [ "$ticks" -le 80 ]  # the floor only says it ran (busy hosts)
}

@test "runner: resources reach the host's cgroup files, and delete removes the cgroup" {
  cg_bundle "$B" '["/bin/sleep","30"]' \
    '.linux.resources.memory={"limit":67108864} | .linux.resources.pids={"limit":42} | .linux.resources.cpu={"shares":512,"quota":50000,"period":100000}'
  # the created container holds its stdio until start: keep bats' pipes out
  timeout 30 "$BIN/runner" --root "$STATE" create --bundle "$B" "$ID" \
    </dev/null >"$TESTTMP/create.out" 2>&1 3>&- || { cat "$TESTTMP/create.out"; false; }
  # the container's process is in the cgroup before it runs
  [ -n "$(cat "$(cg_file pids/cgroup.procs)")" ]
  [ "$(cat "$(cg_file pids/pids.max)")" = 42 ]
  if [ -d /sys/fs/cgroup/memory ]; then
    [ "$(cat "$(cg_file memory/memory.limit_in_bytes)")" = 67108864 ]
    [ "$(cat "$(cg_file cpu/cpu.shares)")" = 512 ]
    [ "$(cat "$(cg_file cpu/cpu.cfs_quota_us)")" = 50000 ]
  else
    [ "$(cat "$(cg_file memory/memory.max)")" = 67108864 ]
    [ "$(cat "$(cg_file cpu/cpu.weight)")" = 20 ]
    [ "$(cat "$(cg_file cpu/cpu.max)")" = "50000 100000" ]
  fi
  procs=$(cg_file pids/cgroup.procs)
  run "$BIN/runner" --root "$STATE" delete --force "$ID"
  [ "$status" -eq 0 ]
  [ ! -e "$procs" ]
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
    [ "$(cat "$(cg_file freezer/freezer.state)")" = FROZEN ]
  else
    grep -qx "frozen 1" "$(cg_file freezer/cgroup.events)"
  fi
  run "$BIN/runner" --root "$STATE" state "$ID"
  [[ "$output" == *'"paused"'* ]]
  run "$BIN/runner" --root "$STATE" resume "$ID"
  [ "$status" -eq 0 ]
  run "$BIN/runner" --root "$STATE" ps "$ID"
  echo "$output"
  [ "$(printf '%s\n' "$output" | grep -c 'sleep 60')" -eq 2 ]
  procs=$(cg_file pids/cgroup.procs)
  run "$BIN/runner" --root "$STATE" kill --all "$ID" 9
  [ "$status" -eq 0 ]
  for i in $(seq 1 50); do
    [ -z "$(cat "$procs" 2>/dev/null)" ] && break
    sleep 0.1
  done
  [ -z "$(cat "$procs" 2>/dev/null)" ]
  run "$BIN/runner" --root "$STATE" delete "$ID"
  [ "$status" -eq 0 ]
  [ -z "$(cg_left "$ID")" ]
}

@test "runner: update changes limits of a running container (options and --resources -)" {
  need_command update
  cg_bundle "$B" '["/bin/sleep","60"]' '.linux.resources.pids={"limit":10} | .linux.resources.memory={"limit":67108864}'
  start_detached "$B"
  run "$BIN/runner" --root "$STATE" update --pids-limit 20 --memory 128m "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(cat "$(cg_file pids/pids.max)")" = 20 ]
  if [ -d /sys/fs/cgroup/memory ]; then
    [ "$(cat "$(cg_file memory/memory.limit_in_bytes)")" = 134217728 ]
  else
    [ "$(cat "$(cg_file memory/memory.max)")" = 134217728 ]
  fi
  run bash -c 'echo "{\"pids\":{\"limit\":30}}" | "$0" --root "$1" update --resources - "$2"' "$BIN/runner" "$STATE" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(cat "$(cg_file pids/pids.max)")" = 30 ]
  run "$BIN/runner" --root "$STATE" update --memory lots "$ID"
  [ "$status" -ne 0 ]
  [[ "$output" == *"lots"* ]]
}

@test "runner: events reports the OOM kill and --stats the memory and pids figures" {
  need_command events
  cg_bundle "$B" '["/bin/sh","-c","sleep 1; dd if=/dev/zero of=/dev/null bs=128M count=1; sleep 30"]' \
    '.linux.resources.memory={"limit":33554432,"swap":33554432} | .linux.resources.pids={"limit":10}'
  start_detached "$B"
  timeout 6 "$BIN/runner" --root "$STATE" events --interval 1s "$ID" >"$TESTTMP/events" 2>&1 3>&- || true
  cat "$TESTTMP/events"
  grep -q '"type":"oom"' "$TESTTMP/events"
  run "$BIN/runner" --root "$STATE" events --stats "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  printf '%s\n' "$output" | jq -e '.type == "stats" and .data.pids.limit == 10 and .data.memory.usage.limit == 33554432'
}

@test "runner: differential — the same resources give the same cgroup files as runc" {
  command -v runc >/dev/null || skip "no runc"
  [ -d /sys/fs/cgroup/memory ] || skip "v1 file list"
  cg_bundle "$B" '["/bin/sleep","60"]' '.linux.resources.memory={"limit":67108864,"reservation":33554432,"swap":134217728,"swappiness":20}
    | .linux.resources.cpu={"shares":300,"quota":30000,"period":60000,"cpus":"0","mems":"0"}
    | .linux.resources.pids={"limit":77} | .linux.resources.blockIO={"weight":250}'
  start_detached "$B"
  RUNC_ID=$ID-runc
  defer runc --root "$TESTTMP/runc" delete --force "$RUNC_ID"
  runc --root "$TESTTMP/runc" create --bundle "$B" "$RUNC_ID" </dev/null >/dev/null 2>&1 3>&-
  rpid=$(runc --root "$TESTTMP/runc" state "$RUNC_ID" | jq -r .pid)
  for f in memory/memory.limit_in_bytes memory/memory.soft_limit_in_bytes \
           memory/memory.memsw.limit_in_bytes memory/memory.swappiness cpu/cpu.shares \
           cpu/cpu.cfs_quota_us cpu/cpu.cfs_period_us cpuset/cpuset.cpus cpuset/cpuset.mems \
           pids/pids.max blkio/blkio.bfq.weight devices/devices.list; do
    ctrl=${f%%/*}
    ours=$(cg_file "$f")
    rpath=$(awk -F: -v c="$ctrl" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' /proc/$rpid/cgroup)
    theirs=/sys/fs/cgroup/$ctrl$rpath/${f#*/}
    [ -e "$ours" ] || [ -e "$theirs" ] || continue
    if [ "$(sort "$ours")" != "$(sort "$theirs")" ]; then
      echo "$f: runner: $(cat "$ours" | tr '\n' ' ') runc: $(cat "$theirs" | tr '\n' ' ')"
      false
    fi
  done
}

@test "runner: without linux.resources the device allowlist is still closed (as runc)" {
  [ -d /sys/fs/cgroup/devices ] || skip "v1 devices controller"
  cg_bundle "$B" '["/bin/sleep","60"]' 'del(.linux.resources)'
  start_detached "$B"
  list=$(sort "$(cg_file devices/devices.list)" | tr '\n' ' ')
  echo "$list"
  [[ "$list" != *"a *:* rwm"* ]]
  [[ "$list" == *"c 1:3 rwm"* ]]
  if command -v runc >/dev/null; then
    defer runc --root "$TESTTMP/runc" delete --force "$ID-runc"
    runc --root "$TESTTMP/runc" create --bundle "$B" "$ID-runc" </dev/null >/dev/null 2>&1 3>&-
    rpid=$(runc --root "$TESTTMP/runc" state "$ID-runc" | jq -r .pid)
    rpath=$(awk -F: '$2 == "devices" { print $3 }' /proc/$rpid/cgroup)
    [ "$list" = "$(sort /sys/fs/cgroup/devices$rpath/devices.list | tr '\n' ' ')" ]
  fi
}

# runtime.md "delete": the resources create made go; for a cgroupsPath
# "P/sub/ID" that is also the parents P and P/sub when create made them
@test "runner: delete removes the empty parent cgroups create made, keeps those it found" {
  P=rtt2par-$$-$BATS_TEST_NUMBER
  defer rm_parents "$P"
  rm_parents() { for d in /sys/fs/cgroup/*/runner/"$1"; do [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null; done; return 0; }
  cg_bundle "$B" '["/bin/sleep","100"]' '.linux.cgroupsPath="'"$P"'/sub/'"$ID"'"'
  start_detached "$B"
  [ -d "/sys/fs/cgroup/pids/runner/$P/sub/$ID" ]
  # a second container below the same parents, made by the first
  cg_bundle "$TESTTMP/b2" '["/bin/sleep","100"]' '.linux.cgroupsPath="'"$P"'/sub/'"$ID"'-2"'
  timeout 30 "$BIN/runner" --root "$STATE" create --bundle "$TESTTMP/b2" "$ID-2" </dev/null >/dev/null 2>&1 3>&-
  defer timeout 20 "$BIN/runner" --root "$STATE" delete --force "$ID-2"
  run "$BIN/runner" --root "$STATE" delete --force "$ID"
  [ "$status" -eq 0 ]
  [ ! -e "/sys/fs/cgroup/pids/runner/$P/sub/$ID" ]
  [ -d "/sys/fs/cgroup/pids/runner/$P/sub/$ID-2" ] # still in use
  run "$BIN/runner" --root "$STATE" delete --force "$ID-2"
  [ "$status" -eq 0 ]
  # the second made no parent: the first's are left, as runc leaves them
  ls -d /sys/fs/cgroup/*/runner/"$P" >/dev/null 2>&1
  rm_parents "$P"

  # alone: nothing of P is left anywhere
  cg_bundle "$TESTTMP/b3" '["/bin/true"]' '.linux.cgroupsPath="'"$P"'/sub/'"$ID"'"'
  run timeout 30 "$BIN/runner" --root "$STATE" run --bundle "$TESTTMP/b3" "$ID"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ -z "$(ls -d /sys/fs/cgroup/*/runner/"$P" 2>/dev/null)" ]
  [ -d /sys/fs/cgroup/pids/runner ]

  # a parent that was there before stays
  mkdir -p "/sys/fs/cgroup/pids/runner/$P"
  run timeout 30 "$BIN/runner" --root "$STATE" run --bundle "$TESTTMP/b3" "$ID"
  [ "$status" -eq 0 ]
  [ -d "/sys/fs/cgroup/pids/runner/$P" ]
  [ ! -e "/sys/fs/cgroup/pids/runner/$P/sub" ]
  [ ! -e "/sys/fs/cgroup/memory/runner/$P" ]
}
