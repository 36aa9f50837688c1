/* runner run: create and start in one; in the foreground the container's
   stdio is ours, signals are forwarded and its exit status becomes ours. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>
#include <unistd.h>

#include "cleanup.h"
#include "cli.h"
#include "container.h"
#include "create_opts.h"
#include "hooks.h"
#include "signals.h"

int cmd_run (int argc, char **argv, oci_error **err)
{
  struct container_opts o;
  bool keep;
  container c;
  int code, status;

  code = create_opts_parse (argc, argv, true, &o, &keep, err);
  if (code != 0)
    return code;
  if (container_create (&o, &c, err) < 0)
    {
      /* podman and sh: 127 not found, 126 not executable */
      code = c.init_code == 126 || c.init_code == 127 ? c.init_code : 1;
      container_abort (&c);
      container_release (&c);
      return code;
    }
  if (container_start_sync (&c, &code, err) < 0)
    {
      container_abort (&c);
      container_release (&c);
      return code;
    }
  if (hooks_count (c.cfg.doc, "poststart") > 0)
    {
      cleanup_free char *state = NULL;
      if (state_oci_json (&c.st, STATUS_RUNNING, false, &state, NULL, err) == 0)
        hooks_run_warn (c.cfg.doc, "poststart", state);
    }
  if (!o.foreground)
    {
      container_release (&c);
      return 0;
    }
  /* others (state, kill, exec) must get the lock while we wait */
  flock (c.st.dirfd, LOCK_UN);
  status = signals_wait_child (c.sfd, c.st.pid, c.master, err);
  if (status < 0)
    status = 1;
  if (!keep)
    {
      cleanup_error oci_error *e = NULL;
      flock (c.st.dirfd, LOCK_EX);
      /* someone may have deleted it meanwhile */
      if (faccessat (c.st.dirfd, "state.json", F_OK, 0) == 0
          && container_delete (c.rootfd, &c.st, true, &c.cfg, c.cg, &e) < 0)
        oci_error_report ("runner", &e, 1);
    }
  container_release (&c);
  return status;
}
