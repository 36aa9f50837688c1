# netsetup
PROGRAMS += netsetup
netsetup_BIN  := netsetup
netsetup_LIBS := -lmnl -lnftables
DEPS += libmnl-dev libnftables-dev iproute2 nftables
# tests and bench/net: real runtimes, busybox in the namespaces, the CNI
# plugins as the reference.
DEPS += runc crun busybox-static curl containernetworking-plugins hyperfine
