/* runner state: runtime.md "State" JSON on stdout. */
#include <stdio.h>

#include "cleanup.h"
#include "cli.h"
#include "state.h"

int cmd_state (int argc, char **argv, oci_error **err)
{
  cleanup_close int rootfd = -1;
  cleanup_close int dirfd = -1;
  cleanup_state container_state st = { .dirfd = -1 };
  /* st.dirfd (the lock) is closed by this */
  cleanup_free char *json = NULL;

  if (argc != 2)
    return cli_usage (err, "state", "ID");
  if (state_open_container (runner_globals.root, argv[1], &rootfd, &st, err) < 0
      || state_oci_json (&st, state_status (&st), true, &json, NULL, err) < 0)
    return 1;
  dirfd = st.dirfd;
  printf ("%s\n", json);
  return 0;
}
