#!/usr/bin/env bats
# 50 containers attached at once get 50 distinct addresses; after all are
# detached nothing of them remains (ip link and nft ruleset compared).
load ../lib/common
load ../lib/netsetup_helpers

setup() { netsetup_setup; }
teardown() { common_teardown; }

# The links this test can leave behind: its bridge and the host ends of its
# veths (named "oc" + 12 hex digits of the id's sha256, see netsetup/veth.c).
# Only those are compared: other tests running at the same time on this
# machine add and remove links of their own.
own_links() {
  local names=("$NS_BRIDGE") i
  for i in $(seq 50); do
    names+=("oc$(printf %s "c$i" | sha256sum | cut -c1-12)")
  done
  ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -Fx "${names[@]/#/-e}" | sort || true
}

@test "50 concurrent ups: 50 distinct addresses; after 50 downs and prune the host is as before" {
  links_before=$(own_links)
  rules_before=$(nft list table ip "$NS_TABLE" 2>/dev/null || true)
  pids=()
  for i in $(seq 50); do
    fake_container p
    pids+=("$p")
  done
  hooks=()
  for i in $(seq 50); do
    net_up "c$i" "${pids[i - 1]}" "$(ports_json "$((20000 + i)):80")" 2>"$TESTTMP/err$i" &
    hooks+=($!)
  done
  for h in "${hooks[@]}"; do
    wait "$h" || { cat "$TESTTMP"/err*; false; }
  done
  for p in "${pids[@]}"; do ns_addr "$p"; done | sort >"$TESTTMP/addrs"
  [ "$(wc -l <"$TESTTMP/addrs")" -eq 50 ]
  [ "$(sort -u "$TESTTMP/addrs" | wc -l)" -eq 50 ]
  ! grep -qx "$NS_GW" "$TESTTMP/addrs"
  [ "$(lease_count)" -eq 50 ]
  [ "$(ip -o link show master "$NS_BRIDGE" | wc -l)" -eq 50 ]
  [ "$(nft list map ip "$NS_TABLE" dnat_any | grep -o ' : 10\.213\.' | wc -l)" -eq 50 ]
  # neighbours reach each other
  in_ns "${pids[0]}" busybox ping -c 1 -W 2 "$(ns_addr "${pids[49]}")"

  hooks=()
  for i in $(seq 50); do
    net_down "c$i" 2>"$TESTTMP/err$i" &
    hooks+=($!)
  done
  for h in "${hooks[@]}"; do
    wait "$h" || { cat "$TESTTMP"/err*; false; }
  done
  [ "$(lease_count)" -eq 0 ]
  [ "$(ip -o link show master "$NS_BRIDGE" | wc -l)" -eq 0 ]
  ! nft list map ip "$NS_TABLE" dnat_any | grep -q ' : '
  "$BIN/netsetup" prune "${NET[@]}"
  links_after=$(own_links)
  [ "$links_before" = "$links_after" ]
  [ "$rules_before" = "$(nft list table ip "$NS_TABLE" 2>/dev/null || true)" ]
}
