#!/usr/bin/env bats
# config.md / config-linux.md applied by runner: namespaces, mounts,
# devices, process settings. Every container runs `runner run` in a
# private --root and is deleted at teardown.
load ../lib/common
load ../lib/runner_common

setup() { common_setup; runner_setup; }
teardown() { common_teardown; }

run_c() { set_args "$@"; run R run --bundle "$BUNDLE" c1 </dev/null; }

@test "hostname and domainname" {
  cfg '.hostname = "box1" | .domainname = "example.test"'
  run_c sh -c 'hostname; cat /proc/sys/kernel/domainname'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = box1 ]
  [ "${lines[1]}" = example.test ]
}

@test "env, and args resolved through PATH inside the container" {
  cfg '.process.env = ["PATH=/usr/bin:/bin", "FOO=bar baz"]'
  run_c sh -c 'echo "$FOO"; echo $PATH; which sh'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "bar baz" ]
  [ "${lines[1]}" = "/usr/bin:/bin" ]
  [ "${lines[2]}" = "/bin/sh" ]
}

@test "cwd is used and created when missing" {
  cfg '.process.cwd = "/work/dir"'
  run_c pwd
  [ "$status" -eq 0 ]
  [ "$output" = /work/dir ]
  [ -d "$BUNDLE/rootfs/work/dir" ]
}

@test "user uid, gid, additionalGids and umask" {
  cfg '.process.user = {"uid": 1000, "gid": 1001, "additionalGids": [5, 7], "umask": 63}'
  run_c sh -c 'id -u; id -g; id -G; umask'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = 1000 ]
  [ "${lines[1]}" = 1001 ]
  [ "${lines[2]}" = "1001 5 7" ]
  [ "${lines[3]}" = 0077 ]
}

@test "rlimits" {
  cfg '.process.rlimits = [{"type":"RLIMIT_NOFILE","soft":123,"hard":456},{"type":"RLIMIT_CORE","soft":0,"hard":0}]'
  run_c sh -c 'ulimit -n; ulimit -H -n; ulimit -c'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = 123 ]
  [ "${lines[1]}" = 456 ]
  [ "${lines[2]}" = 0 ]
}

@test "capabilities: all five sets as configured, noNewPrivileges" {
  cfg '.process.capabilities = {"bounding":["CAP_KILL","CAP_CHOWN","CAP_NET_RAW"],"effective":["CAP_KILL","CAP_CHOWN"],"permitted":["CAP_KILL","CAP_CHOWN"],"inheritable":["CAP_KILL"],"ambient":["CAP_KILL"]} | .process.noNewPrivileges = true'
  run_c grep -E '^(Cap|NoNewPrivs)' /proc/self/status
  [ "$status" -eq 0 ]
  # exec recomputes: P' = ambient for a non-setuid file run by root with
  # effective bits from the file... the shell is root, so permitted = P(inh & file) | ambient
  grep -q "CapBnd:.0000000000002021" <<<"$output"   # KILL(5) CHOWN(0) NET_RAW(13)
  grep -q "CapInh:.0000000000000020" <<<"$output"
  grep -q "CapAmb:.0000000000000020" <<<"$output"
  grep -q "NoNewPrivs:.1" <<<"$output"
}

@test "no capabilities object keeps the runtime's, empty sets drop all" {
  cfg '.process.capabilities = {"bounding":[],"effective":[],"permitted":[],"inheritable":[],"ambient":[]}'
  run_c grep -E '^Cap' /proc/self/status
  [ "$status" -eq 0 ]
  [ "$(grep -c '0000000000000000' <<<"$output")" -eq 5 ]
}

@test "root.readonly makes / read-only; tmpfs mounts stay writable" {
  cfg '.root.readonly = true | .mounts += [{"destination":"/scratch","type":"tmpfs","source":"tmpfs","options":["size=1m"]}]'
  run_c sh -c 'touch /x 2>&1; touch /scratch/y && echo scratch-ok'
  [[ "$output" == *"Read-only file system"* ]]
  [[ "$output" == *scratch-ok* ]]
}

