#!/usr/bin/env bats
# runner ps: the table a runc user sees (`ps -ef` lines of the container's
# processes), ps options after the ID as runc runs them, --format json for
# containerd. Compared with `ps -ef` itself and with `runc ps`.
load ../lib/common
load ../lib/cgroup-bundle

setup() {
  common_setup
  cg_require_runner
  ID=rps-$$-$BATS_TEST_NUMBER
  STATE=$TESTTMP/state
  B=$TESTTMP/bundle
  defer cg_cleanup "$ID"
  defer timeout 20 "$BIN/runner" --root "$STATE" delete --force "$ID"
  cg_bundle "$B" '["/bin/sh","-c","sleep 300 & sleep 301"]'
}

teardown() { common_teardown; }

start_container() {
  timeout 30 "$BIN/runner" --root "$STATE" run -d --bundle "$B" "$ID" </dev/null >/dev/null 2>&1
  # both sleeps are up
  for _ in $(seq 100); do
    [ "$("$BIN/runner" --root "$STATE" ps --format json "$ID" | jq length)" -eq 2 ] && return 0
    sleep 0.05
  done
  return 1
}

@test "runner ps: the default table is ps -ef's header and lines for the container's pids" {
  start_container
  pids=$("$BIN/runner" --root "$STATE" ps --format json "$ID" | jq -r '.[]' | sort -n)
  run "$BIN/runner" --root "$STATE" ps "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  # what runc prints: ps -ef filtered by the pids of the cgroup
  expected=$(ps -ef | awk -v p="$(echo $pids)" 'BEGIN { n = split(p, a, " "); for (i = 1; i <= n; i++) s[a[i]] = 1 } NR == 1 || ($2 in s)')
  echo "--- ps -ef:"; echo "$expected"
  [ "$output" = "$expected" ]
  [ "${lines[0]}" = "$(ps -ef | head -n1)" ]
  [ "${#lines[@]}" -eq 3 ]
}

@test "runner ps: --format json is the array of the cgroup's pids" {
  start_container
  run "$BIN/runner" --root "$STATE" ps --format json "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  cg=$(ls -d /sys/fs/cgroup/pids/runner/"$ID" /sys/fs/cgroup/runner/"$ID" 2>/dev/null | head -n1)
  [ "$(echo "$output" | jq -c 'sort')" = "$(sort -n "$cg/cgroup.procs" | jq -s -c .)" ]
  # json ignores ps options, as runc's
  run "$BIN/runner" --root "$STATE" ps --format json "$ID" -o user
  [ "$status" -eq 0 ]
  [ "$(echo "$output" | jq length)" -eq 2 ]
}

@test "runner ps: ps options after the ID (with or without --) run ps with them, lines kept by the PID column" {
  start_container
  pid=$("$BIN/runner" --root "$STATE" state "$ID" | jq .pid)
  run "$BIN/runner" --root "$STATE" ps "$ID" -- -o user,pid,comm
  echo "$output"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "$(ps -o user,pid,comm | head -n1)" ]
  [ "${#lines[@]}" -eq 3 ]
  [[ "$output" == *"root"*" $pid sleep"* ]]
  run "$BIN/runner" --root "$STATE" ps "$ID" -o comm,pid
  [ "$status" -eq 0 ]
  [ "${#lines[@]}" -eq 3 ]
  [[ "${lines[1]}" == "sleep "* ]]
}

@test "runner ps: ps options without a PID column, or that ps refuses, are one clear error" {
  start_container
  run "$BIN/runner" --root "$STATE" ps "$ID" -o comm
  echo "$output"
  [ "$status" -eq 1 ]
  assert_one_line_error
  [[ "$output" == *"PID column"* ]]
  run "$BIN/runner" --root "$STATE" ps "$ID" --no-such-ps-option
  echo "$output"
  [ "$status" -eq 1 ]
  assert_one_line_error
  [[ "$output" == *"ps --no-such-ps-option"*"failed"* ]]
  run "$BIN/runner" --root "$STATE" ps "nope-$ID"
  [ "$status" -ne 0 ]
  assert_one_line_error
}

@test "runner ps: the same columns as runc ps on the same bundle" {
  command -v runc >/dev/null || skip "no runc"
  RID=rpsc-$$-$BATS_TEST_NUMBER
  defer timeout 20 runc --root "$TESTTMP/runc" delete --force "$RID"
  timeout 30 runc --root "$TESTTMP/runc" run -d --bundle "$B" "$RID" </dev/null >/dev/null 2>&1
  start_container
  for _ in $(seq 100); do [ "$(runc --root "$TESTTMP/runc" ps "$RID" | wc -l)" -eq 3 ] && break; sleep 0.05; done
  runc --root "$TESTTMP/runc" ps "$RID" >"$TESTTMP/runc.out"
  "$BIN/runner" --root "$STATE" ps "$ID" >"$TESTTMP/runner.out"
  cat "$TESTTMP/runc.out" "$TESTTMP/runner.out"
  [ "$(head -n1 "$TESTTMP/runc.out")" = "$(head -n1 "$TESTTMP/runner.out")" ]
  # UID, TTY, TIME and CMD agree; PID, PPID and STIME name other processes;
  # C is a number in both, but its value counts the runtime's own init
  # before the exec (runc's Go init of a young process can show 14)
  shape() { awk 'NR > 1 { $2 = "P"; $3 = "PP"; $4 = ($4 ~ /^[0-9]+$/) ? "C" : "C?" $4; $5 = "T"; print }' "$1" | sort; }
  [ "$(shape "$TESTTMP/runc.out")" = "$(shape "$TESTTMP/runner.out")" ]
}
