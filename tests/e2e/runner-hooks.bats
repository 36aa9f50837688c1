#!/usr/bin/env bats
# config.md "POSIX-platform Hooks": all six kinds at their points, the
# state on stdin, args/env/timeout, failure semantics.
load ../lib/common
load ../lib/runner_common

setup() {
  common_setup
  runner_setup
  chmod 755 "$TESTTMP"
  # a hook that records its kind, its state and its args/env; its directory
  # is bound into the container at the same path, so startContainer (whose
  # path resolves in the container) finds it too
  REC=$TESTTMP/rec
  mkdir -p "$REC"
  printf '#!/bin/sh\nkind=$1; shift\n{ cat; echo; } >"%s/$kind.state"\necho "$kind $* ENV=$HOOKENV" >>"%s/order"\n' "$REC" "$REC" >"$REC/hook"
  chmod 755 "$REC/hook"
  cfg --arg r "$REC" '.mounts += [{destination: $r, type: "bind", source: $r, options: ["bind"]}]'
}
teardown() { common_teardown; }

hook() { # hook KIND → a hooks entry recording KIND
  jq -n --arg p "$REC/hook" --arg k "$1" '{path: $p, args: ["hook", $k, "a1"], env: ["HOOKENV=e1"]}'
}

all_hooks() {
  local h=()
  for k in prestart createRuntime createContainer startContainer poststart poststop; do
    h+=(--argjson "$k" "$(hook "$k")")
  done
  cfg "${h[@]}" '.hooks = {prestart: [$prestart], createRuntime: [$createRuntime], createContainer: [$createContainer], startContainer: [$startContainer], poststart: [$poststart], poststop: [$poststop]}'
}

@test "all six hooks run in order with the state on stdin" {
  all_hooks
  cfg '.annotations = {"org.test.a": "b"}'
  set_args sleep 100
  rcreate c1
  [ "$(cut -d' ' -f1 "$REC/order" | tr '\n' ' ')" = "prestart createRuntime createContainer " ]
  R start c1
  [ "$(cut -d' ' -f1 "$REC/order" | tr '\n' ' ')" = "prestart createRuntime createContainer startContainer poststart " ]
  R delete --force c1
  [ "$(cut -d' ' -f1 "$REC/order" | tr '\n' ' ')" = "prestart createRuntime createContainer startContainer poststart poststop " ]
  grep -q "^createRuntime a1 ENV=e1$" "$REC/order"
  pid=$(jq -r .pid "$REC/createRuntime.state")
  [ "$pid" -gt 0 ]
  [ "$(jq -r .id "$REC/createRuntime.state")" = c1 ]
  [ "$(jq -r .bundle "$REC/createRuntime.state")" = "$BUNDLE" ]
  [ "$(jq -r '.annotations["org.test.a"]' "$REC/createRuntime.state")" = b ]
  [ "$(jq -r .status "$REC/createRuntime.state")" = creating ]
  # runtime.md "State": created after lifecycle step 2; prestart is step 3
  [ "$(jq -r .status "$REC/prestart.state")" = created ]
  [ "$(jq -r .pid "$REC/prestart.state")" = "$pid" ]
  [ "$(jq -r .status "$REC/poststart.state")" = running ]
  [ "$(jq -r .status "$REC/poststop.state")" = stopped ]
  [ "$(jq -r .pid "$REC/startContainer.state")" = "$pid" ]
}

@test "createRuntime runs in the runtime's namespaces, createContainer in the container's" {
  printf '#!/bin/sh\nreadlink /proc/self/ns/uts >"%s/$1.uts"\n' "$TESTTMP" >"$TESTTMP/nshook"
  chmod 755 "$TESTTMP/nshook"
  cfg --arg p "$TESTTMP/nshook" '.hooks = {createRuntime: [{path: $p, args: ["x", "rt"]}], createContainer: [{path: $p, args: ["x", "cc"]}]}'
  set_args sleep 100
  rcreate c1
  [ "$(cat "$TESTTMP/rt.uts")" = "$(readlink /proc/self/ns/uts)" ]
  pid=$(R state c1 | jq -r .pid)
  [ "$(cat "$TESTTMP/cc.uts")" = "$(readlink /proc/$pid/ns/uts)" ]
}

@test "a failing createRuntime hook fails create and leaves nothing behind" {
  cfg --arg f "$TESTTMP/poststop.ran" '.hooks = {createRuntime: [{path: "/bin/false"}], poststop: [{path: "/bin/sh", args: ["sh", "-c", "echo ran >\($f)"]}]}'
  set_args sleep 100
  run rcreate c1
  [ "$status" -ne 0 ]
  grep -q "createRuntime hook" "$TESTTMP/c1.err"
  [ "$(wc -l <"$TESTTMP/c1.err")" -eq 1 ]
  assert_no_leftovers
  # runtime.md: stop the container and go on to poststop
  [ -e "$TESTTMP/poststop.ran" ]
}

@test "a failing startContainer hook fails start" {
  cfg '.hooks = {startContainer: [{path: "/bin/false"}]}'
  set_args sleep 100
  rcreate c1
  run R start c1
  [ "$status" -ne 0 ]
  [[ "$output" == *"startContainer hook"* ]]
  wait_stopped c1
}

@test "a failing poststart hook is a warning; the container runs" {
  cfg '.hooks = {poststart: [{path: "/bin/false"}]}'
  set_args sleep 100
  rcreate c1
  run R start c1
  [ "$status" -eq 0 ]
  [[ "$output" == *warning*poststart* ]]
  [ "$(R state c1 | jq -r .status)" = running ]
}

@test "a hook over its timeout is killed and fails the operation" {
  cfg '.hooks = {prestart: [{path: "/bin/sleep", args: ["sleep", "30"], timeout: 1}]}'
  set_args true
  SECONDS=0
  run R run --bundle "$BUNDLE" c1
  [ "$status" -ne 0 ]
  [[ "$output" == *"timed out"* ]]
  [ "$SECONDS" -lt 10 ]
  assert_no_leftovers
}

@test "a hook that does not read stdin does not kill the runtime (SIGPIPE)" {
  head -c 300000 /dev/zero | tr '\0' x >"$TESTTMP/big"
  cfg --rawfile big "$TESTTMP/big" '.annotations = {"big": $big} | .hooks = {createRuntime: [{path: "/bin/true"}], poststop: [{path: "/bin/true"}]}'
  set_args true
  for i in 1 2 3 4 5; do
    run R run --bundle "$BUNDLE" "c$i"
    [ "$status" -eq 0 ]
  done
  assert_no_leftovers
}
