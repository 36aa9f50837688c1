# Helpers for tests/e2e/examples-*.bats (the toolchain as a user meets it).
# Load after ../lib/common.

# examples/ use the build under test (make check-asan: build-asan/bin)
export OCIKIT_BIN=$BIN

# The runtime the examples run with: runner (EXAMPLE_RUNTIME=runc or crun
# to compare).
examples_runtime() {
  echo "${EXAMPLE_RUNTIME:-runner}"
}

# host_state: what a container could leave behind on the host, one section
# each. Bundles and state dirs are looked for in $TMPDIR (run-image makes
# them there) and /tmp.
host_state() {
  {
    # other tests' temporary dirs and named netns come and go: skip them
    echo "# mounts"; awk -v t="${TESTTMP:-/nonexistent}" '
      ($2 ~ "^/tmp/" && index($2, t) != 1) || $2 ~ "^/run/netns/" { next }
      { print $2, $3 }' /proc/self/mounts | sort
    echo "# cgroups"; find /sys/fs/cgroup -mindepth 1 -type d -name 'run-image-*' 2>/dev/null | sort
    # links on the default bridge (other tests use bridges of their own)
    echo "# links"; ip -o link show master ocikit0 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//' | sort
    echo "# nft"; nft list table ip ocikit 2>/dev/null
    echo "# leases"; find /var/lib/ocikit/net -type f ! -name lock ! -name 'last_reserved_ip*' 2>/dev/null | sort
    # the runtimes' default state roots (the README's containers are demoN)
    echo "# state"; ls /run/runner /run/runc 2>/dev/null | grep -E '^(run-image-|demo[0-9])' || true
    echo "# bundles"; ls -d /tmp/ocikit-run.* /tmp/ocikit-state.* "${TMPDIR:-/tmp}"/ocikit-run.* \
      "${TMPDIR:-/tmp}"/ocikit-state.* 2>/dev/null | sort -u
  } || true
}

# wait_until SECONDS CMD...: poll CMD every 20 ms until it succeeds.
wait_until() {
  local end=$((SECONDS + $1))
  shift
  until "$@"; do
    [ $SECONDS -lt $end ] || { echo "timed out waiting for: $*" >&2; return 1; }
    sleep 0.02
  done
}

# pgrp_members PGID: "PID COMM" of each live process in process group PGID
# (a zombie holds nothing; this machine's init reaps orphans lazily).
pgrp_members() {
  ps -eo pid=,pgid=,stat=,comm= | awk -v g="$1" '$2 == g && $3 !~ /^Z/ { print $1, $4 }'
}

# pgrp_pid PGID COMM: the PID of COMM in the group (fails if none).
pgrp_pid() {
  pgrp_members "$1" | awk -v c="$2" '$2 == c { print $1; f = 1 } END { exit !f }'
}

# start_as_from_terminal OUT CMD...: start CMD in a session of its own with
# SIGINT and SIGQUIT at their defaults, as a shell started from a terminal
# has them (bash starts background jobs with both ignored, and a shell that
# starts with SIGINT ignored cannot trap it). Sets RUN_PGID, the PID of CMD
# which leads its process group; stdout and stderr go to OUT. Registers a
# cleanup that stops the group if the test ends early.
start_as_from_terminal() {
  local out=$1
  shift
  python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
signal.signal(signal.SIGQUIT, signal.SIG_DFL)
os.execvp("setsid", ["setsid"] + sys.argv[1:])' "$@" </dev/null >"$out" 2>&1 &
  RUN_PGID=$!
  defer stop_group "$RUN_PGID"
  # setsid only forks when its caller leads a group: ours does not
  wait_until 5 leads_session "$RUN_PGID"
}

leads_session() {
  [ "$(ps -o sid= -p "$1" 2>/dev/null | tr -d ' ')" = "$1" ]
}

# ctrl_c PGID: what a terminal's Ctrl-C does: SIGINT to the whole group.
ctrl_c() {
  kill -INT -- "-$1"
}

# wait_exit PID SECONDS: wait for PID (a child of this shell) to end; sets
# RUN_STATUS. Fails if it is still running after SECONDS.
wait_exit() {
  local end=$((SECONDS + $2))
  while kill -0 "$1" 2>/dev/null; do
    [ $SECONDS -lt $end ] || { echo "PID $1 still running after $2 s" >&2; return 1; }
    sleep 0.05
  done
  RUN_STATUS=0
  wait "$1" || RUN_STATUS=$?
}

# stop_group PGID: teardown for a group a test failed to end: TERM (the
# script's trap cleans up), then KILL what is left.
stop_group() {
  kill -TERM -- "-$1" 2>/dev/null || return 0
  for _ in $(seq 100); do
    [ -n "$(pgrp_members "$1")" ] || return 0
    sleep 0.1
  done
  kill -KILL -- "-$1" 2>/dev/null
}
