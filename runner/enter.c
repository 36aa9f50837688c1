#include "enter.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "cgroup_internal.h"

int enter_v2_clone_fd (cgroup *cg)
{
  struct cgroup_hier *h;
  if (cg == NULL || cg->fake || (h = cgroup_hier_v2 (cg)) == NULL)
    return -1;
  return open (h->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

int enter_self (cgroup *cg, bool all, oci_error **err)
{
  for (size_t i = 0; cg && i < cg->nhiers; i++)
    {
      struct cgroup_hier *h = &cg->hiers[i];
      if (h->v2 && !all)
        continue;
      if (cgroup_write (cg, h->dir, h->v2 ? "cgroup.procs" : "tasks", "0", err) < 0)
        return oci_error_prefix (err, "join cgroup `%s`", cg->path);
    }
  return 0;
}
