# mkbundle
PROGRAMS += bundle
bundle_BIN  := mkbundle
bundle_LIBS := -lm
DEPS += crun runc python3-jsonschema golang-github-opencontainers-specs-dev busybox-static umoci iproute2 hyperfine
