#!/usr/bin/env bats
# Bad input: one clear line, a non-zero exit, and nothing left under
# --root, in /proc/mounts or in the cgroup tree.
bats_require_minimum_version 1.5.0
load ../lib/common
load ../lib/runner_common

setup() { common_setup; runner_setup; }
teardown() { common_teardown; }

no_cgroup_left() {
  ! ls -d /sys/fs/cgroup/*/runner/"$1" /sys/fs/cgroup/unified/runner/"$1" 2>/dev/null | grep -q .
}

@test "a bundle without config.json" {
  rm "$BUNDLE/config.json"
  run R run --bundle "$BUNDLE" c1
  [ "$status" -eq 1 ]
  assert_one_line_error
  [[ "$output" == *config.json* ]]
  assert_no_leftovers
  no_cgroup_left c1
}

@test "malformed JSON" {
  echo '{"ociVersion": "1.0.2", "process": ' >"$BUNDLE/config.json"
  run R create --bundle "$BUNDLE" c1
  [ "$status" -eq 1 ]
  assert_one_line_error
  [[ "$output" == *config.json* ]]
  assert_no_leftovers
}

@test "an unknown ociVersion major" {
  cfg '.ociVersion = "2.0.0"'
  run R run --bundle "$BUNDLE" c1
  [ "$status" -eq 1 ]
  assert_one_line_error
  [[ "$output" == *"2.0.0"* ]]
  assert_no_leftovers
}

@test "a missing executable: podman's words, 127, nothing left" {
  set_args nosuchprog
  run -127 R run --bundle "$BUNDLE" c1
  assert_one_line_error
  [[ "$output" == *"executable file not found in \$PATH"* ]]
  assert_no_leftovers
  no_cgroup_left c1
  set_args /no/such/file
  run -1 R create --bundle "$BUNDLE" c2 </dev/null
  [[ "$output" == *"no such file or directory"* ]]
  assert_no_leftovers
}

@test "a file that is not executable: permission denied, 126" {
  echo 'echo hi' >"$BUNDLE/rootfs/script"
  chmod 644 "$BUNDLE/rootfs/script"
  set_args /script
  run -126 R run --bundle "$BUNDLE" c1
  assert_one_line_error
  [[ "$output" == *"permission denied"* ]]
  assert_no_leftovers
}

@test "an ID already in use" {
  set_args sleep 100
  rcreate c1
  run R create --bundle "$BUNDLE" c1
  [ "$status" -eq 1 ]
  assert_one_line_error
  [[ "$output" == *"already exists"* ]]
  [ "$(R state c1 | jq -r .status)" = created ]
}

@test "start on a running container, kill on a stopped one" {
  set_args sleep 100
  rcreate c1
  R start c1
  run R start c1
  [ "$status" -eq 1 ]
  assert_one_line_error
  R kill c1 KILL
  wait_stopped c1
  run R kill c1 TERM
  [ "$status" -eq 1 ]
  assert_one_line_error
  [[ "$output" == *"not running"* ]]
}

@test "unsafe IDs are refused" {
  for id in ../x a/b "" . ..; do
    run R create --bundle "$BUNDLE" "$id"
    [ "$status" -ne 0 ]
    assert_one_line_error
  done
  assert_no_leftovers
  [ ! -e "$TESTTMP/x" ]
}

@test "an unknown container for state, start, kill, exec, ps" {
  for cmd in state start kill exec ps; do
    run R $cmd nothere
    [ "$status" -ne 0 ]
    assert_one_line_error
    [[ "$output" == *"does not exist"* || "$output" == *usage* ]]
  done
}

@test "usage errors exit 2" {
  run R create
  [ "$status" -eq 2 ]
  run R frobnicate
  [ "$status" -eq 2 ]
  run "$BIN/runner" --log-format yaml list
  [ "$status" -eq 2 ]
}

@test "errors reach --log as JSON lines, as runc writes them" {
  rm "$BUNDLE/config.json"
  run R --log "$TESTTMP/log.json" --log-format json create --bundle "$BUNDLE" c1
  [ "$status" -ne 0 ]
  [ "$(jq -r .level "$TESTTMP/log.json")" = error ]
  [[ "$(jq -r .msg "$TESTTMP/log.json")" == *config.json* ]]
  jq -e '.time | test("^[0-9]{4}-")' "$TESTTMP/log.json"
  # global options after the binary name, as conmon passes them
  run "$BIN/runner" --root "$ROOT" --log="$TESTTMP/log.txt" --log-format=text create --bundle "$BUNDLE" c1
  grep -q 'level=error msg=".*config.json' "$TESTTMP/log.txt"
}

@test "a failing mount fails create and leaves no mount behind" {
  cfg '.mounts += [{"destination": "/mnt/x", "type": "bind", "source": "/no/such/source", "options": ["bind"]}]'
  run R create --bundle "$BUNDLE" c1 </dev/null
  [ "$status" -eq 1 ]
  assert_one_line_error
  [[ "$output" == */mnt/x* ]]
  assert_no_leftovers
  no_cgroup_left c1
}

@test "spec refuses to overwrite a config.json, --rootless adds a user namespace" {
  run R spec --bundle "$BUNDLE"
  [ "$status" -ne 0 ]
  assert_one_line_error
  mkdir "$TESTTMP/s"
  R spec --rootless --bundle "$TESTTMP/s"
  jq -e '.linux.namespaces | map(.type) | index("user")' "$TESTTMP/s/config.json"
  jq -e '.linux.uidMappings[0].size == 1' "$TESTTMP/s/config.json"
}

@test "features prints the runtime-spec features document" {
  run R features
  [ "$status" -eq 0 ]
  [ "$(jq -r .ociVersionMax <<<"$output")" = 1.2.0 ]
  [ "$(jq '.hooks | length' <<<"$output")" -eq 6 ]
  jq -e '.linux.namespaces | index("time")' <<<"$output"
  jq -e '.linux.capabilities | index("CAP_SYS_ADMIN")' <<<"$output"
}
