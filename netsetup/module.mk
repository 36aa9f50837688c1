# netsetup
PROGRAMS += netsetup
netsetup_BIN  := netsetup
netsetup_LIBS := -lmnl -lnftables
DEPS += libmnl-dev libnftables-dev iproute2 nftables
