#!/usr/bin/env bats
# runner as podman's OCI runtime (`podman --runtime PATH/runner`), unchanged
# podman 4.3 + conmon 2.1: the calls podman and conmon make (create with
# --console-socket/--pid-file, start, kill 15/9, delete --force, exec
# --process --detach [--tty], pause/resume, update --resources=FILE) and
# what a user sees. The same file runs against another runtime with
# DROPIN_RUNTIME=/usr/sbin/runc (or tests/lib/bundle_crun_v1).
load ../lib/common
load ../lib/dropin_podman
bats_require_minimum_version 1.5.0

setup_file() {
  [ "$(id -u)" -eq 0 ] || skip "needs root"
  command -v podman >/dev/null && command -v conmon >/dev/null || skip "no podman/conmon"
  dropin_podman_init
}

teardown_file() { dropin_podman_fini; }

setup() {
  common_setup
  [ "$(id -u)" -eq 0 ] || skip "needs root"
  command -v podman >/dev/null || skip "no podman"
  defer timeout 60 "$PD/podman" rm -af -t 0
}

teardown() { common_teardown; }

# run_d NAME ARGS...: podman run -d --network none --name NAME, sets $CID
run_d() {
  local name=$1
  shift
  CID=$(P run -d --network none --name "$name" "$@") || return 1
  CID=$(printf '%s\n' "$CID" | tail -1)
}

@test "podman+runner: run --rm echo, and nothing is left behind" {
  run P run --rm --network none --cidfile "$TESTTMP/cid" busybox echo hello from runner
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$output" = "hello from runner" ]
  dropin_assert_gone "$(cat "$TESTTMP/cid")"
}

@test "podman+runner: exit codes pass through (status, 127 not found, 126 not executable)" {
  run P run --rm --network none busybox sh -c 'exit 42'
  [ "$status" -eq 42 ]
  run -127 P run --rm --network none busybox /no/such/program
  echo "$output"
  [ "$status" -eq 127 ]
  run P run --rm --network none busybox /etc/passwd
  echo "$output"
  [ "$status" -eq 126 ]
}

@test "podman+runner: -e, -w, -u, --hostname reach the process" {
  run P run --rm --network none -e GREETING=hi -w /tmp -u 1000:1001 --hostname box1 busybox \
    sh -c 'echo "$GREETING $(pwd) $(id -u):$(id -g) $(hostname)"'
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$output" = "hi /tmp 1000:1001 box1" ]
}

@test "podman+runner: --memory and --pids-limit read back inside, and hold" {
  run P run --rm --network none --memory 64m --pids-limit 24 busybox sh -c '
    cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max
    cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max'
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(printf '%s\n' "$output" | sed -n 1p)" = 67108864 ]
  [ "$(printf '%s\n' "$output" | sed -n 2p)" = 24 ]
  # the pids limit holds: forks beyond it fail
  run P run --rm --network none --pids-limit 12 busybox sh -c \
    'for i in $(seq 1 30); do sleep 5 & done 2>/dev/null; ls /proc | grep -c "^[0-9]"'
  echo "$output"
  n=$(printf '%s\n' "$output" | grep -E '^[0-9]+$' | tail -1)
  [ -n "$n" ] && [ "$n" -le 12 ]
  # the memory limit holds: an allocation past it is OOM-killed (137)
  run P run --rm --network none --memory 32m --memory-swap 32m busybox \
    dd if=/dev/zero of=/dev/null bs=128M count=1
  echo "$output"
  [ "$status" -eq 137 ]
}

@test "podman+runner: -d, then stop, kill and rm" {
  run_d stopme busybox sleep 1000
  [ "$(P inspect -f '{{.State.Status}}' stopme)" = running ]
  # sleep as pid 1 ignores SIGTERM: stop escalates to SIGKILL after -t
  run P stop -t 1 stopme
  [ "$status" -eq 0 ]
  [ "$(P inspect -f '{{.State.Status}}' stopme)" = exited ]
  P rm stopme
  dropin_assert_gone "$CID"

  run_d killme busybox sh -c 'trap "exit 7" TERM; while :; do sleep 0.1; done'
  P kill -s TERM killme
  [ "$(P wait killme)" = 7 ]
  P rm killme
  dropin_assert_gone "$CID"

  run_d rmme busybox sleep 1000
  P rm -f -t 0 rmme
  dropin_assert_gone "$CID"
}

@test "podman+runner: exec with and without -t, exit status, -e and -u" {
  run_d ex busybox sleep 1000
  run P exec ex sh -c 'echo in $(hostname) as $(id -u); exit 3'
  echo "$output"
  [ "$status" -eq 3 ]
  [[ "$output" == "in "*" as 0" ]]
  run P exec -e X=y -u 1000 ex sh -c 'echo $X $(id -u)'
  [ "$output" = "y 1000" ]
  run P exec -t ex sh -c 'tty; test -t 0 && echo tty0'
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"/dev/pts/"* ]]
  [[ "$output" == *"tty0"* ]]
  run P exec ex sh -c 'tty'
  [[ "$output" == *"not a tty"* ]]
  run -127 P exec ex /no/such/program
  [ "$status" -eq 127 ]
}

