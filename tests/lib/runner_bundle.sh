#!/bin/bash
# runner_bundle.sh DIR [ARGS...]: a busybox bundle in DIR made in a few ms:
# rootfs/bin/busybox (Debian's busybox-static) with its applet links, and
# `runner spec`'s config.json with terminal off, a writable root and
# process.args = ARGS (default: sh). Needs $BIN/runner (or runner on PATH).
set -eu
dir=$1
shift
runner=${RUNNER:-${BIN:+$BIN/}runner}
cache=${TMPDIR:-/tmp}/ocikit-runner-rootfs.$(stat -c %Y /bin/busybox)
if [ ! -d "$cache" ]; then
  tmp=$(mktemp -d "$cache.XXXXXX")
  mkdir -p "$tmp"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,etc,tmp,root}
  cp /bin/busybox "$tmp/bin/busybox"
  for a in $(/bin/busybox --list); do
    [ "$a" = busybox ] || ln -sf busybox "$tmp/bin/$a"
  done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$tmp/etc/passwd"
  echo 'root:x:0:' >"$tmp/etc/group"
  chmod 1777 "$tmp/tmp"
  chmod 755 "$tmp"
  mv -T "$tmp" "$cache" 2>/dev/null || rm -rf "$tmp"
fi
mkdir -p "$dir"
cp -a "$cache" "$dir/rootfs"
"$runner" spec --bundle "$dir"
args='["sh"]'
if [ $# -gt 0 ]; then
  args=$(jq -n -c '$ARGS.positional' --args -- "$@")
fi
jq --argjson a "$args" '.process.terminal = false | .root.readonly = false | .process.args = $a' \
  "$dir/config.json" >"$dir/config.json.new"
mv "$dir/config.json.new" "$dir/config.json"
