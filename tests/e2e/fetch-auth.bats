#!/usr/bin/env bats
# img-fetch authentication: Docker-Hub-style bearer tokens from a token
# service (anonymous for public repositories, credentials for a private
# one), blobs redirected to a "CDN" that must not see the token, Basic auth,
# credential files, token refresh on 401.
load ../lib/common
load ../lib/registry

setup_file() {
  registry_setup_file
  registry_start plain
  local lay
  lay=$(fixture_layout busybox)
  registry_push "$lay" busybox:latest "127.0.0.1:$REG_plain_PORT/library/busybox:latest"
  registry_push "$lay" busybox:latest "127.0.0.1:$REG_plain_PORT/private/secret:latest"
  token_service_start hub private/secret alice s3cret
  # the token registry serves the same storage
  registry_start hub "$REG_plain_DATA" "$(token_auth_yaml "$TOKEN_hub_PORT" "$TOKEN_hub_CERT")"
  out=$(reg_proxy_spawn "$REG_hub_PORT" "$REG_HOME/front.log" --cdn "$REG_plain_DATA")
  echo "${out% *}" >>"$REG_HOME/pids"
  HUB=127.0.0.1:${out#* }
  FRONT_LOG=$REG_HOME/front.log
  registry_start basic "$REG_plain_DATA" "$(htpasswd_yaml bob hunter2)"
  BASIC=127.0.0.1:$REG_basic_PORT
  export HUB FRONT_LOG BASIC
}

teardown_file() { registry_teardown_file; }

setup() {
  common_setup
  # no credentials of the machine leak into the tests
  export HOME=$TESTTMP/home XDG_RUNTIME_DIR=$TESTTMP/run XDG_CONFIG_HOME=$TESTTMP/config
  unset REGISTRY_AUTH_FILE
  : >"$FRONT_LOG"
  : >"$TOKEN_hub_LOG"
}

@test "auth: anonymous token for a public repository; blobs via the CDN without the token" {
  run img-fetch -q --store "$TESTTMP/store" "$HUB/library/busybox"
  [ "$status" -eq 0 ]
  [[ "$output" == "$HUB/library/busybox:latest@sha256:"* ]]
  grep -q "^anon /token?service=ocikit-test&scope=repository%3Alibrary%2Fbusybox%3Apull" "$TOKEN_hub_LOG"
  # every blob went through a 307 to the CDN, which saw no Authorization
  [ "$(grep -c 'blobs/sha256:.* auth=yes -> 307' "$FRONT_LOG")" -eq 2 ]
  [ "$(grep -c '^CDN GET .* auth=no -> 200' "$FRONT_LOG")" -eq 2 ]
  ! grep -q '^CDN .* auth=yes' "$FRONT_LOG"
  store_verify "$TESTTMP/store"
}

@test "auth: a private repository without credentials is access denied" {
  run img-fetch -q --store "$TESTTMP/store" "$HUB/private/secret"
  assert_one_line_error
  [[ "$output" == "img-fetch: $HUB/private/secret:latest: access denied"* ]]
  [[ "$output" == *"authentication required"* ]]
}

@test "auth: a private repository with --creds" {
  run img-fetch -q --store "$TESTTMP/store" --creds alice:s3cret "$HUB/private/secret"
  [ "$status" -eq 0 ]
  [[ "$output" == "$HUB/private/secret:latest@sha256:"* ]]
  grep -q "^basic /token?.*account=alice" "$TOKEN_hub_LOG"
  ! grep -q '^CDN .* auth=yes' "$FRONT_LOG"
}

@test "auth: wrong credentials are one clear error" {
  run img-fetch -q --store "$TESTTMP/store" --creds alice:wrong "$HUB/private/secret"
  assert_one_line_error
  [[ "$output" == "img-fetch: $HUB/private/secret:latest: "*"rejected the credentials"* ]]
  [ ! -e "$TESTTMP/store/blobs/sha256" ] || [ -z "$(ls "$TESTTMP/store/blobs/sha256")" ]
}

@test "auth: credentials from REGISTRY_AUTH_FILE and --authfile" {
  auth_json "$TESTTMP/a.json" "$HUB" alice s3cret
  REGISTRY_AUTH_FILE=$TESTTMP/a.json run img-fetch -q --store "$TESTTMP/store" "$HUB/private/secret"
  [ "$status" -eq 0 ]
  auth_json "$TESTTMP/b.json" "$HUB/private" alice s3cret
  run img-fetch -q --store "$TESTTMP/s2" --authfile "$TESTTMP/b.json" "$HUB/private/secret"
  [ "$status" -eq 0 ]
  run img-fetch -q --store "$TESTTMP/s3" --authfile "$TESTTMP/missing.json" "$HUB/private/secret"
  assert_one_line_error
  [[ "$output" == *"missing.json"* ]]
}

@test "auth: credentials from XDG_RUNTIME_DIR/containers/auth.json" {
  auth_json "$XDG_RUNTIME_DIR/containers/auth.json" "$HUB" alice s3cret
  run img-fetch -q --store "$TESTTMP/store" "$HUB/private/secret"
  [ "$status" -eq 0 ]
}

@test "auth: credentials from ~/.docker/config.json (http:// key)" {
  auth_json "$HOME/.docker/config.json" "http://$HUB" alice s3cret
  run img-fetch -q --store "$TESTTMP/store" "$HUB/private/secret"
  [ "$status" -eq 0 ]
}

@test "auth: a broken auth file is named in the error" {
  mkdir -p "$HOME/.docker"
  echo '{"auths": {' >"$HOME/.docker/config.json"
  run img-fetch -q --store "$TESTTMP/store" "$HUB/private/secret"
  assert_one_line_error
  [[ "$output" == *".docker/config.json"* ]]
}

@test "auth: a token refused later (expired) is refreshed on 401" {
  reg_proxy_start "$REG_hub_PORT" --fault manifest-unauth --fault 'blob-unauth*2'
  run img-fetch -q --store "$TESTTMP/store" "127.0.0.1:$PROXY_PORT/library/busybox"
  [ "$status" -eq 0 ]
  [ "$(grep -c -- '-> 401' "$PROXY_LOG")" -ge 3 ]
  [ "$(wc -l <"$TOKEN_hub_LOG")" -ge 3 ]
  store_verify "$TESTTMP/store"
}

@test "auth: Basic auth registry with and without credentials" {
  run img-fetch -q --store "$TESTTMP/store" --creds bob:hunter2 "$BASIC/library/busybox"
  [ "$status" -eq 0 ]
  run img-fetch -q --store "$TESTTMP/s2" "$BASIC/library/busybox"
  assert_one_line_error
  [[ "$output" == *"requires a user name and password"* ]]
  run img-fetch -q --store "$TESTTMP/s3" --creds bob:nope "$BASIC/library/busybox"
  assert_one_line_error
  [[ "$output" == *"access denied"* ]]
}
