/* runner start: runtime.md "start" — tell the waiting init to exec, then
   run the poststart hooks. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cleanup.h"
#include "cli.h"
#include "container.h"
#include "hooks.h"
#include "json.h"
#include "sync.h"

static int start_container (container_state *st, oci_error **err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  cleanup_close int sock = socket (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  struct sync_msg m;
  ssize_t n;

  container_start_socket_path (st->dirfd, addr.sun_path, sizeof addr.sun_path);
  if (sock < 0 || connect (sock, (struct sockaddr *) &addr, sizeof addr) < 0)
    return oci_error_set (err, errno, "start container `%s`", st->id);
  if (sync_send (sock, SYNC_START, 0, NULL) < 0)
    return oci_error_set (err, errno, "start container `%s`", st->id);
  /* the init closes the connection by exec'ing, or says why it could not */
  n = sync_recv (sock, &m, NULL);
  unlinkat (st->dirfd, STATE_START_SOCKET, 0);
  if (n > 0 && m.type == SYNC_ERROR)
    return oci_error_set (err, 0, "%s", m.text);
  return 0;
}

int cmd_start (int argc, char **argv, oci_error **err)
{
  cleanup_close int rootfd = -1;
  cleanup_close int dirfd = -1;
  cleanup_state container_state st = { .dirfd = -1 };
  /* st.dirfd (the lock) is closed by this */
  enum container_status s;

  if (argc != 2)
    return cli_usage (err, "start", "ID");
  if (state_open_container (runner_globals.root, argv[1], &rootfd, &st, err) < 0)
    return 1;
  dirfd = st.dirfd;
  s = state_status (&st);
  if (s != STATUS_CREATED)
    return oci_error_set (err, 0, "cannot start container `%s`: it is %s, not created", st.id,
                          state_status_name (s)), 1;
  if (start_container (&st, err) < 0)
    return 1;
  {
    /* config.md: a failing poststart hook is a warning */
    cleanup_config bundle_config cfg = { 0 };
    cleanup_error oci_error *e = NULL;
    if (container_load_config (&st, &cfg, &e) == 0 && hooks_count (cfg.doc, "poststart") > 0)
      {
        cleanup_free char *state = NULL;
        if (state_oci_json (&st, STATUS_RUNNING, false, &state, NULL, &e) == 0)
          hooks_run_warn (cfg.doc, "poststart", state);
      }
  }
  return 0;
}
