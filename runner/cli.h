/* runner's command line: global options (runc-compatible) and the
   subcommand entry points, one file per subcommand. */
#ifndef RUNNER_CLI_H
#define RUNNER_CLI_H

#include <stdbool.h>

#include "error.h"

#define RUNNER_DEFAULT_ROOT "/run/runner"

struct runner_globals
{
  const char *root;     /* --root: state directory */
  bool systemd_cgroup;  /* --systemd-cgroup */
  bool rootless;        /* --rootless */
  bool debug;           /* --debug */
};

extern struct runner_globals runner_globals;

/* Each subcommand: argv[0] is the subcommand name; returns the exit status
   (0 ok, 1 failure, 2 usage; `run` passes the container's status through)
   and fills *err for main to print. */
typedef int (*runner_command_fn) (int argc, char **argv, oci_error **err);

int cmd_create (int argc, char **argv, oci_error **err);
int cmd_start (int argc, char **argv, oci_error **err);
int cmd_run (int argc, char **argv, oci_error **err);
int cmd_exec (int argc, char **argv, oci_error **err);
int cmd_state (int argc, char **argv, oci_error **err);
int cmd_list (int argc, char **argv, oci_error **err);
int cmd_kill (int argc, char **argv, oci_error **err);
int cmd_delete (int argc, char **argv, oci_error **err);
int cmd_ps (int argc, char **argv, oci_error **err);
int cmd_pause (int argc, char **argv, oci_error **err);
int cmd_resume (int argc, char **argv, oci_error **err);
int cmd_update (int argc, char **argv, oci_error **err);
int cmd_events (int argc, char **argv, oci_error **err);
int cmd_features (int argc, char **argv, oci_error **err);
int cmd_spec (int argc, char **argv, oci_error **err);

/* Usage error: fills *err and returns 2. */
int cli_usage (oci_error **err, const char *cmd, const char *usage);

#endif
