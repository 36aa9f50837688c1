#!/usr/bin/env bats
# mkbundle's bundles run under Debian's runc: output, environment, working
# directory, user, hostname, cgroup limits read back inside, the default
# seccomp profile denying a system call, read-only root, volumes,
# capabilities, rlimits, networks, user namespaces.
load ../lib/common
load ../lib/bundle_helpers
load ../lib/bundle_runtime_checks

setup() {
  common_setup
  command -v runc >/dev/null || skip "runc is not installed"
  setup_runtime_checks
}

@test "runc: Entrypoint+Cmd and args after -- give the output" { check_output runc; }
@test "runc: environment from the image, -e and --env-file" { check_env runc; }
@test "runc: WorkingDir and -w" { check_cwd runc; }
@test "runc: image user with supplementary groups, -u name:group, numeric -u" { check_user runc; }
@test "runc: hostname, /etc/hostname and /etc/hosts" { check_hostname runc; }
@test "runc: --memory read back from the cgroup" { check_memory runc; }
@test "runc: --pids-limit and --cpus read back from the cgroup" { check_pids_cpu runc; }
@test "runc: the default seccomp profile denies unshare; unconfined and CAP_SYS_ADMIN allow it" { check_seccomp runc; }
@test "runc: --read-only with a --tmpfs" { check_readonly runc; }
@test "runc: -v read-write and read-only" { check_volume runc; }
@test "runc: docker's capability set, --cap-drop, no-new-privileges" { check_caps runc; }
@test "runc: default NOFILE and --ulimit" { check_ulimit runc; }
@test "runc: --net none has only lo, --net host shares the host's" { check_net runc; }
@test "runc: --userns maps the container's root" { check_userns runc; }
@test "runc: --privileged: all capabilities, host devices, no seccomp" { check_privileged runc; }
@test "runc: -t gives the process a terminal" { check_tty runc; }
