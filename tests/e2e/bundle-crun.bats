#!/usr/bin/env bats
# The same bundles under Debian's crun 1.8.1. crun refuses every container
# on this hybrid-cgroup host while cgroup2 holds a controller; it runs
# through tests/lib/crun_hybrid, which hides the cgroup2 mount in a
# private mount namespace so that crun sees (and uses) the v1 hierarchies.
load ../lib/common
load ../lib/bundle_helpers
load ../lib/bundle_runtime_checks

setup() {
  common_setup
  command -v crun >/dev/null || skip "crun is not installed"
  CRUN=$SRC/tests/lib/crun_hybrid
  setup_runtime_checks
}

@test "crun: Entrypoint+Cmd and args after -- give the output" { check_output "$CRUN"; }
@test "crun: environment from the image, -e and --env-file" { check_env "$CRUN"; }
@test "crun: WorkingDir and -w" { check_cwd "$CRUN"; }
@test "crun: image user with supplementary groups, -u name:group, numeric -u" { check_user "$CRUN"; }
@test "crun: hostname, /etc/hostname and /etc/hosts" { check_hostname "$CRUN"; }
@test "crun: --memory read back from the cgroup" { check_memory "$CRUN"; }
@test "crun: --pids-limit and --cpus read back from the cgroup" { check_pids_cpu "$CRUN"; }
@test "crun: the default seccomp profile denies unshare; unconfined and CAP_SYS_ADMIN allow it" { check_seccomp "$CRUN"; }
@test "crun: --read-only with a --tmpfs" { check_readonly "$CRUN"; }
@test "crun: -v read-write and read-only" { check_volume "$CRUN"; }
@test "crun: docker's capability set, --cap-drop, no-new-privileges" { check_caps "$CRUN"; }
@test "crun: default NOFILE and --ulimit" { check_ulimit "$CRUN"; }
@test "crun: --net none has only lo, --net host shares the host's" { check_net "$CRUN"; }
@test "crun: --userns maps the container's root" { check_userns "$CRUN"; }
@test "crun: --privileged: all capabilities, host devices, no seccomp" { check_privileged "$CRUN"; }
@test "crun: -t gives the process a terminal" { check_tty "$CRUN"; }
