#!/usr/bin/env bats
# netsetup as the hook of real OCI runtimes (runc, crun and our runner,
# private --root):
# createRuntime attaches, containers reach each other and their published
# port, poststop (at delete) detaches and leaves nothing.
load ../lib/common
load ../lib/netsetup_helpers

setup() {
  netsetup_setup
  command -v busybox >/dev/null || skip "needs busybox-static"
}
teardown() { common_teardown; }

# make_bundle DIR PORTS-JSON: a busybox rootfs serving /www on port 80,
# with netsetup as its createRuntime and poststop hook.
make_bundle() {
  local b=$1 ports=$2 hooks
  mkdir -p "$b/rootfs/bin" "$b/rootfs/etc" "$b/rootfs/www" "$b/rootfs/proc" "$b/rootfs/dev" "$b/rootfs/sys"
  cp "$(command -v busybox)" "$b/rootfs/bin/busybox"
  ln -s busybox "$b/rootfs/bin/sh"
  echo "served by $(basename "$b")" >"$b/rootfs/www/index.html"
  (cd "$b" && runc spec)
  net=$(printf '%s\n' "${NET[@]}" | jq -R . | jq -sc .)
  hooks=$(jq -nc --arg p "$BIN/netsetup" --argjson net "$net" '
      {createRuntime: [{path: $p, args: (["netsetup", "up"] + $net)}],
       poststop: [{path: $p, args: (["netsetup", "down"] + $net)}]}')
  jq --argjson hooks "$hooks" --arg ports "$ports" --arg h "$(basename "$b")" '
      .process.terminal = false
    | .process.args = ["/bin/busybox", "httpd", "-f", "-p", "80", "-h", "/www"]
    | .hostname = $h
    | .hooks = $hooks
    | .annotations = {"org.ocikit.net.mode": "bridge", "org.ocikit.net.ports": $ports}' \
    "$b/config.json" >"$b/config.json.new"
  mv "$b/config.json.new" "$b/config.json"
}

# rt RUNTIME ARGS…: the runtime with a private state root (crun through
# tests/lib/crun_hybrid, for this hybrid-cgroup host).
rt() {
  local r=$1 exe=$1
  shift
  [ "$r" = crun ] && exe=$SRC/tests/lib/crun_hybrid
  "$exe" --root "$TESTTMP/$r-root" "$@"
}

start_container() { # RUNTIME ID BUNDLE
  defer rt "$1" delete -f "$2"
  rt "$1" run -d --bundle "$3" "$2" </dev/null >"$TESTTMP/$2.out" 2>&1 || {
    cat "$TESTTMP/$2.out"
    return 1
  }
}

container_pid() { rt "$1" state "$2" | jq -r .pid; }

roundtrip() {
  local r=$1 port
  command -v "$r" >/dev/null || skip "$r not installed"
  port=$(free_port)
  make_bundle "$TESTTMP/web" "$(ports_json "$port:80")"
  make_bundle "$TESTTMP/client" "[]"
  start_container "$r" "web-$NS_TAG" "$TESTTMP/web"
  start_container "$r" "client-$NS_TAG" "$TESTTMP/client"
  wpid=$(container_pid "$r" "web-$NS_TAG")
  cpid=$(container_pid "$r" "client-$NS_TAG")
  waddr=$(ns_addr "$wpid")
  [[ $waddr == 10.213.1.* ]]
  [ "$(lease_count)" -eq 2 ]
  # container to container, by address
  run rt "$r" exec "client-$NS_TAG" /bin/busybox wget -q -O - "http://$waddr/"
  [ "$output" = "served by web" ]
  # the published port: from the host (bridge address and 127.0.0.1) and
  # from the other container (hairpin through the host)
  run curl -sS -m 5 "http://127.0.0.1:$port/"
  [ "$output" = "served by web" ]
  run curl -sS -m 5 "http://$NS_GW:$port/"
  [ "$output" = "served by web" ]
  run rt "$r" exec "client-$NS_TAG" /bin/busybox wget -q -O - "http://$NS_GW:$port/"
  [ "$output" = "served by web" ]
  # resolv.conf and hosts written for the container
  run rt "$r" exec "web-$NS_TAG" /bin/busybox cat /etc/hosts
  [[ $output == *"$waddr	web"* ]]
  run rt "$r" exec "web-$NS_TAG" /bin/busybox cat /etc/resolv.conf
  [[ $output != *"nameserver 127."* ]]
  # poststop at delete detaches
  rt "$r" kill "web-$NS_TAG" KILL
  sleep 0.3
  rt "$r" delete "web-$NS_TAG"
  rt "$r" kill "client-$NS_TAG" KILL
  sleep 0.3
  rt "$r" delete "client-$NS_TAG"
  [ "$(lease_count)" -eq 0 ]
  [ "$(ip -o link show master "$NS_BRIDGE" | wc -l)" -eq 0 ]
  ! nft list map ip "$NS_TABLE" dnat_any | grep -q "$port"
}

@test "runc: hooks attach two containers, port published, poststop detaches" {
  roundtrip runc
}

@test "crun: hooks attach two containers, port published, poststop detaches" {
  roundtrip crun
}

# failing_hook RUNTIME: a bad annotation makes the hook fail, the create
# aborts, nothing is left.
failing_hook() {
  local r=$1
  command -v "$r" >/dev/null || skip "$r not installed"
  make_bundle "$TESTTMP/bad" "$(ports_json 99999:80)"
  defer rt "$r" delete -f "bad-$NS_TAG"
  run rt "$r" run -d --bundle "$TESTTMP/bad" "bad-$NS_TAG" </dev/null
  [ "$status" -ne 0 ]
  [[ $output == *"hostPort 99999 out of range 1-65535"* ]]
  [ "$(lease_count)" -eq 0 ]
  ! ip link show "$NS_BRIDGE" 2>/dev/null
}

@test "runner: hooks attach two containers, port published, poststop detaches" {
  roundtrip runner
}

@test "runc: a failing hook (bad annotation) aborts the create and leaves nothing" {
  failing_hook runc
}

@test "runner: a failing hook (bad annotation) aborts the create and leaves nothing" {
  failing_hook runner
}

@test "the pipeline: img-unpack | mkbundle --net bridge -p, under runc (hooks pointed at the test network)" {
  command -v runc >/dev/null || skip "runc not installed"
  lay=$(fixture_layout busybox)
  port=$(free_port)
  b=$TESTTMP/pipe
  img-unpack -q --store "$lay" -o "$b/rootfs" busybox:latest \
    | mkbundle -q --store "$lay" --net bridge -p "$port:80" -h piped - "$b" \
        -- /bin/busybox httpd -f -p 80 -h /www >/dev/null
  mkdir -p "$b/rootfs/www"
  echo "from the pipeline" >"$b/rootfs/www/index.html"
  # mkbundle's hooks use the default network; keep the test on its own.
  net=$(printf '%s\n' "${NET[@]}" | jq -R . | jq -sc .)
  jq --argjson net "$net" '.hooks.createRuntime[0].args += $net | .hooks.poststop[0].args += $net' \
    "$b/config.json" >"$b/config.new" && mv "$b/config.new" "$b/config.json"
  start_container runc "pipe-$NS_TAG" "$b"
  pid=$(container_pid runc "pipe-$NS_TAG")
  addr=$(ns_addr "$pid")
  run curl -sS -m 5 "http://127.0.0.1:$port/"
  [ "$output" = "from the pipeline" ]
  # mkbundle bind-mounts BUNDLE/hosts and BUNDLE/resolv.conf: written in place
  run rt runc exec "pipe-$NS_TAG" /bin/busybox cat /etc/hosts
  [[ $output == *"$addr	piped"* ]]
  grep -q "$addr	piped" "$b/hosts"
  rt runc kill "pipe-$NS_TAG" KILL
  sleep 0.3
  rt runc delete "pipe-$NS_TAG"
  [ "$(lease_count)" -eq 0 ]
  [ "$(ip -o link show master "$NS_BRIDGE" | wc -l)" -eq 0 ]
}
