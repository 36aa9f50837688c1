/* The cgroup library against this host's real cgroupfs (root only; each
   test skips otherwise): limits hold for a forked child, freeze, kill,
   OOM, the v2 device program. Every cgroup made here is removed, also
   when a check fails (teardown). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Children leave with exit_group(2) itself: the sanitizers' _exit hook
   would run a leak check (and more syscalls) under the filter. */
#define child_exit(code) syscall (SYS_exit_group, (code))

#include "../../runner/cgroup.h"
#include "../../runner/cgroup_internal.h"
#include "json.h"

static cgroup *cg;
static pid_t child = -1;
static char mnt[64]; /* the v2 test's private cgroup2 mount, if any */
static char id[64];

static yajl_val parse (const char *text)
{
  yajl_val v = NULL;
  oci_error *err = NULL;
  if (json_parse (text, strlen (text), "test", &v, &err) < 0)
    fail_msg ("%s", err->msg);
  return v;
}

#define OK(call)                                                                         \
  do                                                                                     \
    {                                                                                    \
      oci_error *err_ = NULL;                                                            \
      oci_error **err = &err_;                                                           \
      if ((call) < 0)                                                                    \
        fail_msg ("%s: %s", #call, err_ ? err_->msg : "?");                              \
      oci_error_free (&err_);                                                            \
    }                                                                                    \
  while (0)

static bool usable (void)
{
  enum cgroup_mode mode;
  oci_error *err = NULL;
  if (geteuid () != 0 || cgroup_detect (CGROUP_DEFAULT_ROOT, &mode, &err) < 0)
    {
      oci_error_free (&err);
      return false;
    }
  return true;
}

static int setup (void **state)
{
  static int n;
  snprintf (id, sizeof id, "unit-%d-%d", (int) getpid (), n++);
  return 0;
}

static int teardown (void **state)
{
  oci_error *err = NULL;
  if (child > 0)
    {
      kill (child, SIGKILL);
      waitpid (child, NULL, 0);
      child = -1;
    }
  if (cg)
    {
      cgroup_freeze (cg, false, &err);
      oci_error_free (&err);
      cgroup_kill_all (cg, SIGKILL, &err);
      oci_error_free (&err);
      usleep (20000);
      cgroup_destroy (cg, &err);
      oci_error_free (&err);
      cgroup_free (cg);
      cg = NULL;
    }
  if (mnt[0])
    {
      umount2 (mnt, MNT_DETACH);
      rmdir (mnt);
      mnt[0] = '\0';
    }
  return 0;
}

/* A child that waits for a byte on `fd`, then runs `fn`. */
static pid_t spawn (int (*fn) (void), int *go)
{
  int p[2];
  assert_int_equal (pipe2 (p, O_CLOEXEC), 0);
  pid_t pid = fork ();
  assert_true (pid >= 0);
  if (pid == 0)
    {
      char c;
      close (p[1]);
      if (read (p[0], &c, 1) != 1)
        child_exit (100);
      child_exit (fn ());
    }
  close (p[0]);
  *go = p[1];
  return pid;
}

static void release (int go)
{
  assert_int_equal (write (go, "x", 1), 1);
  close (go);
}

static int sleeper (void)
{
  pause ();
  return 0;
}

static void test_lifecycle (void **state)
{
  pid_t *pids = NULL;
  size_t n = 0;
  bool frozen;
  int go, status;
  char line[256], path[512];

  if (!usable ())
    return; /* not applicable here (cmocka 0.7 prints skips as "not ok") */
  yajl_val res = parse ("{\"memory\":{\"limit\":67108864},\"pids\":{\"limit\":32},"
                        "\"cpu\":{\"shares\":512,\"quota\":20000,\"period\":100000},"
                        "\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":4194304}]}");
  OK (cgroup_create (CGROUP_DEFAULT_ROOT, NULL, id, false, res, &cg, err));
  yajl_tree_free (res);
  child = spawn (sleeper, &go);
  OK (cgroup_enter (cg, child, err));
  release (go);

  OK (cgroup_pids (cg, &pids, &n, err));
  assert_int_equal (n, 1);
  assert_int_equal (pids[0], child);
  free (pids);

  /* the child is in our cgroup in every hierarchy, e.g. memory */
  snprintf (path, sizeof path, "/proc/%d/cgroup", (int) child);
  FILE *f = fopen (path, "r");
  assert_non_null (f);
  bool seen = false;
  while (fgets (line, sizeof line, f))
    seen |= strstr (line, cgroup_path (cg)) != NULL;
  fclose (f);
  assert_true (seen);

  struct cgroup_hier *h = cgroup_hier_of (cg, CG_HUGETLB);
  char *v = NULL;
  /* hugetlb: v1 or, on this hybrid host, the unified tree */
  OK (cgroup_read (h->dir, h->v2 ? "hugetlb.2MB.max" : "hugetlb.2MB.limit_in_bytes", &v, err));
  assert_string_equal (v, "4194304\n");
  free (v);
  h = cgroup_hier_of (cg, CG_PIDS);
  OK (cgroup_read (h->dir, "pids.max", &v, err));
  assert_string_equal (v, "32\n");
  free (v);

  OK (cgroup_freeze (cg, true, err));
  OK (cgroup_is_frozen (cg, &frozen, err));
  assert_true (frozen);
  OK (cgroup_freeze (cg, false, err));
  OK (cgroup_is_frozen (cg, &frozen, err));
  assert_false (frozen);

  /* stats from the real files */
  char *ev = NULL;
  OK (cgroup_stats_event (cg, "x", &ev, err));
  yajl_val st = parse (ev);
  assert_int_equal (YAJL_GET_INTEGER (json_path (st, "data", "pids", "current", NULL)), 1);
  assert_int_equal (YAJL_GET_INTEGER (json_path (st, "data", "pids", "limit", NULL)), 32);
  assert_int_equal (YAJL_GET_INTEGER (json_path (st, "data", "memory", "usage", "limit", NULL)), 67108864);
  /* (usage may be 0: v1 does not move the charges of a task that joins) */
  assert_non_null (json_path (st, "data", "cpu", "usage", "kernel", NULL));
  assert_non_null (json_path (st, "data", "hugetlb", "2MB", NULL));
  yajl_tree_free (st);
  free (ev);

  /* update on a running cgroup */
  res = parse ("{\"pids\":{\"limit\":16}}");
  OK (cgroup_update (cg, res, err));
  yajl_tree_free (res);
  OK (cgroup_read (h->dir, "pids.max", &v, err));
  assert_string_equal (v, "16\n");
  free (v);

  OK (cgroup_kill_all (cg, SIGTERM, err));
  assert_int_equal (waitpid (child, &status, 0), child);
  child = -1;
  assert_true (WIFSIGNALED (status) && WTERMSIG (status) == SIGTERM);

  OK (cgroup_destroy (cg, err));
  for (size_t i = 0; i < cg->nhiers; i++)
    assert_int_equal (access (cg->hiers[i].dir, F_OK), -1);
}

