#!/usr/bin/env bats
# runner exec and ps: a new process in every namespace and the cgroup of a
# running container, with overrides; ps lists it.
bats_require_minimum_version 1.5.0
load ../lib/common
load ../lib/runner_common

setup() {
  common_setup
  runner_setup
  cfg '.hostname = "exhost" | .process.env = ["PATH=/bin", "BASE=1"] | .process.args = ["sleep", "1000"]'
  rcreate c1
  R start c1
}
teardown() { common_teardown; }

@test "exec runs in the container's namespaces and passes the exit status" {
  run R exec c1 sh -c 'hostname; echo $$; ps -o pid,args | grep -c "[s]leep 1000"; exit 5'
  [ "$status" -eq 5 ]
  [ "${lines[0]}" = exhost ]
  [ "${lines[1]}" -gt 1 ]
  [ "${lines[2]}" = 1 ]
  pid=$(R state c1 | jq -r .pid)
  [ "$(readlink /proc/$pid/ns/mnt)" != "$(readlink /proc/self/ns/mnt)" ]
}

@test "exec: --env adds to the container's env, --cwd, --user" {
  run R exec --env FOO=bar --cwd /tmp --user 1000:1000 c1 sh -c 'echo $BASE $FOO; pwd; id -u; id -g'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "1 bar" ]
  [ "${lines[1]}" = /tmp ]
  [ "${lines[2]}" = 1000 ]
  [ "${lines[3]}" = 1000 ]
}

@test "exec --additional-gids and --cap; never an inheritable capability" {
  run R exec --user 1000:1000 --additional-gids 7 --additional-gids 8 --cap CAP_SYS_ADMIN c1 sh -c 'id -G; grep -E "^Cap(Bnd|Inh)" /proc/self/status'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "1000 7 8" ]
  grep -q "CapInh:.0000000000000000" <<<"$output"
  # CAP_SYS_ADMIN (21) joined the bounding set
  bnd=$(grep CapBnd <<<"$output" | awk '{print $2}')
  [ $((0x$bnd & (1 << 21))) -ne 0 ]
}

@test "exec --no-new-privs" {
  run R exec --no-new-privs c1 grep NoNewPrivs /proc/self/status
  [ "$status" -eq 0 ]
  [[ "$output" == *1 ]]
}

@test "exec --process FILE" {
  cat >"$TESTTMP/p.json" <<'JSON'
{"args": ["sh", "-c", "echo $X; pwd; id -u"], "env": ["PATH=/bin", "X=from-file"], "cwd": "/dev", "user": {"uid": 55, "gid": 55}}
JSON
  run R exec --process "$TESTTMP/p.json" c1
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = from-file ]
  [ "${lines[1]}" = /dev ]
  [ "${lines[2]}" = 55 ]
}

@test "exec --detach --pid-file returns while the process runs" {
  R exec --detach --pid-file "$TESTTMP/ep" c1 sleep 77 </dev/null >/dev/null 2>&1
  pid=$(cat "$TESTTMP/ep")
  [ -n "$pid" ]
  grep -q "sleep" "/proc/$pid/cmdline"
  [ "$(readlink /proc/$pid/ns/pid)" = "$(readlink /proc/$(R state c1 | jq -r .pid)/ns/pid)" ]
}

@test "exec of a missing executable: podman's words and 127" {
  run -127 R exec c1 nosuchprog
  [ "$status" -eq 127 ]
  assert_one_line_error
  [[ "$output" == *"executable file not found in \$PATH"* ]]
  run -127 R exec c1 /no/such
  [ "$status" -eq 127 ]
  [[ "$output" == *"no such file or directory"* ]]
}

@test "exec --tty with --console-socket" {
  python3 "$SRC/tests/lib/runner_console.py" "$TESTTMP/cs" "$TESTTMP/tty.out" >"$TESTTMP/ready" &
  defer kill $!
  for _ in $(seq 50); do [ -s "$TESTTMP/ready" ] && break; sleep 0.05; done
  run R exec --tty --console-socket "$TESTTMP/cs" c1 sh -c 'tty; echo via-pty'
  [ "$status" -eq 0 ]
  for _ in $(seq 50); do grep -q via-pty "$TESTTMP/tty.out" 2>/dev/null && break; sleep 0.05; done
  grep -q '^/dev/pts/' "$TESTTMP/tty.out"
  grep -q via-pty "$TESTTMP/tty.out"
}

@test "exec in a stopped container fails" {
  R kill c1 KILL
  wait_stopped c1
  run R exec c1 true
  [ "$status" -ne 0 ]
  assert_one_line_error
  [[ "$output" == *stopped* ]]
}

@test "ps lists the init and exec'd processes; --format json gives pids" {
  R exec --detach c1 sleep 55 </dev/null >/dev/null 2>"$TESTTMP/e" || { cat "$TESTTMP/e"; false; }
  run R ps --format json c1
  [ "$status" -eq 0 ]
  [ "$(jq length <<<"$output")" -eq 2 ]
  [ "$(jq '.[0]' <<<"$output")" -gt 0 ]
  run R ps c1
  [ "$status" -eq 0 ]
  [[ "$output" == *"sleep 1000"* ]]
  [[ "$output" == *"sleep 55"* ]]
}

@test "kill --all signals every process of the container" {
  R exec --detach --pid-file "$TESTTMP/ep" c1 sleep 66 </dev/null >/dev/null 2>&1
  ep=$(cat "$TESTTMP/ep")
  run R kill --all c1 KILL
  [ "$status" -eq 0 ]
  for _ in $(seq 50); do kill -0 "$ep" 2>/dev/null || break; sleep 0.05; done
  ! kill -0 "$ep" 2>/dev/null
}
