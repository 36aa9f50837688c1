/* create_opts.h: the options of `create` and `run`. */
#include "create_opts.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>

#include "cli.h"

int create_opts_parse (int argc, char **argv, bool run, struct container_opts *o, bool *keep,
                       oci_error **err)
{
  static const struct option opts[] = {
    { "bundle", required_argument, NULL, 'b' },  { "pid-file", required_argument, NULL, 'p' },
    { "console-socket", required_argument, NULL, 'c' }, { "no-pivot", no_argument, NULL, 'P' },
    { "no-new-keyring", no_argument, NULL, 'K' }, { "preserve-fds", required_argument, NULL, 'F' },
    /* run only */
    { "detach", no_argument, NULL, 'd' },        { "keep", no_argument, NULL, 'k' },
    { "no-subreaper", no_argument, NULL, 'S' },
    { NULL, 0, NULL, 0 },
  };
  const char *cmd = run ? "run" : "create";
  const char *use = run ? "[--bundle DIR] [--detach] [--keep] [--pid-file F] [--console-socket S] "
                          "[--no-pivot] [--no-new-keyring] [--preserve-fds N] ID"
                        : "[--bundle DIR] [--pid-file F] [--console-socket S] [--no-pivot] "
                          "[--no-new-keyring] [--preserve-fds N] ID";
  int ch;

  *o = (struct container_opts) { .bundle = ".", .run = run, .foreground = run };
  if (keep)
    *keep = false;
  while ((ch = getopt_long (argc, argv, run ? "+b:d" : "+b:", opts, NULL)) != -1)
    {
      if (!run && (ch == 'd' || ch == 'k' || ch == 'S'))
        ch = '?';
      switch (ch)
        {
        case 'b': o->bundle = optarg; break;
        case 'p': o->pid_file = optarg; break;
        case 'c': o->console_socket = optarg; break;
        case 'P': o->no_pivot = true; break;
        case 'K': o->no_new_keyring = true; break;
        case 'F':
          {
            char *end;
            long n;
            errno = 0;
            n = strtol (optarg, &end, 10);
            if (errno || end == optarg || *end || n < 0 || n > INT_MAX - 3)
              {
                oci_error_set (err, 0, "%s: --preserve-fds `%s`: not a count of descriptors", cmd,
                               optarg);
                return 2;
              }
            o->preserve_fds = (int) n;
            break;
          }
        case 'd': o->foreground = false; break;
        case 'k':
          if (keep)
            *keep = true;
          break;
        case 'S': break; /* runc's; runner never needs a subreaper */
        default: return cli_usage (err, cmd, use);
        }
    }
  if (optind != argc - 1)
    return cli_usage (err, cmd, use);
  o->id = argv[optind];
  return 0;
}
