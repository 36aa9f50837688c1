/* runner exec: a new process in every namespace and the cgroup of a
   container, with the container's process settings (or --process FILE)
   and the command-line overrides. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "cleanup.h"
#include "cli.h"
#include "container.h"
#include "enter.h"
#include "fileutil.h"
#include "init.h"
#include "json.h"
#include "namespaces.h"
#include "signals.h"
#include "sync.h"
#include "terminal.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

struct exec_opts
{
  const char *process_file, *cwd, *user, *pid_file, *console_socket;
  bool tty, tty_set, detach, no_new_privs;
  int preserve_fds;
  char **env;
  size_t nenv;
  char **gids;
  size_t ngids;
  char **caps;
  size_t ncaps;
};

static int push (char ***arr, size_t *n, char *v)
{
  char **g = realloc (*arr, (*n + 1) * sizeof (char *));
  if (g == NULL)
    return -1;
  g[(*n)++] = v;
  *arr = g;
  return 0;
}

/* Namespaces of the init that differ from ours: user first, mount last
   but one, pid in the runtime itself (it applies to children). */
static const int ns_order[] = { CLONE_NEWUSER, CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWNET,
                                CLONE_NEWCGROUP, CLONE_NEWTIME, CLONE_NEWNS, CLONE_NEWPID };

