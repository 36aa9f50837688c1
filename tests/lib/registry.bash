# Registry harness for the end-to-end tests: Debian's docker-registry (the
# reference distribution registry) on 127.0.0.1 at free ports, storage in a
# temporary directory, plus the python helpers next to this file (a token
# service and a front proxy that redirects blobs to a "CDN" or injects
# faults). Load after ../lib/common:
#
#   setup_file() { load ../lib/common; load ../lib/registry; registry_setup_file; }
#   teardown_file() { registry_teardown_file; }
#
# Every process started here is recorded in $REG_HOME/pids and stopped by
# registry_teardown_file (by PID), also when tests fail. Inside a test,
# processes started with reg_proxy_start are stopped by `defer`.

REG_LIB=${REG_LIB:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}

# registry_setup_file: make $REG_HOME (exported) for this bats file.
registry_setup_file() {
  REG_HOME=$(mktemp -d "${BATS_TMPDIR:-/tmp}/ocikit-reg.XXXXXX")
  export REG_HOME
  : >"$REG_HOME/pids"
}

# Safe under `set -e` (bench/pull uses it from an EXIT trap).
registry_teardown_file() {
  local pid
  [ -n "${REG_HOME:-}" ] || return 0
  if [ -f "$REG_HOME/pids" ]; then
    while read -r pid; do
      [ -n "$pid" ] || continue
      kill "$pid" 2>/dev/null || true
    done <"$REG_HOME/pids"
    while read -r pid; do
      [ -n "$pid" ] || continue
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
      kill -9 "$pid" 2>/dev/null || true
    done <"$REG_HOME/pids"
  fi
  rm -rf "$REG_HOME"
}

_reg_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# _reg_wait_port PORT PID: wait until something accepts on PORT (5 s).
_reg_wait_port() {
  local port=$1 pid=$2
  for _ in $(seq 100); do
    if ! kill -0 "$pid" 2>/dev/null; then return 1; fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.05
  done
  return 1
}

# _reg_spawn LOG CMD...: start CMD in the background with every REGISTRY_*
# variable removed (the registry maps them onto its config), print its PID.
_reg_spawn() {
  local log=$1 v
  shift
  local unset=()
  for v in $(compgen -e); do
    case "$v" in REGISTRY_*) unset+=(-u "$v") ;; esac
  done
  env "${unset[@]}" "$@" >"$log" 2>&1 </dev/null &
  echo $!
}

# registry_start NAME [DATA_DIR [AUTH_YAML [HTTP_YAML]]]: start a registry;
# sets REG_<NAME>_PORT and REG_<NAME>_PID (exported). DATA_DIR may be
# shared with another instance (read-only use), AUTH_YAML is an `auth:`
# block, HTTP_YAML more of the `http:` block (indented two spaces).
registry_start() {
  local name=$1 data=${2:-$REG_HOME/$1.data} auth=${3:-} httpx=${4:-} port pid dir
  dir=$REG_HOME/$name
  mkdir -p "$dir" "$data"
  port=$(_reg_free_port)
  cat >"$dir/config.yml" <<EOF
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
$httpx
$auth
EOF
  pid=$(_reg_spawn "$dir/log" /usr/bin/docker-registry serve "$dir/config.yml")
  echo "$pid" >>"$REG_HOME/pids"
  if ! _reg_wait_port "$port" "$pid"; then
    echo "registry $name did not start:" >&2
    cat "$dir/log" >&2
    return 1
  fi
  printf -v "REG_${name}_PORT" %s "$port"
  printf -v "REG_${name}_PID" %s "$pid"
  printf -v "REG_${name}_DATA" %s "$data"
  export "REG_${name}_PORT" "REG_${name}_PID" "REG_${name}_DATA"
}

# registry_push LAYOUT NAME HOSTPORT/REPO:TAG [skopeo options...]: copy an
# OCI layout's image (all platforms, digests preserved) into a registry.
registry_push() {
  local layout=$1 name=$2 dest=$3
  shift 3
  skopeo copy -q --all --preserve-digests --dest-tls-verify=false "$@" \
    "oci:$layout:$name" "docker://$dest" >/dev/null
}

