#!/usr/bin/env bats
# img-fetch against Debian's docker-registry: references, manifests of all
# four kinds, platform choice, the store, the pipeline token.
load ../lib/common
load ../lib/registry

setup_file() {
  registry_setup_file
  registry_start plain
  R=127.0.0.1:$REG_plain_PORT
  registry_push "$(fixture_layout busybox)" busybox:latest "$R/library/busybox:latest"
  registry_push "$(fixture_layout busybox)" busybox:latest "$R/tools/busybox:1.0"
  registry_push "$(fixture_layout index)" multi:latest "$R/multi:latest"
  # Docker schema2 media types (skopeo converts; the digest changes)
  skopeo copy -q --format v2s2 --dest-tls-verify=false \
    "oci:$(fixture_layout busybox):busybox:latest" "docker://$R/docker/busybox:v2s2" >/dev/null
  # the same storage behind TLS (a self-signed certificate)
  registry_start tls "$REG_plain_DATA" "" "$(tls_http_yaml)"
  export R
}

teardown_file() { registry_teardown_file; }

digest_of() { # REPO REF -> the registry's digest of a manifest
  curl -fsI -H "Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json" \
    "http://$R/v2/$1/manifests/$2" | tr -d '\r' | sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: //p'
}

@test "fetch: a tag pulls into the store and prints the pinned reference" {
  want=$(digest_of library/busybox latest)
  run img-fetch --store "$TESTTMP/store" "$R/library/busybox"
  [ "$status" -eq 0 ]
  [ "$output" = "$R/library/busybox:latest@$want" ]
  jq -e --arg n "$R/library/busybox:latest" --arg d "$want" \
    '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $n) | .digest == $d' \
    "$TESTTMP/store/index.json"
  store_verify "$TESTTMP/store"
  img-fetch --store "$TESTTMP/store" --verify-store
}

@test "fetch: OCIKIT_STORE names the store; stdout carries only the token" {
  OCIKIT_STORE=$TESTTMP/envstore img-fetch "$R/tools/busybox:1.0" >"$TESTTMP/out" 2>"$TESTTMP/err"
  [ "$(wc -l <"$TESTTMP/out")" -eq 1 ]
  grep -q "^$R/tools/busybox:1.0@sha256:[0-9a-f]\{64\}$" "$TESTTMP/out"
  [ ! -s "$TESTTMP/err" ]
  [ -f "$TESTTMP/envstore/oci-layout" ]
}

@test "fetch: a digest reference is checked and pinned; name:tag@digest keeps the tag" {
  want=$(digest_of library/busybox latest)
  run img-fetch -q --store "$TESTTMP/store" "$R/library/busybox@$want"
  [ "$status" -eq 0 ]
  [ "$output" = "$R/library/busybox@$want" ]
  run img-fetch -q --store "$TESTTMP/store" "$R/library/busybox:latest@$want"
  [ "$status" -eq 0 ]
  [ "$output" = "$R/library/busybox:latest@$want" ]
}

@test "fetch: a second pull fetches no blob again" {
  img-fetch -q --store "$TESTTMP/store" "$R/library/busybox" >/dev/null
  reg_proxy_start "$REG_plain_PORT"
  run img-fetch -q --store "$TESTTMP/store" "127.0.0.1:$PROXY_PORT/library/busybox"
  [ "$status" -eq 0 ]
  ! grep -q /blobs/ "$PROXY_LOG"
  # the HEAD names a manifest the store has: no GET (pull limits)
  grep -q "^HEAD /v2/library/busybox/manifests/latest .* -> 200" "$PROXY_LOG"
  ! grep -q "^GET /v2/library/busybox/manifests/" "$PROXY_LOG"
}

@test "fetch: a second pull of a multi-platform tag needs only the HEAD" {
  first=$(img-fetch -q --store "$TESTTMP/store" "$R/multi")
  reg_proxy_start "$REG_plain_PORT"
  run img-fetch -q --store "$TESTTMP/store" "127.0.0.1:$PROXY_PORT/multi"
  [ "$status" -eq 0 ]
  [ "${output##*@}" = "${first##*@}" ]
  [ "$(grep -c . "$PROXY_LOG")" -eq 1 ]  # the HEAD (no /v2/ ping for a loopback registry)
  grep -q "^HEAD /v2/multi/manifests/latest" "$PROXY_LOG"
  store_verify "$TESTTMP/store"
}

