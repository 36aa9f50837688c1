# runner
PROGRAMS += runner
runner_BIN  := runner
# Static seccomp and yajl, libcrypto dropped (runner has no digest code):
# fewer shared objects to map on every start, twice per `run` (the sealed
# re-exec), is most of a container start after the kernel work.
runner_LIBS := -Wl,--as-needed -Wl,-Bstatic -lseccomp -lyajl_s -Wl,-Bdynamic
DEPS += libseccomp-dev crun runc
DEPS += busybox-static jq hyperfine
# drop-in tests (tests/e2e/dropin-*.bats): podman + conmon, containerd + ctr, CNI bridge
DEPS += podman conmon containerd containernetworking-plugins
# `runner ps ID PS-ARGS…` runs ps(1) as runc does; runner-ps.bats compares with ps -ef
DEPS += procps
