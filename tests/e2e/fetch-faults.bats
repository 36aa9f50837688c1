#!/usr/bin/env bats
# img-fetch under faults injected by tests/lib/registry_proxy.py in front of
# a real docker-registry: cuts, 5xx, 429, corrupt and malformed manifests
# and blobs, SIGKILL mid-pull. Nothing unverified may enter the store.
load ../lib/common
load ../lib/registry

setup_file() {
  registry_setup_file
  registry_start plain
  registry_push "$(fixture_layout busybox)" busybox:latest "127.0.0.1:$REG_plain_PORT/library/busybox:latest"
}

teardown_file() { registry_teardown_file; }

pull() { # pull through the proxy
  run img-fetch -q --store "$TESTTMP/store" "127.0.0.1:$PROXY_PORT/library/busybox" "$@"
}

store_is_empty() {
  [ -z "$(ls -A "$TESTTMP/store/blobs/sha256" 2>/dev/null)" ] &&
    [ -z "$(ls -A "$TESTTMP/store/blobs/tmp" 2>/dev/null)" ] &&
    [ "$(jq '.manifests | length' "$TESTTMP/store/index.json")" -eq 0 ]
}

@test "faults: a blob cut in the middle is resumed with Range (206)" {
  reg_proxy_start "$REG_plain_PORT" --fault 'blob-cut*2'
  pull
  [ "$status" -eq 0 ]
  grep -q 'blobs/.* range=- .* -> 200 cut' "$PROXY_LOG"
  grep -q 'blobs/.* range=bytes=[1-9][0-9]*- .* -> 206' "$PROXY_LOG"
  store_verify "$TESTTMP/store"
}

@test "faults: a server that ignores Range (200 after a cut) makes the blob start over" {
  reg_proxy_start "$REG_plain_PORT" --fault 'blob-cut*2' --fault 'blob-ignore-range*2'
  pull
  [ "$status" -eq 0 ]
  grep -q 'range=bytes=[1-9][0-9]*- .* -> 200$' "$PROXY_LOG"
  store_verify "$TESTTMP/store"
}

@test "faults: 500 then 200 on manifest and blobs" {
  reg_proxy_start "$REG_plain_PORT" --fault manifest-500 --fault 'blob-500*2'
  pull
  [ "$status" -eq 0 ]
  [ "$(grep -c -- '-> 500' "$PROXY_LOG")" -eq 3 ]
  store_verify "$TESTTMP/store"
}

@test "faults: 429 with Retry-After is honoured" {
  reg_proxy_start "$REG_plain_PORT" --fault manifest-429:1 --fault blob-429:1
  start=$(date +%s%N)
  pull
  end=$(date +%s%N)
  [ "$status" -eq 0 ]
  [ "$(grep -c -- '-> 429' "$PROXY_LOG")" -eq 2 ]
  # two waits of one second each (the manifest's, then a blob's)
  [ $(( (end - start) / 1000000 )) -ge 1900 ]
  store_verify "$TESTTMP/store"
}

@test "faults: a connection closed without an answer is retried" {
  reg_proxy_start "$REG_plain_PORT" --fault 'drop*2'
  pull
  [ "$status" -eq 0 ]
  store_verify "$TESTTMP/store"
}

@test "faults: a blob that keeps failing gives up with one line" {
  reg_proxy_start "$REG_plain_PORT" --fault 'blob-500*always'
  pull
  assert_one_line_error
  [[ "$output" == "img-fetch: 127.0.0.1:$PROXY_PORT/library/busybox:latest: blob sha256:"*"gave up after 5 attempts"* ]]
  store_is_empty
}

@test "faults: a corrupted blob never enters the store" {
  reg_proxy_start "$REG_plain_PORT" --fault 'blob-corrupt*always'
  pull
  assert_one_line_error
  [[ "$output" == "img-fetch: 127.0.0.1:$PROXY_PORT/library/busybox:latest: blob sha256:"*"digest mismatch"* ]]
  store_is_empty
  store_verify "$TESTTMP/store"
}

@test "faults: a corrupted manifest is refused (Docker-Content-Digest)" {
  reg_proxy_start "$REG_plain_PORT" --fault 'manifest-corrupt*always'
  pull
  assert_one_line_error
  [[ "$output" == *"manifest digest mismatch: Docker-Content-Digest says sha256:"* ]]
  store_is_empty
}

