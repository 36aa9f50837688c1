#include "init.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "devices.h"
#include "enter.h"
#include "fileutil.h"
#include "hooks.h"
#include "json.h"
#include "mounts.h"
#include "sync.h"
#include "terminal.h"

#ifndef KEYCTL_JOIN_SESSION_KEYRING
#define KEYCTL_JOIN_SESSION_KEYRING 1
#endif

_Noreturn static void fail (int fd, oci_error **err, int code)
{
  sync_send (fd, SYNC_ERROR, code, err && *err ? (*err)->msg : "container init failed");
  _exit (code ? code : 1);
}

static void on_signal (int sig) { _exit (128 + sig); }

static int set_time_offsets (yajl_val offsets, oci_error **err)
{
  char buf[256];
  size_t used = 0;
  cleanup_close int fd = -1;
  for (size_t i = 0; i < json_object_len (offsets); i++)
    {
      const char *clock = json_object_key (offsets, i);
      yajl_val o = json_object_value (offsets, i);
      long long secs = 0, nsecs = 0;
      json_get_int (o, "secs", &secs);
      json_get_int (o, "nanosecs", &nsecs);
      used += snprintf (buf + used, sizeof buf - used, "%s %lld %lld\n", clock, secs, nsecs);
      if (used >= sizeof buf)
        return oci_error_set (err, 0, "linux.timeOffsets too long");
    }
  if (used == 0)
    return 0;
  fd = open ("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write_all (fd, buf, used) < 0)
    return oci_error_set (err, errno, "write time namespace offsets");
  return 0;
}

static int state_json_for (struct init_ctx *c, enum container_status status, char **out,
                           oci_error **err)
{
  return state_oci_json (c->st, status, false, out, NULL, err);
}

int init_finalize_process (const process_plan *plan, seccomp_program *seccomp, int *listener,
                           int *code, oci_error **err)
{
  *listener = -1;
  *code = 1;
  /* without no_new_privs the filter needs CAP_SYS_ADMIN, which the new
     identity may lack: install it first then (runc does the same) */
  if (seccomp && !plan->no_new_privileges && seccomp_program_install (seccomp, listener, err) < 0)
    return -1;
  if (process_apply_identity (plan, err) < 0)
    goto fail;
  if (process_chdir (plan, err) < 0)
    {
      *code = 126;
      goto fail;
    }
  /* runtime-spec: seccomp is the last thing before exec */
  if (seccomp && plan->no_new_privileges && seccomp_program_install (seccomp, listener, err) < 0)
    goto fail;
  return 0;
fail:
  if (*listener >= 0)
    close (*listener);
  *listener = -1;
  return -1;
}

int init_exec_finalized (const process_plan *plan, const char *path, int preserve_fds, int *code,
                         oci_error **err)
{
  for (int fd = 3; fd < 3 + preserve_fds; fd++)
    {
      int fl = fcntl (fd, F_GETFD);
      if (fl >= 0)
        fcntl (fd, F_SETFD, fl & ~FD_CLOEXEC);
    }
  /* CVE-2024-21626 and friends: nothing of the runtime survives exec */
  if (syscall (SYS_close_range, 3 + preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
    {
      for (int fd = 3 + preserve_fds; fd < 65536; fd++)
        fcntl (fd, F_SETFD, FD_CLOEXEC);
    }
  execve (path, plan->args, plan->env);
  *code = errno == ENOENT ? 127 : 126;
  return process_exec_error (err, errno, path);
}

int init_exec_process (const process_plan *plan, const char *path, seccomp_program *seccomp,
                       int preserve_fds, int *code, oci_error **err)
{
  int listener = -1;
  if (init_finalize_process (plan, seccomp, &listener, code, err) < 0)
    return -1;
  /* only a NOTIFY profile makes one, and its callers (init_main, exec)
     use the two halves to hand it over: nothing to keep here */
  if (listener >= 0)
    close (listener);
  return init_exec_finalized (plan, path, preserve_fds, code, err);
}

_Noreturn void init_main (struct init_ctx *c)
{
  cleanup_error oci_error *err = NULL;
  yajl_val config = c->cfg->doc;
  yajl_val linux_ = json_get_object (config, "linux");
  struct sync_msg m;
  cleanup_free char *exe = NULL;
  int rootfd = -1, conn, code;
  /* config.md "Process": absent at create, the init only waits (start
     then fails, runtime.md "start") */
  bool has_process = c->plan->args != NULL;
  bool notify = has_process && seccomp_program_uses_notify (c->seccomp);
  struct sigaction sa = { .sa_handler = on_signal };

  {
    sigset_t none;
    sigemptyset (&none);
    sigprocmask (SIG_SETMASK, &none, NULL);
  }
  for (int i = 0; i < 4 && c->close_fds[i] >= 0; i++)
    close (c->close_fds[i]);
  if (sync_recv (c->sync_fd, &m, NULL) <= 0 || m.type != SYNC_GO)
    _exit (1);
  c->st->pid = m.pid;
  /* before any namespace of ours can make the host's cgroupfs unwritable */
  if (c->cg && enter_self (c->cg, c->cg_all, &err) < 0)
    fail (c->sync_fd, &err, 1);
  if (c->userns)
    {
      /* become the namespace's root once the runtime mapped it */
      setresgid (0, 0, 0);
      setresuid (0, 0, 0);
    }
  if (ns_join_all (c->ns, &err) < 0)
    fail (c->sync_fd, &err, 1);
  if (c->unshare_flags && unshare (c->unshare_flags) < 0)
    {
      oci_error_set (&err, errno, "create cgroup/time namespace");
      fail (c->sync_fd, &err, 1);
    }
  mounts_in_cgroupns = (c->unshare_flags & CLONE_NEWCGROUP) != 0;
  if (set_time_offsets (json_get_object (linux_, "timeOffsets"), &err) < 0)
    fail (c->sync_fd, &err, 1);
  if (!c->no_new_keyring)
    syscall (SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, c->id, 0, 0, 0);
  {
    const char *host = json_get_string (config, "hostname");
    const char *domain = json_get_string (config, "domainname");
    if (host && *host && sethostname (host, strlen (host)) < 0)
      {
        oci_error_set (&err, errno, "set hostname `%s`", host);
        fail (c->sync_fd, &err, 1);
      }
    if (domain && *domain && setdomainname (domain, strlen (domain)) < 0)
      {
        oci_error_set (&err, errno, "set domainname `%s`", domain);
        fail (c->sync_fd, &err, 1);
      }
  }
  if (c->plan->has_oom_score_adj)
    {
      char v[32];
      int fd = open ("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
      int n = snprintf (v, sizeof v, "%d", c->plan->oom_score_adj);
      if (fd < 0 || write_all (fd, v, n) < 0)
        {
          oci_error_set (&err, errno, "set oomScoreAdj");
          fail (c->sync_fd, &err, 1);
        }
      close (fd);
    }
  if (!c->mountns)
    {
      /* the runtime's mount table (mounts.h): the runtime already bound
         the rootfs onto itself, privately */
      rootfd = open (c->cfg->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (rootfd < 0)
        {
          oci_error_set (&err, errno, "rootfs `%s`", c->cfg->rootfs);
          fail (c->sync_fd, &err, 1);
        }
    }
  else if (mounts_prepare_root (config, c->cfg->rootfs, &rootfd, &err) < 0)
    fail (c->sync_fd, &err, 1);
  if (mounts_apply (config, c->cfg->bundle, rootfd, c->userns, &err) < 0
      || devices_create (config, rootfd, c->userns, &err) < 0)
    fail (c->sync_fd, &err, 1);
  if (has_process)
    {
      /* runtime-spec: a missing cwd is created */
      int fd = rootfs_mkpath (rootfd, c->plan->cwd, false, &err);
      if (fd < 0)
        fail (c->sync_fd, &err, 1);
      close (fd);
    }
  if (c->runtime_hooks)
    {
      if (sync_send (c->sync_fd, SYNC_HOOKS, 0, NULL) < 0 || sync_recv (c->sync_fd, &m, NULL) <= 0
          || m.type != SYNC_HOOKS_DONE)
        _exit (1);
    }
  if (hooks_count (config, "createContainer") > 0)
    {
      cleanup_free char *state = NULL;
      if (state_json_for (c, STATUS_CREATING, &state, &err) < 0
          || hooks_run (config, "createContainer", state, &err) < 0)
        fail (c->sync_fd, &err, 1);
    }
  if (mounts_protect (config, rootfd, &err) < 0
      || mounts_enter_root (config, rootfd, c->no_pivot, !c->mountns, &err) < 0)
    fail (c->sync_fd, &err, 1);
  close (rootfd);
  if (c->plan->terminal)
    {
      int master;
      if (terminal_create (c->plan->console_height, c->plan->console_width, true, &master, &err) < 0)
        fail (c->sync_fd, &err, 1);
      if (fd_send (c->sync_fd, master, &(struct sync_msg) { .type = SYNC_PTY },
                   offsetof (struct sync_msg, text)) < 0)
        _exit (1);
      close (master);
    }
  else
    setsid ();
  if (has_process)
    {
      if (process_chdir (c->plan, &err) < 0)
        fail (c->sync_fd, &err, 1);
      if (process_find_executable (c->plan, &exe, &code, &err) < 0)
        fail (c->sync_fd, &err, code);
      if (process_apply_rlimits (c->plan, &err) < 0)
        fail (c->sync_fd, &err, 1);
    }
  for (int s = 1; s < 32; s++)
    if (s != SIGKILL && s != SIGSTOP && s != SIGCHLD && s != SIGWINCH && s != SIGCONT
        && s != SIGURG)
      sigaction (s, &sa, NULL);
  if (notify)
    {
      /* config-linux.md "Seccomp": the listener goes to listenerPath at
         create, so the agent holds it before the process can start (as
         runc does). The filter can only hand out its listener once
         installed in this process: identity, cwd and filter are applied
         now, and start only runs the startContainer hooks and execs. */
      int listener;
      if (init_finalize_process (c->plan, c->seccomp, &listener, &code, &err) < 0)
        fail (c->sync_fd, &err, code);
      if (fd_send (c->sync_fd, listener, &(struct sync_msg) { .type = SYNC_SECCOMP },
                   offsetof (struct sync_msg, text)) < 0)
        _exit (1);
      close (listener);
    }
  if (sync_send (c->sync_fd, SYNC_READY, 0, NULL) < 0)
    _exit (1);

  /* created: wait for start */
  if (c->listen_fd >= 0)
    {
      close (c->sync_fd);
      for (;;)
        {
          conn = accept4 (c->listen_fd, NULL, NULL, SOCK_CLOEXEC);
          if (conn < 0)
            {
              if (errno == EINTR)
                continue;
              _exit (1);
            }
          if (sync_recv (conn, &m, NULL) > 0 && m.type == SYNC_START)
            break;
          close (conn);
        }
      close (c->listen_fd);
    }
  else
    {
      conn = c->sync_fd;
      if (sync_recv (conn, &m, NULL) <= 0 || m.type != SYNC_START)
        _exit (1);
    }
  if (!has_process)
    {
      /* runtime.md "start": "If the process property is not set, the
         runtime MUST generate an error"; the init ends, so the container
         is stopped and an ordinary delete removes it */
      oci_error_set (&err, 0, "cannot start container `%s`: config.json has no process to run",
                     c->id);
      fail (conn, &err, 1);
    }
  if (hooks_count (config, "startContainer") > 0)
    {
      cleanup_free char *state = NULL;
      if (state_json_for (c, STATUS_CREATED, &state, &err) < 0
          || hooks_run (config, "startContainer", state, &err) < 0)
        fail (conn, &err, 1);
    }
  sa.sa_handler = SIG_DFL;
  for (int s = 1; s < 32; s++)
    if (s != SIGKILL && s != SIGSTOP)
      sigaction (s, &sa, NULL);
  if (notify)
    init_exec_finalized (c->plan, exe, c->preserve_fds, &code, &err);
  else
    init_exec_process (c->plan, exe, c->seccomp, c->preserve_fds, &code, &err);
  fail (conn, &err, code);
}
