#!/usr/bin/env bats
# mkbundle on its own: inputs (argument, stdin token, pinned reference),
# the config it writes (conversion rules, defaults, options) checked
# against the runtime-spec JSON schema, and its one-line refusals.
load ../lib/common
load ../lib/bundle_helpers

setup() {
  common_setup
  LAYOUT=$(fixture_layout bundle-app)
  ROOTFS=$(shared_rootfs bundle-app app:latest)
  B=$TESTTMP/b
  mkdir -p "$B"
}

pinned() { # the pipeline token of app:latest
  echo "docker.io/library/app:latest@$(jq -r '.manifests[0].digest' "$LAYOUT/index.json")"
}

@test "mkbundle prints the bundle and writes config.json, hosts, hostname, resolv.conf" {
  ln -s "$ROOTFS" "$B/rootfs"
  mkb app:latest "$B"
  [ "$mkb_out" = "$B" ]
  [ -f "$B/config.json" ] && [ -f "$B/hosts" ] && [ -f "$B/hostname" ] && [ -f "$B/resolv.conf" ]
  [ "$(cfg .root.path)" = rootfs ]
  [ "$(cfg .ociVersion)" = 1.0.2-dev ]
  [ "$(cfg '.mounts[] | select(.destination=="/etc/hosts") | .source')" = "$B/hosts" ]
}

@test "the reference comes as argument, as first stdin line, or as -" {
  ln -s "$ROOTFS" "$B/rootfs"
  pinned | mkbundle --store "$LAYOUT" "$B" >"$TESTTMP/out"
  [ "$(cat "$TESTTMP/out")" = "$B" ]
  pinned | mkbundle --store "$LAYOUT" - "$B" >/dev/null
  OCIKIT_STORE=$LAYOUT mkbundle "$(pinned)" "$B" >/dev/null
  python3 "$BUNDLE_SCHEMA_CHECK" "$B/config.json"
}

@test "conversion: Entrypoint+Cmd, WorkingDir, User with groups, Env, annotations" {
  mkb --rootfs "$ROOTFS" app:latest "$B"
  [ "$(cfg '.process.args | join(" ")')" = "/srv/app.sh default-arg" ]
  [ "$(cfg .process.cwd)" = /srv ]
  [ "$(cfg .process.user.uid)" = 1000 ]
  [ "$(cfg .process.user.gid)" = 1000 ]
  [ "$(cfg '.process.user.additionalGids | join(",")')" = 100 ]
  [ "$(cfg '.process.env | join(" ")')" = "PATH=/usr/sbin:/usr/bin:/sbin:/bin APP_MODE=image HOSTNAME=b" ]
  [ "$(cfg '.annotations["org.opencontainers.image.stopSignal"]')" = SIGQUIT ]
  [ "$(cfg '.annotations["org.opencontainers.image.exposedPorts"]')" = 8080/tcp ]
  [ "$(cfg '.annotations["org.opencontainers.image.os"]')" = linux ]
  [ "$(cfg '.annotations["org.opencontainers.image.architecture"]')" = amd64 ]
  [ "$(cfg '.annotations["org.example.team"]')" = bundle ]
  [ "$(cfg '.annotations["org.ocikit.image.volumes"]')" = /data ]
  # an image label cannot publish ports through netsetup
  [ "$(cfg '.annotations["org.ocikit.net.ports"]')" = null ]
  [[ "$mkb_err" == *"org.ocikit.net.ports"*"not copied"* ]]
  # the root path is absolute when --rootfs is given
  [ "$(cfg .root.path)" = "$ROOTFS" ]
}

