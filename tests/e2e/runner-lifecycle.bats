#!/usr/bin/env bats
# runner's lifecycle (runtime.md "Lifecycle", "Operations"): create, start,
# state, list, kill, delete, run.
load ../lib/common
load ../lib/runner_common

setup() { common_setup; runner_setup; }
teardown() { common_teardown; }

@test "run in the foreground passes stdout and the exit status" {
  set_args sh -c 'echo hello from $(hostname); exit 7'
  run R run --bundle "$BUNDLE" c1
  [ "$status" -eq 7 ]
  [ "$output" = "hello from runner" ]
  assert_no_leftovers
}

@test "run of /bin/true exits 0 and leaves nothing behind" {
  set_args /bin/true
  run R run --bundle "$BUNDLE" c1
  [ "$status" -eq 0 ]
  assert_no_leftovers
}

@test "create, state created, start, running, kill, stopped, delete" {
  set_args sleep 100
  rcreate c1 --pid-file "$TESTTMP/pid"
  run R state c1
  [ "$status" -eq 0 ]
  [ "$(jq -r .status <<<"$output")" = created ]
  [ "$(jq -r .pid <<<"$output")" = "$(cat "$TESTTMP/pid")" ]
  [ "$(jq -r .id <<<"$output")" = c1 ]
  [ "$(jq -r .bundle <<<"$output")" = "$BUNDLE" ]
  run R start c1
  [ "$status" -eq 0 ]
  [ "$(R state c1 | jq -r .status)" = running ]
  R kill c1 KILL
  wait_stopped c1
  run R delete c1
  [ "$status" -eq 0 ]
  assert_no_leftovers
}

@test "kill accepts names and numbers" {
  set_args sleep 100
  rcreate c1
  R start c1
  run R kill c1 SIGUSR1
  [ "$status" -eq 0 ]
  [ "$(R state c1 | jq -r .status)" = running ] # pid 1 ignores USR1 without a handler
  run R kill c1 9
  [ "$status" -eq 0 ]
  wait_stopped c1
  run R kill c1 BOGUS
  [ "$status" -ne 0 ]
}

@test "list: table, -q and json" {
  set_args sleep 100
  rcreate a1
  rcreate b2
  run R list -q
  [ "$status" -eq 0 ]
  [ "$(sort <<<"$output" | tr '\n' ' ')" = "a1 b2 " ]
  run R list --format json
  [ "$(jq -r '.[].status' <<<"$output" | sort -u)" = created ]
  [ "$(jq length <<<"$output")" -eq 2 ]
  run R list
  [[ "${lines[0]}" == ID*PID*STATUS*BUNDLE* ]]
}

@test "delete refuses a running container, --force kills it" {
  set_args sleep 100
  rcreate c1
  R start c1
  run R delete c1
  [ "$status" -ne 0 ]
  [[ "$output" == *"not stopped"* ]]
  pid=$(R state c1 | jq -r .pid)
  run R delete --force c1
  [ "$status" -eq 0 ]
  ! kill -0 "$pid" 2>/dev/null
  assert_no_leftovers
}

@test "delete of a created container removes it" {
  set_args sleep 100
  rcreate c1
  run R delete c1
  [ "$status" -eq 0 ]
  assert_no_leftovers
}

@test "delete --force of an unknown container exits 0 (containerd)" {
  run R delete --force nothere
  [ "$status" -eq 0 ]
  run R delete nothere
  [ "$status" -ne 0 ]
  [[ "$output" == *"does not exist"* ]]
}

@test "run --detach returns at once; the container keeps running" {
  set_args sleep 100
  # the container keeps our stdout: a pipe would wait for it
  R run --detach --bundle "$BUNDLE" c1 </dev/null >"$TESTTMP/out" 2>&1
  [ "$(R state c1 | jq -r .status)" = running ]
}

@test "run --keep leaves the stopped container for state" {
  set_args true
  run R run --keep --bundle "$BUNDLE" c1
  [ "$status" -eq 0 ]
  [ "$(R state c1 | jq -r .status)" = stopped ]
  R delete c1
}

@test "run forwards signals to the container" {
  set_args sh -c 'trap "echo got TERM; exit 3" TERM; while :; do sleep 0.05; done'
  "$BIN/runner" --root "$ROOT" run --bundle "$BUNDLE" c1 >"$TESTTMP/out" 2>&1 &
  rpid=$!
  for _ in $(seq 100); do [ "$(R state c1 2>/dev/null | jq -r .status)" = running ] && break; sleep 0.05; done
  sleep 0.2
  kill -TERM "$rpid"
  wait "$rpid" || status=$?
  [ "$status" -eq 3 ]
  grep -q "got TERM" "$TESTTMP/out"
}

@test "state and list say stopped after the init dies by itself" {
  set_args sh -c 'exit 0'
  rcreate c1
  R start c1
  wait_stopped c1
  [ "$(R list --format json | jq -r '.[0].status')" = stopped ]
}

@test "start on a running container fails" {
  set_args sleep 100
  rcreate c1
  R start c1
  run R start c1
  [ "$status" -ne 0 ]
  assert_one_line_error
  [[ "$output" == *"running"* ]]
}

# config.md "Process": "This property is REQUIRED when start is called";
# runtime.md "start": "If the process property is not set, the runtime MUST
# generate an error"
@test "create without process succeeds, start fails naming it, delete cleans up" {
  cfg --arg o "$TESTTMP/hook" 'del(.process) | .hooks = {createRuntime: [{path: "/bin/sh", args: ["sh", "-c", "echo ran >\($o)"]}]} | .hostname = "np"'
  rcreate c1
  [ "$(R state c1 | jq -r .status)" = created ]
  [ "$(cat "$TESTTMP/hook")" = ran ]
  pid=$(R state c1 | jq -r .pid)
  [ "$(nsenter -t "$pid" -u hostname)" = np ]
  run R start c1
  assert_one_line_error
  [[ "$output" == *"container \`c1\`"*"no process"* ]]
  wait_stopped c1
  run R delete c1
  [ "$status" -eq 0 ]
  assert_no_leftovers
}

@test "run without process fails with one line and leaves nothing behind" {
  cfg 'del(.process)'
  run R run --bundle "$BUNDLE" c1
  assert_one_line_error
  [[ "$output" == *"no process"* ]]
  assert_no_leftovers
}