static int hog (void)
{
  /* 256 MiB touched page by page, far past the 32 MiB limit */
  size_t len = 256u << 20;
  char *p = mmap (NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    return 2;
  for (size_t i = 0; i < len; i += 4096)
    p[i] = 1;
  return 0;
}

static void test_oom_kill (void **state)
{
  uint64_t ooms = 0;
  int go, status;
  if (!usable ())
    return; /* not applicable here (cmocka 0.7 prints skips as "not ok") */
  yajl_val res = parse ("{\"memory\":{\"limit\":33554432,\"swap\":33554432}}");
  OK (cgroup_create (CGROUP_DEFAULT_ROOT, NULL, id, false, res, &cg, err));
  yajl_tree_free (res);
  int nfd = -1;
  OK (cgroup_oom_notify_fd (cg, &nfd, err));
  child = spawn (hog, &go);
  OK (cgroup_enter (cg, child, err));
  release (go);
  struct pollfd pfd = { .fd = nfd, .events = POLLIN };
  assert_int_equal (poll (&pfd, 1, 20000), 1);
  close (nfd);
  assert_int_equal (waitpid (child, &status, 0), child);
  child = -1;
  assert_true (WIFSIGNALED (status));
  assert_int_equal (WTERMSIG (status), SIGKILL);
  OK (cgroup_oom_kill_count (cg, &ooms, err));
  assert_true (ooms >= 1);
}

static int forker (void)
{
  int ok = 0;
  for (int i = 0; i < 64; i++)
    {
      pid_t p = fork ();
      if (p == 0)
        {
          pause ();
          child_exit (0);
        }
      if (p < 0)
        return errno == EAGAIN ? 10 + ok : 3;
      ok++;
    }
  return 4; /* never stopped */
}

static void test_pids_limit (void **state)
{
  int go, status;
  if (!usable ())
    return; /* not applicable here (cmocka 0.7 prints skips as "not ok") */
  yajl_val res = parse ("{\"pids\":{\"limit\":8}}");
  OK (cgroup_create (CGROUP_DEFAULT_ROOT, NULL, id, false, res, &cg, err));
  yajl_tree_free (res);
  child = spawn (forker, &go);
  OK (cgroup_enter (cg, child, err));
  release (go);
  assert_int_equal (waitpid (child, &status, 0), child);
  child = -1;
  assert_true (WIFEXITED (status));
  /* the forker itself + 7 children = 8 */
  assert_int_equal (WEXITSTATUS (status), 10 + 7);
}

static int open_devices (void)
{
  int a = open ("/dev/null", O_RDWR);
  int b = open ("/dev/zero", O_RDONLY);
  int e = errno;
  if (a < 0)
    return 2;
  if (b >= 0)
    return 3;
  return e == EPERM ? 0 : 4;
}

static void test_bpf_devices_on_unified (void **state)
{
  cgroup *probe = NULL;
  struct cgroup_hier *h;
  int go, status;
  oci_error *e = NULL;

  if (!usable ())
    return; /* not applicable here (cmocka 0.7 prints skips as "not ok") */
  OK (cgroup_open (CGROUP_DEFAULT_ROOT, "/", &probe, err));
  h = cgroup_hier_v2 (probe);
  cgroup_free (probe);
  if (h == NULL)
    return; /* not applicable here (cmocka 0.7 prints skips as "not ok") */
  /* Only the unified tree, whatever v1 has: the program alone decides. */
  char path[96];
  snprintf (path, sizeof path, "/%s", id);
  OK (cgroup_open (CGROUP_DEFAULT_ROOT, path, &cg, err));
  h = cgroup_hier_v2 (cg);
  assert_int_equal (mkdir (h->dir, 0755), 0);
  yajl_val rules = parse ("[{\"allow\":false,\"access\":\"rwm\"},"
                          "{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":\"rw\"}]");
  OK (cgroup_bpf_devices_apply (cg, h->dir, rules, err));
  /* applying again replaces the program (one attached, not two) */
  OK (cgroup_bpf_devices_apply (cg, h->dir, rules, err));
  yajl_tree_free (rules);
  child = spawn (open_devices, &go);
  char pid[16];
  snprintf (pid, sizeof pid, "%d", (int) child);
  if (cgroup_write (cg, h->dir, "cgroup.procs", pid, &e) < 0)
    fail_msg ("%s", e->msg);
  release (go);
  assert_int_equal (waitpid (child, &status, 0), child);
  child = -1;
  assert_true (WIFEXITED (status));
  assert_int_equal (WEXITSTATUS (status), 0);
}

static int spin (void)
{
  /* busy for 1 s of wall time */
  struct timespec a, b;
  clock_gettime (CLOCK_MONOTONIC, &a);
  do
    clock_gettime (CLOCK_MONOTONIC, &b);
  while ((b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec) < 1000000000L);
  return 0;
}

static void test_cpu_quota (void **state)
{
  struct rusage ru;
  int go, status;
  if (!usable ())
    return; /* not applicable here (cmocka 0.7 prints skips as "not ok") */
  /* 20 % of one CPU */
  yajl_val res = parse ("{\"cpu\":{\"quota\":20000,\"period\":100000}}");
  OK (cgroup_create (CGROUP_DEFAULT_ROOT, NULL, id, false, res, &cg, err));
  yajl_tree_free (res);
  child = spawn (spin, &go);
  OK (cgroup_enter (cg, child, err));
  release (go);
  assert_int_equal (wait4 (child, &status, 0, &ru), child);
  child = -1;
  assert_true (WIFEXITED (status));
  long ms = ru.ru_utime.tv_sec * 1000 + ru.ru_utime.tv_usec / 1000
            + ru.ru_stime.tv_sec * 1000 + ru.ru_stime.tv_usec / 1000;
  /* 200 ms expected; generous margin, far from the 1000 ms unthrottled */
  if (ms < 10 || ms > 400) /* the floor only says it ran: a busy host gives less */
    fail_msg ("CPU time under a 20%% quota: %ld ms for 1 s", ms);
}

static void test_kill_all_sigkill (void **state)
{
  pid_t a, b;
  int go1, go2, status;
  if (!usable ())
    return; /* not applicable here (cmocka 0.7 prints skips as "not ok") */
  OK (cgroup_create (CGROUP_DEFAULT_ROOT, NULL, id, false, NULL, &cg, err));
  a = spawn (sleeper, &go1);
  b = spawn (sleeper, &go2);
  OK (cgroup_enter (cg, a, err));
  OK (cgroup_enter (cg, b, err));
  release (go1);
  release (go2);
  /* SIGKILL: cgroup.kill where the kernel has it (also in hybrid mode) */
  OK (cgroup_kill_all (cg, SIGKILL, err));
  assert_int_equal (waitpid (a, &status, 0), a);
  assert_true (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL);
  assert_int_equal (waitpid (b, &status, 0), b);
  assert_true (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL);
  OK (cgroup_destroy (cg, err));
}

static int open_kmsg (void)
{
  /* /dev/null (default) opens; /dev/kmsg (1:11, not a default) does not */
  if (open ("/dev/null", O_RDWR) < 0)
    return 2;
  if (open ("/dev/kmsg", O_RDONLY) >= 0)
    return 3;
  return errno == EPERM ? 0 : 4;
}

/* Pure v2 mode for real: a private mount of this host's cgroup2 tree as
   the root (on a hybrid host it holds few controllers, but freeze, kill,
   device programs and subtree_control are the real kernel's). */
static void test_v2_mode_on_a_cgroup2_mount (void **state)
{
  cgroup *probe = NULL;
  bool frozen;
  int go, status;

  if (!usable ())
    return; /* not applicable here (cmocka 0.7 prints skips as "not ok") */
  OK (cgroup_open (CGROUP_DEFAULT_ROOT, "/", &probe, err));
  bool has_v2 = cgroup_hier_v2 (probe) != NULL;
  cgroup_free (probe);
  if (!has_v2)
    return; /* not applicable here (cmocka 0.7 prints skips as "not ok") */
  assert_int_equal (unshare (CLONE_NEWNS), 0);
  assert_int_equal (mount ("none", "/", "none", MS_REC | MS_PRIVATE, NULL), 0);
  snprintf (mnt, sizeof mnt, "/tmp/ocikit-cg2-XXXXXX");
  assert_non_null (mkdtemp (mnt));
  assert_int_equal (mount ("cgroup2", mnt, "cgroup2", 0, NULL), 0);

  yajl_val res = parse ("{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}],"
                        "\"unified\":{\"cgroup.max.descendants\":\"5\"}}");
  oci_error *e = NULL;
  int r = cgroup_create (mnt, NULL, id, false, res, &cg, &e);
  yajl_tree_free (res);
  if (r < 0)
    fail_msg ("%s", e->msg);
  assert_int_equal (cgroup_get_mode (cg), CGROUP_MODE_V2);
  char *v = NULL;
  OK (cgroup_read (cg->hiers[0].dir, "cgroup.max.descendants", &v, err));
  assert_string_equal (v, "5\n");
  free (v);

  child = spawn (sleeper, &go);
  OK (cgroup_enter (cg, child, err));
  release (go);
  OK (cgroup_freeze (cg, true, err));
  OK (cgroup_is_frozen (cg, &frozen, err));
  assert_true (frozen);
  OK (cgroup_freeze (cg, false, err));
  OK (cgroup_kill_all (cg, SIGKILL, err));
  assert_int_equal (waitpid (child, &status, 0), child);
  child = -1;
  assert_true (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL);

  /* update replaces the device program; runc's default devices
     (null, zero, …) stay allowed after a deny-all */
  res = parse ("{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]}");
  OK (cgroup_update (cg, res, err));
  yajl_tree_free (res);
  child = spawn (open_kmsg, &go);
  OK (cgroup_enter (cg, child, err));
  release (go);
  assert_int_equal (waitpid (child, &status, 0), child);
  child = -1;
  assert_true (WIFEXITED (status));
  assert_int_equal (WEXITSTATUS (status), 0);

  OK (cgroup_destroy (cg, err));
  cgroup_free (cg);
  cg = NULL;
}

/* blockIO on a real disk of this host (the first of /sys/block that is
   not a loop or zram device), whichever files this kernel has. */
static void test_blkio_real_device (void **state)
{
  char devpath[600] = "", line[64];
  int maj = -1, min = -1;
  FILE *f;

  if (!usable ())
    return; /* not applicable here */
  f = popen ("for d in /sys/block/*; do case ${d##*/} in loop*|zram*|ram*) ;; *) cat $d/dev; break;; esac; done", "r");
  if (f && fgets (line, sizeof line, f))
    sscanf (line, "%d:%d", &maj, &min);
  if (f)
    pclose (f);
  if (maj < 0)
    return;
  snprintf (devpath, sizeof devpath,
            "{\"blockIO\":{\"weight\":300,"
            "\"throttleReadBpsDevice\":[{\"major\":%d,\"minor\":%d,\"rate\":1048576}],"
            "\"throttleWriteIOPSDevice\":[{\"major\":%d,\"minor\":%d,\"rate\":100}]}}",
            maj, min, maj, min);
  yajl_val res = parse (devpath);
  OK (cgroup_create (CGROUP_DEFAULT_ROOT, NULL, id, false, res, &cg, err));
  yajl_tree_free (res);
  struct cgroup_hier *h = cgroup_hier_of (cg, CG_BLKIO);
  char *v = NULL, want[64];
  snprintf (want, sizeof want, "%d:%d 1048576", maj, min);
  OK (cgroup_read (h->dir, h->v2 ? "io.max" : "blkio.throttle.read_bps_device", &v, err));
  if (!h->v2)
    assert_non_null (strstr (v, want));
  else
    {
      snprintf (want, sizeof want, "%d:%d rbps=1048576", maj, min);
      assert_non_null (strstr (v, want));
    }
  free (v);
}

int main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_lifecycle, setup, teardown),
    cmocka_unit_test_setup_teardown (test_kill_all_sigkill, setup, teardown),
    cmocka_unit_test_setup_teardown (test_oom_kill, setup, teardown),
    cmocka_unit_test_setup_teardown (test_pids_limit, setup, teardown),
    cmocka_unit_test_setup_teardown (test_cpu_quota, setup, teardown),
    cmocka_unit_test_setup_teardown (test_blkio_real_device, setup, teardown),
    cmocka_unit_test_setup_teardown (test_bpf_devices_on_unified, setup, teardown),
    cmocka_unit_test_setup_teardown (test_v2_mode_on_a_cgroup2_mount, setup, teardown),
  };
  return cmocka_run_group_tests_name ("runner cgroup (real cgroupfs)", tests, NULL, NULL);
}
