# mkbundle
PROGRAMS += bundle
bundle_BIN  := mkbundle
bundle_LIBS := 
DEPS += crun runc python3-jsonschema golang-github-opencontainers-specs-dev busybox-static
