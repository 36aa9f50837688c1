#!/usr/bin/env bats
# Offline sources (oci:DIR[:NAME], oci-archive:FILE[:NAME]) and interop:
# skopeo and umoci read our store; we read layouts skopeo wrote.
load ../lib/common
load ../lib/registry

setup_file() {
  registry_setup_file
  registry_start plain
  registry_push "$(fixture_layout busybox)" busybox:latest "127.0.0.1:$REG_plain_PORT/library/busybox:latest"
  registry_push "$(fixture_layout index)" multi:latest "127.0.0.1:$REG_plain_PORT/multi:latest"
}

teardown_file() { registry_teardown_file; }

@test "layout: oci:DIR:NAME copies the image verified into the store" {
  lay=$(fixture_layout busybox)
  d=$(jq -r '.manifests[0].digest' "$lay/index.json")
  run img-fetch -q --store "$TESTTMP/store" "oci:$lay:busybox:latest"
  [ "$status" -eq 0 ]
  [ "$output" = "docker.io/library/busybox:latest@$d" ]
  store_verify "$TESTTMP/store"
  # oci:DIR alone takes the layout's only image, named by its annotation
  run img-fetch -q --store "$TESTTMP/s2" "oci:$lay"
  [ "$status" -eq 0 ]
  [ "$output" = "docker.io/library/busybox:latest@$d" ]
}