# token_service_start NAME PRIVATE_REPO USER PASS: a token service (JWTs
# signed with a fresh key whose self-signed certificate goes into the
# registry's rootcertbundle). Sets TOKEN_<NAME>_PORT, TOKEN_<NAME>_CERT.
token_service_start() {
  local name=$1 private=$2 user=$3 pass=$4 dir=$REG_HOME/token-$1 port pid
  mkdir -p "$dir"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$dir/key.pem" -out "$dir/cert.pem" \
    -days 2 -subj /CN=ocikit-test-token >/dev/null 2>&1 || return 1
  port=$(_reg_free_port)
  pid=$(_reg_spawn "$dir/log" python3 "$REG_LIB/token_server.py" --port "$port" \
    --key "$dir/key.pem" --cert "$dir/cert.pem" --issuer ocikit-test-issuer \
    --service ocikit-test --private "$private" --user "$user" --password "$pass" \
    --log "$dir/requests")
  echo "$pid" >>"$REG_HOME/pids"
  _reg_wait_port "$port" "$pid" || { cat "$dir/log" >&2; return 1; }
  printf -v "TOKEN_${name}_PORT" %s "$port"
  printf -v "TOKEN_${name}_CERT" %s "$dir/cert.pem"
  printf -v "TOKEN_${name}_LOG" %s "$dir/requests"
  export "TOKEN_${name}_PORT" "TOKEN_${name}_CERT" "TOKEN_${name}_LOG"
}

# token_auth_yaml PORT CERT: the registry's `auth: token:` block.
token_auth_yaml() {
  cat <<EOF
auth:
  token:
    realm: http://127.0.0.1:$1/token
    service: ocikit-test
    issuer: ocikit-test-issuer
    rootcertbundle: $2
EOF
}

# reg_proxy_spawn UPSTREAM_PORT LOG [registry_proxy.py options...]: start a
# front proxy; prints "PID PORT". Use reg_proxy_start in tests, this in
# setup_file (then the PID goes to $REG_HOME/pids).
reg_proxy_spawn() {
  local up=$1 log=$2 port pid
  shift 2
  port=$(_reg_free_port)
  pid=$(_reg_spawn "$log.stderr" python3 "$REG_LIB/registry_proxy.py" --port "$port" \
    --upstream "$up" --log "$log" "$@")
  _reg_wait_port "$port" "$pid" || { cat "$log.stderr" >&2; kill "$pid"; return 1; }
  echo "$pid $port"
}

# reg_proxy_start UPSTREAM_PORT [options...]: a fault proxy for one test;
# sets PROXY_PORT and PROXY_LOG (one line per request: METHOD PATH RANGE ->
# STATUS), stopped at teardown.
reg_proxy_start() {
  local up=$1 out
  shift
  PROXY_LOG=$TESTTMP/proxy.log
  out=$(reg_proxy_spawn "$up" "$PROXY_LOG" "$@") || return 1
  PROXY_PID=${out% *}
  PROXY_PORT=${out#* }
  defer kill "$PROXY_PID"
}

# store_verify STORE: every blob hashes to its name, every index entry
# (and every descriptor of a manifest reachable from it) is present.
store_verify() {
  python3 "$REG_LIB/registry_verify_store.py" "$1"
}

# tls_http_yaml: a self-signed certificate for 127.0.0.1 and the `tls:`
# part of the registry's http block.
tls_http_yaml() {
  local d=$REG_HOME/tls
  mkdir -p "$d"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/key.pem" -out "$d/cert.pem" -days 2 \
    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1 || return 1
  printf '  tls:\n    certificate: %s\n    key: %s\n' "$d/cert.pem" "$d/key.pem"
}

# htpasswd_yaml USER PASS: an `auth: htpasswd:` block (bcrypt through
# python's crypt module, which glibc's libxcrypt backs).
htpasswd_yaml() {
  local f=$REG_HOME/htpasswd
  python3 -W ignore -c 'import crypt,sys; print(sys.argv[1]+":"+crypt.crypt(sys.argv[2], crypt.mksalt(crypt.METHOD_BLOWFISH)))' \
    "$1" "$2" >"$f"
  cat <<EOT
auth:
  htpasswd:
    realm: ocikit-basic
    path: $f
EOT
}

# auth_json FILE HOSTKEY USER PASS: write a containers-auth.json / docker
# config.json with one entry.
auth_json() {
  local b64
  b64=$(printf '%s:%s' "$3" "$4" | base64 -w0)
  mkdir -p "$(dirname "$1")"
  printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$2" "$b64" >"$1"
}
