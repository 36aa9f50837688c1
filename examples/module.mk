# examples/ holds scripts, not a program: only the Debian packages that
# examples/, bench/pipeline and the tests of the whole toolchain
# (tests/e2e/examples-*.bats, readme.bats) use beyond the programs' own.
# man-db: the README's `man`; procps: ps; util-linux: setsid, setpriv;
# skopeo, umoci, crun, jq: the README's store interop and bench/pipeline.
DEPS += man-db procps util-linux skopeo umoci crun jq
