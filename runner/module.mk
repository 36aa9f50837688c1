# runner
PROGRAMS += runner
runner_BIN  := runner
runner_LIBS := -lseccomp
DEPS += libseccomp-dev crun runc
DEPS += busybox-static jq hyperfine
