#!/usr/bin/env bats
# examples/run-image: the whole toolchain as a user meets it, against the
# local token-auth registry; afterwards the host is as it was (mounts,
# cgroups, links, nft ruleset, leases, state roots).
load ../lib/common
load ../lib/registry
load ../lib/examples_helpers

setup_file() {
  registry_setup_file
  registry_start plain
  local lay
  lay=$(fixture_layout busybox)
  registry_push "$lay" busybox:latest "127.0.0.1:$REG_plain_PORT/library/busybox:latest"
  token_service_start hub private/secret alice s3cret
  registry_start hub "$REG_plain_DATA" "$(token_auth_yaml "$TOKEN_hub_PORT" "$TOKEN_hub_CERT")"
  out=$(reg_proxy_spawn "$REG_hub_PORT" "$REG_HOME/front.log" --cdn "$REG_plain_DATA")
  echo "${out% *}" >>"$REG_HOME/pids"
  HUB=127.0.0.1:${out#* }
  export HUB
}

teardown_file() { registry_teardown_file; }

setup() {
  common_setup
  export OCIKIT_STORE=$TESTTMP/store HOME=$TESTTMP/home TMPDIR=$TESTTMP
  RUNTIME=$(examples_runtime)
  export RUNTIME
  unset REGISTRY_AUTH_FILE
}

@test "run-image: pull from the token registry, run, output checked, host unchanged" {
  # a first run creates the bridge and the ocikit nft table, which stay
  run "$SRC/examples/run-image" "$HUB/library/busybox" true
  [ "$status" -eq 0 ]
  host_state >"$TESTTMP/before"
  run "$SRC/examples/run-image" -e GREETING=hello "$HUB/library/busybox" \
      sh -c 'echo "$GREETING from $(hostname)"; ip -4 -o addr show eth0 | grep -c "inet 10\."; exit 7'
  echo "$output"
  [ "$status" -eq 7 ]
  [[ "${lines[0]}" == "hello from run-image-"* ]]
  [ "${lines[1]}" = 1 ]
  host_state >"$TESTTMP/after"
  diff -u "$TESTTMP/before" "$TESTTMP/after"
}

@test "run-image: a failing stage is one error and leaves nothing behind" {
  host_state >"$TESTTMP/before"
  run "$SRC/examples/run-image" "$HUB/library/nosuchimage" true
  [ "$status" -ne 0 ]
  [[ "$output" == *nosuchimage* ]]
  host_state >"$TESTTMP/after"
  diff -u "$TESTTMP/before" "$TESTTMP/after"
}

@test "run-image: stdin reaches the container, -v and -e pass through" {
  mkdir "$TESTTMP/vol"
  echo "from the host" >"$TESTTMP/vol/note"
  run sh -c 'echo "through stdin" | "$1" -v "$2:/vol:ro" -e "A=it is b" "$3" \
      sh -c "cat; cat /vol/note; echo \$A; touch /vol/x 2>/dev/null || echo read-only"' \
      sh "$SRC/examples/run-image" "$TESTTMP/vol" "$HUB/library/busybox"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$output" = "through stdin
from the host
it is b
read-only" ]
}

@test "run-image: with a terminal the container gets one (-t), status passes through" {
  run script -qec "$(printf '%q ' "$SRC/examples/run-image" "$HUB/library/busybox" sh -c 'tty; exit 5')" /dev/null </dev/null
  echo "$output"
  [ "$status" -eq 5 ]
  [[ "$output" == *"/dev/pts/0"* ]]
}

@test "run-image: usage errors" {
  run "$SRC/examples/run-image"
  [ "$status" -eq 2 ]
  run "$SRC/examples/run-image" --bogus x
  [ "$status" -eq 2 ]
}
