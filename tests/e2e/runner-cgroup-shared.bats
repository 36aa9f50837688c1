#!/usr/bin/env bats
# A cgroup that already holds processes is never shared: the default path
# /runner/ID is the same for every --root, so the same ID under two roots
# (or a cgroupsPath naming a busy cgroup) fails create with one line,
# touches nothing of the other container and leaves nothing behind.
# (runc 1.2 refuses the same way; runc 1.1 and crun 1.8 share the cgroup.)
load ../lib/common
load ../lib/cgroup-bundle

setup() {
  common_setup
  cg_require_runner
  ID=rcs-$$-$BATS_TEST_NUMBER
  B=$TESTTMP/bundle
  defer cg_cleanup "$ID"
  defer timeout 20 "$BIN/runner" --root "$TESTTMP/r1" delete --force "$ID"
  defer timeout 20 "$BIN/runner" --root "$TESTTMP/r2" delete --force "$ID"
  cg_bundle "$B" '["/bin/sleep","300"]' 'del(.linux.cgroupsPath) | .linux.resources.pids={"limit":50}'
}

teardown() { common_teardown; }

@test "runner cgroup: the same ID under another --root does not share the default cgroup" {
  timeout 30 "$BIN/runner" --root "$TESTTMP/r1" run -d --bundle "$B" "$ID" </dev/null >/dev/null
  pid=$("$BIN/runner" --root "$TESTTMP/r1" state "$ID" | jq .pid)
  cg=$(ls -d /sys/fs/cgroup/pids/runner/"$ID" /sys/fs/cgroup/runner/"$ID" 2>/dev/null | head -n1)
  [ "$(cat "$cg/pids.max")" = 50 ]
  # the second one asks another limit: it must not reach the first
  jq '.linux.resources.pids.limit = 7' "$B/config.json" >"$B/c2" && mv "$B/c2" "$B/config.json"
  run timeout 30 "$BIN/runner" --root "$TESTTMP/r2" run -d --bundle "$B" "$ID"
  echo "$output"
  [ "$status" -eq 1 ]
  assert_one_line_error
  [[ "$output" == *"cgroup \`/runner/$ID\`"*"already holds 1 process"*"--root"* ]]
  # the first container is as it was
  [ "$(cat "$cg/pids.max")" = 50 ]
  [ "$(cat "$cg/cgroup.procs")" = "$pid" ]
  [ "$("$BIN/runner" --root "$TESTTMP/r1" state "$ID" | jq -r .status)" = running ]
  # nothing of the failed one is left
  [ -z "$(ls -A "$TESTTMP/r2" | grep -v seccomp-cache)" ]
  # once the first is gone the ID is free again
  "$BIN/runner" --root "$TESTTMP/r1" delete --force "$ID"
  [ -z "$(cg_left "$ID")" ]
  timeout 30 "$BIN/runner" --root "$TESTTMP/r2" run -d --bundle "$B" "$ID" </dev/null >/dev/null
  [ "$(cat "$cg/pids.max")" = 7 ]
}

@test "runner cgroup: a linux.cgroupsPath naming a busy cgroup fails and keeps it; an empty one is used" {
  busy=/sys/fs/cgroup/pids/runner/$ID-busy
  [ -d /sys/fs/cgroup/pids ] || busy=/sys/fs/cgroup/runner/$ID-busy
  mkdir -p "$busy"
  defer cg_cleanup "$ID-busy"
  sleep 300 &
  spid=$!
  defer kill -9 "$spid"
  echo "$spid" >"$busy/cgroup.procs"
  jq ".linux.cgroupsPath = \"/runner/$ID-busy\"" "$B/config.json" >"$B/c2" && mv "$B/c2" "$B/config.json"
  run timeout 30 "$BIN/runner" --root "$TESTTMP/r1" create --bundle "$B" "$ID"
  echo "$output"
  [ "$status" -eq 1 ]
  assert_one_line_error
  [[ "$output" == *"already holds 1 process"* ]]
  # the busy cgroup and its process are untouched; what runner made is gone
  [ -d "$busy" ]
  [ "$(cat "$busy/cgroup.procs")" = "$spid" ]
  [ "$(ls -d /sys/fs/cgroup/*/runner/"$ID-busy" /sys/fs/cgroup/runner/"$ID-busy" 2>/dev/null)" = "$busy" ]
  [ -z "$(ls -A "$TESTTMP/r1" | grep -v seccomp-cache)" ]
  # empty again: runner uses it, as runc and crun do
  kill -9 "$spid"; wait "$spid" 2>/dev/null || true
  timeout 30 "$BIN/runner" --root "$TESTTMP/r1" run -d --bundle "$B" "$ID" </dev/null >/dev/null
  [ "$(cat "$busy/cgroup.procs")" = "$("$BIN/runner" --root "$TESTTMP/r1" state "$ID" | jq .pid)" ]
}

@test "runner cgroup: deleting a stopped container leaves alone another that took over its empty cgroup" {
  R1() { "$BIN/runner" --root "$TESTTMP/r1" "$@"; }
  R2() { "$BIN/runner" --root "$TESTTMP/r2" "$@"; }
  timeout 30 "$BIN/runner" --root "$TESTTMP/r1" run -d --bundle "$B" "$ID" </dev/null >/dev/null
  R1 kill "$ID" KILL
  for _ in $(seq 50); do [ "$(R1 state "$ID" | jq -r .status)" = stopped ] && break; sleep 0.05; done
  [ "$(R1 state "$ID" | jq -r .status)" = stopped ]
  cg=$(ls -d /sys/fs/cgroup/pids/runner/"$ID" /sys/fs/cgroup/runner/"$ID" 2>/dev/null | head -n1)
  [ -d "$cg" ] && [ -z "$(cat "$cg/cgroup.procs")" ]
  # the empty cgroup is taken over by the same ID under another root
  timeout 30 "$BIN/runner" --root "$TESTTMP/r2" run -d --bundle "$B" "$ID" </dev/null >/dev/null
  pid=$(R2 state "$ID" | jq .pid)
  [ "$(cat "$cg/cgroup.procs")" = "$pid" ]
  # the first one's delete: its own pid namespace died with its init, so
  # what is in the cgroup now is not its own
  R1 delete "$ID"
  [ -z "$(ls -A "$TESTTMP/r1" | grep -v seccomp-cache)" ]
  [ "$(cat "$cg/cgroup.procs")" = "$pid" ]
  [ "$(R2 state "$ID" | jq -r .status)" = running ]
  R2 delete --force "$ID"
  [ -z "$(cg_left "$ID")" ]
}
