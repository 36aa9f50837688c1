# Bundles from mkbundle run under an OCI runtime: each check_* takes the
# runtime (runc, crun, runner) and is called from a @test of
# tests/e2e/bundle-RUNTIME.bats, so that every runtime runs the same checks.
# Needs: bundle_helpers loaded, setup_runtime_checks called in setup.

setup_runtime_checks() {
  LAYOUT=$(fixture_layout bundle-app)
  ROOTFS=$(shared_rootfs bundle-app app:latest)
  B=$TESTTMP/b
}

# mkrun RUNTIME MKBUNDLE-ARGS... [-- CMD...]: build the bundle, run it.
mkrun() {
  local rt=$1
  shift
  mkb --rootfs "$ROOTFS" "$@" || return 1
  run_container "$rt" "$B"
}

# the options before `--`, then the image and bundle, then the command
mkrun_cmd() {
  local rt=$1 opts=() arg
  shift
  while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  mkrun "$rt" "${opts[@]}" app:latest "$B" -- "$@"
}

check_output() {
  mkrun "$1" app:latest "$B"
  [ "$status" -eq 0 ]
  [ "$output" = "app default-arg" ]
  mkrun "$1" app:latest "$B" -- one two
  [ "$output" = "app one two" ]
}

check_env() {
  printf 'FROM_FILE=yes\n' >"$TESTTMP/env"
  mkrun_cmd "$1" --entrypoint "" -e FOO=bar --env-file "$TESTTMP/env" --hostname envbox -- env
  [ "$status" -eq 0 ]
  echo "$output" | grep -qx FOO=bar
  echo "$output" | grep -qx FROM_FILE=yes
  echo "$output" | grep -qx APP_MODE=image
  echo "$output" | grep -qx HOSTNAME=envbox
  echo "$output" | grep -qx PATH=/usr/sbin:/usr/bin:/sbin:/bin
}

check_cwd() {
  mkrun_cmd "$1" --entrypoint /bin/pwd --
  [ "$output" = /srv ]
  mkrun_cmd "$1" --entrypoint /bin/pwd -w /tmp --
  [ "$output" = /tmp ]
}

check_user() {
  mkrun_cmd "$1" --entrypoint /usr/bin/id --
  [ "$output" = "uid=1000(tester) gid=1000(tester) groups=100(users)" ]
  mkrun_cmd "$1" --entrypoint /usr/bin/id -u daemon:users --
  [ "$output" = "uid=1(daemon) gid=100(users)" ]
  mkrun_cmd "$1" --entrypoint /usr/bin/id -u 4242 --
  [[ "$output" == "uid=4242 gid=0(root)"* ]]
}

check_hostname() {
  mkrun_cmd "$1" --entrypoint "" --hostname box1 -- sh -c 'hostname; cat /etc/hostname; grep box1 /etc/hosts'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = box1 ]
  [ "${lines[1]}" = box1 ]
  [[ "${lines[2]}" == *box1 ]]
}

check_memory() {
  mkrun_cmd "$1" --entrypoint "" --memory 64m -- sh -c \
    'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max'
  [ "$status" -eq 0 ]
  [ "$output" = 67108864 ]
}

check_pids_cpu() {
  mkrun_cmd "$1" --entrypoint "" --pids-limit 50 --cpus 0.5 -- sh -c \
    'cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max;
     cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us 2>/dev/null || cut -d" " -f1 /sys/fs/cgroup/cpu.max'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = 50 ]
  [ "${lines[1]}" = 50000 ]
}

# unshare(CLONE_NEWUSER) needs no capability, so only the profile stops it
check_seccomp() {
  mkrun_cmd "$1" --entrypoint "" -u root -- unshare -U true
  [ "$status" -ne 0 ]
  [[ "$output" == *"Operation not permitted"* ]]
  mkrun_cmd "$1" --entrypoint "" -u root --security-opt seccomp=unconfined -- unshare -U true
  [ "$status" -eq 0 ]
  mkrun_cmd "$1" --entrypoint "" -u root --cap-add sys_admin -- unshare -U true
  [ "$status" -eq 0 ]
}

check_readonly() {
  mkrun_cmd "$1" --entrypoint "" -u root --read-only --tmpfs /scratch -- sh -c \
    'touch /scratch/ok && echo scratch-ok; touch /nope 2>&1'
  echo "$output" | grep -qx scratch-ok
  [[ "$output" == *"Read-only file system"* ]]
}

