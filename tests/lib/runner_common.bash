# Helpers for runner's bats tests (load after ../lib/common):
#   runner_setup        $ROOT (a private --root), $BUNDLE (busybox bundle),
#                       every container deleted at teardown, also on failure
#   R ARGS...           runner --root $ROOT ARGS...
#   rcreate ID [OPTS]   create with the container's stdio on files
#                       ($TESTTMP/ID.out, .err) so `run` does not wait on it
#   set_args ARGS...    process.args of $BUNDLE
#   cfg JQ-FILTER       edit $BUNDLE/config.json in place
#   wait_stopped ID     wait up to 2.5 s for state `stopped`; fails otherwise
R() { "$BIN/runner" --root "$ROOT" "$@"; }

runner_cleanup() {
  local id
  for id in $("$BIN/runner" --root "$ROOT" list -q 2>/dev/null); do
    "$BIN/runner" --root "$ROOT" delete --force "$id" >/dev/null 2>&1 || true
  done
}

runner_setup() {
  ROOT=$TESTTMP/root
  BUNDLE=$TESTTMP/bundle
  RUNNER="$BIN/runner" "$SRC/tests/lib/runner_bundle.sh" "$BUNDLE" >/dev/null
  defer runner_cleanup
}

cfg() {
  jq "$@" "$BUNDLE/config.json" >"$BUNDLE/config.json.new" && mv "$BUNDLE/config.json.new" "$BUNDLE/config.json"
}

set_args() {
  local a
  a=$(jq -n -c '$ARGS.positional' --args -- "$@")
  cfg --argjson a "$a" '.process.args = $a'
}

rcreate() {
  local id=$1
  shift
  R create --bundle "$BUNDLE" "$@" "$id" >"$TESTTMP/$id.out" 2>"$TESTTMP/$id.err" </dev/null \
    || { cat "$TESTTMP/$id.err"; return 1; }
}

# nothing of container ID left: state dir, mounts naming the bundle
assert_no_leftovers() {
  [ -z "$(ls -A "$ROOT" 2>/dev/null)" ] || { echo "left in --root:"; ls -la "$ROOT"; return 1; }
  ! grep -q "$TESTTMP" /proc/mounts || { echo "mounts left:"; grep "$TESTTMP" /proc/mounts; return 1; }
}

wait_stopped() {
  local _
  for _ in $(seq 50); do
    [ "$(R state "$1" | jq -r .status)" = stopped ] && return 0
    sleep 0.05
  done
  echo "container $1: state $(R state "$1" | jq -r .status), not stopped"
  return 1
}
