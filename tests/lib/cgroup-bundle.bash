# Helpers for the runner cgroup/seccomp end-to-end tests (load after
# ../lib/common). A bundle is a busybox rootfs plus `runc spec`'s
# config.json edited with jq, so these tests need nothing from the other
# stages of the pipeline.

# cg_bundle DIR ARGS-JSON [JQ-FILTER]: a bundle running ARGS (a JSON array)
# with JQ-FILTER applied to the config (e.g. '.linux.resources.pids={"limit":8}').
cg_bundle() {
  local dir=$1 args=$2 filter=${3:-.}
  mkdir -p "$dir/rootfs/bin" "$dir/rootfs/proc" "$dir/rootfs/dev" "$dir/rootfs/sys" \
           "$dir/rootfs/tmp"
  cp /bin/busybox "$dir/rootfs/bin/busybox"
  for a in sh cat echo sleep true false dd head yes ls grep wc seq mkdir kill cut uname tr; do
    ln -sf busybox "$dir/rootfs/bin/$a"
  done
  (cd "$dir" && runc spec)
  jq ".process.terminal=false | .root.readonly=false | .process.args=$args | $filter" "$dir/config.json" \
    >"$dir/config.json.new"
  mv "$dir/config.json.new" "$dir/config.json"
}

# Remove what a failed test may leave in the cgroup tree for container ID.
cg_cleanup() {
  local id=$1 d
  for d in /sys/fs/cgroup/*/runner/"$id" /sys/fs/cgroup/runner/"$id"; do
    [ -d "$d" ] || continue
    # processes first, then the directory
    while read -r p; do kill -9 "$p" 2>/dev/null; done <"$d/cgroup.procs"
    rmdir "$d" 2>/dev/null || { sleep 0.2; rmdir "$d" 2>/dev/null; }
  done
  return 0
}

# cg_left ID: prints any cgroup directory of ID still present.
cg_left() {
  ls -d /sys/fs/cgroup/*/runner/"$1" /sys/fs/cgroup/runner/"$1" 2>/dev/null || true
}

# Skip unless runner can run a container on this build (runner part 1 may
# not be merged yet) and we are root on a host with cgroups.
cg_require_runner() {
  [ "$(id -u)" -eq 0 ] || skip "needs root"
  [ -d /sys/fs/cgroup ] || skip "no cgroupfs"
  local b=$BATS_RUN_TMPDIR/cg-probe
  if [ ! -e "$b.ok" ] && [ ! -e "$b.no" ]; then
    cg_bundle "$b" '["/bin/true"]' >/dev/null 2>&1 || true
    if timeout 20 "$BIN/runner" --root "$b.state" run --bundle "$b" "cg-probe-$$" >/dev/null 2>&1; then
      touch "$b.ok"
    else
      touch "$b.no"
    fi
    "$BIN/runner" --root "$b.state" delete --force "cg-probe-$$" >/dev/null 2>&1 || true
    cg_cleanup "cg-probe-$$"
  fi
  [ -e "$b.ok" ] || skip "runner cannot run a container in this build yet"
}
