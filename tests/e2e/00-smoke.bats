#!/usr/bin/env bats
# Every program is built and answers --version.
load ../lib/common

@test "every program answers --version" {
  for p in img-fetch img-unpack mkbundle runner netsetup; do
    run "$BIN/$p" --version
    [ "$status" -eq 0 ]
    [[ "$output" == "$p "* ]]
  done
}

@test "the busybox fixture builds offline into an OCI layout" {
  lay=$(fixture_layout busybox)
  [ -f "$lay/oci-layout" ]
  grep -q '"busybox:latest"' "$lay/index.json"
}
