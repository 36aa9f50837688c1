# Helpers for the netsetup end-to-end tests. Load after ../lib/common.
# Every test gets a private network: its own bridge name, nftables table
# and lease directory on a test subnet (10.213.x), so it never touches a
# real ocikit setup; teardown removes all of it, also on failure.
# Traffic only ever goes between namespaces and veths the tests create.

# netsetup_net [SUBNET]: define the private network ($NET args array).
netsetup_net() {
  NS_TAG=$(printf '%04x' $((RANDOM % 65536)))
  NS_BRIDGE=okt$NS_TAG
  NS_SUBNET=${1:-10.213.1.0/24}
  NS_GW=${NS_SUBNET%.*}.1
  NS_TABLE=ocikit_t$NS_TAG
  NS_LEASES=$TESTTMP/leases
  NET=(--bridge "$NS_BRIDGE" --subnet "$NS_SUBNET" --table "$NS_TABLE" --lease-dir "$NS_LEASES")
  NS_FORWARD=$(cat /proc/sys/net/ipv4/ip_forward)
  # Registered first, run last: after every container is gone.
  defer netsetup_restore_forward
  defer nft delete table ip "$NS_TABLE"
  defer ip link del "$NS_BRIDGE"
  defer "$BIN/netsetup" prune "${NET[@]}"
}

# ip_forward back to what it was, unless another ocikit network (another
# table named ocikit*) still needs it.
netsetup_restore_forward() {
  [ "$NS_FORWARD" = 0 ] || return 0
  nft list tables | grep -v " $NS_TABLE\$" | grep -q ' ocikit' && return 0
  echo 0 >/proc/sys/net/ipv4/ip_forward
}

netsetup_setup() {
  common_setup
  [ "$(id -u)" -eq 0 ] || skip "needs root"
  netsetup_net "$@"
}

# fake_container VAR: a process in a new network namespace (killed at
# teardown; --kill-child takes the sleeping child with it). Sets VAR=pid.
fake_container() {
  local pid host
  unshare --net --fork --kill-child sleep 1000 </dev/null >/dev/null 2>&1 &
  pid=$!
  defer kill -9 "$pid"
  host=$(readlink /proc/self/ns/net)
  for _ in $(seq 100); do
    [ "$(readlink "/proc/$pid/ns/net" 2>/dev/null)" != "$host" ] && break
    sleep 0.02
  done
  printf -v "$1" '%s' "$pid"
}

# state_json ID PID [PORTS-JSON [BUNDLE]]: the OCI state a hook reads.
state_json() {
  jq -nc --arg id "$1" --argjson pid "$2" --arg ports "${3:-}" --arg b "${4:-}" \
    '{ociVersion:"1.0.2", id:$id, status:"creating", pid:$pid}
     + (if $b == "" then {} else {bundle:$b} end)
     + {annotations: ({"org.ocikit.net.mode":"bridge"}
        + (if $ports == "" then {} else {"org.ocikit.net.ports":$ports} end))}'
}

# ports_json [HOSTIP:]HOSTPORT:CONTAINERPORT[/proto] …
ports_json() {
  local p out=()
  for p in "$@"; do
    local proto=tcp ip="" hp cp
    [[ $p == */* ]] && proto=${p#*/} && p=${p%/*}
    [[ $p == *:*:* ]] && ip=${p%%:*} && p=${p#*:}
    hp=${p%%:*} cp=${p#*:}
    out+=("{\"hostIP\":\"$ip\",\"hostPort\":$hp,\"containerPort\":$cp,\"protocol\":\"$proto\"}")
  done
  local IFS=,
  echo "[${out[*]}]"
}

# net_up ID PID [PORTS-JSON [BUNDLE]]: run `netsetup up` as the hook does.
net_up() {
  state_json "$@" | "$BIN/netsetup" up "${NET[@]}"
}
net_down() {
  state_json "$1" 0 | "$BIN/netsetup" down "${NET[@]}"
}

in_ns() {
  local pid=$1
  shift
  nsenter --net="/proc/$pid/ns/net" "$@"
}

# The container's eth0 IPv4 address.
ns_addr() {
  in_ns "$1" ip -4 -o addr show dev eth0 | awk '{print $4}' | cut -d/ -f1
}

veth_of() { # the host end's name for container ID (oc + 12 hex of sha256)
  printf 'oc%s' "$(printf '%s' "$1" | sha256sum | cut -c1-12)"
}

lease_count() {
  ls "$NS_LEASES" 2>/dev/null | grep -c '^[0-9.]*$' || true
}

# A TCP/HTTP server in a namespace: serves $2 (a directory) on port $3.
ns_http_server() {
  local pid=$1 dir=$2 port=$3 spid
  # nsenter execs the server, so $! is the server itself (a function run
  # with & would leave it behind as an orphan).
  nsenter --net="/proc/$pid/ns/net" python3 -m http.server "$port" --bind 0.0.0.0 -d "$dir" \
    </dev/null >/dev/null 2>&1 &
  spid=$!
  defer kill "$spid"
  for _ in $(seq 100); do
    in_ns "$pid" ss -ltnH "sport = :$port" | grep -q LISTEN && return 0
    sleep 0.05
  done
  return 1
}