@test "fetch: an index yields the host's platform; attestations are skipped" {
  run img-fetch -q --store "$TESTTMP/store" "$R/multi"
  [ "$status" -eq 0 ]
  pinned=$output
  d=${pinned##*@}
  [ "$d" != "$(digest_of multi latest)" ]  # the platform manifest, not the index
  cfg=$(jq -r .config.digest "$TESTTMP/store/blobs/sha256/${d#sha256:}")
  jq -e '.architecture == "amd64"' "$TESTTMP/store/blobs/sha256/${cfg#sha256:}"
  store_verify "$TESTTMP/store"
}

@test "fetch: --platform linux/arm64 picks the arm64 image" {
  run img-fetch -q --store "$TESTTMP/store" --platform linux/arm64 "$R/multi"
  [ "$status" -eq 0 ]
  d=${output##*@}
  cfg=$(jq -r .config.digest "$TESTTMP/store/blobs/sha256/${d#sha256:}")
  jq -e '.architecture == "arm64"' "$TESTTMP/store/blobs/sha256/${cfg#sha256:}"
}

@test "fetch: a platform the index lacks is one clear error" {
  run img-fetch -q --store "$TESTTMP/store" --platform linux/s390x "$R/multi"
  assert_one_line_error
  [[ "$output" == "img-fetch: $R/multi:latest: no manifest for platform linux/s390x"* ]]
  [[ "$output" == *"linux/amd64"*"linux/arm64/v8"* ]]
  [[ "$output" != *unknown/unknown* ]]
}

@test "fetch: Docker schema2 manifests keep the registry's digest" {
  want=$(digest_of docker/busybox v2s2)
  run img-fetch -q --store "$TESTTMP/store" "$R/docker/busybox:v2s2"
  [ "$status" -eq 0 ]
  [ "$output" = "$R/docker/busybox:v2s2@$want" ]
  jq -e '.manifests[0].mediaType == "application/vnd.docker.distribution.manifest.v2+json"' \
    "$TESTTMP/store/index.json"
  store_verify "$TESTTMP/store"
}

@test "fetch: unknown repository and unknown tag are one-line errors" {
  run img-fetch -q --store "$TESTTMP/store" "$R/library/nothere"
  assert_one_line_error
  [[ "$output" == "img-fetch: $R/library/nothere:latest: "*"manifest unknown"* ]] ||
    [[ "$output" == "img-fetch: $R/library/nothere:latest: "*"name unknown"* ]]
  run img-fetch -q --store "$TESTTMP/store" "$R/library/busybox:nosuchtag"
  assert_one_line_error
  [[ "$output" == "img-fetch: $R/library/busybox:nosuchtag: "*"unknown"* ]]
  [ "$(jq '.manifests | length' "$TESTTMP/store/index.json")" -eq 0 ]
}

@test "fetch: bad references and options are refused (exit 2 for usage)" {
  run img-fetch --store "$TESTTMP/store" "UPPER/case"
  assert_one_line_error
  [[ "$output" == *"lowercase"* ]]
  run img-fetch --store "$TESTTMP/store" "$R/x@sha256:123"
  assert_one_line_error
  run img-fetch --store "$TESTTMP/store" --platform bogus "$R/x"
  [ "$status" -eq 2 ]
  run img-fetch --store "$TESTTMP/store"
  [ "$status" -eq 2 ]
}

@test "fetch: a port with nothing behind it is one clear error" {
  port=$(free_port)
  run img-fetch -q --store "$TESTTMP/store" "127.0.0.1:$port/library/busybox"
  assert_one_line_error
  [[ "$output" == "img-fetch: 127.0.0.1:$port/library/busybox:latest: "*"onnect"* ]]
}

@test "fetch: two pulls into one store at once" {
  img-fetch -q --store "$TESTTMP/store" "$R/library/busybox" >"$TESTTMP/a" &
  a=$!
  img-fetch -q --store "$TESTTMP/store" "$R/multi" >"$TESTTMP/b" &
  b=$!
  img-fetch -q --store "$TESTTMP/store" "$R/tools/busybox:1.0" >"$TESTTMP/c"
  wait $a
  wait $b
  [ "$(jq '.manifests | length' "$TESTTMP/store/index.json")" -eq 3 ]
  store_verify "$TESTTMP/store"
}

@test "fetch: several references in one run, one token each" {
  run img-fetch -q --store "$TESTTMP/store" "$R/library/busybox" "$R/multi"
  [ "$status" -eq 0 ]
  [ "${#lines[@]}" -eq 2 ]
  [[ "${lines[0]}" == "$R/library/busybox:latest@sha256:"* ]]
  [[ "${lines[1]}" == "$R/multi:latest@sha256:"* ]]
}

@test "fetch: the progress display goes to a terminal's stderr, not with -q" {
  script -qec "img-fetch --store $TESTTMP/store $R/library/busybox" /dev/null >"$TESTTMP/tty"
  grep -q "blobs" "$TESTTMP/tty"
  grep -q "B/s" "$TESTTMP/tty"
  rm -rf "$TESTTMP/store"
  script -qec "img-fetch -q --store $TESTTMP/store $R/library/busybox" /dev/null >"$TESTTMP/tty"
  ! grep -q "blobs" "$TESTTMP/tty"
}

@test "fetch: a pinned reference already in the store needs no registry" {
  t=$(img-fetch -q --store "$TESTTMP/store" "$R/multi")
  reg_proxy_start "$REG_plain_PORT"
  pinned="127.0.0.1:$PROXY_PORT/multi@${t##*@}"
  run img-fetch -q --store "$TESTTMP/store" "$pinned"
  [ "$status" -eq 0 ]
  [ "$output" = "$pinned" ]
  [ ! -s "$PROXY_LOG" ]
  # by the index's digest too (the platform is chosen from the stored index)
  idx=$(digest_of multi latest)
  run img-fetch -q --store "$TESTTMP/store" "127.0.0.1:$PROXY_PORT/multi@$idx"
  [ "$status" -eq 0 ]
  [ "$output" = "$pinned" ]
  [ ! -s "$PROXY_LOG" ]
}

@test "fetch: a loopback registry speaking TLS is used over HTTPS, others over HTTP" {
  run img-fetch -v --store "$TESTTMP/store" "127.0.0.1:$REG_tls_PORT/library/busybox"
  [ "$status" -eq 0 ]
  [[ "$output" == *"registry at https://127.0.0.1:$REG_tls_PORT"* ]]
  [[ "${lines[-1]}" == "127.0.0.1:$REG_tls_PORT/library/busybox:latest@sha256:"* ]]
  store_verify "$TESTTMP/store"
  run img-fetch -v --store "$TESTTMP/store" "$R/library/busybox"
  [ "$status" -eq 0 ]
  [[ "$output" == *"registry at http://$R"* ]]
}
