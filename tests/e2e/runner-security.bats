#!/usr/bin/env bats
# The runtime CVE classes of NOTES.md "Runtime", each with a test.
load ../lib/common
load ../lib/runner_common

setup() { common_setup; runner_setup; }
teardown() { common_teardown; }

# the container's fds are read from the host: a shell inside would show
# its own pipes and saved descriptors
fds_of() { ls "/proc/$1/fd" | sort -n | tr '\n' ' '; }

@test "no runtime fd reaches the container (an extra socket on fd 3, containerd-style)" {
  set_args sleep 100
  # fd 3 a socket as containerd's shim passes it, 4 and 7 plain files
  python3 -c 'import os, socket, sys
a, b = socket.socketpair()
os.dup2(a.fileno(), 3)
os.execvp(sys.argv[1], sys.argv[1:])' "$BIN/runner" --root "$ROOT" run -d --pid-file "$TESTTMP/pid" \
    --bundle "$BUNDLE" c1 4>"$TESTTMP/extra" 7<"$BUNDLE/config.json" </dev/null >/dev/null 2>&1
  [ "$(fds_of "$(cat "$TESTTMP/pid")")" = "0 1 2 " ]
}

@test "create/start: the init holds only stdio after exec" {
  set_args sleep 100
  R create --bundle "$BUNDLE" --pid-file "$TESTTMP/pid" c1 3<"$BUNDLE/config.json" </dev/null >/dev/null 2>&1
  R start c1
  [ "$(fds_of "$(cat "$TESTTMP/pid")")" = "0 1 2 " ]
}

@test "--preserve-fds passes exactly the fds asked for" {
  set_args sleep 100
  echo passed-on >"$TESTTMP/f3"
  R run -d --preserve-fds 1 --pid-file "$TESTTMP/pid" --bundle "$BUNDLE" c1 3<"$TESTTMP/f3" 4<"$TESTTMP/f3" </dev/null >/dev/null 2>&1
  pid=$(cat "$TESTTMP/pid")
  [ "$(fds_of "$pid")" = "0 1 2 3 " ]
  [ "$(readlink "/proc/$pid/fd/3")" = "$TESTTMP/f3" ]
}

@test "exec'd processes get no runtime fd either" {
  set_args sleep 100
  rcreate c1
  R start c1
  R exec -d --pid-file "$TESTTMP/epid" c1 sleep 100 5<"$BUNDLE/config.json" </dev/null >/dev/null 2>&1
  [ "$(fds_of "$(cat "$TESTTMP/epid")")" = "0 1 2 " ]
}

@test "the runtime binary is never reachable through /proc/PID/exe (CVE-2019-5736)" {
  set_args sleep 100
  rcreate c1 --pid-file "$TESTTMP/pid"
  pid=$(cat "$TESTTMP/pid")
  # before start the init is runner's code: a sealed memfd, not the file
  [[ "$(readlink /proc/$pid/exe)" == /memfd:runner* ]]
  sum=$(sha256sum <"$BIN/runner")
  ! sh -c "echo x >/proc/$pid/exe" 2>/dev/null
  ! sh -c "echo x >>/proc/$pid/exe" 2>/dev/null
  [ "$(sha256sum <"$BIN/runner")" = "$sum" ]
  # an image whose program is '#!/proc/self/exe' runs runner's sealed copy
  printf '#!/proc/self/exe\n' >"$BUNDLE/rootfs/evil"
  chmod 755 "$BUNDLE/rootfs/evil"
  R start c1
  R exec c1 /evil >/dev/null 2>&1 || true
  [ "$(sha256sum <"$BIN/runner")" = "$sum" ]
}

@test "cwd through a symlink stays inside the rootfs; a magic link is refused (CVE-2024-21626)" {
  ln -s ../../../../../../../../etc "$BUNDLE/rootfs/escape"
  cfg '.process.cwd = "/escape"'
  set_args sh -c 'ls; pwd'
  run R run --bundle "$BUNDLE" c1
  [ "$status" -eq 0 ]
  [[ "$output" == *passwd* ]]
  [[ "$output" != *debian_version* ]]
  cfg '.process.cwd = "/proc/self/fd/3"'
  run R run --bundle "$BUNDLE" c2 3</
  [ "$status" -ne 0 ]
  assert_no_leftovers
}

@test "a mount destination through a symlink lands inside the rootfs (CVE-2021-30465 class)" {
  mkdir -p "$TESTTMP/src" "$BUNDLE/rootfs/mnt"
  echo marker >"$TESTTMP/src/marker"
  ln -s /etc "$BUNDLE/rootfs/mnt/link"
  ln -s ../../../../../../tmp "$BUNDLE/rootfs/mnt/up"
  cfg --arg s "$TESTTMP/src" '.mounts += [{destination: "/mnt/link", type: "bind", source: $s, options: ["bind"]},
                                           {destination: "/mnt/up/x", type: "tmpfs", source: "tmpfs"}]'
  set_args sh -c 'cat /etc/marker; grep -c " /tmp/x " /proc/mounts'
  run R run --bundle "$BUNDLE" c1
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = marker ]
  [ "${lines[1]}" = 1 ]
  [ ! -e /etc/marker ]
  [ ! -e /tmp/x ] || [ -d "$BUNDLE/rootfs/tmp/x" ]
  ! grep -q " /etc " /proc/mounts
}

@test "masked paths through symlinks stay inside the rootfs" {
  echo host-secret >"$TESTTMP/secret"
  ln -s "$TESTTMP/secret" "$BUNDLE/rootfs/s"
  cfg '.linux.maskedPaths = ["/s"]'
  set_args true
  run R run --bundle "$BUNDLE" c1
  [ "$status" -eq 0 ]
  [ "$(cat "$TESTTMP/secret")" = host-secret ]
  ! grep -q "$TESTTMP/secret" /proc/mounts
}

@test "inheritable capabilities are never more than the config's (CVE-2022-27650)" {
  cfg '.process.capabilities = {"bounding":["CAP_CHOWN","CAP_KILL","CAP_SYS_ADMIN"],"effective":["CAP_CHOWN","CAP_KILL","CAP_SYS_ADMIN"],"permitted":["CAP_CHOWN","CAP_KILL","CAP_SYS_ADMIN"]}'
  set_args grep -E '^Cap(Inh|Amb)' /proc/self/status
  run R run --bundle "$BUNDLE" c1
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "CapInh:	0000000000000000" ]
  [ "${lines[1]}" = "CapAmb:	0000000000000000" ]
}

@test "the container's /proc is a fresh procfs of its pid namespace" {
  set_args sh -c 'ls /proc | grep -c "^[0-9]"; stat -f -c %T /proc'
  run R run --bundle "$BUNDLE" c1
  [ "$status" -eq 0 ]
  [ "${lines[0]}" -le 3 ]
  [ "${lines[1]}" = proc ]
}
