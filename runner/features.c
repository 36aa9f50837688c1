/* runner features: runtime-spec features.md. */
#include <stdio.h>

#include "caps.h"
#include "cli.h"

static const char features_text[] =
  "{\n"
  "  \"ociVersionMin\": \"1.0.0\",\n"
  "  \"ociVersionMax\": \"1.2.0\",\n"
  "  \"hooks\": [ \"prestart\", \"createRuntime\", \"createContainer\", \"startContainer\", \"poststart\", \"poststop\" ],\n"
  "  \"mountOptions\": [ \"async\", \"atime\", \"bind\", \"defaults\", \"dev\", \"diratime\", \"dirsync\", \"exec\", \"lazytime\", \"loud\", \"mand\", \"noatime\", \"nodev\", \"nodiratime\", \"noexec\", \"nolazytime\", \"nomand\", \"norelatime\", \"nostrictatime\", \"nosuid\", \"private\", \"rbind\", \"relatime\", \"remount\", \"ro\", \"rprivate\", \"rshared\", \"rslave\", \"runbindable\", \"rw\", \"shared\", \"silent\", \"slave\", \"strictatime\", \"suid\", \"sync\", \"tmpcopyup\", \"unbindable\" ],\n"
  "  \"linux\": {\n"
  "    \"namespaces\": [ \"cgroup\", \"ipc\", \"mount\", \"network\", \"pid\", \"time\", \"user\", \"uts\" ],\n"
  "    \"capabilities\": [ ";

int cmd_features (int argc, char **argv, oci_error **err)
{
  if (argc != 1)
    return cli_usage (err, "features", "");
  fputs (features_text, stdout);
  for (int i = 0; i <= cap_last (); i++)
    printf ("%s\"%s\"", i ? ", " : "", cap_name (i));
  printf (" ],\n"
          "    \"cgroup\": { \"v1\": true, \"v2\": true, \"systemd\": false, \"systemdUser\": false },\n"
          "    \"seccomp\": { \"enabled\": true },\n"
          "    \"apparmor\": { \"enabled\": false },\n"
          "    \"selinux\": { \"enabled\": false },\n"
          "    \"intelRdt\": { \"enabled\": false },\n"
          "    \"mountExtensions\": { \"idmap\": { \"enabled\": false } }\n"
          "  },\n"
          "  \"annotations\": { \"org.opencontainers.runc.checkpoint.enabled\": \"false\" }\n"
          "}\n");
  return 0;
}