@test "faults: a manifest not matching the digest asked for is refused" {
  d=$(jq -r '.manifests[0].digest' "$(fixture_layout busybox)/index.json")
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":2},"layers":[]}' \
    "$d" >"$TESTTMP/other.json"
  reg_proxy_start "$REG_plain_PORT" \
    --fault "manifest-body:$TESTTMP/other.json:application/vnd.oci.image.manifest.v1+json"
  run img-fetch -q --store "$TESTTMP/store" "127.0.0.1:$PROXY_PORT/library/busybox@$d"
  assert_one_line_error
  [[ "$output" == *"manifest digest mismatch: asked for $d"* ]]
  store_is_empty
}

@test "faults: malformed manifest JSON" {
  printf '{"schemaVersion": 2, "config": ' >"$TESTTMP/bad.json"
  reg_proxy_start "$REG_plain_PORT" \
    --fault "manifest-body:$TESTTMP/bad.json:application/vnd.oci.image.manifest.v1+json"
  pull
  assert_one_line_error
  [[ "$output" == "img-fetch: 127.0.0.1:$PROXY_PORT/library/busybox:latest: manifest is not valid JSON"* ]]
  store_is_empty
}

@test "faults: unsupported manifest media type" {
  echo '{"schemaVersion":2,"artifactType":"application/x-thing","blobs":[]}' >"$TESTTMP/art.json"
  reg_proxy_start "$REG_plain_PORT" \
    --fault "manifest-body:$TESTTMP/art.json:application/vnd.example.artifact.v1+json"
  pull
  assert_one_line_error
  [[ "$output" == *"unsupported media type \`application/vnd.example.artifact.v1+json\`"* ]]
}

@test "faults: Docker schema1 is refused clearly" {
  echo '{"schemaVersion":1,"name":"library/busybox","tag":"latest","architecture":"amd64","fsLayers":[],"history":[]}' >"$TESTTMP/s1.json"
  reg_proxy_start "$REG_plain_PORT" \
    --fault "manifest-body:$TESTTMP/s1.json:application/vnd.docker.distribution.manifest.v1+prettyjws"
  pull
  assert_one_line_error
  [[ "$output" == *"unsupported manifest type (deprecated Docker schema1)"* ]]
}

@test "faults: SIGKILL during a pull, then a second pull completes and the store verifies" {
  reg_proxy_start "$REG_plain_PORT" --fault 'blob-slow:3*always'
  img-fetch -q --store "$TESTTMP/store" "127.0.0.1:$PROXY_PORT/library/busybox" &
  pid=$!
  defer kill -9 "$pid"
  for _ in $(seq 100); do grep -q '/blobs/' "$PROXY_LOG" 2>/dev/null && break; sleep 0.05; done
  sleep 0.5
  kill -9 "$pid"
  wait "$pid" || true
  [ "$(jq '.manifests | length' "$TESTTMP/store/index.json")" -eq 0 ]
  store_verify "$TESTTMP/store"
  img-fetch --store "$TESTTMP/store" --verify-store
  run img-fetch -q --store "$TESTTMP/store" "127.0.0.1:$REG_plain_PORT/library/busybox"
  [ "$status" -eq 0 ]
  store_verify "$TESTTMP/store"
  img-fetch --store "$TESTTMP/store" --verify-store
}

@test "faults: a blob the registry does not have is one clear error" {
  lay=$(fixture_layout busybox)
  m=$(jq -r '.manifests[0].digest' "$lay/index.json")
  jq -c '.layers[0].digest = "sha256:0000000000000000000000000000000000000000000000000000000000000000"' \
    "$lay/blobs/sha256/${m#sha256:}" >"$TESTTMP/m.json"
  reg_proxy_start "$REG_plain_PORT" \
    --fault "manifest-body:$TESTTMP/m.json:application/vnd.oci.image.manifest.v1+json"
  pull
  assert_one_line_error
  [[ "$output" == *"blob sha256:0000000000000000000000000000000000000000000000000000000000000000: blob unknown"*"(HTTP 404 BLOB_UNKNOWN)" ]]
  [ "$(jq '.manifests | length' "$TESTTMP/store/index.json")" -eq 0 ]
  store_verify "$TESTTMP/store"
}
