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

# SCMP_ACT_NOTIFY: the listener goes to the agent on listenerPath
# (config-linux.md "Seccomp") with the container process state
# (runtime.md), at create, before the process is started.
notify_profile() { # SOCKET METADATA
  echo "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"$1\",\"listenerMetadata\":\"$2\",\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"],\"syscalls\":[{\"names\":[\"mkdir\",\"mkdirat\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}"
}

# the runtime's send is done when the agent may not have written it yet
wait_file() { # FILE
  for _ in $(seq 100); do [ -s "$1" ] && return 0; sleep 0.05; done
  echo "no $1"; cat "$TESTTMP/agent.err"; return 1
}

# the agent logs a call after it answered it
wait_mkdir_call() {
  for _ in $(seq 100); do grep -Eq '^(83|258) ' "$AOUT.calls" && return 0; sleep 0.05; done
  echo "no mkdir answered:"; cat "$AOUT.calls"; return 1
}

start_agent() { # MODE [ERRNO]
  SOCK=$TESTTMP/agent.sock
  AOUT=$TESTTMP/agent.json
  python3 "$SRC/tests/lib/runner_seccomp_agent.py" "$SOCK" "$AOUT" "$@" 2>"$TESTTMP/agent.err" &
  AGENT=$!
  defer kill "$AGENT"
  for _ in $(seq 100); do [ -e "$SOCK.ready" ] && return 0; sleep 0.05; done
  echo "agent did not start"; cat "$TESTTMP/agent.err"; return 1
}

@test "runner seccomp: SCMP_ACT_NOTIFY hands the listener to listenerPath at create; the agent's errno reaches the container" {
  start_agent errno 30 # EROFS
  cg_bundle "$B" '["/bin/sh","-c","mkdir /tmp/x; echo status=$?; ls -l /proc/$$/fd | grep -c seccomp"]' \
    ".linux.seccomp=$(notify_profile "$SOCK" meta-$ID)"
  # the container keeps create's stdout: a file, not `run`'s pipe
  timeout 30 "$BIN/runner" --root "$STATE" create --bundle "$B" "$ID" </dev/null >"$TESTTMP/out" 2>&1 \
    || { cat "$TESTTMP/out"; false; }
  # created, not started: the agent already holds the listener
  wait_file "$AOUT"
  cat "$AOUT"; echo; cat "$TESTTMP/agent.err"
  pid=$("$BIN/runner" --root "$STATE" state "$ID" | jq -r .pid)
  [ "$(jq -r .state.status "$AOUT")" = creating ]
  [ "$(jq -r .state.id "$AOUT")" = "$ID" ]
  [ "$(jq -r .state.bundle "$AOUT")" = "$B" ]
  [ "$(jq -r .pid "$AOUT")" = "$pid" ]
  [ "$(jq -r .metadata "$AOUT")" = "meta-$ID" ]
  [ "$(jq -c .fds "$AOUT")" = '["seccompFd"]' ]
  [ "$(jq -r .ociVersion "$AOUT")" = "$(jq -r .state.ociVersion "$AOUT")" ]
  [ "$(cat "$AOUT.nfds")" -eq 1 ]
  # the runtime kept no copy of it
  [ "$(ls -l /proc/"$pid"/fd | grep -c seccomp)" -eq 0 ]
  run timeout 30 "$BIN/runner" --root "$STATE" start "$ID"
  [ "$status" -eq 0 ]
  for _ in $(seq 100); do grep -q '^[0-9]$' "$TESTTMP/out" && break; sleep 0.05; done
  cat "$TESTTMP/out"
  grep -q "Read-only file system" "$TESTTMP/out"
  grep -q "status=1" "$TESTTMP/out"
  # the listener did not leak into the container process
  [ "$(tail -n1 "$TESTTMP/out")" = 0 ]
  # mkdir (83) or mkdirat (258) was answered by the agent
  wait_mkdir_call
}

@test "runner seccomp: SCMP_ACT_NOTIFY with run; the agent lets mkdir through (FLAG_CONTINUE)" {
  start_agent continue
  cg_bundle "$B" '["/bin/sh","-c","mkdir /tmp/x && ls -d /tmp/x"]' \
    ".linux.seccomp=$(notify_profile "$SOCK" "")"
  run timeout 30 "$BIN/runner" --root "$STATE" run --bundle "$B" "$ID"
  echo "$output"; cat "$TESTTMP/agent.err"
  [ "$status" -eq 0 ]
  [ "$output" = /tmp/x ]
  wait_file "$AOUT"
  [ "$(jq -r .metadata "$AOUT")" = "" ]
  wait_mkdir_call
  # the agent sees the listener hang up once the container is gone
  for _ in $(seq 100); do kill -0 "$AGENT" 2>/dev/null || break; sleep 0.05; done
  ! kill -0 "$AGENT" 2>/dev/null
}

