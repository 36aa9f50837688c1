# runner
PROGRAMS += runner
runner_BIN  := runner
runner_LIBS := -lseccomp
DEPS += libseccomp-dev crun runc
DEPS += busybox-static jq hyperfine
# drop-in tests (tests/e2e/dropin-*.bats): podman + conmon, containerd + ctr, CNI bridge
DEPS += podman conmon containerd containernetworking-plugins
