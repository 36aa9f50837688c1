#!/usr/bin/env bats
# netsetup up/down on real network namespaces: addresses, routes, reach
# between containers, masquerade towards a "remote" host (a namespace the
# test builds behind the host), port mappings incl. 127.0.0.1 and hairpin.
load ../lib/common
load ../lib/netsetup_helpers
bats_require_minimum_version 1.5.0

setup() { netsetup_setup; }
teardown() { common_teardown; }

@test "up attaches a container: eth0 with an address, lo, default route; nothing on stdout" {
  fake_container c
  mkdir "$TESTTMP/bundle"
  run --separate-stderr net_up web1 "$c" "" "$TESTTMP/bundle"
  [ "$status" -eq 0 ]
  [ -z "$output" ]
  [ -z "$stderr" ]
  addr=$(ns_addr "$c")
  [[ $addr == 10.213.1.* ]]
  [ "$addr" != "$NS_GW" ]
  in_ns "$c" ip route show default | grep -q "via $NS_GW dev eth0"
  in_ns "$c" ip link show lo | grep -q 'UP'
  ip link show "$(veth_of web1)" | grep -q "master $NS_BRIDGE"
  ip -4 addr show dev "$NS_BRIDGE" | grep -q "inet $NS_GW/24"
  [ "$(cat /proc/sys/net/ipv4/ip_forward)" = 1 ]
  [ "$(cat /proc/sys/net/ipv4/conf/$NS_BRIDGE/route_localnet)" = 1 ]
  [ -f "$NS_LEASES/$addr" ]
  grep -q '"id":"web1"' "$NS_LEASES/$addr"
  grep -q "^$addr[[:space:]]web1\$" "$TESTTMP/bundle/hosts"
  ! grep -q '^nameserver 127\.' "$TESTTMP/bundle/resolv.conf"
  run "$BIN/netsetup" status "${NET[@]}"
  [ "$status" -eq 0 ]
  [[ $output == *"$addr	web1	$c	live"* ]]
}

@test "two containers on the bridge reach each other (ping and TCP)" {
  fake_container a
  fake_container b
  net_up a1 "$a"
  net_up b1 "$b"
  aa=$(ns_addr "$a")
  ba=$(ns_addr "$b")
  [ "$aa" != "$ba" ]
  in_ns "$a" busybox ping -c 1 -W 2 "$ba"
  in_ns "$b" busybox ping -c 1 -W 2 "$aa"
  mkdir "$TESTTMP/www" && echo from-a >"$TESTTMP/www/index.html"
  ns_http_server "$a" "$TESTTMP/www" 8000
  run in_ns "$b" curl -sS -m 5 "http://$aa:8000/"
  [ "$output" = from-a ]
}

@test "masquerade: a remote host behind the host sees the host's address" {
  fake_container c
  fake_container remote
  r_if=okr$NS_TAG
  defer ip link del "$r_if"
  ip link add "$r_if" type veth peer name eth0 netns "$remote"
  ip addr add 10.213.200.1/24 dev "$r_if"
  ip link set "$r_if" up
  in_ns "$remote" ip addr add 10.213.200.2/24 dev eth0
  in_ns "$remote" ip link set eth0 up
  in_ns "$remote" ip link set lo up
  # The remote has no route back to the container subnet: only a
  # masqueraded connection can be answered.
  nsenter --net="/proc/$remote/ns/net" python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.213.200.2", 9000)); s.listen(1); s.settimeout(20)
c, a = s.accept(); open(sys.argv[1], "w").write(a[0]); c.sendall(b"hello\n"); c.close()' "$TESTTMP/peer" \
    </dev/null >/dev/null 2>&1 &
  defer kill $!
  net_up m1 "$c"
  for _ in $(seq 50); do in_ns "$remote" ss -ltnH | grep -q 9000 && break; sleep 0.1; done
  run in_ns "$c" python3 -c '
import socket
c = socket.create_connection(("10.213.200.2", 9000), timeout=5); print(c.recv(16).decode().strip())'
  [ "$status" -eq 0 ]
  [ "$output" = hello ]
  [ "$(cat "$TESTTMP/peer")" = 10.213.200.1 ]
}

