#include "container.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <termios.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "cli.h"
#include "enter.h"
#include "fileutil.h"
#include "hooks.h"
#include "init.h"
#include "json.h"
#include "logfile.h"
#include "mounts.h"
#include "signals.h"
#include "sync.h"
#include "terminal.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

int container_start_socket_path (int dirfd, char *buf, size_t size)
{
  /* through the directory fd: --root may be longer than sun_path allows */
  return snprintf (buf, size, "/proc/self/fd/%d/" STATE_START_SOCKET, dirfd);
}

static int listen_start_socket (int dirfd, oci_error **err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int fd = socket (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return oci_error_set (err, errno, "start socket");
  container_start_socket_path (dirfd, addr.sun_path, sizeof addr.sun_path);
  if (bind (fd, (struct sockaddr *) &addr, sizeof addr) < 0 || listen (fd, 4) < 0)
    {
      int e = errno;
      close (fd);
      return oci_error_set (err, e, "start socket");
    }
  return fd;
}

static int write_id_map (pid_t pid, const char *file, yajl_val maps, oci_error **err)
{
  char path[64], buf[4096];
  size_t used = 0;
  cleanup_close int fd = -1;
  for (size_t i = 0; i < json_array_len (maps); i++)
    {
      yajl_val m = json_array_at (maps, i);
      long long cid, hid, size;
      if (!json_get_int (m, "containerID", &cid) || !json_get_int (m, "hostID", &hid)
          || !json_get_int (m, "size", &size))
        return oci_error_set (err, 0, "config.json: %s entry %zu needs containerID, hostID, size",
                              file, i);
      used += snprintf (buf + used, sizeof buf - used, "%lld %lld %lld\n", cid, hid, size);
      if (used >= sizeof buf)
        return oci_error_set (err, 0, "config.json: too many id mappings");
    }
  if (used == 0)
    return 0;
  snprintf (path, sizeof path, "/proc/%d/%s", (int) pid, file);
  fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write (fd, buf, used) != (ssize_t) used)
    return oci_error_set (err, errno, "write %s", file);
  return 0;
}

static int map_ids (pid_t pid, yajl_val linux_, oci_error **err)
{
  if (geteuid () != 0)
    {
      /* user_namespaces(7): an unprivileged gid_map needs setgroups denied */
      char path[64];
      int fd;
      snprintf (path, sizeof path, "/proc/%d/setgroups", (int) pid);
      fd = open (path, O_WRONLY | O_CLOEXEC);
      if (fd >= 0)
        {
          write_all (fd, "deny", 4);
          close (fd);
        }
    }
  if (write_id_map (pid, "uid_map", json_get_array (linux_, "uidMappings"), err) < 0
      || write_id_map (pid, "gid_map", json_get_array (linux_, "gidMappings"), err) < 0)
    return -1;
  return 0;
}

static int run_runtime_hooks (container *c, oci_error **err)
{
  cleanup_free char *created = NULL;
  cleanup_free char *creating = NULL;
  /* runtime.md "State": `created` is the status once the environment is
     made (after lifecycle step 2), and prestart hooks run after it (step
     3); runtime-spec 1.0 ran them on `start`, with the container created,
     and hooks written for it read that status. createRuntime keeps
     `creating` (the create operation is still under way), as runc. */
  if (state_oci_json (&c->st, STATUS_CREATED, false, &created, NULL, err) < 0
      || state_oci_json (&c->st, STATUS_CREATING, false, &creating, NULL, err) < 0)
    return -1;
  c->runtime_hooks_ran = true;
  /* config.md: prestart (deprecated) then createRuntime, in the runtime
     namespace */
  if (hooks_run (c->cfg.doc, "prestart", created, err) < 0
      || hooks_run (c->cfg.doc, "createRuntime", creating, err) < 0)
    return -1;
  return 0;
}

static int handle_pty (container *c, const struct container_opts *o, int master, oci_error **err)
{
  if (master < 0)
    return oci_error_set (err, 0, "container init sent no pty");
  if (o->console_socket)
    {
      int r = terminal_send_to_socket (o->console_socket, master, err);
      close (master);
      return r;
    }
  /* the container may ask its size before the relay loop starts */
  {
    struct winsize ws;
    if (ioctl (0, TIOCGWINSZ, &ws) == 0)
      ioctl (master, TIOCSWINSZ, &ws);
  }
  c->master = master;
  return 0;
}

/* config-linux.md "Seccomp": the agent at listenerPath gets the listener
   with the container process state, before the process can be started. */
