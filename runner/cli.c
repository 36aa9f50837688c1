/* The global options' values and the usage error shared by subcommands. */
#include "cli.h"

struct runner_globals runner_globals = { .root = RUNNER_DEFAULT_ROOT };

int cli_usage (oci_error **err, const char *cmd, const char *text)
{
  oci_error_set (err, 0, "%s: usage: runner %s %s", cmd, cmd, text);
  return 2;
}