check_volume() {
  mkdir -p "$TESTTMP/vol"
  mkrun_cmd "$1" --entrypoint "" -u root -v "$TESTTMP/vol:/data" -- sh -c 'echo hi > /data/f'
  [ "$status" -eq 0 ]
  [ "$(cat "$TESTTMP/vol/f")" = hi ]
  mkrun_cmd "$1" --entrypoint "" -u root -v "$TESTTMP/vol:/data:ro" -- sh -c 'cat /data/f; echo x > /data/g'
  [ "$status" -ne 0 ]
  # stdout and stderr share a pipe but may still arrive in either order
  echo "$output" | grep -qx hi
  [[ "$output" == *"Read-only file system"* ]]
  [ ! -e "$TESTTMP/vol/g" ]
}

check_caps() {
  mkrun_cmd "$1" --entrypoint "" -u root -- grep CapEff /proc/self/status
  [[ "$output" == *00000000a80425fb ]] # docker's default set
  mkrun_cmd "$1" --entrypoint "" -u root --cap-drop chown -- sh -c 'touch /tmp/c; chown 5 /tmp/c'
  [ "$status" -ne 0 ]
  mkrun_cmd "$1" --entrypoint "" -u root --security-opt no-new-privileges -- grep NoNewPrivs /proc/self/status
  [[ "$output" == *1 ]]
}

check_ulimit() {
  local hard want
  hard=$(ulimit -Hn)
  want=$(( hard < 1048576 ? hard : 1048576 ))
  mkrun_cmd "$1" --entrypoint "" -- sh -c 'ulimit -n'
  [ "$output" = "$want" ]
  mkrun_cmd "$1" --entrypoint "" --ulimit nofile=1000:2000 -- sh -c 'ulimit -n; ulimit -Hn'
  [ "${lines[0]}" = 1000 ]
  [ "${lines[1]}" = 2000 ]
}

check_net() {
  mkrun_cmd "$1" --entrypoint "" -- cat /proc/net/dev
  [ "$(echo "$output" | grep -c ':')" -eq 1 ] # lo only
  # as docker: a non-root user may bind port 80 in its own network namespace
  mkrun_cmd "$1" --entrypoint "" -- cat /proc/sys/net/ipv4/ip_unprivileged_port_start
  [ "$output" = 0 ]
  mkrun_cmd "$1" --entrypoint "" --net host -- readlink /proc/self/ns/net
  [ "$output" = "$(readlink /proc/self/ns/net)" ]
}

check_userns() {
  # the container's root (host uid 100000) must reach the rootfs and bundle
  chmod 755 "$TESTTMP" "$BATS_FILE_TMPDIR" "$BATS_RUN_TMPDIR" 2>/dev/null || true
  mkrun_cmd "$1" --entrypoint "" -u root --userns 0:100000:65536 -- sh -c 'cat /proc/self/uid_map; id -u'
  [ "$status" -eq 0 ]
  [ "$(echo "${lines[0]}" | tr -s ' ' | sed 's/^ //')" = "0 100000 65536" ]
  [ "${lines[1]}" = 0 ]
}

check_privileged() {
  mkrun_cmd "$1" --entrypoint "" -u root --privileged -- sh -c \
    'grep CapEff /proc/self/status; test -c /dev/kmsg && echo kmsg; unshare -U true && echo unshare-ok; mount -t tmpfs t /tmp && echo mount-ok'
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == *"$(awk '/^CapBnd/ {print $2}' /proc/self/status)" ]]
  [ "${lines[1]}" = kmsg ]
  [ "${lines[2]}" = unshare-ok ]
  [ "${lines[3]}" = mount-ok ]
}

# -t: the process gets a terminal; `script` gives the runtime one to relay
check_tty() {
  local root=$TESTTMP/rt-root id=mkb-tty-$BATS_TEST_NUMBER-$$
  mkb --rootfs "$ROOTFS" -t --entrypoint "" app:latest "$B" -- sh -c 'tty; echo "TERM=$TERM"'
  mkdir -p "$root"
  defer "$1" --root "$root" delete -f "$id"
  run timeout 60 script -qec "$1 --root $root run --bundle $B $id" /dev/null </dev/null
  echo "# $(basename "$1") run $id: status $status, output: $output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"/dev/pts/0"* ]]
  [[ "$output" == *"TERM=xterm"* ]]
}