@test "bind mounts: rw, ro, a file, relative source, in order" {
  mkdir -p "$TESTTMP/rw" "$BUNDLE/rel"
  echo file >"$TESTTMP/one"
  echo rel >"$BUNDLE/rel/r"
  cfg --arg rw "$TESTTMP/rw" --arg one "$TESTTMP/one" '.mounts += [
      {"destination":"/mnt/rw","type":"bind","source":$rw,"options":["rbind","rw"]},
      {"destination":"/mnt/ro","type":"bind","source":$rw,"options":["bind","ro"]},
      {"destination":"/etc/one","type":"bind","source":$one,"options":["bind","ro"]},
      {"destination":"/mnt/rel","type":"none","source":"rel","options":["bind"]},
      {"destination":"/mnt/rw/sub","type":"tmpfs","source":"tmpfs"}]'
  run_c sh -c 'echo hi >/mnt/rw/f && cat /mnt/ro/f; touch /mnt/ro/g 2>/dev/null || echo ro-ok; cat /etc/one /mnt/rel/r; grep " /mnt/rw/sub " /proc/mounts | cut -d" " -f3'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = hi ]
  [ "${lines[1]}" = ro-ok ]
  [ "${lines[2]}" = file ]
  [ "${lines[3]}" = rel ]
  [ "${lines[4]}" = tmpfs ]
  [ "$(cat "$TESTTMP/rw/f")" = hi ]
  [ -d "$TESTTMP/rw/sub" ]   # created as a mount point, the tmpfs itself gone with the container
}

@test "mount propagation: rprivate and rshared options reach the kernel" {
  mkdir -p "$TESTTMP/p"
  cfg --arg p "$TESTTMP/p" '.mounts += [{"destination":"/mnt/priv","type":"bind","source":$p,"options":["rbind","rprivate"]},
    {"destination":"/mnt/shr","type":"bind","source":$p,"options":["rbind","rshared"]}]'
  run_c sh -c 'grep -E " /mnt/(priv|shr) " /proc/self/mountinfo'
  [ "$status" -eq 0 ]
  [[ "$(grep /mnt/shr <<<"$output")" == *shared:* ]]
  [[ "$(grep /mnt/priv <<<"$output")" != *shared:* ]]
}

@test "proc, sysfs, devpts, mqueue, shm and default devices" {
  run_c sh -c 'ls /proc/self/status >/dev/null && echo proc; ls /sys/kernel >/dev/null && echo sys;
    for d in null zero full random urandom tty; do [ -c /dev/$d ] && printf "%s " $d; done; echo;
    readlink /dev/ptmx; readlink /dev/fd; readlink /dev/stdin; grep -c "^devpts /dev/pts devpts .*ptmxmode=666" /proc/mounts;
    head -c 4 /dev/zero | wc -c; echo x >/dev/null && echo null-ok'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = proc ]
  [ "${lines[1]}" = sys ]
  [ "${lines[2]}" = "null zero full random urandom tty " ]
  [ "${lines[3]}" = pts/ptmx ]
  [ "${lines[4]}" = /proc/self/fd ]
  [ "${lines[5]}" = /proc/self/fd/0 ]
  [ "${lines[6]}" = 1 ]
  [ "${lines[7]}" = 4 ]
  [ "${lines[8]}" = null-ok ]
}

@test "linux.devices are created with their modes" {
  cfg '.linux.devices = [{"path":"/dev/mynull","type":"c","major":1,"minor":3,"fileMode":432,"uid":0,"gid":0},{"path":"/dev/sub/fifo","type":"p","fileMode":420}]'
  run_c sh -c 'ls -l /dev/mynull /dev/sub/fifo'
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == "crw-rw----"*"1,   3"*/dev/mynull ]]
  [[ "${lines[1]}" == prw-r--r--* ]]
}