@test "-p HOST:80 answers at the bridge address, at 127.0.0.1, and hairpin from containers" {
  fake_container web
  fake_container client
  port=$(free_port)
  net_up web "$web" "$(ports_json "$port:80")"
  net_up client "$client"
  mkdir "$TESTTMP/www" && echo published >"$TESTTMP/www/index.html"
  ns_http_server "$web" "$TESTTMP/www" 80
  run curl -sS -m 5 "http://$NS_GW:$port/"
  [ "$output" = published ]
  run curl -sS -m 5 "http://127.0.0.1:$port/"
  [ "$output" = published ]
  # hairpin: another container, and the container itself, via the host port
  run in_ns "$client" curl -sS -m 5 "http://$NS_GW:$port/"
  [ "$output" = published ]
  run in_ns "$web" curl -sS -m 5 "http://$NS_GW:$port/"
  [ "$output" = published ]
  nft list map ip "$NS_TABLE" dnat_any | grep -q "tcp . $port : $(ns_addr "$web") . 80"
  # after down the port is gone and a new container may take it
  net_down web
  ! nft list map ip "$NS_TABLE" dnat_any | grep -q "$port"
  run curl -sS -m 2 "http://127.0.0.1:$port/"
  [ "$status" -ne 0 ]
}

@test "-p 127.0.0.1:HOST:80 answers only there; -p HOST:53/udp forwards datagrams" {
  fake_container c
  tport=$(free_port)
  uport=$(free_port)
  net_up lo1 "$c" "$(ports_json "127.0.0.1:$tport:80" "$uport:53/udp")"
  mkdir "$TESTTMP/www" && echo local-only >"$TESTTMP/www/index.html"
  ns_http_server "$c" "$TESTTMP/www" 80
  run curl -sS -m 5 "http://127.0.0.1:$tport/"
  [ "$output" = local-only ]
  run curl -sS -m 2 "http://$NS_GW:$tport/"
  [ "$status" -ne 0 ]
  nft list map ip "$NS_TABLE" dnat_ip | grep -q "127.0.0.1 . tcp . $tport"
  # a UDP echo in the container
  nsenter --net="/proc/$c/ns/net" python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", 53)); s.settimeout(20)
d, a = s.recvfrom(100); s.sendto(b"echo:" + d, a)' </dev/null >/dev/null 2>&1 &
  defer kill $!
  for _ in $(seq 50); do in_ns "$c" ss -lunH | grep -q ':53 ' && break; sleep 0.1; done
  run python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(5)
s.sendto(b"ping", ("127.0.0.1", int(sys.argv[1]))); print(s.recv(100).decode())' "$uport"
  [ "$output" = echo:ping ]
}

@test "a host port has one owner: a second container asking for it fails cleanly" {
  fake_container a
  fake_container b
  port=$(free_port)
  net_up a "$a" "$(ports_json "$port:80")"
  run net_up b "$b" "$(ports_json "$port:80")"
  assert_one_line_error
  [[ $output == *"host port tcp 0.0.0.0:$port is already published"* ]]
  ! ip link show "$(veth_of b)" 2>/dev/null
  ! in_ns "$b" ip link show eth0 2>/dev/null
  [ "$(lease_count)" -eq 1 ]
  nft list map ip "$NS_TABLE" dnat_any | grep -q "tcp . $port : $(ns_addr "$a") . 80"
}

