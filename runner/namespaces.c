#include "namespaces.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include "json.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const struct { const char *type; const char *proc; int flag; } table[] = {
  { "user", "user", CLONE_NEWUSER },     { "pid", "pid", CLONE_NEWPID },
  { "mount", "mnt", CLONE_NEWNS },       { "network", "net", CLONE_NEWNET },
  { "uts", "uts", CLONE_NEWUTS },        { "ipc", "ipc", CLONE_NEWIPC },
  { "cgroup", "cgroup", CLONE_NEWCGROUP }, { "time", "time", CLONE_NEWTIME },
};
#define NTYPES (sizeof table / sizeof table[0])

int ns_flag (const char *type)
{
  for (size_t i = 0; type && i < NTYPES; i++)
    if (strcmp (table[i].type, type) == 0)
      return table[i].flag;
  return 0;
}

const char *ns_proc_name (int flag)
{
  for (size_t i = 0; i < NTYPES; i++)
    if (table[i].flag == flag)
      return table[i].proc;
  return NULL;
}

int ns_plan_parse (yajl_val namespaces, struct ns_plan *plan, oci_error **err)
{
  int seen = 0;
  memset (plan, 0, sizeof *plan);
  for (size_t i = 0; i < json_array_len (namespaces); i++)
    {
      yajl_val ns = json_array_at (namespaces, i);
      const char *type = json_get_string (ns, "type");
      const char *path = json_get_string (ns, "path");
      int flag = ns_flag (type);
      if (flag == 0)
        return oci_error_set (err, 0, "config.json: unknown namespace type `%s`",
                              type ? type : "");
      if (seen & flag)
        return oci_error_set (err, 0, "config.json: namespace `%s` listed twice", type);
      seen |= flag;
      if (path == NULL || *path == '\0')
        {
          plan->create |= flag;
          continue;
        }
      int fd = open (path, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        return oci_error_set (err, errno, "namespace `%s` path `%s`", type, path);
      /* the user namespace is joined first: it owns the others */
      if (flag == CLONE_NEWUSER && plan->njoin > 0)
        {
          plan->join[plan->njoin] = plan->join[0];
          plan->join[0] = (struct ns_join) { flag, fd };
        }
      else
        plan->join[plan->njoin] = (struct ns_join) { flag, fd };
      plan->njoin++;
    }
  return 0;
}

void ns_plan_close (struct ns_plan *plan)
{
  for (int i = 0; i < plan->njoin; i++)
    if (plan->join[i].fd >= 0)
      close (plan->join[i].fd);
  plan->njoin = 0;
}

int ns_plan_find (const struct ns_plan *plan, int flag)
{
  for (int i = 0; i < plan->njoin; i++)
    if (plan->join[i].flag == flag)
      return i;
  return -1;
}

int ns_join_all (const struct ns_plan *plan, oci_error **err)
{
  for (int i = 0; i < plan->njoin; i++)
    if (setns (plan->join[i].fd, plan->join[i].flag) < 0)
      return oci_error_set (err, errno, "join %s namespace", ns_proc_name (plan->join[i].flag));
  return 0;
}
