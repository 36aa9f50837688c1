# Helpers for tests/e2e/dropin-faults.bats (load after ../lib/common and
# ../lib/runner_common).

# a bundle that exercises the cgroup (limits in every v1 controller used)
faults_resources() {
  cfg '.linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 64}, "cpu": {"shares": 512}}'
}

# every cgroup directory of container ID (runner puts it at /runner/ID)
faults_cgroups() {
  ls -d /sys/fs/cgroup/*/runner/"$1" /sys/fs/cgroup/runner/"$1" 2>/dev/null || true
}

# nothing of ID is left: state, cgroups, mounts, processes in its cgroup
faults_assert_clean() {
  local id=$1 left
  left=$(ls -d "$ROOT/$id" 2>/dev/null; faults_cgroups "$id"; grep -F "$BUNDLE" /proc/mounts) || true
  [ -z "$left" ] || { echo "left behind by $id:"; echo "$left"; return 1; }
}

# what containers whose ID starts with PREFIX could leak, as one line:
# their cgroups, the processes in them, mounts under the bundle, the fds of
# this shell, runner state entries. Only this test's things are counted:
# other suites may run containers on the machine at the same time.
faults_census() {
  local prefix=$1
  printf 'cgroups=%s procs=%s mounts=%s fds=%s state=%s\n' \
    "$(find /sys/fs/cgroup -path "*/runner/$prefix*" -type d 2>/dev/null | wc -l)" \
    "$(find /sys/fs/cgroup -path "*/runner/$prefix*" -name cgroup.procs -exec cat {} + 2>/dev/null | wc -l)" \
    "$(grep -cF "$BUNDLE" /proc/mounts)" \
    "$(ls /proc/$$/fd | wc -l)" \
    "$(ls -A "$ROOT" 2>/dev/null | grep -vc '^seccomp-cache$')"
}

# teardown: containers of this test (any suffix), their cgroups
faults_cleanup() {
  local id=$1 d p
  for d in "$ROOT"/"$id"*; do
    [ -e "$d" ] && "$BIN/runner" --root "$ROOT" delete --force "$(basename "$d")"
  done
  for d in /sys/fs/cgroup/*/runner/"$id"* /sys/fs/cgroup/runner/"$id"*; do
    [ -d "$d" ] || continue
    while read -r p; do kill -9 "$p"; done <"$d/cgroup.procs"
    rmdir "$d" || { sleep 0.2; rmdir "$d"; }
  done
  return 0
}
