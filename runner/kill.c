/* runner kill: runtime.md "kill" — names and numbers, --all through the
   cgroup. */
#include <getopt.h>
#include <signal.h>

#include "cleanup.h"
#include "cli.h"
#include "container.h"
#include "signals.h"

int cmd_kill (int argc, char **argv, oci_error **err)
{
  static const struct option opts[] = {
    { "all", no_argument, NULL, 'a' }, { NULL, 0, NULL, 0 },
  };
  cleanup_close int rootfd = -1;
  cleanup_close int dirfd = -1;
  cleanup_state container_state st = { .dirfd = -1 };
  /* st.dirfd (the lock) is closed by this */
  bool all = false;
  int ch, sig = SIGTERM;

  while ((ch = getopt_long (argc, argv, "+a", opts, NULL)) != -1)
    if (ch == 'a')
      all = true;
    else
      return cli_usage (err, "kill", "[--all] ID [SIGNAL]");
  if (optind != argc - 1 && optind != argc - 2)
    return cli_usage (err, "kill", "[--all] ID [SIGNAL]");
  if (optind == argc - 2 && signal_parse (argv[optind + 1], &sig, err) < 0)
    return 1;
  if (state_open_container (runner_globals.root, argv[optind], &rootfd, &st, err) < 0)
    return 1;
  dirfd = st.dirfd;
  return container_kill (&st, sig, all, err) < 0 ? 1 : 0;
}
