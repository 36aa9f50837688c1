# Helpers for tests/e2e/dropin-containerd.bats (load after ../lib/common):
# Debian's containerd (1.6) with a private root, state, socket and config
# under $CD, started once per file and stopped by PID; ctr with runner as
# the runc binary of the io.containerd.runc.v2 shim.
#   C ARGS...                ctr --address $CD/containerd.sock ARGS...
#   CRUN ARGS...             ctr run with runner, a private runc root, fifo
#                            dir and the cgroup /$DROPIN_CGROUP/$ID
#   dropin_containerd_init   setup_file: config, daemon, image import
#   dropin_containerd_fini   teardown_file: tasks, containers, daemon, shims,
#                            mounts, cgroup parent, the directory
# DROPIN_RUNTIME=PATH runs the same tests with another runtime (runc).

CD=${BATS_FILE_TMPDIR:-/tmp}/containerd
RUNTIME=${DROPIN_RUNTIME:-$BIN/runner}
DROPIN_CGROUP=ocikit-dropin-$(basename "${BATS_RUN_TMPDIR:-$$}")

C() { ctr --address "$CD/containerd.sock" "$@"; }
CRUN() {
  C run --runc-binary "$RUNTIME" --runc-root "$CD/runc" --fifo-dir "$CD/fifo" \
    --cgroup "/$DROPIN_CGROUP/$ID" "$@"
}

dropin_containerd_init() {
  local layout i
  mkdir -p "$CD"
  # the shim keeps its sockets in /run/containerd/s whatever the config
  # says: remove /run/containerd at the end only if it is ours
  [ -e /run/containerd ] || touch "$CD/own-run-containerd"
  cat >"$CD/config.toml" <<CONF
version = 2
root = "$CD/root"
state = "$CD/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$CD/containerd.sock"
[ttrpc]
  address = "$CD/containerd.sock.ttrpc"
[debug]
  address = ""
[plugins."io.containerd.monitor.v1.cgroups"]
  no_prometheus = true
CONF
  containerd --config "$CD/config.toml" >"$CD/containerd.log" 2>&1 &
  echo $! >"$CD/containerd.pid"
  for i in $(seq 1 100); do
    C version >/dev/null 2>&1 && break
    sleep 0.1
  done
  C version >/dev/null || { cat "$CD/containerd.log"; return 1; }
  # an oci-archive of the busybox fixture (the layout as a tar)
  layout=$(fixture_layout busybox)
  tar -C "$layout" -cf "$CD/busybox.tar" --exclude=.done --exclude=.lock .
  C images import "$CD/busybox.tar" >/dev/null
  C images ls -q | grep -qx busybox:latest
}

dropin_containerd_fini() {
  local t pid m
  if [ -S "$CD/containerd.sock" ]; then
    for t in $(C task ls -q 2>/dev/null); do
      timeout 20 ctr --address "$CD/containerd.sock" task kill -a -s SIGKILL "$t" >/dev/null 2>&1
    done
    sleep 0.2
    for t in $(C task ls -q 2>/dev/null); do
      timeout 20 ctr --address "$CD/containerd.sock" task delete -f "$t" >/dev/null 2>&1
    done
    for t in $(C containers ls -q 2>/dev/null); do
      timeout 20 ctr --address "$CD/containerd.sock" containers rm "$t" >/dev/null 2>&1
    done
  fi
  # shims outlive the daemon: stop them by the PIDs they wrote
  for pid in $(cat "$CD"/state/io.containerd.runtime.v2.task/*/*/shim.pid 2>/dev/null); do
    kill -9 "$pid" 2>/dev/null
  done
  if [ -s "$CD/containerd.pid" ]; then
    pid=$(cat "$CD/containerd.pid")
    kill "$pid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
  fi
  grep -o " $CD[^ ]*" /proc/mounts | sort -r | while read -r m; do umount -l "$m"; done
  find /sys/fs/cgroup/*/"$DROPIN_CGROUP" -depth -type d -exec rmdir {} + 2>/dev/null
  [ -e "$CD/own-run-containerd" ] && rm -rf /run/containerd
  rm -rf "$CD"
  return 0
}

# dropin_ctr_gone ID: nothing of task ID is left: runtime state, cgroup, mounts.
dropin_ctr_gone() {
  local id=$1 left
  left=$(ls -d "$CD/runc/default/$id" /sys/fs/cgroup/*/"$DROPIN_CGROUP/$id" 2>/dev/null
         grep -F "$CD/state/io.containerd.runtime.v2.task/default/$id/" /proc/mounts) || true
  [ -z "$left" ] || { echo "left behind by $id:"; echo "$left"; return 1; }
}