@test "down removes veth, lease and port mappings; twice, or for an unknown id, is fine" {
  fake_container c
  port=$(free_port)
  net_up d1 "$c" "$(ports_json "$port:80" "$port:53/udp")"
  ip link show "$(veth_of d1)"
  run --separate-stderr net_down d1
  [ "$status" -eq 0 ]
  [ -z "$output" ]
  ! ip link show "$(veth_of d1)" 2>/dev/null
  ! in_ns "$c" ip link show eth0 2>/dev/null
  [ "$(lease_count)" -eq 0 ]
  ! nft list table ip "$NS_TABLE" | grep -q "$port"
  ip link show "$NS_BRIDGE" # the bridge stays
  net_down d1
  net_down never-was-here
  # by id on the command line, without a state on stdin
  fake_container c2
  net_up d2 "$c2"
  "$BIN/netsetup" down "${NET[@]}" --id d2 </dev/null
  [ "$(lease_count)" -eq 0 ]
  ! ip link show "$(veth_of d2)" 2>/dev/null
  # an unknown network: nothing created on the way
  run sh -c "echo '{\"id\":\"x\"}' | '$BIN/netsetup' down --bridge okt-none --lease-dir '$TESTTMP/none'"
  [ "$status" -eq 0 ]
  [ ! -e "$TESTTMP/none" ]
}

@test "down --prune removes the bridge and the table with the last container" {
  fake_container c
  net_up p1 "$c"
  state_json p1 0 | "$BIN/netsetup" down --prune "${NET[@]}"
  ! ip link show "$NS_BRIDGE" 2>/dev/null
  ! nft list table ip "$NS_TABLE" 2>/dev/null
  [ ! -e "$NS_LEASES" ]
}

@test "prune removes containers' links, leases, bridge and table" {
  fake_container a
  fake_container b
  net_up a "$a" "$(ports_json "$(free_port):80")"
  net_up b "$b"
  "$BIN/netsetup" prune "${NET[@]}"
  ! ip link show "$NS_BRIDGE" 2>/dev/null
  ! ip link show "$(veth_of a)" 2>/dev/null
  ! in_ns "$b" ip link show eth0 2>/dev/null
  ! nft list table ip "$NS_TABLE" 2>/dev/null
  [ ! -e "$NS_LEASES" ]
}

@test "--help names every subcommand and option; --version" {
  run "$BIN/netsetup" --help
  [ "$status" -eq 0 ]
  for w in up down status prune --network --config --bridge --subnet --gateway --mtu --table --lease-dir --prune --id; do
    [[ $output == *"$w"* ]]
  done
  run "$BIN/netsetup" --version
  [ "$output" = "netsetup 0.1.0" ]
}

@test "config file under --config and a leftover of a dead container is reclaimed" {
  cat >"$TESTTMP/net.conf" <<CONF
# test network
bridge = $NS_BRIDGE
subnet = 10.213.9.0/29
table = $NS_TABLE
lease_dir = $NS_LEASES
mtu = 1400
CONF
  NET=(--config "$TESTTMP/net.conf")
  fake_container a
  net_up dead "$a"
  [ "$(ns_addr "$a")" = 10.213.9.2 ]
  in_ns "$a" ip link show eth0 | grep -q 'mtu 1400'
  kill -9 "$a"
  sleep 0.2
  run "$BIN/netsetup" status "${NET[@]}"
  [[ $output == *"10.213.9.2	dead	$a	stale"* ]]
  fake_container b
  net_up next "$b"
  [ "$(lease_count)" -eq 1 ]
  ! grep -q dead "$NS_LEASES"/10.*
}

@test "--network NAME reads /etc/ocikit/net.d/NAME.conf" {
  name=okt-test-$NS_TAG
  [ -d /etc/ocikit ] || defer rmdir /etc/ocikit
  [ -d /etc/ocikit/net.d ] || defer rmdir /etc/ocikit/net.d
  mkdir -p /etc/ocikit/net.d
  defer rm -f "/etc/ocikit/net.d/$name.conf"
  printf 'bridge = %s\nsubnet = 10.213.7.0/24\ntable = %s\nlease_dir = %s\n' \
    "$NS_BRIDGE" "$NS_TABLE" "$NS_LEASES" >"/etc/ocikit/net.d/$name.conf"
  NET=(--network "$name")
  defer "$BIN/netsetup" prune --network "$name"
  fake_container c
  net_up n1 "$c"
  [[ $(ns_addr "$c") == 10.213.7.* ]]
  run "$BIN/netsetup" status --network "$name"
  [[ ${lines[0]} == "network $name bridge $NS_BRIDGE subnet 10.213.7.0/24 gateway 10.213.7.1 leases $NS_LEASES" ]]
}
