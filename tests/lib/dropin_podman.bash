# Helpers for tests/e2e/dropin-podman.bats (load after ../lib/common):
# Debian's podman + conmon with runner as the OCI runtime, everything
# podman keeps in a private directory ($PD): storage (--root, --runroot),
# --tmpdir (exit files, events log), the network config and the IPAM
# leases of a private bridge network, and containers.conf.
#   P ARGS...             podman with those options and --runtime $RUNTIME
#                         (the script $PD/podman)
#   dropin_podman_init    once per file (setup_file): config + image import
#   dropin_podman_fini    once per file (teardown_file): containers, images,
#                         storage mounts, the bridge, the directory
# DROPIN_RUNTIME=PATH runs the same tests with another runtime (runc, or
# tests/lib/bundle_crun_v1 for Debian's crun on this hybrid-cgroup host).

PD=${BATS_FILE_TMPDIR:-/tmp}/podman
RUNTIME=${DROPIN_RUNTIME:-$BIN/runner}
# a bridge of our own (not podman's cni-podman0), no NAT/firewall plugins
DROPIN_BRIDGE=ocdrop$(( $$ % 100000 ))
DROPIN_SUBNET=10.99.213
export CONTAINERS_CONF=$PD/containers.conf

P() { "$PD/podman" "$@"; }

dropin_podman_init() {
  local layout
  mkdir -p "$PD/net" "$PD/ipam" "$PD/tmp"
  # a script, so that script(1) can run it under a terminal too
  cat >"$PD/podman" <<SH
#!/bin/sh
export CONTAINERS_CONF=$CONTAINERS_CONF
# conmon drops a file "oom" into the caller's directory after an OOM kill
cd "$PD/tmp" || exit 125
exec podman --root "$PD/root" --runroot "$PD/runroot" --tmpdir "$PD/tmp" \\
  --network-config-dir "$PD/net" --cgroup-manager cgroupfs --events-backend file \\
  --runtime "$RUNTIME" "\$@"
SH
  chmod +x "$PD/podman"
  # this host: hard NOFILE 20000, no CAP_SYS_RESOURCE, so podman's default
  # ulimits (1048576) cannot be set by any runtime; runner writes runc's
  # JSON log lines, so podman may pass --log-format json
  cat >"$CONTAINERS_CONF" <<CONF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime_supports_json = ["crun", "runc", "runner", "bundle_crun_v1"]
CONF
  # the default network ("podman") as a private bridge: podman's own
  # default would leave cni-podman0 and iptables chains on the host
  cat >"$PD/net/podman.conflist" <<CONF
{ "cniVersion": "0.4.0", "name": "podman",
  "plugins": [ { "type": "bridge", "bridge": "$DROPIN_BRIDGE", "isGateway": true, "ipMasq": false,
                 "ipam": { "type": "host-local", "dataDir": "$PD/ipam",
                           "routes": [ { "dst": "0.0.0.0/0" } ],
                           "ranges": [ [ { "subnet": "$DROPIN_SUBNET.0/24", "gateway": "$DROPIN_SUBNET.1" } ] ] } } ] }
CONF
  layout=$(fixture_layout busybox)
  P pull -q "oci:$layout:busybox:latest" >/dev/null
}

# Everything podman made under $PD and on the host, also after a failure.
dropin_podman_fini() {
  local m
  if [ -x "$PD/podman" ]; then
    timeout 60 "$PD/podman" rm -af -t 0 >/dev/null 2>&1
    timeout 60 "$PD/podman" rmi -af >/dev/null 2>&1
  fi
  grep -o " $PD[^ ]*" /proc/mounts | sort -r | while read -r m; do umount -l "$m"; done
  ip link del "$DROPIN_BRIDGE" 2>/dev/null
  # podman's cgroupfs parents (conmon's cgroup) and libcni's cache dir:
  # removed when empty, i.e. when no other podman uses them
  rmdir /sys/fs/cgroup/*/libpod_parent/conmon /sys/fs/cgroup/*/libpod_parent \
    /var/lib/cni/results /var/lib/cni 2>/dev/null
  rm -rf "$PD"
  return 0
}

# dropin_assert_gone ID: nothing of container ID (a full podman ID, which is
# also the runtime's ID) is left: runtime state (podman passes no --root),
# cgroup directories in any hierarchy, mounts.
dropin_assert_gone() {
  local id=$1 left
  left=$(ls -d /run/runner/"$id" /run/runc/"$id" /run/crun/"$id" \
            /sys/fs/cgroup/*/libpod_parent/*"$id"* /sys/fs/cgroup/*/*/libpod_parent/*"$id"* 2>/dev/null
         grep -F "$id" /proc/mounts) || true
  [ -z "$left" ] || { echo "left behind by $id:"; echo "$left"; return 1; }
}
