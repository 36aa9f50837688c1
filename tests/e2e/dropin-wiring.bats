#!/usr/bin/env bats
# The cgroup/seccomp library calls runner part 2 wired in, each as a client
# sees it: linux.devices reach the device allowlist, compiled seccomp
# filters are cached, `paused` comes from the freezer, features reports
# the cgroup and seccomp details.
load ../lib/common
load ../lib/runner_common

setup() {
  common_setup
  [ "$(id -u)" -eq 0 ] || skip "needs root"
  runner_setup
}

teardown() { common_teardown; }

@test "wiring: a device in linux.devices is usable without linux.resources.devices (/dev/fuse)" {
  [ -c /dev/fuse ] || skip "no /dev/fuse"
  cfg '.linux.devices = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438}]
       | del(.linux.resources.devices)'
  # no fuse mount is behind it: a read says EIO when the open is allowed,
  # EPERM when the cgroup denies it
  set_args sh -c 'exec 3</dev/fuse && echo opened'
  run R run --bundle "$BUNDLE" dev1
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$output" = opened ]
  # a device the config does not list stays denied
  cfg '.linux.devices = [] | .process.args = ["sh", "-c", "mknod /dev/fz c 10 229 && exec 3</dev/fz && echo opened"]'
  run R run --bundle "$BUNDLE" dev2
  echo "$output"
  [ "$output" != opened ]
}

@test "wiring: the compiled seccomp filter is cached under ROOT/seccomp-cache and reused" {
  cfg '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
        "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}'
  set_args sh -c 'mkdir /tmp/x 2>&1 || echo denied'
  run R run --bundle "$BUNDLE" sc1
  echo "$output"
  [[ "$output" == *denied* ]]
  n=$(ls "$ROOT/seccomp-cache" | wc -l)
  [ "$n" -ge 1 ]
  stamp=$(stat -c %Y "$ROOT/seccomp-cache"/*)
  # a second container with the same profile: same entry, same behaviour
  run R run --bundle "$BUNDLE" sc2
  [[ "$output" == *denied* ]]
  [ "$(ls "$ROOT/seccomp-cache" | wc -l)" -eq "$n" ]
  [ "$(stat -c %Y "$ROOT/seccomp-cache"/*)" = "$stamp" ]
  # exec uses the cache too, with the same effect
  set_args sleep 100
  rcreate sc3
  R start sc3
  run R exec sc3 sh -c 'mkdir /tmp/y 2>&1 || echo denied'
  [[ "$output" == *denied* ]]
  [ "$(ls "$ROOT/seccomp-cache" | wc -l)" -eq "$n" ]
  # the cache is not a container
  run R list -q
  [ "$output" = sc3 ]
}

@test "wiring: state says paused when the freezer says so (even if frozen behind runner's back)" {
  [ -d /sys/fs/cgroup/freezer ] || skip "v1 freezer (this host)"
  set_args sleep 100
  rcreate fz
  R start fz
  [ "$(R state fz | jq -r .status)" = running ]
  f=/sys/fs/cgroup/freezer/runner/fz/freezer.state
  [ -e "$f" ]
  defer sh -c "echo THAWED >$f"
  echo FROZEN >"$f"
  for _ in $(seq 1 20); do [ "$(cat "$f")" = FROZEN ] && break; sleep 0.05; done
  [ "$(R state fz | jq -r .status)" = paused ]
  [ "$(R list --format json | jq -r '.[0].status')" = paused ]
  R resume fz
  [ "$(R state fz | jq -r .status)" = running ]
  R pause fz
  [ "$(R state fz | jq -r .status)" = paused ]
  R resume fz
}

@test "wiring: features reports the cgroup and seccomp details" {
  run R features
  [ "$status" -eq 0 ]
  printf '%s\n' "$output" | jq -e '.linux.cgroup.v1 and .linux.cgroup.v2 and .linux.cgroup.systemd
    and .linux.seccomp.enabled and (.linux.seccomp.actions | index("SCMP_ACT_NOTIFY"))
    and (.linux.seccomp.operators | index("SCMP_CMP_MASKED_EQ"))
    and (.linux.seccomp.archs | index("SCMP_ARCH_X86_64"))
    and (.linux.seccomp.supportedFlags | type == "array")'
}
