#!/usr/bin/env bats
# README.md is run, so the docs cannot rot.
#
# Convention (for whoever edits README.md):
# - Every ```sh block is run, in README order, by one bash (`set -e`, cwd =
#   the source tree) as root, in a sandbox: OCIKIT_STORE, TMPDIR and HOME
#   point into the test's temporary directory, so a block that writes
#   should write under `$(mktemp -d)`, never into the source tree (checked).
# - A block that cannot run here is preceded by the line
#   `<!-- readme: not run: REASON -->` (invisible when rendered); the
#   reason is required. Other fences (```text, ```toml, ```yaml) are output
#   and configuration, not commands.
# - Substitutions (tests/lib/readme_blocks.py): the image `alpine` and
#   `docker.io/library/alpine` become the local test registry's
#   library/alpine (busybox pushed under that name); `make demo` becomes
#   examples/demo (deps and build are done); `make install` uses the build
#   under test; EXAMPLE_RUNTIME=runc runs the README's `runner` commands
#   (and examples/) with runc instead, to tell a runner bug from a README one.
# - `/usr/local/bin/runner` (the installed runner the podman and containerd
#   examples name) becomes the runtime under test (build/bin/runner, or
#   EXAMPLE_RUNTIME's). `podman` and `ctr` are shell functions that add
#   private roots, the way tests/e2e/dropin-{podman,containerd}.bats run
#   them (tests/lib/dropin_{podman,containerd}.bash): podman with its own
#   --root/--runroot/--tmpdir, the README's containers.conf (with its
#   runner path substituted, plus this host's ulimits), a private bridge
#   network and a registries.conf that lets it pull from
#   the local (plain HTTP) test registry; ctr talks to a private containerd
#   on its own socket, pulls with --plain-http, and `ctr run` gets a private
#   runc root, fifo dir and cgroup. Both are set up for the run and torn
#   down after it, also when it fails.
# - Two configuration blocks are used, not only shown: the ```toml after
#   the prose naming containers.conf is podman's configuration in that run
#   (and podman must pick runner from it), the one after config.toml must
#   come out of `containerd config dump` as a runc-shim runtime with
#   runner as BinaryName (readme_blocks.py MODE config).
load ../lib/common
load ../lib/registry
load ../lib/examples_helpers
load ../lib/dropin_podman
load ../lib/dropin_containerd

setup_file() {
  registry_setup_file
  registry_start plain
  REG=127.0.0.1:$REG_plain_PORT
  export REG
  registry_push "$(fixture_layout busybox)" busybox:latest "$REG/library/alpine:latest"
}

teardown_file() { registry_teardown_file; }

blocks() { python3 "$SRC/tests/lib/readme_blocks.py" "$SRC/README.md" "$@"; }

@test "README: the two commands for a fresh machine come first, as they are" {
  run blocks first
  [ "${lines[0]}" = "make demo" ]
  [ "${lines[1]}" = "make deps && make check" ]
  # and they are the first commands a reader meets
  [ "$(grep -n -m1 '^```' "$SRC/README.md" | cut -d: -f1)" -lt 10 ]
}

@test "README: every block not run says why" {
  run blocks skipped
  echo "$output"
  [ "$status" -eq 0 ]
  while IFS= read -r l; do
    [ -n "${l#*: }" ]
  done <<<"$output"
}

@test "README: each synopsis is the program's --help" {
  local p usage
  for p in img-fetch img-unpack mkbundle netsetup runner; do
    usage=$("$BIN/$p" --help 2>&1 | grep -i -m1 '^usage:' || true)
    if [ -z "$usage" ]; then
      [ "$p" = runner ] && [ "$(examples_runtime)" != runner ] && continue
      echo "$p --help has no usage line"; return 1
    fi
    usage=$(printf '%s' "${usage#*: }" | sed 's/[[:space:]]*$//')
    grep -qxF -- "$usage" "$SRC/README.md" || { echo "README lacks: $usage"; return 1; }
  done
}

# readme_engines: the private podman and containerd the README's podman
# and ctr commands use (see the convention above); torn down by defer.
readme_engines() {
  defer dropin_podman_fini
  dropin_podman_init
  # pulls from the local test registry, which speaks plain HTTP
  printf '[[registry]]\nlocation = "%s"\ninsecure = true\n' "$REG" >"$PD/registries.conf"
  sed -i "2a export CONTAINERS_REGISTRIES_CONF=$PD/registries.conf" "$PD/podman"
  # the README's containers.conf, not the drop-in tests' --runtime, says
  # which runtime podman uses (plus this host's ulimits, as in
  # tests/lib/dropin_podman.bash)
  sed -i 's| --runtime "[^"]*"||' "$PD/podman"
  if grep -q -- --runtime "$PD/podman"; then echo "$PD/podman still names a runtime"; return 1; fi
  {
    printf '[containers]\ndefault_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]\n'
    blocks config containers.conf | sed "s|/usr/local/bin/runner|$RUNTIME|"
  } >"$CONTAINERS_CONF"
  # podman took the README's runtime from it
  local used
  used=$(P info --format '{{.Host.OCIRuntime.Path}}')
  [ "$used" = "$RUNTIME" ] || { echo "podman uses $used, not $RUNTIME"; cat "$CONTAINERS_CONF"; return 1; }
  defer dropin_containerd_fini
  dropin_containerd_init
}

