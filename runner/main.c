/* runner: an OCI runtime with runc's command line. Global options, then a
   subcommand from the table; each subcommand lives in its own file. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "logfile.h"
#include "selfexe.h"

static const struct
{
  const char *name;
  runner_command_fn fn;
  bool sealed;          /* starts container processes: run from a sealed copy */
  const char *summary;
} commands[] = {
  { "create", cmd_create, true, "create a container" },
  { "start", cmd_start, false, "start a created container" },
  { "run", cmd_run, true, "create and start a container" },
  { "exec", cmd_exec, true, "run a process in a running container" },
  { "state", cmd_state, false, "print the state of a container" },
  { "list", cmd_list, false, "list containers" },
  { "kill", cmd_kill, false, "send a signal to a container" },
  { "delete", cmd_delete, false, "delete a container" },
  { "ps", cmd_ps, false, "list the processes of a container" },
  { "pause", cmd_pause, false, "suspend the processes of a container" },
  { "resume", cmd_resume, false, "resume the processes of a container" },
  { "update", cmd_update, false, "change the resources of a container" },
  { "events", cmd_events, false, "print resource statistics and OOM events" },
  { "features", cmd_features, false, "print the runtime's features" },
  { "spec", cmd_spec, false, "write a default config.json" },
};

static void usage (FILE *f)
{
  fprintf (f, "Usage: runner [GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGS]\n\n"
              "Global options:\n"
              "  --root DIR            state directory (default " RUNNER_DEFAULT_ROOT ")\n"
              "  --log FILE            write log entries to FILE\n"
              "  --log-format FORMAT   text or json\n"
              "  --debug               log debug entries\n"
              "  --systemd-cgroup      read cgroupsPath as slice:prefix:name\n"
              "  --rootless[=BOOL]     accepted for runc compatibility\n"
              "  --version, --help\n\nCommands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf (f, "  %-10s %s\n", commands[i].name, commands[i].summary);
}

int main (int argc, char **argv)
{
  static const struct option opts[] = {
    { "root", required_argument, NULL, 'r' },     { "log", required_argument, NULL, 'l' },
    { "log-format", required_argument, NULL, 'f' }, { "debug", no_argument, NULL, 'd' },
    { "systemd-cgroup", no_argument, NULL, 's' }, { "rootless", optional_argument, NULL, 'R' },
    { "criu", required_argument, NULL, 'C' },     { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'v' },        { NULL, 0, NULL, 0 },
  };
  const char *log_path = NULL, *log_format = NULL;
  cleanup_error oci_error *err = NULL;
  int c, status;

  while ((c = getopt_long (argc, argv, "+hv", opts, NULL)) != -1)
    switch (c)
      {
      case 'r': runner_globals.root = optarg; break;
      case 'l': log_path = optarg; break;
      case 'f': log_format = optarg; break;
      case 'd': runner_globals.debug = true; break;
      case 's': runner_globals.systemd_cgroup = true; break;
      case 'R': runner_globals.rootless = !optarg || strcmp (optarg, "false") != 0; break;
      case 'C': break;
      case 'h': usage (stdout); return 0;
      case 'v': printf ("runner " OCIKIT_VERSION "\nspec: 1.2.0\n"); return 0;
      default: usage (stderr); return 2;
      }
  if (optind >= argc)
    {
      usage (stderr);
      return 2;
    }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    {
      if (strcmp (commands[i].name, argv[optind]) != 0)
        continue;
      /* Containers need root until rootless mode (a user namespace made
         by an unprivileged caller) exists: say so before touching the
         state root or the cgroup tree. "permission denied" is the text
         podman maps to exit 126. */
      if (commands[i].sealed && geteuid () != 0)
        {
          oci_error_set (&err, 0, "`%s` needs root (containers without root are not "
                                  "supported yet): permission denied", commands[i].name);
          if (logfile_open (log_path, log_format, NULL) == 0)
            logfile_write ("error", "%s", err->msg);
          return oci_error_report ("runner", &err, 1);
        }
      if (commands[i].sealed && !selfexe_is_sealed ())
        {
          selfexe_reexec_sealed (argv);
          fprintf (stderr, "runner: cannot run from a sealed copy of itself\n");
          return 1;
        }
      if (logfile_open (log_path, log_format, &err) < 0)
        return oci_error_report ("runner", &err, 2);
      logfile_set_debug (runner_globals.debug);
      argv += optind;
      argc -= optind;
      optind = 0;
      status = commands[i].fn (argc, argv, &err);
      if (status != 0 && err)
        {
          logfile_write ("error", "%s", err->msg);
          return oci_error_report ("runner", &err, status);
        }
      return status;
    }
  fprintf (stderr, "runner: unknown command `%s`\n", argv[optind]);
  return 2;
}
