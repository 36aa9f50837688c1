/* mkbundle [options] [REFERENCE|-] BUNDLE [-- COMMAND...]: image config
   from the store + rootfs at BUNDLE/rootfs → BUNDLE/config.json. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "cleanup.h"
#include "image.h"
#include "log.h"
#include "store.h"

#define PROG "mkbundle"
enum { OPT_STORE = 1000, OPT_HELP, OPT_VERSION };

static const char usage[] =
  "Usage: mkbundle [OPTIONS] [REFERENCE|-] BUNDLE [-- COMMAND [ARG...]]\n"
  "Write BUNDLE/config.json for the image REFERENCE (or the first line of stdin)\n"
  "whose rootfs is unpacked at BUNDLE/rootfs; print BUNDLE.\n"
  "  --store DIR            image store (default $OCIKIT_STORE or the user's store)\n"
  "  --rootfs PATH          rootfs elsewhere than BUNDLE/rootfs\n"
  "  --entrypoint CMD       replace the image's Entrypoint (\"\" for none, or [\"a\",\"b\"])\n"
  "  -e, --env NAME[=VAL]   set an environment variable      --env-file FILE\n"
  "  -w, --workdir DIR      working directory                -u, --user USER[:GROUP]\n"
  "  -h, --hostname NAME    host name                        -t, --tty\n"
  "  --cpus N  --cpu-shares N  --memory SIZE  --memory-swap SIZE|-1  --pids-limit N\n"
  "  -v, --volume SRC:DST[:ro]  --tmpfs DST[:OPTS]  --read-only\n"
  "  --image-volumes ignore|tmpfs   what to do with the image's Volumes\n"
  "  --cap-add CAP  --cap-drop CAP  --privileged  --ulimit NAME=SOFT[:HARD]\n"
  "  --security-opt seccomp=unconfined|FILE  --security-opt no-new-privileges\n"
  "  --net none|host|bridge[:NAME]  -p, --publish [IP:]HOST:CONTAINER[/tcp|udp]\n"
  "  --userns C:H:N  --uidmap C:H:N  --gidmap C:H:N   user namespace id maps\n"
  "  -q, --quiet  --verbose  --help  --version\n";

static const struct option longopts[] = {
  { "store", required_argument, NULL, OPT_STORE },
  { "rootfs", required_argument, NULL, OPT_ROOTFS },
  { "hostname", required_argument, NULL, OPT_HOSTNAME },
  { "tty", no_argument, NULL, OPT_TTY },
  { "entrypoint", required_argument, NULL, OPT_ENTRYPOINT },
  { "env", required_argument, NULL, OPT_ENV },
  { "env-file", required_argument, NULL, OPT_ENV_FILE },
  { "workdir", required_argument, NULL, OPT_WORKDIR },
  { "user", required_argument, NULL, OPT_USER },
  { "cpus", required_argument, NULL, OPT_CPUS },
  { "cpu-shares", required_argument, NULL, OPT_CPU_SHARES },
  { "memory", required_argument, NULL, OPT_MEMORY },
  { "memory-swap", required_argument, NULL, OPT_MEMORY_SWAP },
  { "pids-limit", required_argument, NULL, OPT_PIDS_LIMIT },
  { "volume", required_argument, NULL, OPT_VOLUME },
  { "tmpfs", required_argument, NULL, OPT_TMPFS },
  { "read-only", no_argument, NULL, OPT_READ_ONLY },
  { "cap-add", required_argument, NULL, OPT_CAP_ADD },
  { "cap-drop", required_argument, NULL, OPT_CAP_DROP },
  { "privileged", no_argument, NULL, OPT_PRIVILEGED },
  { "security-opt", required_argument, NULL, OPT_SECURITY_OPT },
  { "ulimit", required_argument, NULL, OPT_ULIMIT },
  { "net", required_argument, NULL, OPT_NET },
  { "network", required_argument, NULL, OPT_NET },
  { "publish", required_argument, NULL, OPT_PUBLISH },
  { "userns", required_argument, NULL, OPT_USERNS },
  { "uidmap", required_argument, NULL, OPT_UIDMAP },
  { "gidmap", required_argument, NULL, OPT_GIDMAP },
  { "image-volumes", required_argument, NULL, OPT_IMAGE_VOLUMES },
  { "quiet", no_argument, NULL, 'q' },
  { "verbose", no_argument, NULL, 'V' },
  { "help", no_argument, NULL, OPT_HELP },
  { "version", no_argument, NULL, OPT_VERSION },
  { NULL, 0, NULL, 0 },
};

int main (int argc, char **argv)
{
  cleanup_error oci_error *err = NULL;
  cleanup_free char *ref = NULL;
  cleanup_free char *store_dir = NULL;
  const char *store_opt = NULL, *bundle_dir;
  bundle_options o;
  enum log_level level = LOG_INFO;
  int c, nargs, dashdash = argc;
  int r;

  log_init (PROG, LOG_INFO);
  bundle_options_init (&o);
  for (int i = 1; i < argc; i++)
    if (!utf8_valid (argv[i]))
      {
        fprintf (stderr, PROG ": argument %d is not valid UTF-8 (config.json cannot hold it)\n", i);
        bundle_options_clear (&o);
        return 2;
      }
  /* everything after the first `--` is the command */
  for (int i = 1; i < argc; i++)
    if (strcmp (argv[i], "--") == 0)
      {
        dashdash = i;
        break;
      }
  while ((c = getopt_long (dashdash, argv, "h:te:w:u:v:p:q", longopts, NULL)) != -1)
    switch (c)
      {
      case OPT_STORE: store_opt = optarg; break;
      case 'q': level = LOG_WARN; break;
      case 'V': level = LOG_DEBUG; break;
      case OPT_HELP: fputs (usage, stdout); bundle_options_clear (&o); return 0;
      case OPT_VERSION:
        printf (PROG " " OCIKIT_VERSION "\n");
        bundle_options_clear (&o);
        return 0;
      case '?': fputs (usage, stderr); bundle_options_clear (&o); return 2;
      default:
        if (bundle_options_add (&o, c, optarg, &err) < 0)
          {
            bundle_options_clear (&o);
            return oci_error_report (PROG, &err, 2);
          }
      }
  log_init (PROG, level);
  if (dashdash < argc)
    {
      o.args_set = true;
      for (int i = dashdash + 1; i < argc; i++)
        strv_push (&o.args, argv[i]);
    }
  nargs = dashdash - optind;
  if (nargs < 1 || nargs > 2)
    {
      fprintf (stderr, PROG ": expected [REFERENCE|-] BUNDLE\n%s", usage);
      bundle_options_clear (&o);
      return 2;
    }
  bundle_dir = argv[optind + nargs - 1];
  store_dir = store_default_path (store_opt);
  r = image_read_token (nargs == 2 ? argv[optind] : NULL, &ref, &err);
  if (r == 0)
    r = bundle_make (store_dir, ref, bundle_dir, &o, &err);
  bundle_options_clear (&o);
  if (r < 0)
    return oci_error_report (PROG, &err, 1);
  printf ("%s\n", bundle_dir);
  return 0;
}