@test "runner seccomp: an unreachable listenerPath fails create with one line and leaves nothing behind" {
  cg_bundle "$B" '["/bin/true"]' ".linux.seccomp=$(notify_profile "$TESTTMP/nobody.sock" m)"
  run timeout 30 "$BIN/runner" --root "$STATE" create --bundle "$B" "$ID"
  echo "$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *"listenerPath"*"nobody.sock"*"No such file or directory"* ]]
  [ "$(printf '%s\n' "$output" | grep -c .)" -eq 1 ]
  [ -z "$(cg_left "$ID")" ]
  [ -z "$(ls -A "$STATE" | grep -v seccomp-cache)" ]
}

@test "runner seccomp: exec hands its own listener to listenerPath before the program runs" {
  AGENT_CONNECTIONS=2 start_agent errno 30
  cg_bundle "$B" '["/bin/sleep","300"]' ".linux.seccomp=$(notify_profile "$SOCK" m-exec)"
  timeout 30 "$BIN/runner" --root "$STATE" run -d --bundle "$B" "$ID" </dev/null >/dev/null 2>&1
  wait_file "$AOUT"
  run timeout 30 "$BIN/runner" --root "$STATE" exec "$ID" /bin/sh -c 'mkdir /tmp/e; echo status=$?; echo pid=$$'
  echo "$output"; cat "$TESTTMP/agent.err"
  [ "$status" -eq 0 ]
  [[ "$output" == *"Read-only file system"* ]]
  [[ "$output" == *"status=1"* ]]
  wait_file "$AOUT.2"
  cat "$AOUT.2"; echo
  init=$("$BIN/runner" --root "$STATE" state "$ID" | jq .pid)
  [ "$(jq -r .state.status "$AOUT.2")" = running ]
  [ "$(jq -r .state.pid "$AOUT.2")" = "$init" ]
  [ "$(jq -r .metadata "$AOUT.2")" = m-exec ]
  epid=$(jq .pid "$AOUT.2")
  [ "$epid" != "$init" ]
  # the agent answered the mkdir (sleep, the container's own process, makes none)
  wait_mkdir_call
}

@test "runner seccomp: exec fails with one line when listenerPath does not answer" {
  start_agent errno 30 # takes one connection: create's
  cg_bundle "$B" '["/bin/sleep","300"]' ".linux.seccomp=$(notify_profile "$SOCK" m)"
  timeout 30 "$BIN/runner" --root "$STATE" run -d --bundle "$B" "$ID" </dev/null >/dev/null 2>&1
  wait_file "$AOUT"
  sleep 0.2 # the agent closes its socket after the first connection
  run timeout 30 "$BIN/runner" --root "$STATE" exec "$ID" /bin/echo never
  echo "$output"
  [ "$status" -ne 0 ]
  assert_one_line_error
  [[ "$output" == *"listenerPath"*"agent.sock"* ]]
  [[ "$output" != *never* ]]
  # only the container's own process is left in it
  [ "$("$BIN/runner" --root "$STATE" ps --format json "$ID" | jq length)" -eq 1 ]
}

@test "runner seccomp: the agent gets what runc sends for the same bundle (differential)" {
  command -v runc >/dev/null || skip "no runc"
  AGENT_CONNECTIONS=2 start_agent errno 30
  cg_bundle "$B" '["/bin/sh","-c","mkdir /tmp/x; echo status=$?"]' \
    ".linux.seccomp=$(notify_profile "$SOCK" same)"
  RID=sctc-$$-$BATS_TEST_NUMBER
  defer timeout 20 runc --root "$TESTTMP/runc" delete --force "$RID"
  timeout -s KILL 30 runc --root "$TESTTMP/runc" run --bundle "$B" "$RID" </dev/null >"$TESTTMP/runc.out" 2>&1
  wait_file "$AOUT"
  timeout 30 "$BIN/runner" --root "$STATE" run --bundle "$B" "$ID" </dev/null >"$TESTTMP/runner.out" 2>&1
  wait_file "$AOUT.2"
  cat "$AOUT" "$AOUT.2" "$TESTTMP/runc.out" "$TESTTMP/runner.out"
  # the same fields and meaning (runner's state also has rootfs and created)
  [ "$(jq -c 'keys' "$AOUT")" = "$(jq -c 'keys' "$AOUT.2")" ]
  for f in .fds .metadata .state.status '.state.pid == .pid' '.state | has("id", "bundle", "ociVersion")'; do
    [ "$(jq -c "$f" "$AOUT")" = "$(jq -c "$f" "$AOUT.2")" ]
  done
  [ "$(cat "$TESTTMP/runc.out")" = "$(cat "$TESTTMP/runner.out")" ]
  grep -q "Read-only file system" "$TESTTMP/runner.out"
}

