/* netsetup: container networking as an OCI hook (man/netsetup.8). */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "error.h"
#include "fileutil.h"
#include "hookstate.h"
#include "log.h"
#include "netconf.h"
#include "network.h"

#define PROG "netsetup"
#define USAGE                                                                     \
  "usage: netsetup up|down|status|prune [--network NAME] [--config FILE]\n"       \
  "         [--bridge IF] [--subnet CIDR] [--gateway IP] [--mtu N]\n"             \
  "         [--table NAME] [--lease-dir DIR] [--prune] [--id ID]\n"               \
  "  up     createRuntime hook: OCI state on stdin; attach the container\n"       \
  "  down   poststop hook: detach it (--prune: remove the network when empty)\n"  \
  "  status show leases and the nftables table\n"                                 \
  "  prune  remove everything of the network from the host\n"

int main (int argc, char **argv)
{
  static const struct option opts[] = {
    { "network", required_argument, NULL, 'n' }, { "config", required_argument, NULL, 'c' },
    { "bridge", required_argument, NULL, 'b' },  { "subnet", required_argument, NULL, 's' },
    { "gateway", required_argument, NULL, 'g' }, { "mtu", required_argument, NULL, 'm' },
    { "table", required_argument, NULL, 't' },   { "lease-dir", required_argument, NULL, 'l' },
    { "prune", no_argument, NULL, 'P' },         { "id", required_argument, NULL, 'i' },
    { "help", no_argument, NULL, 'h' },          { "version", no_argument, NULL, 'V' },
    { NULL, 0, NULL, 0 }
  };
  /* Options override the config file: remember them, apply after it. */
  const char *keys[16], *vals[16], *config = NULL, *cmd = NULL, *id = NULL;
  cleanup_error oci_error *err = NULL;
  struct net_config conf;
  bool prune = false;
  int nset = 0, o, i, r;

  log_init (PROG, LOG_WARN);
  /* The runtime may close our stdout or stop reading stderr early. */
  signal (SIGPIPE, SIG_IGN);
  net_config_defaults (&conf);
  while ((o = getopt_long (argc, argv, "+h", opts, NULL)) != -1 || optind < argc)
    {
      if (o == -1)
        {
          if (cmd)
            return fprintf (stderr, PROG ": unexpected argument `%s`\n%s", argv[optind], USAGE), 2;
          cmd = argv[optind++];
          continue;
        }
      switch (o)
        {
        case 'n': keys[nset] = "network", vals[nset++] = optarg; break;
        case 'b': keys[nset] = "bridge", vals[nset++] = optarg; break;
        case 's': keys[nset] = "subnet", vals[nset++] = optarg; break;
        case 'g': keys[nset] = "gateway", vals[nset++] = optarg; break;
        case 'm': keys[nset] = "mtu", vals[nset++] = optarg; break;
        case 't': keys[nset] = "table", vals[nset++] = optarg; break;
        case 'l': keys[nset] = "lease_dir", vals[nset++] = optarg; break;
        case 'c': config = optarg; break;
        case 'P': prune = true; break;
        case 'i': id = optarg; break;
        case 'h': fputs (USAGE, stdout); return 0;
        case 'V': printf (PROG " " OCIKIT_VERSION "\n"); return 0;
        default: fputs (USAGE, stderr); return 2;
        }
      if (nset == 16)
        return fprintf (stderr, PROG ": too many options\n"), 2;
    }
  if (cmd == NULL)
    return fputs (USAGE, stderr), 2;

  /* The network name picks the config file, so it goes first. */
  for (i = 0; i < nset; i++)
    if (strcmp (keys[i], "network") == 0 && net_config_set (&conf, keys[i], vals[i], &err) < 0)
      return oci_error_report (PROG, &err, 2);
  if (net_config_read_file (&conf, config, &err) < 0)
    return oci_error_report (PROG, &err, 1);
  for (i = 0; i < nset; i++)
    if (net_config_set (&conf, keys[i], vals[i], &err) < 0)
      return oci_error_report (PROG, &err, 2);
  if (net_config_finish (&conf, &err) < 0)
    return oci_error_report (PROG, &err, 1);

  /* Every command reads or changes the host's links, leases and nftables:
     say so at once rather than failing on the first netlink call. */
  if (geteuid () != 0)
    return fprintf (stderr, PROG ": `%s` needs root (the host's network is changed with "
                            "CAP_NET_ADMIN)\n", cmd), 1;

  if (strcmp (cmd, "up") == 0 || strcmp (cmd, "down") == 0)
    {
      struct hook_state st = { 0 };
      cleanup_free char *in = NULL;
      size_t len;

      if (strcmp (cmd, "down") == 0 && id)
        r = network_down (&conf, id, prune, &err);
      else if (read_all_fd (STDIN_FILENO, 1 << 20, "container state on stdin", &in, &len, &err) < 0
               || hook_state_parse (in, len, &st, &err) < 0)
        r = -1;
      else if (strcmp (cmd, "up") == 0)
        r = network_up (&conf, &st, &err);
      else
        r = network_down (&conf, st.id, prune, &err);
      hook_state_free (&st);
    }
  else if (strcmp (cmd, "status") == 0)
    r = network_status (&conf, stdout, &err);
  else if (strcmp (cmd, "prune") == 0)
    r = network_prune (&conf, &err);
  else
    return fprintf (stderr, PROG ": unknown command `%s`\n%s", cmd, USAGE), 2;
  if (r < 0)
    return oci_error_report (PROG, &err, 1);
  return 0;
}
