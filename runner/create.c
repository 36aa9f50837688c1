/* runner create: runtime.md "create" — the container process waits on
   start.sock until `runner start`. */
#include <getopt.h>
#include <stdlib.h>

#include "cli.h"
#include "container.h"

int cmd_create (int argc, char **argv, oci_error **err)
{
  static const struct option opts[] = {
    { "bundle", required_argument, NULL, 'b' },  { "pid-file", required_argument, NULL, 'p' },
    { "console-socket", required_argument, NULL, 'c' }, { "no-pivot", no_argument, NULL, 'P' },
    { "no-new-keyring", no_argument, NULL, 'K' }, { "preserve-fds", required_argument, NULL, 'F' },
    { NULL, 0, NULL, 0 },
  };
  struct container_opts o = { .bundle = "." };
  container c;
  int ch;

  while ((ch = getopt_long (argc, argv, "+b:", opts, NULL)) != -1)
    switch (ch)
      {
      case 'b': o.bundle = optarg; break;
      case 'p': o.pid_file = optarg; break;
      case 'c': o.console_socket = optarg; break;
      case 'P': o.no_pivot = true; break;
      case 'K': o.no_new_keyring = true; break;
      case 'F': o.preserve_fds = atoi (optarg); break;
      default: return cli_usage (err, "create", "[--bundle DIR] [--pid-file F] [--console-socket S] ID");
      }
  if (optind != argc - 1)
    return cli_usage (err, "create", "[--bundle DIR] [--pid-file F] [--console-socket S] ID");
  o.id = argv[optind];
  if (container_create (&o, &c, err) < 0)
    {
      container_abort (&c);
      container_release (&c);
      return 1;
    }
  container_release (&c);
  return 0;
}
