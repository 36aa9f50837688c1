# Common setup for the bats end-to-end tests. Load with
#   load ../lib/common
# Gives: $BIN (the built programs), $SRC, $TESTTMP (a fresh directory per
# test, removed afterwards), $FIXTURES (images built once per run), and
# helpers. Everything a test starts must be stopped in teardown, also when
# the test fails: use `defer CMD...` to register cleanups.

SRC=${OCIKIT_SRC:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
BUILD=${OCIKIT_BUILD:-$SRC/build}
BIN=$BUILD/bin
export PATH="$BIN:$PATH"
# Fixtures shared by all tests of one run (built lazily, offline).
FIXTURES=${OCIKIT_FIXTURES:-$BUILD/fixtures}

common_setup() {
  TESTTMP=$(mktemp -d "${BATS_TMPDIR:-/tmp}/ocikit-test.XXXXXX")
  export TESTTMP
  _deferred=()
}

# defer CMD ARGS...: run at teardown, last registered first.
defer() {
  local q
  printf -v q '%q ' "$@"
  _deferred+=("$q")
}

common_teardown() {
  local i
  for ((i = ${#_deferred[@]} - 1; i >= 0; i--)); do
    eval "${_deferred[i]}" >/dev/null 2>&1 || true
  done
  _deferred=()
  [ -n "${TESTTMP:-}" ] && rm -rf "$TESTTMP"
}

setup() { common_setup; }
teardown() { common_teardown; }

# fixture_layout NAME: path of an OCI layout holding fixture NAME (built
# once, under a lock, by tests/lib/fixtures.sh).
fixture_layout() {
  "$SRC/tests/lib/fixtures.sh" "$FIXTURES" "$1"
}

# A free TCP port on 127.0.0.1.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# assert_stderr_one_line: $output (from `run`) is one line naming something.
assert_one_line_error() {
  [ "$status" -ne 0 ] || { echo "expected failure, got status 0"; return 1; }
  [ "$(printf '%s\n' "$output" | grep -c .)" -eq 1 ] || {
    echo "expected one line of error, got:"; printf '%s\n' "$output"; return 1; }
}