@test "podman+runner: pause/unpause freeze the container (status, freezer)" {
  run_d pz busybox sh -c 'i=0; while :; do i=$((i+1)); echo $i >/tmp/tick; sleep 0.05; done'
  pid=$(P inspect -f '{{.State.Pid}}' pz)
  P pause pz
  [ "$(P inspect -f '{{.State.Status}}' pz)" = paused ]
  f=$(ls /sys/fs/cgroup/freezer/libpod_parent/libpod-"$CID"/freezer.state 2>/dev/null) \
    && [ "$(cat "$f")" = FROZEN ]
  a=$(cat "/proc/$pid/root/tmp/tick")
  sleep 0.3
  b=$(cat "/proc/$pid/root/tmp/tick")
  [ "$a" = "$b" ]
  P unpause pz
  [ "$(P inspect -f '{{.State.Status}}' pz)" = running ]
  sleep 0.3
  c=$(cat "/proc/$pid/root/tmp/tick")
  [ "$c" != "$b" ]
}

@test "podman+runner: top lists the container's processes" {
  run_d tp busybox sh -c 'sleep 1000 & sleep 1001'
  run P top tp
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"sleep 1000"* ]]
  [[ "$output" == *"sleep 1001"* ]]
}

@test "podman+runner: update changes the limits of a running container (update --resources=FILE)" {
  # podman 4.3's update has no --pids-limit; --cpus is its cpu quota
  run_d up --memory 64m --cpus 0.5 busybox sleep 1000
  run P update --memory 128m --cpus 0.25 up
  echo "$output"
  [ "$status" -eq 0 ]
  run P exec up sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max
    cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us 2>/dev/null || cat /sys/fs/cgroup/cpu.max'
  echo "$output"
  [ "$(printf '%s\n' "$output" | sed -n 1p)" = 134217728 ]
  [ "$(printf '%s\n' "$output" | sed -n 2,3p | tr '\n' ' ')" = "25000 100000 " ] \
    || [ "$(printf '%s\n' "$output" | sed -n 2p)" = "25000 100000" ]
}

@test "podman+runner: a tty gets the caller's window size (run -t and exec -t)" {
  command -v script >/dev/null || skip "no script(1)"
  run_d tt busybox sleep 1000
  # script(1) gives podman a terminal of 37 rows x 111 columns
  run timeout 60 script -qec "stty rows 37 cols 111; $PD/podman run --rm -t --network none busybox stty size" /dev/null
  echo "$output"
  [[ "$output" == *"37 111"* ]]
  # podman exec passes no consoleSize: conmon resizes the pty once it is
  # attached, so a process may start with 0x0 (crun: 9 of 20 runs, runc
  # is slow enough not to show it); wait for the size as a shell would
  # (until the resize, the pty may have any size: wait for the caller's)
  run timeout 60 script -qec "stty rows 41 cols 99; $PD/podman exec -t tt sh -c 'for i in \$(seq 1 30); do [ \"\$(stty size 2>/dev/null)\" = \"41 99\" ] && break; sleep 0.1; done; stty size'" /dev/null
  echo "$output"
  [[ "$output" == *"41 99"* ]]
}

@test "podman+runner: --read-only, -v and --device /dev/fuse" {
  mkdir "$TESTTMP/vol"
  echo from-host >"$TESTTMP/vol/f"
  run P run --rm --network none --read-only -v "$TESTTMP/vol:/data" --device /dev/fuse busybox sh -c '
    cat /data/f; echo x >/data/g && echo wrote-volume
    touch /etc/nope 2>/dev/null || echo ro-root
    echo ok >/tmp/t && echo tmp-writable
    ls /dev/fuse'
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *from-host*wrote-volume*ro-root*tmp-writable*/dev/fuse* ]]
  [ -e "$TESTTMP/vol/g" ]
}

@test "podman+runner: the default network (a private bridge) gives eth0 an address" {
  run P run --rm busybox sh -c 'ip -4 addr show eth0; ip route'
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"inet $DROPIN_SUBNET."* ]]
  [[ "$output" == *"default via $DROPIN_SUBNET.1"* ]]
}

@test "podman+runner: errors from the runtime reach the user in one line" {
  run -127 P run --rm --network none busybox /no/such/program
  echo "$output"
  [ "$status" -eq 127 ]
  # podman maps this wording to 127 (crun capitalises it)
  printf '%s\n' "$output" | grep -qi "no such file or directory"
}