@test "README: every sh block runs (sandboxed; see the convention above)" {
  local rt
  rt=$(examples_runtime)
  RUNTIME=$(command -v "$rt")
  readme_engines
  mkdir -p "$TESTTMP/home"
  {
    echo 'set -e'
    echo "cd $(printf '%q' "$SRC")"
    echo "export OCIKIT_STORE=$TESTTMP/store TMPDIR=$TESTTMP HOME=$TESTTMP/home RUNTIME=$rt"
    echo "export OCIKIT_BUILD=$(printf '%q' "$BUILD") PATH=$(printf '%q' "$PATH")"
    echo "export README_RUNTIME=$(printf '%q' "$RUNTIME")"
    [ "$rt" = runner ] || echo "runner() { $rt \"\$@\"; }"
    echo "podman() { $(printf '%q' "$PD/podman") \"\$@\"; }"
    echo "ctr() {"
    echo "  local a=$(printf '%q' "$CD/containerd.sock")"
    echo '  case "$1 ${2:-}" in'
    echo '  "image pull"|"images pull") shift 2; command ctr --address "$a" image pull --plain-http "$@" ;;'
    echo "  run\\ *) shift; command ctr --address \"\$a\" run --runc-root $(printf '%q' "$CD/runc") \\"
    echo "      --fifo-dir $(printf '%q' "$CD/fifo") --cgroup /$DROPIN_CGROUP/readme \"\$@\" ;;"
    echo '  *) command ctr --address "$a" "$@" ;;'
    echo '  esac'
    echo '}'
    blocks run "$REG"
  } >"$TESTTMP/readme.sh"
  git -C "$SRC" status --porcelain >"$TESTTMP/git-before"
  ip link show ocikit0 >/dev/null 2>&1 || "$SRC/examples/run-image" "$REG/library/alpine" true
  host_state >"$TESTTMP/before"
  run bash "$TESTTMP/readme.sh" </dev/null
  echo "$output"
  [ "$status" -eq 0 ]
  # what the blocks print where the README says what they print
  [[ "$output" == *"$REG/library/alpine:latest@sha256:"* ]]
  [[ "$output" == *"hello from "*", 10.88."* ]]
  [[ "$output" == *"hello world from run-image-"* ]]
  # podman's (--runtime, then containers.conf) and ctr's `echo hello`,
  # through the runtime under test
  [ "$(printf '%s\n' "$output" | grep -cx hello)" -eq 3 ]
  [[ "$output" == *"hostname: run-image-"*"host reachable: yes"* ]]
  [[ "$output" == *"$REG/library/alpine:latest"* ]]
  [[ "$output" == *'"/bin/sh"'* ]]
  [[ "$output" == *"example.org/mine:1@sha256:"* ]]
  host_state >"$TESTTMP/after"
  diff -u "$TESTTMP/before" "$TESTTMP/after"
  git -C "$SRC" status --porcelain >"$TESTTMP/git-after"
  diff -u "$TESTTMP/git-before" "$TESTTMP/git-after"
}

@test "README: containerd takes the README's runtime entry (config dump)" {
  command -v containerd >/dev/null || skip "no containerd"
  {
    printf 'version = 2\nroot = "%s/root"\nstate = "%s/state"\n' "$TESTTMP" "$TESTTMP"
    blocks config config.toml
  } >"$TESTTMP/config.toml"
  containerd --config "$TESTTMP/config.toml" config dump >"$TESTTMP/dump.toml"
  # the CRI plugin knows the runtime "ocikit" as the runc shim with runner
  python3 - "$TESTTMP/dump.toml" <<'PY'
import sys, tomllib
d = tomllib.load(open(sys.argv[1], "rb"))
rt = d["plugins"]["io.containerd.grpc.v1.cri"]["containerd"]["runtimes"]["ocikit"]
assert rt["runtime_type"] == "io.containerd.runc.v2", rt
assert rt["options"]["BinaryName"] == "/usr/local/bin/runner", rt
PY
}
