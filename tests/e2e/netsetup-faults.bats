#!/usr/bin/env bats
# netsetup faults: bad annotations, exhausted subnet, a hook killed
# half-way and run again, a container without its own network namespace.
load ../lib/common
load ../lib/netsetup_helpers
bats_require_minimum_version 1.5.0

setup() { netsetup_setup; }
teardown() { common_teardown; }

@test "a bad port annotation (-p 99999:80): one clear line, nothing created" {
  fake_container c
  run net_up bad "$c" "$(ports_json 99999:80)"
  assert_one_line_error
  [[ $output == "netsetup: annotation org.ocikit.net.ports: port mapping 0: hostPort 99999 out of range 1-65535" ]]
  ! ip link show "$NS_BRIDGE" 2>/dev/null
  ! ip link show "$(veth_of bad)" 2>/dev/null
  ! in_ns "$c" ip link show eth0 2>/dev/null
  [ ! -e "$NS_LEASES" ]
  ! nft list table ip "$NS_TABLE" 2>/dev/null
}

@test "bad input: state that is not JSON, no pid, unknown mode, bad options" {
  run sh -c "echo 'not json' | '$BIN/netsetup' up ${NET[*]}"
  assert_one_line_error
  [[ $output == "netsetup: container state on stdin is not valid JSON"* ]]
  run sh -c "echo '{\"id\":\"x\"}' | '$BIN/netsetup' up ${NET[*]}"
  assert_one_line_error
  [[ $output == *"no \`pid\`"* ]]
  run sh -c "echo '{\"id\":\"x\",\"pid\":1,\"annotations\":{\"org.ocikit.net.mode\":\"mesh\"}}' | '$BIN/netsetup' up ${NET[*]}"
  assert_one_line_error
  [[ $output == *"unknown mode \`mesh\`"* ]]
  run "$BIN/netsetup" status --subnet 10.0.0.0/33
  [ "$status" -eq 2 ]
  assert_one_line_error
  run "$BIN/netsetup" frobnicate
  [ "$status" -eq 2 ]
  ! ip link show "$NS_BRIDGE" 2>/dev/null
}

@test "a container sharing the host's network namespace is refused" {
  sleep 1000 &
  p=$!
  defer kill "$p"
  run net_up hostnet "$p"
  assert_one_line_error
  [[ $output == *"shares the host's network namespace"* ]]
  [ "$(lease_count)" -eq 0 ]
}

@test "an exhausted subnet (/29) is a clear error and leaves nothing of the refused container" {
  NET=(--bridge "$NS_BRIDGE" --subnet 10.213.9.0/29 --table "$NS_TABLE" --lease-dir "$NS_LEASES")
  defer "$BIN/netsetup" prune "${NET[@]}"
  for i in 1 2 3 4 5; do
    fake_container p
    net_up "full$i" "$p"
  done
  [ "$(lease_count)" -eq 5 ]
  fake_container extra
  run net_up extra "$extra"
  assert_one_line_error
  [[ $output == "netsetup: no free address in subnet 10.213.9.0/29 of network ocikit (all 5 leased)" ]]
  ! ip link show "$(veth_of extra)" 2>/dev/null
  ! in_ns "$extra" ip link show eth0 2>/dev/null
  [ "$(lease_count)" -eq 5 ]
  # one leaves, the next one gets in
  net_down full3
  net_up extra "$extra"
  [ "$(lease_count)" -eq 5 ]
}

@test "the hook killed half-way and run again ends attached once; down leaves nothing" {
  fake_container c
  port=$(free_port)
  ports=$(ports_json "$port:80")
  state_json killed "$c" "$ports" >"$TESTTMP/state"
  # Kill it at different moments of its run (it takes a few ms).
  for d in 0 0.001 0.002 0.003 0.004 0.005 0.006 0.008 0.01 0.02; do
    "$BIN/netsetup" up "${NET[@]}" <"$TESTTMP/state" &
    p=$!
    sleep "$d"
    kill -9 "$p" 2>/dev/null || true
    wait "$p" || true
  done
  run "$BIN/netsetup" up "${NET[@]}" <"$TESTTMP/state"
  [ "$status" -eq 0 ]
  [ "$(lease_count)" -eq 1 ]
  [ "$(ip -o link show master "$NS_BRIDGE" | wc -l)" -eq 1 ]
  [ "$(in_ns "$c" ip -4 -o addr show dev eth0 | wc -l)" -eq 1 ]
  in_ns "$c" busybox ping -c 1 -W 2 "$NS_GW"
  [ "$(nft list map ip "$NS_TABLE" dnat_any | grep -c "tcp . $port")" -eq 1 ]
  net_down killed
  [ "$(lease_count)" -eq 0 ]
  [ "$(ip -o link show master "$NS_BRIDGE" | wc -l)" -eq 0 ]
  ! nft list map ip "$NS_TABLE" dnat_any | grep -q "$port"
  ! ls -A "$NS_LEASES" | grep -q tmp
}