@test "overrides: --entrypoint, args after --, -e, --env-file, -w, -u" {
  printf '# comment\nFROM_FILE=1\nAPP_MODE=file\n' >"$TESTTMP/env"
  mkb --rootfs "$ROOTFS" --entrypoint /bin/echo -e X=1 --env-file "$TESTTMP/env" -w /tmp -u daemon:users -t app:latest "$B" -- a b
  [ "$(cfg '.process.args | join(" ")')" = "/bin/echo a b" ]
  [ "$(cfg '.process.env | join(" ")')" = "PATH=/usr/sbin:/usr/bin:/sbin:/bin APP_MODE=file X=1 FROM_FILE=1 HOSTNAME=b TERM=xterm" ]
  [ "$(cfg .process.cwd)" = /tmp ]
  [ "$(cfg .process.user.uid)" = 1 ]
  [ "$(cfg .process.user.gid)" = 100 ]
  [ "$(cfg .process.user.additionalGids)" = null ]
  [ "$(cfg .process.terminal)" = true ]
  mkb --rootfs "$ROOTFS" --entrypoint "" app:latest "$B" -- /bin/true
  [ "$(cfg '.process.args | join(" ")')" = /bin/true ]
  mkb --rootfs "$ROOTFS" -u 4242:4343 app:latest "$B"
  [ "$(cfg .process.user.uid)" = 4242 ] && [ "$(cfg .process.user.gid)" = 4343 ]
}

