/* runner pause / resume: freeze the container's cgroup; a mark in the state
   directory makes `state` say paused. */
#include <fcntl.h>
#include <unistd.h>

#include "cgroup.h"
#include "cleanup.h"
#include "cli.h"
#include "state.h"

static int set_frozen (int argc, char **argv, bool frozen, oci_error **err)
{
  const char *cmd = frozen ? "pause" : "resume";
  cleanup_close int rootfd = -1;
  cleanup_close int dirfd = -1;
  cleanup_state container_state st = { .dirfd = -1 };
  /* st.dirfd (the lock) is closed by this */
  cgroup *cg = NULL;
  enum container_status s;
  int r;

  if (argc != 2)
    return cli_usage (err, cmd, "ID");
  if (state_open_container (runner_globals.root, argv[1], &rootfd, &st, err) < 0)
    return 1;
  dirfd = st.dirfd;
  s = state_status (&st);
  if (frozen && s != STATUS_RUNNING)
    return oci_error_set (err, 0, "cannot pause container `%s`: it is %s", st.id, state_status_name (s)), 1;
  if (!frozen && s != STATUS_PAUSED)
    return oci_error_set (err, 0, "cannot resume container `%s`: it is %s", st.id, state_status_name (s)), 1;
  if (cgroup_open (CGROUP_DEFAULT_ROOT, st.cgroup_path ? st.cgroup_path : "/", &cg, err) < 0)
    return 1;
  r = cgroup_freeze (cg, frozen, err);
  cgroup_free (cg);
  if (r < 0)
    return 1;
  if (frozen)
    {
      int fd = openat (dirfd, STATE_PAUSED_MARK, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
      if (fd >= 0)
        close (fd);
    }
  else
    unlinkat (dirfd, STATE_PAUSED_MARK, 0);
  return 0;
}

int cmd_pause (int argc, char **argv, oci_error **err) { return set_frozen (argc, argv, true, err); }
int cmd_resume (int argc, char **argv, oci_error **err) { return set_frozen (argc, argv, false, err); }