@test "maskedPaths and readonlyPaths" {
  mkdir -p "$BUNDLE/rootfs/secret" "$BUNDLE/rootfs/ro"
  echo s >"$BUNDLE/rootfs/secret/file"
  echo t >"$BUNDLE/rootfs/topsecret"
  cfg '.linux.maskedPaths = ["/secret", "/topsecret", "/nonexistent"] | .linux.readonlyPaths = ["/ro", "/proc/sys"]'
  run_c sh -c 'ls /secret | wc -l; cat /topsecret | wc -c; touch /ro/x 2>/dev/null || echo ro-ok; (echo 1 >/proc/sys/kernel/ns_last_pid) 2>/dev/null || echo sys-ro'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = 0 ]
  [ "${lines[1]}" = 0 ]
  [ "${lines[2]}" = ro-ok ]
  [ "${lines[3]}" = sys-ro ]
}

@test "linux.sysctl" {
  cfg '.linux.sysctl = {"net.ipv4.ip_forward": "1", "kernel.msgmax": "9999"}'
  run_c sh -c 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/msgmax'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = 1 ]
  [ "${lines[1]}" = 9999 ]
}

@test "oomScoreAdj" {
  cfg '.process.oomScoreAdj = 345'
  run_c cat /proc/self/oom_score_adj
  [ "$status" -eq 0 ]
  [ "$output" = 345 ]
}

@test "pid, ipc, uts, net namespaces are new; the process is pid 1" {
  run_c sh -c 'echo $$; ls /sys/class/net; readlink /proc/self/ns/net; readlink /proc/self/ns/ipc'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = 1 ]
  [ "${lines[1]}" = lo ]
  [ "${lines[2]}" != "$(readlink /proc/self/ns/net)" ]
  [ "${lines[3]}" != "$(readlink /proc/self/ns/ipc)" ]
}

@test "joining a network namespace by path" {
  ip netns add "rnr-$$"
  defer ip netns delete "rnr-$$"
  ip -n "rnr-$$" link add vrn7a type veth peer name vrn7b
  cfg --arg p "/var/run/netns/rnr-$$" '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)'
  run_c ls /sys/class/net
  [ "$status" -eq 0 ]
  [[ "$output" == *vrn7a* ]]
}

@test "user namespace with uid/gid mappings" {
  chmod 755 "$TESTTMP"
  chown -R 100000:100000 "$BUNDLE/rootfs"
  cfg '.linux.namespaces += [{"type":"user"}] | .linux.uidMappings = [{"containerID":0,"hostID":100000,"size":65536}] | .linux.gidMappings = [{"containerID":0,"hostID":100000,"size":65536}]'
  run_c sh -c 'id -u; cat /proc/self/uid_map; touch /ok && echo write-ok'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = 0 ]
  [[ "${lines[1]}" =~ ^\ *0\ +100000\ +65536$ ]]
  [ "${lines[2]}" = write-ok ]
}

@test "time namespace with offsets" {
  cfg '.linux.namespaces += [{"type":"time"}] | .linux.timeOffsets = {"boottime": {"secs": 86400, "nanosecs": 0}}'
  host=$(cut -d. -f1 /proc/uptime)
  run_c cat /proc/uptime
  [ "$status" -eq 0 ]
  [ "${output%%.*}" -ge $((host + 86000)) ]
}

@test "cgroup namespace: /proc/self/cgroup shows the root" {
  run_c cat /proc/self/cgroup
  [ "$status" -eq 0 ]
  ! grep -v ':/$' <<<"$output"
}

@test "--no-pivot uses MS_MOVE and chroot" {
  set_args sh -c 'ls / | head -3; echo ok'
  run R run --no-pivot --bundle "$BUNDLE" c1 </dev/null
  [ "$status" -eq 0 ]
  [ "${lines[-1]}" = ok ]
}