# runc's -ENOSYS stub: with a refusing default, a syscall newer than every
# syscall the profile names gets ENOSYS (so a C library falls back to an
# older call), one the profile names keeps its action, an older unnamed one
# keeps the default. The helper is static C: busybox cannot call a syscall
# by number.
enosys_helper() { # DIR: $DIR/rootfs/sc NR... prints NR:errno-or-ok for each
  cat >"$TESTTMP/sc.c" <<'C'
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
int main (int argc, char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      long r = syscall (atol (argv[i]), -1L, -1L, -1L, 0L, 0L);
      printf ("%s:%s ", argv[i], r != -1 ? "ok" : errno == ENOSYS ? "ENOSYS" : errno == EPERM ? "EPERM" : "other");
    }
  printf ("\n");
  return 0;
}
C
  gcc -static -O2 -o "$1/rootfs/sc" "$TESTTMP/sc.c"
}

# what a static binary (and runc's Go init, for the parity test) needs to
# start and print; the largest is rseq (334)
ENOSYS_ALLOW='["read","write","writev","exit","exit_group","execve","brk","arch_prctl","mmap","munmap","mprotect","set_tid_address","set_robust_list","rseq","prlimit64","uname","readlink","readlinkat","getrandom","newfstatat","fstat","ioctl","rt_sigaction","rt_sigprocmask","rt_sigreturn","close","futex","sigaltstack","capget","capset","prctl","setresuid","setresgid","setgroups","chdir","fcntl","close_range","openat","epoll_pwait","epoll_ctl","epoll_create1","nanosleep","getpid","gettid","tgkill","sched_yield","madvise","clone","mincore","sched_getaffinity","clock_gettime","pipe2","fstatfs","statfs","getdents64","lseek","faccessat","access","stat","lstat"]'
# process_mrelease (448) named and denied: the maximum; futex_waitv (449)
# above it; pidfd_open (434) below it, unnamed
enosys_profile() { # DEFAULT-ACTION
  echo "{\"defaultAction\":\"$1\",\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"],\"syscalls\":[{\"names\":$ENOSYS_ALLOW,\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"process_mrelease\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1}]}"
}

@test "runner seccomp: a syscall newer than the profile gets ENOSYS, a named one its action (runc's stub)" {
  command -v gcc >/dev/null || skip "no gcc"
  [ "$(uname -m)" = x86_64 ] || skip "syscall numbers are x86_64's"
  cg_bundle "$B" '["/sc","434","448","449"]' ".linux.seccomp=$(enosys_profile SCMP_ACT_ERRNO)"
  enosys_helper "$B"
  run timeout 30 "$BIN/runner" --root "$STATE" run --bundle "$B" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$output" = "434:EPERM 448:EPERM 449:ENOSYS " ]
  # the second container takes the cached filter: the same answers
  run timeout 30 "$BIN/runner" --root "$STATE" run --bundle "$B" "$ID"
  [ "$output" = "434:EPERM 448:EPERM 449:ENOSYS " ]
  # an allowing default has no stub: 449 is the kernel's own answer
  # (invalid arguments), not ENOSYS
  rm "$B/config.json"
  cg_bundle "$B" '["/sc","448","449"]' ".linux.seccomp=$(enosys_profile SCMP_ACT_LOG)"
  run timeout 30 "$BIN/runner" --root "$STATE" run --bundle "$B" "$ID"
  echo "$output"
  [ "$output" = "448:EPERM 449:other " ]
}

@test "runner seccomp: the ENOSYS stub answers as runc's does for the same bundle" {
  command -v gcc >/dev/null || skip "no gcc"
  command -v runc >/dev/null || skip "no runc"
  [ "$(uname -m)" = x86_64 ] || skip "syscall numbers are x86_64's"
  cg_bundle "$B" '["/sc","434","448","449"]' ".linux.seccomp=$(enosys_profile SCMP_ACT_ERRNO)"
  enosys_helper "$B"
  RID=sctc-$$-$BATS_TEST_NUMBER
  defer timeout 20 runc --root "$TESTTMP/runc" delete --force "$RID"
  timeout -s KILL 30 runc --root "$TESTTMP/runc" run --bundle "$B" "$RID" </dev/null >"$TESTTMP/runc.out" 2>&1
  timeout 30 "$BIN/runner" --root "$STATE" run --bundle "$B" "$ID" </dev/null >"$TESTTMP/runner.out" 2>&1
  cat "$TESTTMP/runc.out" "$TESTTMP/runner.out"
  [ "$(cat "$TESTTMP/runc.out")" = "$(cat "$TESTTMP/runner.out")" ]
  [ "$(cat "$TESTTMP/runner.out")" = "434:EPERM 448:EPERM 449:ENOSYS " ]
}
