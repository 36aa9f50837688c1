#!/usr/bin/env bats
# runner as the runc binary of containerd's io.containerd.runc.v2 shim
# (Debian's containerd 1.6, `ctr run --runc-binary PATH/runner`): the shim
# calls `--root R --log B/log.json --log-format json create --bundle B
# --pid-file … ID` with a socket on fd 3, start, exec --process --detach,
# kill [--all], ps --format json, pause/resume, delete then delete --force.
# The same file runs against runc with DROPIN_RUNTIME=/usr/sbin/runc.
load ../lib/common
load ../lib/dropin_containerd

setup_file() {
  [ "$(id -u)" -eq 0 ] || skip "needs root"
  command -v containerd >/dev/null && command -v ctr >/dev/null || skip "no containerd"
  dropin_containerd_init
}

teardown_file() { dropin_containerd_fini; }

setup() {
  common_setup
  [ "$(id -u)" -eq 0 ] || skip "needs root"
  command -v containerd >/dev/null || skip "no containerd"
  ID=t$BATS_TEST_NUMBER
  defer dropin_task_rm "$ID"
}

teardown() { common_teardown; }

dropin_task_rm() {
  timeout 20 ctr --address "$CD/containerd.sock" task kill -a -s SIGKILL "$1"
  sleep 0.2
  timeout 20 ctr --address "$CD/containerd.sock" task delete -f "$1"
  timeout 20 ctr --address "$CD/containerd.sock" containers rm "$1"
}

# wait_status ID STATUS: the task reaches STATUS within 5 s
wait_status() {
  for _ in $(seq 1 50); do
    [ "$(C task ls | awk -v id="$1" '$1 == id { print $3 }')" = "$2" ] && return 0
    sleep 0.1
  done
  C task ls
  return 1
}

@test "containerd+runner: run --rm echo, exit status, nothing left behind" {
  run CRUN --rm busybox:latest "$ID" echo hello from runner
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$output" = "hello from runner" ]
  run CRUN --rm busybox:latest "$ID" sh -c 'exit 5'
  [ "$status" -eq 5 ]
  [ -z "$(C containers ls -q)" ]
  dropin_ctr_gone "$ID"
}

@test "containerd+runner: the shim's extra fd does not reach the container" {
  run CRUN --rm busybox:latest "$ID" ls /proc/self/fd
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(printf '%s\n' "$output" | tr -d '\r' | sort -n | tr '\n' ' ')" = "0 1 2 3 " ]  # 3: ls's own dir fd
}

@test "containerd+runner: detached task, exec, ps, kill" {
  CRUN -d busybox:latest "$ID" sh -c 'trap "exit 0" TERM; sleep 1000 & sleep 1001 & wait'
  wait_status "$ID" RUNNING
  run C task exec --exec-id e1 "$ID" sh -c 'echo in-exec; exit 4'
  echo "$output"
  [ "$status" -eq 4 ]
  [ "$output" = "in-exec" ]
  # task ps = runner ps --format json: sh and both sleeps
  run C task ps "$ID"
  echo "$output"
  [ "$(printf '%s\n' "$output" | grep -cE '^[0-9]+ ')" -eq 3 ]
  C task kill -s SIGTERM "$ID"
  wait_status "$ID" STOPPED
  C task delete "$ID"
  C containers rm "$ID"
  dropin_ctr_gone "$ID"
}

@test "containerd+runner: kill --all stops every process of the task" {
  CRUN -d busybox:latest "$ID" sh -c 'sleep 1000 & sleep 1001 & wait'
  wait_status "$ID" RUNNING
  pid=$(C task ls | awk -v id="$ID" '$1 == id { print $2 }')
  C task kill -a -s SIGKILL "$ID"
  wait_status "$ID" STOPPED
  ! pgrep -P "$pid" >/dev/null
  C task delete "$ID"
}

@test "containerd+runner: task metrics come from the container's cgroup" {
  CRUN -d --memory-limit 67108864 busybox:latest "$ID" sleep 1000
  wait_status "$ID" RUNNING
  run C task metrics --format json "$ID"
  echo "$output" | head -40
  [ "$status" -eq 0 ]
  printf '%s\n' "$output" | jq -e '.pids.current == 1 and .memory.usage.limit == 67108864'
}

@test "containerd+runner: pause and resume" {
  CRUN -d busybox:latest "$ID" sh -c 'i=0; while :; do i=$((i+1)); echo $i >/tmp/tick; sleep 0.05; done'
  wait_status "$ID" RUNNING
  pid=$(C task ls | awk -v id="$ID" '$1 == id { print $2 }')
  C task pause "$ID"
  wait_status "$ID" PAUSED
  a=$(cat "/proc/$pid/root/tmp/tick")
  sleep 0.3
  [ "$(cat "/proc/$pid/root/tmp/tick")" = "$a" ]
  C task resume "$ID"
  wait_status "$ID" RUNNING
  sleep 0.3
  [ "$(cat "/proc/$pid/root/tmp/tick")" != "$a" ]
}

# ctr 1.6 under script(1) leaves the pty at 0x0 with runc too: only the
# terminal itself is checked
@test "containerd+runner: a terminal (ctr run -t) reaches the process" {
  command -v script >/dev/null || skip "no script(1)"
  run timeout 60 script -qec "stty rows 33 cols 77; ctr --address $CD/containerd.sock run --rm -t \
    --runc-binary $RUNTIME --runc-root $CD/runc --fifo-dir $CD/fifo --cgroup /$DROPIN_CGROUP/$ID \
    busybox:latest $ID sh -c 'tty; test -t 0 && test -t 1 && echo both-tty'" /dev/null
  echo "$output"
  [[ "$output" == *"/dev/pts/0"* ]]
  [[ "$output" == *"both-tty"* ]]
}

@test "containerd+runner: a missing program is one clear error" {
  run CRUN --rm busybox:latest "$ID" /no/such/program
  echo "$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *"/no/such/program"* ]]
  dropin_ctr_gone "$ID"
}