@test "rootfsPropagation shared" {
  cfg '.linux.rootfsPropagation = "rshared"'
  run_c sh -c 'grep -E "^[0-9]+ [0-9]+ [^ ]+ [^ ]+ / " /proc/self/mountinfo'
  [ "$status" -eq 0 ]
  [[ "$output" == *shared:* ]]
}

# config-linux.md: rootfsPropagation is "either shared, slave, private or
# unbindable"; an unbindable root cannot be bound elsewhere
@test "rootfsPropagation unbindable" {
  cfg '.linux.rootfsPropagation = "unbindable"'
  run_c sh -c 'grep -E "^[0-9]+ [0-9]+ [^ ]+ [^ ]+ / " /proc/self/mountinfo'
  [ "$status" -eq 0 ]
  [[ "$output" == *unbindable* ]]
}

@test "a tmpfs with tmpcopyup keeps the image's files" {
  mkdir -p "$BUNDLE/rootfs/data"
  echo keep >"$BUNDLE/rootfs/data/f"
  cfg '.mounts += [{"destination":"/data","type":"tmpfs","source":"tmpfs","options":["tmpcopyup"]}]'
  run_c sh -c 'cat /data/f; grep " /data " /proc/mounts | cut -d" " -f3'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = keep ]
  [ "${lines[1]}" = tmpfs ]
}

@test "a bundle written by runner spec runs with a terminal under script(1)" {
  # runner_bundle.sh only turned terminal off; turn it back on
  cfg '.process.terminal = true | .process.args = ["sh", "-c", "tty; stty size"]'
  run script -qec "stty rows 21 cols 88; $BIN/runner --root $ROOT run --bundle $BUNDLE c1" /dev/null
  [ "$status" -eq 0 ]
  [[ "$output" == */dev/pts/0* ]]
  [[ "$output" == *"21 88"* ]]
}

# config-linux.md "Namespaces": a type left out is the runtime's own; the
# container's mounts then sit in the host's table under its rootfs, and
# runtime.md "delete" removes them with the container
@test "no mount namespace: the runtime's mount table, mounts gone after delete" {
  cfg '.linux.namespaces |= map(select(.type != "mount"))'
  set_args sh -c 'readlink /proc/self/ns/mnt; ls /bin/busybox; sleep 100'
  rcreate c1
  R start c1
  for _ in $(seq 50); do [ -s "$TESTTMP/c1.out" ] && break; sleep 0.05; done
  [ "$(head -1 "$TESTTMP/c1.out")" = "$(readlink /proc/self/ns/mnt)" ]
  grep -q "^/bin/busybox" "$TESTTMP/c1.out"
  grep -q " $BUNDLE/rootfs/proc " /proc/self/mountinfo
  R delete --force c1
  assert_no_leftovers
}

@test "no mount namespace: a create that fails leaves no mount behind" {
  cfg '.linux.namespaces |= map(select(.type != "mount")) | .mounts += [{"destination":"/x","type":"nosuchfs","source":"none"}]'
  run rcreate c1
  [ "$status" -ne 0 ]
  assert_no_leftovers
}

# "If a path is specified, the runtime MUST place the process into the
# namespace at that path": for pid, the container process itself
@test "pid and mount namespaces joined by path hold the container process" {
  unshare --pid --mount --fork --kill-child sleep 100 &
  local h=$!
  defer kill "$h"
  for _ in $(seq 100); do
    [ "$(readlink /proc/$h/ns/pid_for_children)" != "$(readlink /proc/self/ns/pid)" ] && break
    sleep 0.02
  done
  cfg --arg p "/proc/$h/ns/pid_for_children" --arg m "/proc/$h/ns/mnt" \
    '.linux.namespaces |= map(if .type == "pid" then .path = $p elif .type == "mount" then .path = $m else . end)'
  run_c sh -c 'readlink /proc/self/ns/pid; readlink /proc/self/ns/mnt'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "$(readlink /proc/$h/ns/pid_for_children)" ]
  [ "${lines[1]}" = "$(readlink /proc/$h/ns/mnt)" ]
}
