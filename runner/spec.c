/* runner spec: write a default config.json (as `runc spec` does: sh in a
   busybox-like rootfs, the default mounts, capabilities, masked paths). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "cli.h"
#include "fileutil.h"

#define CAPS "\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\""

static const char spec_head[] =
  "{\n"
  "  \"ociVersion\": \"1.0.2-dev\",\n"
  "  \"process\": {\n"
  "    \"terminal\": true,\n"
  "    \"user\": { \"uid\": 0, \"gid\": 0 },\n"
  "    \"args\": [ \"sh\" ],\n"
  "    \"env\": [ \"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\", \"TERM=xterm\" ],\n"
  "    \"cwd\": \"/\",\n"
  "    \"capabilities\": {\n"
  "      \"bounding\": [ " CAPS " ],\n"
  "      \"effective\": [ " CAPS " ],\n"
  "      \"permitted\": [ " CAPS " ],\n"
  "      \"ambient\": [ " CAPS " ]\n"
  "    },\n"
  "    \"rlimits\": [ { \"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 1024 } ],\n"
  "    \"noNewPrivileges\": true\n"
  "  },\n"
  "  \"root\": { \"path\": \"rootfs\", \"readonly\": true },\n"
  "  \"hostname\": \"runner\",\n"
  "  \"mounts\": [\n"
  "    { \"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\" },\n"
  "    { \"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [ \"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\" ] },\n"
  "    { \"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\", \"options\": [ \"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", \"mode=0620\"%s ] },\n"
  "    { \"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\", \"options\": [ \"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\" ] },\n"
  "    { \"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": \"mqueue\", \"options\": [ \"nosuid\", \"noexec\", \"nodev\" ] },\n"
  "%s"
  "  ],\n"
  "  \"linux\": {\n"
  "%s"
  "    \"resources\": { \"devices\": [ { \"allow\": false, \"access\": \"rwm\" } ] },\n"
  "    \"namespaces\": [ { \"type\": \"pid\" }, %s{ \"type\": \"ipc\" }, { \"type\": \"uts\" }, { \"type\": \"mount\" }, { \"type\": \"cgroup\" }%s ],\n"
  "    \"maskedPaths\": [ \"/proc/acpi\", \"/proc/asound\", \"/proc/kcore\", \"/proc/keys\", \"/proc/latency_stats\", \"/proc/timer_list\", \"/proc/timer_stats\", \"/proc/sched_debug\", \"/sys/firmware\", \"/proc/scsi\" ],\n"
  "    \"readonlyPaths\": [ \"/proc/bus\", \"/proc/fs\", \"/proc/irq\", \"/proc/sys\", \"/proc/sysrq-trigger\" ]\n"
  "  }\n"
  "}\n";

static const char sys_mounts[] =
  "    { \"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\", \"options\": [ \"nosuid\", \"noexec\", \"nodev\", \"ro\" ] },\n"
  "    { \"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": \"cgroup\", \"options\": [ \"nosuid\", \"noexec\", \"nodev\", \"relatime\", \"ro\" ] }\n";
static const char sys_mounts_rootless[] =
  "    { \"destination\": \"/sys\", \"type\": \"none\", \"source\": \"/sys\", \"options\": [ \"rbind\", \"nosuid\", \"noexec\", \"nodev\", \"ro\" ] }\n";

int cmd_spec (int argc, char **argv, oci_error **err)
{
  static const struct option opts[] = {
    { "bundle", required_argument, NULL, 'b' }, { "rootless", no_argument, NULL, 'r' },
    { NULL, 0, NULL, 0 },
  };
  const char *bundle = ".";
  bool rootless = false;
  cleanup_close int dirfd = -1;
  cleanup_free char *text = NULL;
  char maps[256] = "";
  int ch, n;

  while ((ch = getopt_long (argc, argv, "+b:", opts, NULL)) != -1)
    switch (ch)
      {
      case 'b': bundle = optarg; break;
      case 'r': rootless = true; break;
      default: return cli_usage (err, "spec", "[--bundle DIR] [--rootless]");
      }
  if (optind != argc)
    return cli_usage (err, "spec", "[--bundle DIR] [--rootless]");
  dirfd = open (bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0)
    return oci_error_set (err, errno, "bundle `%s`", bundle), 1;
  if (faccessat (dirfd, "config.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
    return oci_error_set (err, 0, "`%s/config.json` exists: remove it first", bundle), 1;
  if (rootless)
    snprintf (maps, sizeof maps,
              "    \"uidMappings\": [ { \"containerID\": 0, \"hostID\": %u, \"size\": 1 } ],\n"
              "    \"gidMappings\": [ { \"containerID\": 0, \"hostID\": %u, \"size\": 1 } ],\n",
              (unsigned) getuid (), (unsigned) getgid ());
  n = asprintf (&text, spec_head, rootless ? "" : ", \"gid=5\"",
                rootless ? sys_mounts_rootless : sys_mounts, maps,
                rootless ? "" : "{ \"type\": \"network\" }, ",
                rootless ? ", { \"type\": \"user\" }" : "");
  if (n < 0)
    return oci_error_set (err, ENOMEM, "spec"), 1;
  if (rootless)
    {
      /* no device cgroup rules without privileges */
      char *r = strstr (text, "    \"resources\"");
      if (r)
        {
          char *eol = strchr (r, '\n');
          memmove (r, eol + 1, strlen (eol + 1) + 1);
        }
    }
  return write_file_atomic (dirfd, "config.json", text, strlen (text), 0644, err) < 0 ? 1 : 0;
}