static int handle_seccomp_listener (container *c, int listener, oci_error **err)
{
  cleanup_close int fd = listener;
  cleanup_free char *state = NULL;
  if (fd < 0)
    return oci_error_set (err, 0, "container init sent no seccomp listener");
  if (state_oci_json (&c->st, STATUS_CREATING, false, &state, NULL, err) < 0)
    return -1;
  return seccomp_notify_handover (c->seccomp, state, c->st.pid, fd, err);
}

int container_create (const struct container_opts *o, container *c, oci_error **err)
{
  yajl_val linux_;
  int rootfd_root = -1, sv[2];
  struct init_ctx ictx;
  struct clone_args args = { .exit_signal = SIGCHLD };
  int create, unshare_later, pidns_join;
  cleanup_close int own_pidns = -1;
  bool mountns;
  pid_t pid;

  memset (c, 0, sizeof *c);
  c->rootfd = c->sync_fd = c->listen_fd = c->master = c->sfd = -1;
  c->st.dirfd = -1;
  if (state_validate_id (o->id, err) < 0)
    return -1;
  if (config_load (o->bundle, &c->cfg, err) < 0)
    return -1;
  linux_ = json_get_object (c->cfg.doc, "linux");
  /* config.md "Process": REQUIRED only when start is called; without it
     the init waits with nothing to exec and start reports the error */
  if (json_get (c->cfg.doc, "process") == NULL)
    process_plan_none (&c->plan);
  else if (process_plan_parse (json_get_object (c->cfg.doc, "process"), &c->plan, err) < 0)
    return -1;
  if (c->plan.terminal && !o->console_socket && !o->foreground)
    return oci_error_set (err, 0, "process.terminal needs --console-socket when the runtime detaches");
  if (ns_plan_parse (json_get_array (linux_, "namespaces"), &c->ns, err) < 0)
    return -1;
  if (c->ns.njoin > 0 && c->ns.join[0].flag == CLONE_NEWUSER && (c->ns.create & CLONE_NEWPID))
    return oci_error_set (err, 0, "config.json: a new pid namespace inside a joined user namespace is not supported");
  {
    /* repeated containers with one profile skip libseccomp's compile */
    char cache[4096];
    snprintf (cache, sizeof cache, "%s/seccomp-cache", runner_globals.root);
    if (seccomp_program_build_cached (json_get (linux_, "seccomp"), cache, &c->seccomp, err) < 0)
      return -1;
  }

  if (state_root_open (runner_globals.root, true, &rootfd_root, err) < 0)
    return -1;
  c->rootfd = rootfd_root;
  if (state_dir_create (c->rootfd, o->id, &c->st.dirfd, err) < 0)
    {
      if (c->st.dirfd >= 0)
        close (c->st.dirfd);
      c->st.dirfd = -1;
      return -1;
    }
  /* from here on a failure is undone by container_abort */
  c->st.id = strdup (o->id);
  c->st.bundle = strdup (c->cfg.bundle);
  c->st.rootfs = strdup (c->cfg.rootfs);
  c->st.created = state_now_rfc3339 ();
  c->st.owner = geteuid ();
  c->st.systemd_cgroup = runner_globals.systemd_cgroup;
  c->st.annotations = json_get_object (c->cfg.doc, "annotations");
  if (state_write_atomic (c->st.dirfd, "config.json", c->cfg.text, c->cfg.len, 0600, err) < 0)
    return -1;
  /* linux.devices too: the default device allowlist is closed */
  if (cgroup_create_with_devices (CGROUP_DEFAULT_ROOT, json_get_string (linux_, "cgroupsPath"), o->id,
                                  runner_globals.systemd_cgroup, json_get_object (linux_, "resources"),
                                  json_get_array (linux_, "devices"), &c->cg, err) < 0)
    return -1;
  c->st.cgroup_path = strdup (cgroup_path (c->cg));
  {
    /* delete removes them again once empty */
    char *const *made;
    size_t n = cgroup_made_parents (c->cg, &made);
    if (n > 0 && (c->st.cgroup_parents = calloc (n, sizeof (char *))) == NULL)
      return oci_error_set (err, ENOMEM, "cgroup");
    for (size_t i = 0; i < n; i++)
      if ((c->st.cgroup_parents[c->st.ncgroup_parents++] = strdup (made[i])) == NULL)
        return oci_error_set (err, ENOMEM, "cgroup");
  }
  /* a runtime killed from here on leaves enough for delete --force to
     find the cgroup */
  if (state_save (&c->st, err) < 0)
    return -1;
  if (!o->run && (c->listen_fd = listen_start_socket (c->st.dirfd, err)) < 0)
    return -1;
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return oci_error_set (err, errno, "socketpair");
  c->sync_fd = sv[0];
  if (o->foreground && signals_block_all (&c->sfd, err) < 0)
    {
      close (sv[1]);
      return -1;
    }

  /* cgroup and time namespaces are created by the init once it is in its
     cgroup: cgroupns takes its root from the creator's cgroup */
  unshare_later = c->ns.create & (CLONE_NEWCGROUP | CLONE_NEWTIME);
  create = c->ns.create & ~unshare_later;
  if (c->ns.njoin > 0 && c->ns.join[0].flag == CLONE_NEWUSER)
    {
      /* join the user namespace first, then create the rest inside it */
      unshare_later |= create;
      create = 0;
    }
  args.flags = (unsigned) create;
  /* config-linux.md "Namespaces": no mount namespace listed, the container
     inherits the runtime's (mounts.h) */
  mountns = (c->ns.create & CLONE_NEWNS) || ns_plan_find (&c->ns, CLONE_NEWNS) >= 0;
  if (!mountns && mounts_host_bind_rootfs (c->cfg.rootfs, c->st.dirfd, err) < 0)
    {
      close (sv[1]);
      return -1;
    }
  ictx = (struct init_ctx) {
    .id = o->id, .cfg = &c->cfg, .plan = &c->plan, .ns = &c->ns, .seccomp = c->seccomp,
    .st = &c->st, .sync_fd = sv[1], .close_fds = { c->st.dirfd, c->rootfd, c->sfd, -1 }, .listen_fd = c->listen_fd, .preserve_fds = o->preserve_fds,
    .unshare_flags = unshare_later, .userns = (c->ns.create & CLONE_NEWUSER) != 0,
    .mountns = mountns, .no_pivot = o->no_pivot, .no_new_keyring = o->no_new_keyring,
    .runtime_hooks = hooks_count (c->cfg.doc, "prestart") + hooks_count (c->cfg.doc, "createRuntime") > 0,
  };
  /* config-linux.md: a pid namespace given by path holds the container
     process itself, and setns(CLONE_NEWPID) only places our next child
     there: enter it for the clone, then come back (hooks run from here) */
  pidns_join = ns_plan_find (&c->ns, CLONE_NEWPID);
  if (pidns_join >= 0)
    {
      own_pidns = open ("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
      if (own_pidns < 0 || setns (c->ns.join[pidns_join].fd, CLONE_NEWPID) < 0)
        {
          close (sv[1]);
          return oci_error_set (err, errno, "join pid namespace");
        }
    }
  /* without a new user namespace the child can join its cgroup itself,
     on the kernel's fast path (enter.h) */
  if (!(c->ns.create & CLONE_NEWUSER) && !(c->ns.njoin > 0 && c->ns.join[0].flag == CLONE_NEWUSER))
    {
      ictx.cg = c->cg;
      pid = enter_clone (&args, c->cg, &ictx.cg_all);
    }
  else
    pid = (pid_t) syscall (SYS_clone3, &args, sizeof args);
  if (pid == 0)
    {
      close (sv[0]);
      init_main (&ictx);
    }
  if (pid < 0)
    {
      int e = errno;
      if (own_pidns >= 0)
        setns (own_pidns, CLONE_NEWPID);
      close (sv[1]);
      return oci_error_set (err, e, "create container process (clone3)");
    }
  if (own_pidns >= 0 && setns (own_pidns, CLONE_NEWPID) < 0)
    {
      close (sv[1]);
      c->st.pid = pid;
      return oci_error_set (err, errno, "leave the container's pid namespace");
    }
  close (sv[1]);
  c->st.pid = pid;
  c->st.starttime = state_proc_starttime (pid, NULL);

  if ((c->ns.create & CLONE_NEWUSER) && map_ids (pid, linux_, err) < 0)
    return -1;
  if (ictx.cg == NULL && cgroup_enter (c->cg, pid, err) < 0)
    return -1;
  {
    struct sync_msg go = { .type = SYNC_GO, .pid = pid };
    if (fd_send (c->sync_fd, -1, &go, sizeof go - sizeof go.text) < 0)
      return oci_error_set (err, errno, "start container init");
  }
  for (;;)
    {
      struct sync_msg m;
      int passed = -1;
      ssize_t n = sync_recv (c->sync_fd, &m, &passed);
      if (n <= 0)
        return oci_error_set (err, 0, "container init exited during setup");
      switch (m.type)
        {
        case SYNC_HOOKS:
          if (run_runtime_hooks (c, err) < 0)
            return -1;
          if (sync_send (c->sync_fd, SYNC_HOOKS_DONE, 0, NULL) < 0)
            return oci_error_set (err, errno, "container init");
          break;
        case SYNC_PTY:
          if (handle_pty (c, o, passed, err) < 0)
            return -1;
          break;
        case SYNC_SECCOMP:
          if (handle_seccomp_listener (c, passed, err) < 0)
            return -1;
          break;
        case SYNC_ERROR:
          c->init_code = m.code;
          return oci_error_set (err, 0, "%s", m.text);
        case SYNC_READY:
          goto ready;
        default:
          if (passed >= 0)
            close (passed);
          return oci_error_set (err, 0, "container init: unexpected message %d", m.type);
        }
    }
ready:
  if (state_save (&c->st, err) < 0)
    return -1;
  if (o->pid_file)
    {
      char buf[32];
      int n = snprintf (buf, sizeof buf, "%d", (int) pid);
      if (state_write_atomic (AT_FDCWD, o->pid_file, buf, n, 0644, err) < 0)
        return oci_error_prefix (err, "--pid-file");
    }
  return 0;
}

int container_start_sync (container *c, int *code, oci_error **err)
{
  struct sync_msg m;
  ssize_t n;
  *code = 1;
  if (sync_send (c->sync_fd, SYNC_START, 0, NULL) < 0)
    return oci_error_set (err, errno, "start container");
  n = sync_recv (c->sync_fd, &m, NULL);
  if (n > 0 && m.type == SYNC_ERROR)
    {
      *code = m.code ? m.code : 1;
      return oci_error_set (err, 0, "%s", m.text);
    }
  close (c->sync_fd);
  c->sync_fd = -1;
  return 0;
}

static void wait_gone (pid_t pid, unsigned long long starttime, bool child)
{
  int pidfd;
  if (child)
    {
      while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
        ;
      return;
    }
  pidfd = (int) syscall (SYS_pidfd_open, pid, 0);
  if (pidfd >= 0)
    {
      struct pollfd p = { .fd = pidfd, .events = POLLIN };
      if (state_proc_starttime (pid, NULL) == starttime)
        poll (&p, 1, 10000);
      close (pidfd);
    }
}

void container_abort (container *c)
{
  cleanup_error oci_error *e = NULL;
  if (c->st.pid > 0)
    {
      kill (c->st.pid, SIGKILL);
      wait_gone (c->st.pid, c->st.starttime, true);
    }
  if (c->cg)
    {
      cgroup_kill_all (c->cg, SIGKILL, &e);
      oci_error_free (&e);
    }
  if (c->runtime_hooks_ran)
    {
      cleanup_free char *state = NULL;
      if (state_oci_json (&c->st, STATUS_STOPPED, false, &state, NULL, &e) == 0)
        hooks_run_warn (c->cfg.doc, "poststop", state);
      oci_error_free (&e);
    }
  if (c->cg)
    {
      cgroup_destroy (c->cg, &e);
      oci_error_free (&e);
    }
  if (c->st.dirfd >= 0)
    mounts_host_release (c->st.rootfs, c->st.dirfd);
  if (c->st.dirfd >= 0 && c->st.id)
    state_dir_remove (c->rootfd, c->st.id, c->st.dirfd, &e);
}

void container_release (container *c)
{
  if (c->sync_fd >= 0)
    close (c->sync_fd);
  if (c->listen_fd >= 0)
    close (c->listen_fd);
  if (c->master >= 0)
    close (c->master);
  if (c->sfd >= 0)
    close (c->sfd);
  if (c->st.dirfd >= 0)
    close (c->st.dirfd);
  if (c->rootfd >= 0)
    close (c->rootfd);
  ns_plan_close (&c->ns);
  seccomp_program_free (c->seccomp);
  cgroup_free (c->cg);
  /* annotations point into cfg.doc */
  c->st.annotations = NULL;
  state_clear (&c->st);
  process_plan_clear (&c->plan);
  config_clear (&c->cfg);
}

int container_kill (container_state *st, int sig, bool all, oci_error **err)
{
  enum container_status s = state_status (st);
  if (all)
    {
      cgroup *cg = NULL;
      int r = 0;
      if (st->cgroup_path && cgroup_open (CGROUP_DEFAULT_ROOT, st->cgroup_path, &cg, err) == 0)
        {
          r = cgroup_kill_all (cg, sig, err);
          cgroup_free (cg);
        }
      if (r < 0)
        return -1;
      if (s != STATUS_STOPPED)
        kill (st->pid, sig);
      return 0;
    }
  if (s == STATUS_STOPPED)
    return oci_error_set (err, 0, "container `%s` is not running", st->id);
  if (kill (st->pid, sig) < 0)
    return oci_error_set (err, errno, "kill container `%s`", st->id);
  return 0;
}

int container_load_config (container_state *st, bundle_config *cfg, oci_error **err)
{
  char *text = NULL;
  size_t len;
  memset (cfg, 0, sizeof *cfg);
  if (read_file_at (st->dirfd, "config.json", 4 << 20, &text, &len, err) < 0)
    return -1;
  return config_parse (text, len, "config.json", cfg, err);
}

/* The container has a pid namespace of its own: when its init dies the
   kernel kills every process in it (pid_namespaces(7)), so once it is
   stopped nothing in its cgroup can be the container's any more. */
static bool has_own_pid_namespace (const bundle_config *cfg)
{
  yajl_val nss = json_get_array (json_get_object (cfg->doc, "linux"), "namespaces");
  for (size_t i = 0; nss && i < YAJL_GET_ARRAY (nss)->len; i++)
    {
      yajl_val ns = YAJL_GET_ARRAY (nss)->values[i];
      const char *type = json_get_string (ns, "type");
      if (type && strcmp (type, "pid") == 0 && json_get_string (ns, "path") == NULL)
        return true;
    }
  return false;
}

int container_delete (int rootfd, container_state *st, bool force, bundle_config *known_cfg,
                      cgroup *known_cg, oci_error **err)
{
  enum container_status s = state_status (st);
  cleanup_config bundle_config cfg = { 0 };
  cgroup *cg = known_cg;
  cleanup_error oci_error *e = NULL;

  if (s != STATUS_STOPPED && s != STATUS_CREATED && !force)
    return oci_error_set (err, 0, "cannot delete container `%s` that is not stopped: %s",
                          st->id, state_status_name (s));
  if (known_cfg == NULL && container_load_config (st, &cfg, &e) == 0)
    known_cfg = &cfg;
  oci_error_free (&e);
  if (cg == NULL && st->cgroup_path)
    cgroup_open (CGROUP_DEFAULT_ROOT, st->cgroup_path, &cg, &e);
  oci_error_free (&e);
  /* A stopped container whose init was known (a create killed before it
     recorded the pid may have left a live child in the cgroup) and had
     its own pid namespace has no process left.
     Processes in its cgroup now belong to another container that took
     over the empty cgroup (the same ID under another --root, or the same
     linux.cgroupsPath): neither killed nor their cgroup removed. */
  if (s == STATUS_STOPPED && st->pid > 0 && cg && known_cfg && has_own_pid_namespace (known_cfg))
    {
      size_t n = 0;
      /* the init's exit waited for the namespace to empty (the kernel
         reaps its members first); a short grace for the cgroup's view */
      for (int i = 0; i < 10; i++)
        {
          cleanup_free pid_t *pids = NULL;
          if (cgroup_pids (cg, &pids, &n, &e) < 0 || n == 0)
            break;
          struct timespec ts = { 0, 10 * 1000 * 1000 };
          nanosleep (&ts, NULL);
        }
      if (n > 0)
        {
          if (cg != known_cg)
            cgroup_free (cg);
          cg = NULL;
        }
      oci_error_free (&e);
    }
  if (s != STATUS_STOPPED)
    {
      kill (st->pid, SIGKILL);
      if (cg)
        cgroup_kill_all (cg, SIGKILL, &e);
      oci_error_free (&e);
      wait_gone (st->pid, st->starttime, false);
    }
  else if (cg)
    {
      /* the init is gone; stragglers of exec may not be */
      cgroup_kill_all (cg, SIGKILL, &e);
      oci_error_free (&e);
    }
  if (known_cfg && hooks_count (known_cfg->doc, "poststop") > 0)
    {
      cleanup_free char *state = NULL;
      if (state_oci_json (st, STATUS_STOPPED, false, &state, NULL, &e) == 0)
        hooks_run_warn (known_cfg->doc, "poststop", state);
    }
  oci_error_free (&e);
  if (cg)
    {
      int r = cgroup_destroy (cg, &e);
      if (r == 0)
        cgroup_remove_made_parents (cg, st->cgroup_parents, st->ncgroup_parents);
      if (cg != known_cg)
        cgroup_free (cg);
      if (r < 0)
        {
          logfile_warn ("%s", e->msg);
          oci_error_free (&e);
        }
    }
  mounts_host_release (st->rootfs, st->dirfd);
  return state_dir_remove (rootfd, st->id, st->dirfd, err);
}
