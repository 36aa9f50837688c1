#include "hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "fileutil.h"
#include "json.h"
#include "logfile.h"

int hooks_count (yajl_val config, const char *kind)
{
  return (int) json_array_len (json_get_array (json_get_object (config, "hooks"), kind));
}

static char **string_array (yajl_val arr, const char *first)
{
  size_t n = json_array_len (arr);
  char **v = calloc (n + 2, sizeof (char *));
  size_t k = 0;
  if (v == NULL)
    return NULL;
  if (n == 0 && first)
    v[k++] = (char *) first;
  for (size_t i = 0; i < n; i++)
    {
      yajl_val s = json_array_at (arr, i);
      if (YAJL_IS_STRING (s))
        v[k++] = s->u.string;
    }
  return v;
}

static int run_hook (yajl_val hook, const char *kind, size_t idx, const char *state,
                     oci_error **err)
{
  const char *path = json_get_string (hook, "path");
  cleanup_free char **argv = NULL;
  cleanup_free char **envp = NULL;
  long long timeout = 0;
  int pipefd[2];
  pid_t pid;
  int status, pidfd;
  struct sigaction ign = { .sa_handler = SIG_IGN }, old;

  if (path == NULL)
    return oci_error_set (err, 0, "config.json: hooks.%s[%zu] has no path", kind, idx);
  argv = string_array (json_get_array (hook, "args"), path);
  envp = string_array (json_get_array (hook, "env"), NULL);
  if (argv == NULL || envp == NULL)
    return oci_error_set (err, ENOMEM, "hook");
  json_get_int (hook, "timeout", &timeout);
  if (pipe2 (pipefd, O_CLOEXEC) < 0)
    return oci_error_set (err, errno, "%s hook `%s`", kind, path);
  pid = fork ();
  if (pid < 0)
    {
      close (pipefd[0]);
      close (pipefd[1]);
      return oci_error_set (err, errno, "%s hook `%s`", kind, path);
    }
  if (pid == 0)
    {
      sigset_t none;
      sigemptyset (&none);
      sigprocmask (SIG_SETMASK, &none, NULL);
      dup2 (pipefd[0], 0);
      /* the hook's stdout goes where our stderr goes: stdout of a runtime
         is not ours to fill */
      dup2 (2, 1);
      execve (path, argv, envp);
      _exit (127);
    }
  close (pipefd[0]);
  sigaction (SIGPIPE, &ign, &old);
  write_all (pipefd[1], state, strlen (state));
  close (pipefd[1]);
  sigaction (SIGPIPE, &old, NULL);

  pidfd = (int) syscall (SYS_pidfd_open, pid, 0);
  if (timeout > 0 && pidfd >= 0)
    {
      struct pollfd p = { .fd = pidfd, .events = POLLIN };
      int r;
      do
        r = poll (&p, 1, (int) (timeout * 1000));
      while (r < 0 && errno == EINTR);
      if (r == 0)
        {
          kill (pid, SIGKILL);
          waitpid (pid, &status, 0);
          close (pidfd);
          return oci_error_set (err, 0, "%s hook `%s` timed out after %lld s", kind, path, timeout);
        }
    }
  if (pidfd >= 0)
    close (pidfd);
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return oci_error_set (err, errno, "%s hook `%s`", kind, path);
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return 0;
  if (WIFEXITED (status))
    return oci_error_set (err, 0, "%s hook `%s` failed with exit status %d", kind, path,
                          WEXITSTATUS (status));
  return oci_error_set (err, 0, "%s hook `%s` killed by signal %d", kind, path,
                        WTERMSIG (status));
}

int hooks_run (yajl_val config, const char *kind, const char *state_json, oci_error **err)
{
  yajl_val hooks = json_get_array (json_get_object (config, "hooks"), kind);
  for (size_t i = 0; i < json_array_len (hooks); i++)
    if (run_hook (json_array_at (hooks, i), kind, i, state_json, err) < 0)
      return -1;
  return 0;
}

void hooks_run_warn (yajl_val config, const char *kind, const char *state_json)
{
  yajl_val hooks = json_get_array (json_get_object (config, "hooks"), kind);
  for (size_t i = 0; i < json_array_len (hooks); i++)
    {
      cleanup_error oci_error *e = NULL;
      if (run_hook (json_array_at (hooks, i), kind, i, state_json, &e) < 0)
        logfile_warn ("%s", e->msg);
    }
}
