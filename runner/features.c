/* runner features: runtime-spec features.md. */
#include <stdio.h>
#include <stdlib.h>

#include "caps.h"
#include "cgroup.h"
#include "cleanup.h"
#include "cli.h"
#include "json.h"
#include "seccomp.h"

/* One object from a generator function (compact JSON, malloc'd). */
static char *generated (void (*fn) (yajl_gen))
{
  cleanup_json_gen yajl_gen g = json_gen_new (false);
  char *text = NULL;
  if (g == NULL)
    return NULL;
  fn (g);
  if (json_gen_result (g, &text, NULL, NULL) < 0)
    return NULL;
  return text;
}

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
  cleanup_free char *cgroup_features = NULL;
  cleanup_free char *seccomp_features = NULL;

  if (argc != 1)
    return cli_usage (err, "features", "");
  fputs (features_text, stdout);
  for (int i = 0; i <= cap_last (); i++)
    printf ("%s\"%s\"", i ? ", " : "", cap_name (i));
  /* probed on this host by the cgroup and seccomp code */
  cgroup_features = generated (cgroup_features_json);
  seccomp_features = generated (seccomp_features_json);
  if (cgroup_features == NULL || seccomp_features == NULL)
    return oci_error_set (err, 0, "features: cannot generate JSON"), 1;
  printf (" ],\n"
          "    \"cgroup\": %s,\n"
          "    \"seccomp\": %s,\n"
          "    \"apparmor\": { \"enabled\": false },\n"
          "    \"selinux\": { \"enabled\": false },\n"
          "    \"intelRdt\": { \"enabled\": false },\n"
          "    \"mountExtensions\": { \"idmap\": { \"enabled\": false } }\n"
          "  },\n"
          "  \"annotations\": { \"org.opencontainers.runc.checkpoint.enabled\": \"false\" }\n"
          "}\n", cgroup_features, seccomp_features);
  return 0;
}
