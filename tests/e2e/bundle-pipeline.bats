#!/usr/bin/env bats
# The pipeline as users write it: img-unpack | mkbundle | runtime, with
# the pinned reference flowing on stdout; and --net bridge, whose
# netsetup hooks give the container eth0 and are undone when it ends.
load ../lib/common
load ../lib/bundle_helpers

setup() {
  common_setup
  command -v runc >/dev/null || skip "runc is not installed"
  LAYOUT=$(fixture_layout bundle-app)
  B=$TESTTMP/b
}

@test "img-unpack | mkbundle | runc runs the image" {
  img-unpack -q --store "$LAYOUT" -o "$B/rootfs" app:latest \
    | mkbundle -q --store "$LAYOUT" "$B" -- piped >"$TESTTMP/out" 2>/dev/null
  [ "$(cat "$TESTTMP/out")" = "$B" ]
  python3 "$BUNDLE_SCHEMA_CHECK" "$B/config.json"
  run_container runc "$B"
  [ "$status" -eq 0 ]
  [ "$output" = "app piped" ]
}

@test "img-fetch | img-unpack | mkbundle | runc, offline from an OCI layout into a fresh store" {
  local store=$TESTTMP/store
  img-fetch -q --store "$store" "oci:$LAYOUT:app:latest" \
    | img-unpack -q --store "$store" -o "$B/rootfs" \
    | mkbundle -q --store "$store" "$B" -- three stages >"$TESTTMP/out" 2>/dev/null
  [ "$(cat "$TESTTMP/out")" = "$B" ]
  python3 "$BUNDLE_SCHEMA_CHECK" "$B/config.json"
  run_container runc "$B"
  [ "$status" -eq 0 ]
  [ "$output" = "app three stages" ]
}

@test "--net bridge: netsetup gives eth0 an address and /etc/hosts its name, and undoes it" {
  [ -x "$BIN/netsetup" ] || skip "netsetup is not built"
  # veths on the default bridge only: other tests use bridges of their own
  veths_before=$(ip -o link show master ocikit0 2>/dev/null | wc -l)
  img-unpack -q --store "$LAYOUT" -o "$B/rootfs" app:latest >/dev/null
  LAYOUT=$LAYOUT mkb --rootfs "$B/rootfs" --net bridge --hostname bridged --entrypoint "" app:latest "$B" \
    -- sh -c 'ip -4 -o addr show eth0; grep bridged /etc/hosts'
  run_container runc "$B"
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == *"eth0"*"inet 10."* ]]
  [[ "${lines[1]}" == 10.*bridged ]]
  [ "$(ip -o link show master ocikit0 2>/dev/null | wc -l)" -eq "$veths_before" ]
}
