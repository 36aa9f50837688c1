#!/usr/bin/env bats
# The same bundles under our own runtime, runner. While runner cannot yet
# run a plain bundle (its issue is in progress), every test is skipped
# with the reason; once it can, they all run.
load ../lib/common
load ../lib/bundle_helpers
load ../lib/bundle_runtime_checks

setup_file() {
  local b=$BATS_FILE_TMPDIR/probe root=$BATS_FILE_TMPDIR/probe-root out
  LAYOUT=$(fixture_layout bundle-app)
  mkdir -p "$b" "$root"
  if ! bundle_unpack "$LAYOUT" app:latest "$b/rootfs" \
     || ! mkbundle -q --store "$LAYOUT" --entrypoint "" app:latest "$b" -- /bin/true >/dev/null 2>&1; then
    echo "could not build a probe bundle" >"$BATS_FILE_TMPDIR/skip"
    return 0
  fi
  if ! out=$(timeout 30 "$BIN/runner" --root "$root" run --bundle "$b" probe-$$ </dev/null 2>&1); then
    echo "runner cannot run a plain bundle yet: $(echo "$out" | head -1)" >"$BATS_FILE_TMPDIR/skip"
  fi
  "$BIN/runner" --root "$root" delete --force probe-$$ >/dev/null 2>&1 || true
}

setup() {
  common_setup
  [ ! -e "$BATS_FILE_TMPDIR/skip" ] || skip "$(cat "$BATS_FILE_TMPDIR/skip")"
  RUNNER=$BIN/runner
  setup_runtime_checks
}

@test "runner: Entrypoint+Cmd and args after -- give the output" { check_output "$RUNNER"; }
@test "runner: environment from the image, -e and --env-file" { check_env "$RUNNER"; }
@test "runner: WorkingDir and -w" { check_cwd "$RUNNER"; }
@test "runner: image user with supplementary groups, -u name:group, numeric -u" { check_user "$RUNNER"; }
@test "runner: hostname, /etc/hostname and /etc/hosts" { check_hostname "$RUNNER"; }
@test "runner: --memory read back from the cgroup" { check_memory "$RUNNER"; }
@test "runner: --pids-limit and --cpus read back from the cgroup" { check_pids_cpu "$RUNNER"; }
@test "runner: the default seccomp profile denies unshare; unconfined and CAP_SYS_ADMIN allow it" { check_seccomp "$RUNNER"; }
@test "runner: --read-only with a --tmpfs" { check_readonly "$RUNNER"; }
@test "runner: -v read-write and read-only" { check_volume "$RUNNER"; }
@test "runner: docker's capability set, --cap-drop, no-new-privileges" { check_caps "$RUNNER"; }
@test "runner: default NOFILE and --ulimit" { check_ulimit "$RUNNER"; }
@test "runner: --net none has only lo, --net host shares the host's" { check_net "$RUNNER"; }
@test "runner: --userns maps the container's root" { check_userns "$RUNNER"; }
@test "runner: --privileged: all capabilities, host devices, no seccomp" { check_privileged "$RUNNER"; }
@test "runner: -t gives the process a terminal" { check_tty "$RUNNER"; }
