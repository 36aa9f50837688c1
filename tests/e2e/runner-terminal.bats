#!/usr/bin/env bats
# process.terminal: the pty is created inside the container and its master
# handed to --console-socket (conmon, containerd), or relayed by `run`.
load ../lib/common
load ../lib/runner_common

setup() {
  common_setup
  runner_setup
  cfg '.process.terminal = true | .process.consoleSize = {"height": 33, "width": 101}'
}
teardown() { common_teardown; }

start_console() {
  python3 "$SRC/tests/lib/runner_console.py" "$TESTTMP/cs" "$TESTTMP/tty.out" "$@" >"$TESTTMP/ready" &
  defer kill $!
  for _ in $(seq 100); do [ -s "$TESTTMP/ready" ] && break; sleep 0.05; done
}

wait_for() { for _ in $(seq 100); do grep -q "$1" "$TESTTMP/tty.out" 2>/dev/null && return 0; sleep 0.05; done; return 1; }

@test "create --console-socket: the master arrives by SCM_RIGHTS; consoleSize, /dev/console, controlling tty" {
  start_console
  set_args sh -c 'tty; stty size; ls -l /dev/console; [ -t 0 ] && echo stdin-is-tty; echo end'
  run rcreate c1 --console-socket "$TESTTMP/cs"
  [ "$status" -eq 0 ]
  R start c1
  wait_for end
  grep -q '^/dev/pts/0' "$TESTTMP/tty.out"
  grep -q '^33 101' "$TESTTMP/tty.out"
  grep -q 'c.*136, *0.*/dev/console' "$TESTTMP/tty.out"
  grep -q 'stdin-is-tty' "$TESTTMP/tty.out"
}

@test "input written to the master reaches the container" {
  start_console $'hello-in\n'
  set_args sh -c 'read line; echo "got:$line"'
  rcreate c1 --console-socket "$TESTTMP/cs"
  R start c1
  wait_for got:hello-in
}

@test "a terminal without a console socket is refused when the runtime detaches" {
  set_args true
  run R create --bundle "$BUNDLE" c1
  [ "$status" -ne 0 ]
  assert_one_line_error
  [[ "$output" == *console-socket* ]]
  assert_no_leftovers
}

@test "run relays the pty to its own terminal and passes the window size" {
  set_args sh -c 'stty size; tty'
  cfg 'del(.process.consoleSize)'
  run script -qec "stty rows 17 cols 61; $BIN/runner --root $ROOT run --bundle $BUNDLE c1" /dev/null
  [ "$status" -eq 0 ]
  [[ "$output" == *"17 61"* ]]
  [[ "$output" == */dev/pts/0* ]]
}

@test "run with a terminal passes the exit status" {
  set_args sh -c 'exit 9'
  run script -qec "$BIN/runner --root $ROOT run --bundle $BUNDLE c1; echo rc=\$?" /dev/null
  [[ "$output" == *rc=9* ]]
}
