/* config-linux.md "Namespaces": which to create (clone flags) and which to
   join by path (setns, user namespace first). */
#ifndef RUNNER_NAMESPACES_H
#define RUNNER_NAMESPACES_H

#include <stdbool.h>
#include <yajl/yajl_tree.h>

#include "error.h"

#define NS_MAX 8

struct ns_join
{
  int flag;   /* CLONE_NEW* */
  int fd;     /* opened by the runtime */
};

struct ns_plan
{
  int create;                    /* CLONE_NEW* flags to create */
  struct ns_join join[NS_MAX];   /* user first */
  int njoin;
};

/* "pid" → CLONE_NEWPID … ; 0 if unknown. */
int ns_flag (const char *type);
/* /proc/PID/ns file name for a flag ("pid", "mnt", …). */
const char *ns_proc_name (int flag);
int ns_plan_parse (yajl_val namespaces, struct ns_plan *plan, oci_error **err);
void ns_plan_close (struct ns_plan *plan);
/* Index in plan->join of the namespace `flag` given by path, or -1. */
int ns_plan_find (const struct ns_plan *plan, int flag);
/* setns into every joined namespace (user first). */
int ns_join_all (const struct ns_plan *plan, oci_error **err);

#endif
