#!/bin/bash
# fixtures.sh DIR NAME: build fixture NAME (an OCI layout) under DIR once,
# print its path. Serialised with flock so parallel tests share one build.
set -eu
dir=$1 name=$2
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dir"
exec 9>"$dir/.lock"
flock 9
out=$dir/$name
if [ ! -e "$out/.done" ]; then
  rm -rf "$out"
  case "$name" in
    busybox) python3 "$here/mkimage.py" busybox "$out" --name busybox:latest >/dev/null ;;
    busybox-zstd) python3 "$here/mkimage.py" busybox "$out" --name busybox:latest --compress zstd >/dev/null ;;
    *) if [ -x "$here/fixtures.d/$name" ]; then "$here/fixtures.d/$name" "$out" >/dev/null
       else echo "fixtures.sh: unknown fixture $name" >&2; exit 1; fi ;;
  esac
  touch "$out/.done"
fi
echo "$out"