@test "defaults: namespaces, mounts, masked paths, docker's capabilities, NOFILE, seccomp" {
  mkb --rootfs "$ROOTFS" app:latest "$B"
  [ "$(cfg '[.linux.namespaces[].type] | sort | join(",")')" = cgroup,ipc,mount,network,pid,uts ]
  for d in /proc /dev /dev/pts /dev/shm /dev/mqueue /sys /sys/fs/cgroup /etc/hosts /etc/hostname /etc/resolv.conf; do
    [ "$(cfg "[.mounts[] | select(.destination==\"$d\")] | length")" = 1 ] || { echo "no mount $d"; false; }
  done
  [ "$(cfg '.mounts[] | select(.destination=="/sys") | .options | index("ro") != null')" = true ]
  [ "$(cfg '.linux.maskedPaths | index("/proc/kcore") != null')" = true ]
  [ "$(cfg '.linux.readonlyPaths | index("/proc/sys") != null')" = true ]
  [ "$(cfg '.process.capabilities.bounding | length')" = 14 ]
  [ "$(cfg '.process.capabilities.inheritable')" = null ]
  [ "$(cfg '.process.noNewPrivileges')" = false ]
  hard=$(ulimit -Hn); want=$(( hard < 1048576 ? hard : 1048576 ))
  [ "$(cfg '.process.rlimits[] | select(.type=="RLIMIT_NOFILE") | .hard')" = "$want" ]
  [ "$(cfg .linux.seccomp.defaultAction)" = SCMP_ACT_ERRNO ]
  [ "$(cfg '[.linux.seccomp.syscalls[].names[]] | index("unshare")')" = null ]
  [ "$(cfg '[.linux.seccomp.syscalls[].names[]] | index("keyctl")')" = null ]
  [ "$(cfg '.hooks')" = null ]
}

@test "differential: everything \`runc spec\` and \`crun spec\` set up by default is in ours" {
  mkb --rootfs "$ROOTFS" app:latest "$B"
  for rt in runc crun; do
    command -v $rt >/dev/null || continue
    mkdir -p "$TESTTMP/$rt" && (cd "$TESTTMP/$rt" && $rt spec)
    ref=$TESTTMP/$rt/config.json
    for d in $(jq -r '.mounts[].destination' "$ref"); do
      [ "$(cfg "[.mounts[] | select(.destination==\"$d\")] | length")" = 1 ] || { echo "$rt mount $d missing"; false; }
    done
    for p in $(jq -r '.linux.maskedPaths[]' "$ref"); do
      [ "$(cfg ".linux.maskedPaths | index(\"$p\") != null")" = true ] || { echo "$rt masked $p missing"; false; }
    done
    for p in $(jq -r '.linux.readonlyPaths[]' "$ref"); do
      [ "$(cfg ".linux.readonlyPaths | index(\"$p\") != null")" = true ] || { echo "$rt readonly $p missing"; false; }
    done
    for n in $(jq -r '.linux.namespaces[].type' "$ref"); do
      [ "$(cfg "[.linux.namespaces[].type] | index(\"$n\") != null")" = true ] || { echo "$rt namespace $n missing"; false; }
    done
  done
}

@test "differential: umoci raw runtime-config converts the image the same way" {
  command -v umoci >/dev/null || skip "umoci is not installed"
  mkb --rootfs "$ROOTFS" app:latest "$B"
  umoci raw runtime-config --image "$LAYOUT:app:latest" --rootfs "$ROOTFS" "$TESTTMP/umoci.json" 2>/dev/null
  u() { jq -cr "$1" "$TESTTMP/umoci.json"; }
  [ "$(cfg '.process.args | tojson')" = "$(u '.process.args')" ]
  [ "$(cfg .process.cwd)" = "$(u .process.cwd)" ]
  [ "$(cfg '.process.user | tojson')" = "$(u '.process.user')" ]
  # every image variable is there with the same value
  for e in $(u '.process.env[]' | grep -v -e '^TERM=' -e '^HOME='); do
    [ "$(cfg ".process.env | index(\"$e\") != null")" = true ] || { echo "env $e"; false; }
  done
  # the same annotations, except the unsafe label we drop and umoci's empty author
  for k in $(u '.annotations | keys[]'); do
    case $k in org.ocikit.*|org.opencontainers.image.author) continue ;; esac
    [ "$(cfg ".annotations[\"$k\"]")" = "$(u ".annotations[\"$k\"]")" ] || { echo "annotation $k"; false; }
  done
}

@test "options: resources, mounts, read-only, caps, security, ulimits, userns" {
  mkdir -p "$TESTTMP/vol"
  printf '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO","errnoRet":13}]}' >"$TESTTMP/prof.json"
  mkb --rootfs "$ROOTFS" --hostname web1 --cpus 0.5 --cpu-shares 512 --memory 64m --memory-swap 128m \
      --pids-limit 50 -v "$TESTTMP/vol:/data:ro" --tmpfs /run:size=1m --read-only \
      --cap-add sys_admin --cap-drop net_raw --security-opt no-new-privileges \
      --security-opt seccomp="$TESTTMP/prof.json" --ulimit nproc=100:200 \
      --userns 0:100000:65536 app:latest "$B"
  [ "$(cfg .hostname)" = web1 ]
  [ "$(cat "$B/hostname")" = web1 ]
  [ "$(cfg .linux.resources.cpu.quota)" = 50000 ]
  [ "$(cfg .linux.resources.cpu.period)" = 100000 ]
  [ "$(cfg .linux.resources.cpu.shares)" = 512 ]
  [ "$(cfg .linux.resources.memory.limit)" = 67108864 ]
  [ "$(cfg .linux.resources.memory.swap)" = 134217728 ]
  [ "$(cfg .linux.resources.pids.limit)" = 50 ]
  [ "$(cfg '.mounts[] | select(.destination=="/data") | .source')" = "$TESTTMP/vol" ]
  [ "$(cfg '.mounts[] | select(.destination=="/data") | .options | join(",")')" = rbind,rprivate,ro ]
  [ "$(cfg '.mounts[] | select(.destination=="/run") | .type')" = tmpfs ]
  [ "$(cfg .root.readonly)" = true ]
  [ "$(cfg '.process.capabilities.bounding | index("CAP_SYS_ADMIN") != null')" = true ]
  [ "$(cfg '.process.capabilities.bounding | index("CAP_NET_RAW")')" = null ]
  [ "$(cfg .process.noNewPrivileges)" = true ]
  [ "$(cfg .linux.seccomp.defaultAction)" = SCMP_ACT_ALLOW ]
  [ "$(cfg '.linux.seccomp.syscalls[0].errnoRet')" = 13 ]
  [ "$(cfg '.process.rlimits[] | select(.type=="RLIMIT_NPROC") | .soft')" = 100 ]
  [ "$(cfg '.linux.uidMappings[0].hostID')" = 100000 ]
  [ "$(cfg '.linux.gidMappings[0].size')" = 65536 ]
  [ "$(cfg '[.linux.namespaces[].type] | index("user") != null')" = true ]
}

@test "--privileged and seccomp=unconfined: no filter, all capabilities, host devices" {
  mkb --rootfs "$ROOTFS" --privileged app:latest "$B"
  [ "$(cfg .linux.seccomp)" = null ]
  # every capability mkbundle itself may hold (the bounding set)
  bnd=$(printf '%d' 0x$(awk '/^CapBnd/ {print $2}' /proc/self/status))
  n=0; for ((i = 0; i < 64; i++)); do (( (bnd >> i) & 1 )) && n=$((n + 1)); done
  [ "$(cfg '.process.capabilities.bounding | length')" = "$n" ]
  [ "$(cfg .linux.maskedPaths)" = null ]
  [ "$(cfg '.linux.resources.devices[0].allow')" = true ]
  [ "$(cfg '.linux.devices[] | select(.path=="/dev/null") | .type')" = c ]
  mkb --rootfs "$ROOTFS" --security-opt seccomp=unconfined app:latest "$B"
  [ "$(cfg .linux.seccomp)" = null ]
  [ "$(cfg .ociVersion)" = 1.0.0 ]
}

@test "--net host and --net bridge: namespaces, /etc files, hooks, ports" {
  mkb --rootfs "$ROOTFS" --net host app:latest "$B"
  [ "$(cfg '[.linux.namespaces[].type] | index("network")')" = null ]
  [ "$(cfg .hostname)" = "$(hostname)" ]
  cmp "$B/resolv.conf" /etc/resolv.conf
  mkb --rootfs "$ROOTFS" --net bridge -p 8080:80 -p 127.0.0.1:5353:53/udp app:latest "$B"
  [ "$(cfg '[.linux.namespaces[].type] | index("network") != null')" = true ]
  [ "$(cfg '.hooks.createRuntime[0].path')" = "$BIN/netsetup" ]
  [ "$(cfg '.hooks.createRuntime[0].args | join(" ")')" = "netsetup up" ]
  [ "$(cfg '.hooks.poststop[0].args | join(" ")')" = "netsetup down" ]
  [ "$(cfg '.annotations["org.ocikit.net.mode"]')" = bridge ]
  [ "$(cfg '.annotations["org.ocikit.net.ports"]')" = '[{"hostIP":"0.0.0.0","hostPort":8080,"containerPort":80,"protocol":"tcp"},{"hostIP":"127.0.0.1","hostPort":5353,"containerPort":53,"protocol":"udp"}]' ]
  ! grep -q '^nameserver 127\.' "$B/resolv.conf"
  mkb --rootfs "$ROOTFS" --net bridge:lab app:latest "$B"
  [ "$(cfg '.hooks.createRuntime[0].args | join(" ")')" = "netsetup up --network lab" ]
  [ "$(cfg '.hooks.poststop[0].args | join(" ")')" = "netsetup down --network lab" ]
  run mkbundle --store "$LAYOUT" --net "bridge:../x" app:latest "$B"
  assert_one_line_error
}

@test "--image-volumes tmpfs mounts the image's Volumes, -v wins over it" {
  mkdir -p "$TESTTMP/vol"
  mkb --rootfs "$ROOTFS" --image-volumes tmpfs app:latest "$B"
  [ "$(cfg '.mounts[] | select(.destination=="/data") | .type')" = tmpfs ]
  mkb --rootfs "$ROOTFS" --image-volumes tmpfs -v "$TESTTMP/vol:/data" app:latest "$B"
  [ "$(cfg '.mounts[] | select(.destination=="/data") | .type')" = bind ]
}

@test "every combination of options gives a config that validates against the schema" {
  mkdir -p "$TESTTMP/vol"
  local i=0
  while read -r line; do
    i=$((i + 1))
    eval "set -- $line"
    mkb --rootfs "$ROOTFS" "$@" app:latest "$B/v$i" || { echo "variant: $line"; false; }
  done <<EOF2
--net none
--net host -t
--net bridge -p 80:80 -p 81:81/udp
--privileged --net host
--privileged --userns 0:100000:65536
--read-only --tmpfs /tmp --tmpfs /run:size=1m -v $TESTTMP/vol:/v:ro
--memory 1g --memory-swap -1 --cpus 1.5 --cpu-shares 2 --pids-limit 1
--cap-drop all --cap-add chown --security-opt no-new-privileges
--cap-add all
--ulimit core=unlimited --ulimit nofile=10:20
--security-opt seccomp=unconfined --image-volumes tmpfs
--uidmap 0:200000:1000 --gidmap 0:300000:1000 --net host
-u root:root -w /
EOF2
  mkb --rootfs "$ROOTFS" --entrypoint '["/bin/sh","-c"]' app:latest "$B/sh" -- 'echo $HOME'
  [ "$(cfg '.process.args | join(" ")')" = '/bin/sh -c echo $HOME' ]
}

@test "refusals are one line and leave no config.json" {
  run mkbundle --store "$LAYOUT" app:latest "$B"
  assert_one_line_error
  [[ "$output" == "mkbundle: rootfs \`$B/rootfs\` (unpack the image there first): No such file or directory" ]]
  ln -s "$ROOTFS" "$B/rootfs"
  run mkbundle --store "$LAYOUT" --memory lots app:latest "$B"
  assert_one_line_error
  [[ "$output" == *"--memory \`lots\`: not a size"* ]]
  run mkbundle --store "$LAYOUT" -v /nonexistent/src:/data app:latest "$B"
  assert_one_line_error
  [[ "$output" == *"source \`/nonexistent/src\`: No such file or directory"* ]]
  run mkbundle --store "$LAYOUT" --net bridge -p 8080:80 -p 8080:81 app:latest "$B"
  assert_one_line_error
  [[ "$output" == *"host port 8080/tcp is given twice"* ]]
  run mkbundle --store "$LAYOUT" -p 8080:80 app:latest "$B"
  assert_one_line_error
  [[ "$output" == *"--net bridge"* ]]
  run mkbundle --store "$LAYOUT" -u ghost app:latest "$B"
  assert_one_line_error
  [[ "$output" == *"user \`ghost\` not found in the image's /etc/passwd"* ]]
  run mkbundle --store "$LAYOUT" --cap-add fly app:latest "$B"
  assert_one_line_error
  run mkbundle --store "$LAYOUT" --ulimit nofile=9:1 app:latest "$B"
  assert_one_line_error
  run mkbundle --store "$LAYOUT" nosuch:image "$B"
  assert_one_line_error
  [[ "$output" == *"not in store"* ]]
  run mkbundle --store "$LAYOUT" --security-opt seccomp="$TESTTMP/none.json" app:latest "$B"
  assert_one_line_error
  run mkbundle --store "$LAYOUT" -e "X=$(printf '\377')" app:latest "$B"
  assert_one_line_error
  [[ "$output" == *"not valid UTF-8"* ]]
  [ ! -e "$B/config.json" ]
  [ ! -e "$B/hosts" ]
}

@test "a hostile image's /etc/passwd symlink cannot read the host's" {
  grep -q '^daemon:' /etc/passwd || skip "the host has no daemon user"
  local lay
  lay=$(fixture_layout bundle-hostile)
  mkdir -p "$B"
  bundle_unpack "$lay" hostile:latest "$B/rootfs"
  [ -L "$B/rootfs/etc/passwd" ]
  run mkbundle --store "$lay" hostile:latest "$B"
  assert_one_line_error
  [[ "$output" == *"user \`daemon\` not found in the image's /etc/passwd"* ]]
  [ ! -e "$B/config.json" ]
  # a numeric user needs no lookup and works
  LAYOUT=$lay mkb -u 1:1 hostile:latest "$B"
  [ "$(cfg .process.user.uid)" = 1 ]
}

@test "--help and usage errors" {
  run mkbundle --help
  [ "$status" -eq 0 ]
  [[ "$output" == *"--memory"* ]]
  run mkbundle
  [ "$status" -eq 2 ]
  run mkbundle --bogus x y
  [ "$status" -eq 2 ]
}