@test "layout: oci-archive:FILE and an index with --platform" {
  tar -C "$(fixture_layout busybox)" -cf "$TESTTMP/bb.tar" .
  run img-fetch -q --store "$TESTTMP/store" "oci-archive:$TESTTMP/bb.tar:busybox:latest"
  [ "$status" -eq 0 ]
  [[ "$output" == "docker.io/library/busybox:latest@sha256:"* ]]
  run img-fetch -q --store "$TESTTMP/store" --platform linux/arm64 "oci:$(fixture_layout index):multi:latest"
  [ "$status" -eq 0 ]
  d=${output##*@}
  cfg=$(jq -r .config.digest "$TESTTMP/store/blobs/sha256/${d#sha256:}")
  jq -e '.architecture == "arm64"' "$TESTTMP/store/blobs/sha256/${cfg#sha256:}"
  store_verify "$TESTTMP/store"
}

@test "layout: missing layouts, names and corrupt blobs are one-line errors" {
  run img-fetch -q --store "$TESTTMP/store" "oci:$TESTTMP/nothing:x"
  assert_one_line_error
  [[ "$output" == "img-fetch: oci:$TESTTMP/nothing:x: "* ]]
  run img-fetch -q --store "$TESTTMP/store" "oci:$(fixture_layout busybox):nosuch:tag"
  assert_one_line_error
  [[ "$output" == *"no image named \`nosuch:tag\`"* ]]
  run img-fetch -q --store "$TESTTMP/store" "oci-archive:$TESTTMP/none.tar"
  assert_one_line_error
  cp -r "$(fixture_layout busybox)" "$TESTTMP/bad"
  cfg=$(jq -r .config.digest "$TESTTMP/bad/blobs/sha256/$(jq -r '.manifests[0].digest' "$TESTTMP/bad/index.json" | cut -d: -f2)")
  layer=$(jq -r '.layers[0].digest' "$TESTTMP/bad/blobs/sha256/$(jq -r '.manifests[0].digest' "$TESTTMP/bad/index.json" | cut -d: -f2)")
  printf 'X' | dd of="$TESTTMP/bad/blobs/sha256/${layer#sha256:}" bs=1 seek=100 conv=notrunc 2>/dev/null
  run img-fetch -q --store "$TESTTMP/store" "oci:$TESTTMP/bad:busybox:latest"
  assert_one_line_error
  [[ "$output" == *"digest mismatch"* ]]
  [ ! -e "$TESTTMP/store/blobs/sha256/${layer#sha256:}" ]
  store_verify "$TESTTMP/store"
}

@test "interop: skopeo copies out of our store; umoci unpacks from it" {
  R=127.0.0.1:$REG_plain_PORT
  img-fetch -q --store "$TESTTMP/store" "$R/library/busybox" >/dev/null
  img-fetch -q --store "$TESTTMP/store" "$R/multi" >/dev/null
  skopeo copy -q "oci:$TESTTMP/store:$R/library/busybox:latest" "oci:$TESTTMP/other:x"
  skopeo copy -q "oci:$TESTTMP/store:$R/multi:latest" "oci:$TESTTMP/other:y"
  store_verify "$TESTTMP/other"
  umoci unpack --image "$TESTTMP/store:$R/library/busybox:latest" "$TESTTMP/bundle" >/dev/null 2>&1
  [ -x "$TESTTMP/bundle/rootfs/bin/busybox" ]
  [ -L "$TESTTMP/bundle/rootfs/bin/sh" ]
}

@test "interop: a layout skopeo wrote from the registry is readable by us" {
  R=127.0.0.1:$REG_plain_PORT
  skopeo copy -q --src-tls-verify=false "docker://$R/library/busybox:latest" "oci:$TESTTMP/sk:bb"
  skopeo copy -q --src-tls-verify=false "docker://$R/multi:latest" "oci:$TESTTMP/sk:multi"
  run img-fetch -q --store "$TESTTMP/store" "oci:$TESTTMP/sk:bb"
  [ "$status" -eq 0 ]
  [[ "$output" == "docker.io/library/bb:latest@sha256:"* ]]
  run img-fetch -q --store "$TESTTMP/store" "oci:$TESTTMP/sk:multi"
  [ "$status" -eq 0 ]
  store_verify "$TESTTMP/store"
  # a pinned token from a registry pull names the same manifest skopeo kept
  t=$(img-fetch -q --store "$TESTTMP/store" "$R/library/busybox")
  grep -q "${t##*@}" "$TESTTMP/sk/index.json"
}

@test "layout: an unnamed image takes its name from the command line" {
  R=127.0.0.1:$REG_plain_PORT
  skopeo copy -q --src-tls-verify=false "docker://$R/library/busybox:latest" "oci:$TESTTMP/anon"
  run img-fetch -q --store "$TESTTMP/store" "oci:$TESTTMP/anon"
  assert_one_line_error
  [[ "$output" == *"no name in the layout: give one (oci:PATH:NAME)"* ]]
  # the only image, unnamed: the name given names it in the store
  run img-fetch -q --store "$TESTTMP/store" "oci:$TESTTMP/anon:mine/busybox:1"
  [ "$status" -eq 0 ]
  [[ "$output" == "docker.io/mine/busybox:1@sha256:"* ]]
}

@test "layout: oci-archive: compressed archives, and corrupt blobs refused" {
  tar -C "$(fixture_layout index)" -czf "$TESTTMP/idx.tar.gz" .
  run img-fetch -q --store "$TESTTMP/store" --platform linux/arm64 "oci-archive:$TESTTMP/idx.tar.gz:multi:latest"
  [ "$status" -eq 0 ]
  store_verify "$TESTTMP/store"
  cp -r "$(fixture_layout busybox)" "$TESTTMP/bad"
  m=$(jq -r '.manifests[0].digest' "$TESTTMP/bad/index.json")
  cfg=$(jq -r .config.digest "$TESTTMP/bad/blobs/sha256/${m#sha256:}")
  sed -i 's/sh/zz/' "$TESTTMP/bad/blobs/sha256/${cfg#sha256:}"
  tar -C "$TESTTMP/bad" -cf "$TESTTMP/bad.tar" .
  run img-fetch -q --store "$TESTTMP/s2" "oci-archive:$TESTTMP/bad.tar:busybox:latest"
  assert_one_line_error
  [[ "$output" == "img-fetch: oci-archive:$TESTTMP/bad.tar:busybox:latest: "*"digest mismatch"* ]]
  [ ! -e "$TESTTMP/s2/blobs/sha256/${cfg#sha256:}" ]
  [ "$(jq '.manifests | length' "$TESTTMP/s2/index.json")" -eq 0 ]
}
