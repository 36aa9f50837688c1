/* config.md "process": parsed in the runtime before any clone (so bad
   input fails early), applied in the container process as its last steps
   before exec. Shared by the init and by `exec`. */
#ifndef RUNNER_PROCESS_H
#define RUNNER_PROCESS_H

#include <stdbool.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <yajl/yajl_tree.h>

#include "caps.h"
#include "error.h"

struct process_rlimit
{
  int resource;
  struct rlimit limit;
};

typedef struct process_plan
{
  char **args;            /* NULL-terminated, borrowed strings */
  char **env;             /* NULL-terminated, owned array of borrowed/owned strings */
  size_t nenv;
  const char *cwd;
  uid_t uid;
  gid_t gid;
  gid_t *groups;
  size_t ngroups;
  long umask;             /* -1: not set */
  bool no_new_privileges;
  bool terminal;
  unsigned short console_height, console_width;
  struct cap_sets caps;
  struct process_rlimit *rlimits;
  size_t nrlimits;
  bool has_oom_score_adj;
  int oom_score_adj;
} process_plan;

int process_plan_parse (yajl_val process, process_plan *plan, oci_error **err);
/* The plan of a config without "process": args NULL (nothing to exec). */
void process_plan_none (process_plan *plan);
/* Set or replace NAME=VALUE in plan->env. */
int process_plan_setenv (process_plan *plan, const char *kv, oci_error **err);
void process_plan_clear (process_plan *plan);
#define cleanup_process_plan __attribute__ ((cleanup (process_plan_clear)))

/* Resolve args[0] against PATH of the process environment, inside the
   current root. Errors are worded as podman maps them to exit codes:
   "executable file not found in $PATH", "no such file or directory",
   "permission denied". *path is malloc'd. */
int process_find_executable (const process_plan *plan, char **path, int *exit_code,
                             oci_error **err);
int process_exec_error (oci_error **err, int errnum, const char *path);
int process_apply_rlimits (const process_plan *plan, oci_error **err);
/* Bounding set, groups, gid, uid, capability sets, umask, no_new_privs. */
int process_apply_identity (const process_plan *plan, oci_error **err);
/* chdir to plan->cwd checked to be inside the current root. */
int process_chdir (const process_plan *plan, oci_error **err);

#endif