static int open_namespaces (pid_t pid, struct ns_join *join, int *n, oci_error **err)
{
  *n = 0;
  for (size_t i = 0; i < sizeof ns_order / sizeof ns_order[0]; i++)
    {
      char path[64], self[64];
      struct stat a, b;
      const char *name = ns_proc_name (ns_order[i]);
      snprintf (path, sizeof path, "/proc/%d/ns/%s", (int) pid, name);
      snprintf (self, sizeof self, "/proc/self/ns/%s", name);
      if (stat (path, &a) < 0)
        {
          if (errno == ENOENT)
            continue;
          return oci_error_set (err, errno, "namespace %s of the container", name);
        }
      if (stat (self, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev)
        continue;
      int fd = open (path, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        return oci_error_set (err, errno, "namespace %s of the container", name);
      join[(*n)++] = (struct ns_join) { ns_order[i], fd };
    }
  return 0;
}

static int build_plan (const struct exec_opts *eo, char **args, size_t nargs, bundle_config *cfg,
                       yajl_val *procdoc, process_plan *plan, oci_error **err)
{
  yajl_val process;
  if (eo->process_file)
    {
      char *text = NULL;
      size_t len;
      if (read_file_at (AT_FDCWD, eo->process_file, 1 << 20, &text, &len, err) < 0)
        return oci_error_prefix (err, "--process");
      int r = json_parse (text, len, eo->process_file, procdoc, err);
      free (text);
      if (r < 0)
        return -1;
      process = *procdoc;
    }
  else
    {
      if (nargs == 0)
        return oci_error_set (err, 0, "exec: no command given (args or --process)");
      process = json_get_object (cfg->doc, "process");
    }
  if (eo->process_file == NULL)
    {
      /* the container's process with our args in place of its own */
      yajl_val a = json_get_array (process, "args");
      if (a == NULL || json_array_len (a) == 0)
        return oci_error_set (err, 0, "config.json: process.args is empty");
    }
  if (process_plan_parse (process, plan, err) < 0)
    return -1;
  if (nargs > 0)
    {
      char **v = calloc (nargs + 1, sizeof (char *));
      if (v == NULL)
        return oci_error_set (err, ENOMEM, "exec");
      memcpy (v, args, nargs * sizeof (char *));
      free (plan->args);
      plan->args = v;
    }
  if (eo->tty_set)
    plan->terminal = eo->tty;
  if (eo->cwd)
    plan->cwd = eo->cwd;
  for (size_t i = 0; i < eo->nenv; i++)
    {
      if (strchr (eo->env[i], '=') == NULL)
        return oci_error_set (err, 0, "--env `%s`: not NAME=VALUE", eo->env[i]);
      if (process_plan_setenv (plan, eo->env[i], err) < 0)
        return -1;
    }
  if (eo->user)
    {
      char *end;
      plan->uid = (uid_t) strtoul (eo->user, &end, 10);
      if (end == eo->user || (*end && *end != ':'))
        return oci_error_set (err, 0, "--user `%s`: expected UID[:GID]", eo->user);
      if (*end == ':')
        plan->gid = (gid_t) strtoul (end + 1, NULL, 10);
    }
  if (eo->ngids)
    {
      gid_t *g = realloc (plan->groups, (plan->ngroups + eo->ngids) * sizeof (gid_t));
      if (g == NULL)
        return oci_error_set (err, ENOMEM, "exec");
      plan->groups = g;
      for (size_t i = 0; i < eo->ngids; i++)
        plan->groups[plan->ngroups++] = (gid_t) strtoul (eo->gids[i], NULL, 10);
    }
  for (size_t i = 0; i < eo->ncaps; i++)
    {
      int c = cap_from_name (eo->caps[i]);
      if (c < 0)
        return oci_error_set (err, 0, "--cap `%s`: unknown capability", eo->caps[i]);
      if (plan->caps.given)
        {
          /* never into the inheritable set (CVE-2022-27650) */
          plan->caps.set[CAP_SET_BOUNDING] |= 1ULL << c;
          plan->caps.set[CAP_SET_EFFECTIVE] |= 1ULL << c;
          plan->caps.set[CAP_SET_PERMITTED] |= 1ULL << c;
        }
    }
  if (eo->no_new_privs)
    plan->no_new_privileges = true;
  return 0;
}

struct exec_child
{
  process_plan *plan;
  struct ns_join *join;
  int njoin;
  int rootfd;
  int sync_fd;
  int preserve_fds;
  seccomp_program *seccomp;
  cgroup *cg;
  bool cg_all;
};

_Noreturn static void exec_child_main (struct exec_child *x)
{
  cleanup_error oci_error *err = NULL;
  cleanup_free char *exe = NULL;
  struct sync_msg m;
  int code = 1;

  signals_unblock_all ();
  if (sync_recv (x->sync_fd, &m, NULL) <= 0 || m.type != SYNC_GO)
    _exit (1);
  /* still the host's root here: join the cgroup on the fast path */
  if (x->cg && enter_self (x->cg, x->cg_all, &err) < 0)
    goto fail;
  for (int i = 0; i < x->njoin; i++)
    if (x->join[i].flag != CLONE_NEWPID && setns (x->join[i].fd, x->join[i].flag) < 0)
      {
        oci_error_set (&err, errno, "join %s namespace", ns_proc_name (x->join[i].flag));
        goto fail;
      }
  /* the container's root, also when it was entered with chroot */
  if (fchdir (x->rootfd) < 0 || chroot (".") < 0 || chdir ("/") < 0)
    {
      oci_error_set (&err, errno, "enter the container's root");
      goto fail;
    }
  close (x->rootfd);
  if (x->plan->terminal)
    {
      int master;
      if (terminal_create (x->plan->console_height, x->plan->console_width, false, &master, &err) < 0)
        goto fail;
      if (fd_send (x->sync_fd, master, &(struct sync_msg) { .type = SYNC_PTY },
                   offsetof (struct sync_msg, text)) < 0)
        _exit (1);
      close (master);
    }
  if (process_chdir (x->plan, &err) < 0)
    goto fail;
  if (process_find_executable (x->plan, &exe, &code, &err) < 0)
    goto fail;
  if (process_apply_rlimits (x->plan, &err) < 0)
    goto fail;
  if (x->plan->has_oom_score_adj)
    {
      char v[32];
      int fd = open ("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
      int n = snprintf (v, sizeof v, "%d", x->plan->oom_score_adj);
      if (fd >= 0)
        {
          write_all (fd, v, n);
          close (fd);
        }
    }
  if (seccomp_program_uses_notify (x->seccomp))
    {
      /* config-linux.md "Seccomp": the agent gets this process' listener
         too (runc does), before the program runs */
      int listener;
      if (init_finalize_process (x->plan, x->seccomp, &listener, &code, &err) < 0)
        goto fail;
      if (fd_send (x->sync_fd, listener, &(struct sync_msg) { .type = SYNC_SECCOMP },
                   offsetof (struct sync_msg, text)) < 0)
        _exit (1);
      close (listener);
      if (sync_recv (x->sync_fd, &m, NULL) <= 0 || m.type != SYNC_SECCOMP_DONE)
        _exit (1);
      init_exec_finalized (x->plan, exe, x->preserve_fds, &code, &err);
    }
  else
    init_exec_process (x->plan, exe, x->seccomp, x->preserve_fds, &code, &err);
fail:
  sync_send (x->sync_fd, SYNC_ERROR, code, err ? err->msg : "exec failed");
  _exit (code);
}

int cmd_exec (int argc, char **argv, oci_error **err)
{
  static const struct option opts[] = {
    { "process", required_argument, NULL, 'p' }, { "tty", no_argument, NULL, 't' },
    { "cwd", required_argument, NULL, 'w' },     { "env", required_argument, NULL, 'e' },
    { "user", required_argument, NULL, 'u' },    { "additional-gids", required_argument, NULL, 'g' },
    { "cap", required_argument, NULL, 'c' },     { "no-new-privs", no_argument, NULL, 'N' },
    { "detach", no_argument, NULL, 'd' },        { "pid-file", required_argument, NULL, 'P' },
    { "console-socket", required_argument, NULL, 'S' },
    { "preserve-fds", required_argument, NULL, 'F' }, { "process-label", required_argument, NULL, 'L' },
    { "apparmor", required_argument, NULL, 'A' }, { "ignore-paused", no_argument, NULL, 'I' },
    { "cgroup", required_argument, NULL, 'G' },
    { NULL, 0, NULL, 0 },
  };
  const char *use = "[--process F | ARGS…] [--tty] [--cwd D] [--env K=V] [--user U[:G]] [--detach] ID";
  struct exec_opts eo = { 0 };
  cleanup_close int rootfd = -1;
  cleanup_close int dirfd = -1;
  cleanup_close int croot = -1;
  cleanup_close int sfd = -1;
  cleanup_close int own_pidns = -1;
  cleanup_state container_state st = { .dirfd = -1 };
  cleanup_config bundle_config cfg = { 0 };
  cleanup_json yajl_val procdoc = NULL;
  cleanup_process_plan process_plan plan = { 0 };
  struct ns_join join[NS_MAX];
  int njoin = 0, sv[2] = { -1, -1 }, ch, status = 1, master = -1;
  seccomp_program *seccomp = NULL;
  char seccomp_cache[4096];
  cgroup *cg = NULL;
  struct clone_args cargs = { .exit_signal = SIGCHLD };
  struct exec_child x;
  enum container_status s;
  pid_t pid = -1;

  while ((ch = getopt_long (argc, argv, "+p:tw:e:u:g:c:d", opts, NULL)) != -1)
    switch (ch)
      {
      case 'p': eo.process_file = optarg; break;
      case 't': eo.tty = eo.tty_set = true; break;
      case 'w': eo.cwd = optarg; break;
      case 'e': push (&eo.env, &eo.nenv, optarg); break;
      case 'u': eo.user = optarg; break;
      case 'g': push (&eo.gids, &eo.ngids, optarg); break;
      case 'c': push (&eo.caps, &eo.ncaps, optarg); break;
      case 'N': eo.no_new_privs = true; break;
      case 'd': eo.detach = true; break;
      case 'P': eo.pid_file = optarg; break;
      case 'S': eo.console_socket = optarg; break;
      case 'F': eo.preserve_fds = atoi (optarg); break;
      case 'L': case 'A': case 'I': case 'G': break;
      default: return cli_usage (err, "exec", use);
      }
  if (optind >= argc)
    return cli_usage (err, "exec", use);
  const char *id = argv[optind];
  if (state_open_container (runner_globals.root, id, &rootfd, &st, err) < 0)
    goto out;
  dirfd = st.dirfd;
  if (container_load_config (&st, &cfg, err) < 0)
    goto out;
  s = state_status (&st);
  if (s != STATUS_RUNNING && s != STATUS_CREATED)
    {
      oci_error_set (err, 0, "cannot exec in container `%s`: it is %s", id, state_status_name (s));
      goto out;
    }
  if (build_plan (&eo, argv + optind + 1, argc - optind - 1, &cfg, &procdoc, &plan, err) < 0)
    goto out;
  if (plan.terminal && !eo.console_socket && eo.detach)
    {
      oci_error_set (err, 0, "--tty needs --console-socket when exec detaches");
      goto out;
    }
  snprintf (seccomp_cache, sizeof seccomp_cache, "%s/seccomp-cache", runner_globals.root);
  if (seccomp_program_build_cached (json_get (json_get_object (cfg.doc, "linux"), "seccomp"),
                                    seccomp_cache, &seccomp, err) < 0)
    goto out;
  if (open_namespaces (st.pid, join, &njoin, err) < 0)
    goto out;
  {
    char path[64];
    snprintf (path, sizeof path, "/proc/%d/root", (int) st.pid);
    croot = open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (croot < 0)
      {
        oci_error_set (err, errno, "root of container `%s`", id);
        goto out;
      }
  }
  /* no lock held while the process runs: kill and delete must get through */
  close (steal_fd (&dirfd));
  st.dirfd = -1;
  if (st.cgroup_path && cgroup_open (CGROUP_DEFAULT_ROOT, st.cgroup_path, &cg, err) < 0)
    goto out;
  /* setns(CLONE_NEWPID) applies to our children only; we switch back
     right after the clone (threads cannot be created while it is set,
     which sanitizers' exit-time leak checks need) */
  own_pidns = open ("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
  for (int i = 0; i < njoin; i++)
    if (join[i].flag == CLONE_NEWPID && setns (join[i].fd, CLONE_NEWPID) < 0)
      {
        oci_error_set (err, errno, "join pid namespace of `%s`", id);
        goto out;
      }
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    {
      oci_error_set (err, errno, "socketpair");
      goto out;
    }
  if (!eo.detach && signals_block_all (&sfd, err) < 0)
    goto out;
  x = (struct exec_child) { .plan = &plan, .join = join, .njoin = njoin, .rootfd = croot,
                            .sync_fd = sv[1], .preserve_fds = eo.preserve_fds, .seccomp = seccomp };
  x.cg = cg;
  pid = enter_clone (&cargs, cg, &x.cg_all);
  if (pid != 0 && own_pidns >= 0)
    setns (own_pidns, CLONE_NEWPID);
  if (pid < 0)
    {
      oci_error_set (err, errno, "create process (clone3)");
      goto out;
    }
  if (pid == 0)
    {
      close (sv[0]);
      exec_child_main (&x);
    }
  close (steal_fd (&sv[1]));
  if (sync_send (sv[0], SYNC_GO, 0, NULL) < 0)
    {
      oci_error_set (err, errno, "exec");
      goto out_kill;
    }
  for (;;)
    {
      struct sync_msg m;
      int passed = -1;
      ssize_t n = sync_recv (sv[0], &m, &passed);
      if (n <= 0)
        break; /* exec'd: the socket closed with it */
      if (m.type == SYNC_PTY && passed >= 0)
        {
          if (eo.console_socket)
            {
              int r = terminal_send_to_socket (eo.console_socket, passed, err);
              close (passed);
              if (r < 0)
                goto out_kill;
            }
          else
            master = passed;
          continue;
        }
      if (m.type == SYNC_SECCOMP && passed >= 0)
        {
          cleanup_free char *state = NULL;
          int r = state_oci_json (&st, s, false, &state, NULL, err) < 0
                      ? -1
                      : seccomp_notify_handover (seccomp, state, pid, passed, err);
          close (passed);
          if (r == 0 && sync_send (sv[0], SYNC_SECCOMP_DONE, 0, NULL) < 0)
            r = oci_error_set (err, errno, "exec: seccomp listener");
          if (r < 0)
            goto out_kill;
          continue;
        }
      if (passed >= 0)
        close (passed);
      if (m.type == SYNC_ERROR)
        {
          oci_error_set (err, 0, "%s", m.text);
          status = m.code ? m.code : 1;
          waitpid (pid, NULL, 0);
          goto out;
        }
    }
  if (eo.pid_file)
    {
      char buf[32];
      int n = snprintf (buf, sizeof buf, "%d", (int) pid);
      if (state_write_atomic (AT_FDCWD, eo.pid_file, buf, n, 0644, err) < 0)
        goto out_kill;
    }
  if (eo.detach)
    status = 0;
  else
    status = signals_wait_child (sfd, pid, master, err);
  goto out;
out_kill:
  kill (pid, SIGKILL);
  waitpid (pid, NULL, 0);
  status = 1;
out:
  if (sv[0] >= 0)
    close (sv[0]);
  if (sv[1] >= 0)
    close (sv[1]);
  if (master >= 0)
    close (master);
  for (int i = 0; i < njoin; i++)
    close (join[i].fd);
  cgroup_free (cg);
  seccomp_program_free (seccomp);
  free (eo.env);
  free (eo.gids);
  free (eo.caps);
  if (status == 0 && *err)
    status = 1;
  return status;
}
