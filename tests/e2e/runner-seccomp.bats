#!/usr/bin/env bats
# linux.seccomp in containers run by runner: a denied syscall fails with
# the configured errno or kills, a real-world profile runs, unknown
# syscall names are skipped, a bad profile is one clear error.
load ../lib/common
load ../lib/cgroup-bundle

setup() {
  common_setup
  cg_require_runner
  ID=sct-$$-$BATS_TEST_NUMBER
  STATE=$TESTTMP/state
  B=$TESTTMP/bundle
  defer cg_cleanup "$ID"
  defer timeout 20 "$BIN/runner" --root "$STATE" delete --force "$ID"
}

teardown() { common_teardown; }

# allow everything but the syscalls named, which get ACTION
deny_profile() { # NAMES-JSON ACTION [ERRNO]
  local extra=
  [ -n "${3:-}" ] && extra=",\"errnoRet\":$3"
  echo "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"],\"syscalls\":[{\"names\":$1,\"action\":\"$2\"$extra}]}"
}

@test "runner seccomp: a denied syscall fails with errnoRet" {
  cg_bundle "$B" '["/bin/sh","-c","mkdir /tmp/x; echo status=$?"]' \
    ".linux.seccomp=$(deny_profile '["mkdir","mkdirat"]' SCMP_ACT_ERRNO 13)"
  run timeout 30 "$BIN/runner" --root "$STATE" run --bundle "$B" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"Permission denied"* ]]
  [[ "$output" == *"status=1"* ]]
}

@test "runner seccomp: errno defaults to EPERM; unknown syscall names are skipped" {
  cg_bundle "$B" '["/bin/sh","-c","mkdir /tmp/x; echo status=$?"]' \
    ".linux.seccomp=$(deny_profile '["no_such_syscall_anywhere","mkdir","mkdirat"]' SCMP_ACT_ERRNO)"
  run timeout 30 "$BIN/runner" --root "$STATE" run --bundle "$B" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"Operation not permitted"* ]]
}

@test "runner seccomp: SCMP_ACT_KILL_PROCESS kills the caller with SIGSYS" {
  cg_bundle "$B" '["/bin/uname"]' ".linux.seccomp=$(deny_profile '["uname"]' SCMP_ACT_KILL_PROCESS)"
  run timeout 30 "$BIN/runner" --root "$STATE" run --bundle "$B" "$ID"
  echo "$output"
  [ "$status" -eq 159 ] # 128 + SIGSYS, passed through by run
}

@test "runner seccomp: podman's default profile runs a container" {
  [ -f /usr/share/containers/seccomp.json ] || skip "no containers-common profile"
  cg_bundle "$B" '["/bin/sh","-c","echo hello; mkdir /tmp/y && echo made"]' \
    ".linux.seccomp=$(cat /usr/share/containers/seccomp.json)"
  run timeout 30 "$BIN/runner" --root "$STATE" run --bundle "$B" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"hello"* ]]
  [[ "$output" == *"made"* ]]
}

@test "runner seccomp: a bad profile is one clear error and leaves nothing behind" {
  cg_bundle "$B" '["/bin/true"]' '.linux.seccomp={"defaultAction":"SCMP_ACT_SOMETIMES"}'
  run timeout 30 "$BIN/runner" --root "$STATE" run --bundle "$B" "$ID"
  echo "$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *"SCMP_ACT_SOMETIMES"* ]]
  [ "$(printf '%s\n' "$output" | grep -c .)" -eq 1 ]
  [ -z "$(cg_left "$ID")" ]
}
