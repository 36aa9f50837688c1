/* linux.seccomp: profiles compiled with libseccomp, installed in a forked
   child, every action and comparison checked against real syscalls; the
   compiled-filter cache; the notify listener hand-over. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/* Children leave with exit_group(2) itself: the sanitizers' _exit hook
   would run a leak check (and more syscalls) under the filter. */
#define child_exit(code) syscall (SYS_exit_group, (code))

#include "../../runner/seccomp.h"
#include "../../runner/seccomp_enosys.h"
#include <linux/audit.h>
#include <seccomp.h>
#include "fileutil.h"
#include "json.h"

static yajl_val parse (const char *text)
{
  yajl_val v = NULL;
  oci_error *err = NULL;
  if (json_parse (text, strlen (text), "test", &v, &err) < 0)
    fail_msg ("%s", err->msg);
  return v;
}

static seccomp_program *build (const char *json)
{
  seccomp_program *p = NULL;
  oci_error *err = NULL;
  yajl_val v = parse (json);
  if (seccomp_program_build (v, &p, &err) < 0)
    fail_msg ("build: %s", err->msg);
  yajl_tree_free (v);
  assert_non_null (p);
  return p;
}

static char errmsg[512];
static void build_fails (const char *json)
{
  seccomp_program *p = NULL;
  oci_error *err = NULL;
  yajl_val v = parse (json);
  assert_int_equal (seccomp_program_build (v, &p, &err), -1);
  assert_null (p);
  assert_non_null (err);
  snprintf (errmsg, sizeof errmsg, "%s", err->msg);
  oci_error_free (&err);
  yajl_tree_free (v);
}

/* seccomp(2) itself: valgrind, for one, does not pass it through. */
static bool seccomp_usable (void)
{
  uint32_t action = SECCOMP_RET_ALLOW;
  return syscall (SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0;
}

/* Fork, install `p` (after no_new_privs, as the runtime does), run fn;
   the wait status comes back. */
static int run_child (const seccomp_program *p, int (*fn) (void))
{
  int status;
  pid_t pid = fork ();
  assert_true (pid >= 0);
  if (pid == 0)
    {
      oci_error *err = NULL;
      int lfd;
      /* cmocka catches SIGSYS; the child must die of it. */
      signal (SIGSYS, SIG_DFL);
      if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        child_exit (120);
      if (seccomp_program_install (p, &lfd, &err) < 0)
        child_exit (121);
      child_exit (fn ());
    }
  assert_int_equal (waitpid (pid, &status, 0), pid);
  return status;
}

static int exited (int status)
{
  return WIFEXITED (status) ? WEXITSTATUS (status) : -WTERMSIG (status);
}

static int call_getppid_errno (void)
{
  long r = syscall (SYS_getppid);
  return r == -1 ? errno : 0;
}

static void test_errno_action (void **state)
{
  if (!seccomp_usable ())
    return; /* not applicable here (cmocka 0.7 prints skips as "not ok") */
  seccomp_program *p = build (
    "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"no_such_syscall_at_all\",\"getppid\"],"
    "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13}]}");
  assert_int_equal (exited (run_child (p, call_getppid_errno)), 13);
  seccomp_program_free (p);
  /* errnoRet absent: EPERM */
  p = build ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"getppid\"],"
             "\"action\":\"SCMP_ACT_ERRNO\"}]}");
  assert_int_equal (exited (run_child (p, call_getppid_errno)), EPERM);
  seccomp_program_free (p);
}

static void test_kill_actions (void **state)
{
  if (!seccomp_usable ())
    return; /* not applicable here (cmocka 0.7 prints skips as "not ok") */
  static const char *const kills[] = { "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD",
                                       "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_TRAP" };
  for (size_t i = 0; i < 4; i++)
    {
      char json[256];
      snprintf (json, sizeof json,
                "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"getppid\"],"
                "\"action\":\"%s\"}]}", kills[i]);
      seccomp_program *p = build (json);
      assert_int_equal (exited (run_child (p, call_getppid_errno)), -SIGSYS);
      seccomp_program_free (p);
    }
}

static void test_allow_log_trace (void **state)
{
  if (!seccomp_usable ())
    return; /* not applicable here (cmocka 0.7 prints skips as "not ok") */
  seccomp_program *p = build (
    "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\",\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"],"
    "\"syscalls\":[{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_LOG\"}]}");
  assert_int_equal (exited (run_child (p, call_getppid_errno)), 0);
  seccomp_program_free (p);
  /* TRACE with no tracer attached: the kernel fails the call with ENOSYS */
  p = build ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"getppid\"],"
             "\"action\":\"SCMP_ACT_TRACE\",\"errnoRet\":1}]}");
  assert_int_equal (exited (run_child (p, call_getppid_errno)), ENOSYS);
  seccomp_program_free (p);
}

static int only_allowed (void)
{
  /* default errno 38 for everything but the listed calls */
  long r = syscall (SYS_getppid);
  return r == -1 ? errno : 0;
}

static void test_default_errno_allowlist (void **state)
{
  if (!seccomp_usable ())
    return; /* not applicable here (cmocka 0.7 prints skips as "not ok") */
  seccomp_program *p = build (
    "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38,"
    "\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"],"
    "\"syscalls\":[{\"names\":[\"exit\",\"exit_group\",\"rt_sigreturn\"],\"action\":\"SCMP_ACT_ALLOW\"}]}");
  assert_int_equal (exited (run_child (p, only_allowed)), 38);
  seccomp_program_free (p);
}

/* sched_get_priority_max(policy): a pure call to hang comparisons on */
static int prio_max_mask (void)
{
  int mask = 0;
  for (int policy = 0; policy < 4; policy++)
    if (syscall (SYS_sched_get_priority_max, policy) == -1 && errno == 77)
      mask |= 1 << policy;
  return mask;
}

static int with_op (const char *op, const char *value, const char *value_two)
{
  char json[512];
  snprintf (json, sizeof json,
            "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"sched_get_priority_max\"],"
            "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":77,"
            "\"args\":[{\"index\":0,\"value\":%s,\"valueTwo\":%s,\"op\":\"%s\"}]}]}",
            value, value_two, op);
  seccomp_program *p = build (json);
  int r = exited (run_child (p, prio_max_mask));
  seccomp_program_free (p);
  return r;
}

static void test_comparisons (void **state)
{
  if (!seccomp_usable ())
    return; /* not applicable here (cmocka 0.7 prints skips as "not ok") */
  /* bit N set = policy N refused */
  assert_int_equal (with_op ("SCMP_CMP_EQ", "1", "0"), 0x2);
  assert_int_equal (with_op ("SCMP_CMP_NE", "1", "0"), 0xd);
  assert_int_equal (with_op ("SCMP_CMP_LT", "2", "0"), 0x3);
  assert_int_equal (with_op ("SCMP_CMP_LE", "2", "0"), 0x7);
  assert_int_equal (with_op ("SCMP_CMP_GT", "1", "0"), 0xc);
  assert_int_equal (with_op ("SCMP_CMP_GE", "1", "0"), 0xe);
  /* (arg & 2) == 2: policies 2 and 3 */
  assert_int_equal (with_op ("SCMP_CMP_MASKED_EQ", "2", "2"), 0xc);

  /* two conditions on one argument: either matches (runc splits them) */
  seccomp_program *p = build (
    "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"sched_get_priority_max\"],"
    "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":77,"
    "\"args\":[{\"index\":0,\"value\":0,\"op\":\"SCMP_CMP_EQ\"},{\"index\":0,\"value\":3,\"op\":\"SCMP_CMP_EQ\"}]}]}");
  assert_int_equal (exited (run_child (p, prio_max_mask)), 0x9);
  seccomp_program_free (p);
}

static void test_bad_profiles (void **state)
{
  build_fails ("{\"defaultAction\":\"SCMP_ACT_BOGUS\"}");
  assert_non_null (strstr (errmsg, "SCMP_ACT_BOGUS"));
  build_fails ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_VAX\"]}");
  assert_non_null (strstr (errmsg, "SCMP_ARCH_VAX"));
  build_fails ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"SECCOMP_FILTER_FLAG_NOPE\"]}");
  assert_non_null (strstr (errmsg, "NOPE"));
  build_fails ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}");
  assert_non_null (strstr (errmsg, "listenerPath"));
  build_fails ("{\"defaultAction\":\"SCMP_ACT_NOTIFY\",\"listenerPath\":\"/x\"}");
  build_fails ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/x\",\"syscalls\":[{\"names\":[\"write\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}");
  assert_non_null (strstr (errmsg, "write"));
  build_fails ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_ERRNO\","
               "\"args\":[{\"index\":7,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}");
  assert_non_null (strstr (errmsg, "index"));
  build_fails ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_ERRNO\","
               "\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_ABOUT\"}]}]}");
  assert_non_null (strstr (errmsg, "SCMP_CMP_ABOUT"));

  seccomp_program *p = NULL;
  oci_error *err = NULL;
  assert_int_equal (seccomp_program_build (NULL, &p, &err), 0);
  assert_null (p);
  int lfd;
  assert_int_equal (seccomp_program_install (NULL, &lfd, &err), 0);
  assert_int_equal (lfd, -1);
}

static void test_cache (void **state)
{
  if (!seccomp_usable ())
    return; /* not applicable here (cmocka 0.7 prints skips as "not ok") */
  char dir[64] = "/tmp/ocikit-sc-XXXXXX";
  char cache[96];
  seccomp_program *a = NULL, *b = NULL;
  oci_error *err = NULL;
  const char *json = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"getppid\"],"
                     "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":21}]}";
  yajl_val v = parse (json);

  assert_non_null (mkdtemp (dir));
  snprintf (cache, sizeof cache, "%s/seccomp-cache", dir);
  assert_int_equal (seccomp_program_build_cached (v, cache, &a, &err), 0);
  assert_false (seccomp_program_from_cache (a));
  assert_int_equal (seccomp_program_build_cached (v, cache, &b, &err), 0);
  assert_true (seccomp_program_from_cache (b));
  assert_int_equal (seccomp_program_length (a), seccomp_program_length (b));
  assert_true (seccomp_program_length (a) > 0);
  assert_int_equal (exited (run_child (b, call_getppid_errno)), 21);
  seccomp_program_free (a);
  seccomp_program_free (b);
  yajl_tree_free (v);

  /* another profile, another entry */
  v = parse ("{\"defaultAction\":\"SCMP_ACT_ALLOW\"}");
  assert_int_equal (seccomp_program_build_cached (v, cache, &a, &err), 0);
  assert_false (seccomp_program_from_cache (a));
  seccomp_program_free (a);
  yajl_tree_free (v);

  /* a cache others can write to is not used */
  chmod (cache, 0777);
  v = parse (json);
  assert_int_equal (seccomp_program_build_cached (v, cache, &a, &err), 0);
  assert_false (seccomp_program_from_cache (a));
  seccomp_program_free (a);
  yajl_tree_free (v);
  chmod (cache, 0700);

  /* a file whose stored key differs (what a hash collision looks like) is
     not used: the whole key is compared, the program recompiled */
  {
    char cmd[256];
    snprintf (cmd, sizeof cmd, "for f in %s/*.bpf; do printf X | dd of=$f bs=1 seek=9 "
              "conv=notrunc status=none; done", cache);
    assert_int_equal (system (cmd), 0);
    v = parse (json);
    assert_int_equal (seccomp_program_build_cached (v, cache, &a, &err), 0);
    assert_false (seccomp_program_from_cache (a));
    assert_int_equal (exited (run_child (a, call_getppid_errno)), 21);
    seccomp_program_free (a);
    /* ... and the entry rewritten is used again */
    assert_int_equal (seccomp_program_build_cached (v, cache, &a, &err), 0);
    assert_true (seccomp_program_from_cache (a));
    seccomp_program_free (a);
    yajl_tree_free (v);
  }

  /* an unwritable cache is not an error */
  v = parse (json);
  assert_int_equal (seccomp_program_build_cached (v, "/proc/no/such/dir", &a, &err), 0);
  assert_false (seccomp_program_from_cache (a));
  seccomp_program_free (a);
  yajl_tree_free (v);
  remove_tree (dir, &err);
  oci_error_free (&err);
}

/* notify: the child sends its listener fd to a socket; the parent, as
   the supervisor, answers getppid with 4242. */
static void test_notify (void **state)
{
  if (!seccomp_usable ())
    return; /* not applicable here (cmocka 0.7 prints skips as "not ok") */
  char dir[64] = "/tmp/ocikit-sn-XXXXXX", sock[128], json[512];
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int ls, conn, status, lfd = -1;

  assert_non_null (mkdtemp (dir));
  snprintf (sock, sizeof sock, "%s/l.sock", dir);
  strcpy (addr.sun_path, sock);
  ls = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  assert_int_equal (bind (ls, (struct sockaddr *) &addr, sizeof addr), 0);
  assert_int_equal (listen (ls, 1), 0);
  snprintf (json, sizeof json,
            "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"%s\",\"listenerMetadata\":\"m1\","
            "\"syscalls\":[{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}", sock);
  seccomp_program *p = build (json);
  assert_string_equal (seccomp_program_listener_path (p), sock);
  assert_string_equal (seccomp_program_listener_metadata (p), "m1");

  pid_t pid = fork ();
  if (pid == 0)
    {
      oci_error *err = NULL;
      int fd;
      prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
      if (seccomp_program_install (p, &fd, &err) < 0 || fd < 0)
        child_exit (10);
      if (seccomp_notify_send (sock, fd, "{\"state\":1}", 11, &err) < 0)
        child_exit (11);
      child_exit (syscall (SYS_getppid) == 4242 ? 0 : 12);
    }
  conn = accept4 (ls, NULL, NULL, SOCK_CLOEXEC);
  assert_true (conn >= 0);
  {
    char buf[64] = "";
    union { char b[CMSG_SPACE (sizeof (int))]; struct cmsghdr a; } ctl;
    struct iovec iov = { buf, sizeof buf - 1 };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b,
                          .msg_controllen = sizeof ctl.b };
    assert_true (recvmsg (conn, &msg, MSG_CMSG_CLOEXEC) > 0);
    assert_string_equal (buf, "{\"state\":1}");
    memcpy (&lfd, CMSG_DATA (CMSG_FIRSTHDR (&msg)), sizeof lfd);
  }
  struct seccomp_notif req;
  struct seccomp_notif_resp resp;
  memset (&req, 0, sizeof req);
  assert_int_equal (ioctl (lfd, SECCOMP_IOCTL_NOTIF_RECV, &req), 0);
  assert_int_equal (req.pid, pid);
  memset (&resp, 0, sizeof resp);
  resp.id = req.id;
  resp.val = 4242;
  assert_int_equal (ioctl (lfd, SECCOMP_IOCTL_NOTIF_SEND, &resp), 0);
  assert_int_equal (waitpid (pid, &status, 0), pid);
  assert_int_equal (exited (status), 0);
  close (lfd);
  close (conn);
  close (ls);
  seccomp_program_free (p);
  oci_error *err = NULL;
  remove_tree (dir, &err);
  oci_error_free (&err);
}

/* A realistic profile (a Docker-style default) compiles and still lets a
   process run. */
static void test_large_profile (void **state)
{
  if (!seccomp_usable ())
    return; /* not applicable here (cmocka 0.7 prints skips as "not ok") */
  const char *paths[] = { "/usr/share/containers/seccomp.json", NULL };
  for (size_t i = 0; paths[i]; i++)
    {
      char *text = NULL;
      size_t len;
      oci_error *err = NULL;
      yajl_val v = NULL;
      seccomp_program *p = NULL;
      if (read_file_at (AT_FDCWD, paths[i], 1 << 20, &text, &len, &err) < 0)
        {
          oci_error_free (&err);
          continue;
        }
      assert_int_equal (json_parse (text, len, paths[i], &v, &err), 0);
      if (seccomp_program_build (v, &p, &err) < 0)
        fail_msg ("%s: %s", paths[i], err->msg);
      assert_int_equal (exited (run_child (p, call_getppid_errno)), 0);
      seccomp_program_free (p);
      yajl_tree_free (v);
      free (text);
    }
}

static void test_features (void **state)
{
  yajl_gen g = json_gen_new (false);
  char *text = NULL;
  oci_error *err = NULL;
  seccomp_features_json (g);
  assert_int_equal (json_gen_result (g, &text, NULL, &err), 0);
  yajl_val v = parse (text);
  assert_true (YAJL_IS_TRUE (json_get (v, "enabled")));
  assert_int_equal (json_array_len (json_get (v, "actions")), 9);
  assert_int_equal (json_array_len (json_get (v, "operators")), 7);
  assert_non_null (strstr (text, "SCMP_ARCH_X86_64"));
  assert_non_null (strstr (text, "\"knownFlags\":[\"SECCOMP_FILTER_FLAG_TSYNC\""));
  if (seccomp_usable ())
    assert_non_null (strstr (text, "\"supportedFlags\":[\"SECCOMP_FILTER_FLAG_TSYNC\""));
  yajl_tree_free (v);
  free (text);
  yajl_gen_free (g);
}

/* ---- the -ENOSYS stub ---- */

/* A classic BPF interpreter for what the stub uses (ld abs, jeq, jgt,
   jset, ja, ret), over seccomp_data. The "filter" after the stub is one
   `ret FILTER_MARK`, so a result tells which way the stub went. */
#define FILTER_MARK 0x7fff0042U
static uint32_t bpf_run (const struct sock_filter *f, size_t n, uint32_t arch, uint32_t nr)
{
  struct seccomp_data d = { .nr = (int) nr, .arch = arch };
  uint32_t a = 0;
  for (size_t pc = 0; pc < n; pc++)
    {
      const struct sock_filter *i = &f[pc];
      switch (i->code)
        {
        case BPF_LD | BPF_W | BPF_ABS:
          assert_true (i->k + 4 <= sizeof d);
          memcpy (&a, (const char *) &d + i->k, 4);
          break;
        case BPF_JMP | BPF_JA | BPF_K: pc += i->k; break;
        case BPF_JMP | BPF_JEQ | BPF_K: pc += a == i->k ? i->jt : i->jf; break;
        case BPF_JMP | BPF_JGT | BPF_K: pc += a > i->k ? i->jt : i->jf; break;
        case BPF_JMP | BPF_JSET | BPF_K: pc += (a & i->k) ? i->jt : i->jf; break;
        case BPF_RET | BPF_K: return i->k;
        default: fail_msg ("unexpected BPF opcode %#x at %zu", i->code, pc);
        }
    }
  fail_msg ("ran off the end of the program");
  return 0;
}

static size_t stub_for (const struct seccomp_enosys_max *m, size_t n, struct sock_filter *f)
{
  oci_error *err = NULL;
  int len = seccomp_enosys_stub (m, n, f, SECCOMP_ENOSYS_MAX_INSNS - 1, &err);
  if (len < 0)
    fail_msg ("stub: %s", err->msg);
  f[len] = (struct sock_filter) BPF_STMT (BPF_RET | BPF_K, FILTER_MARK);
  return (size_t) len + 1;
}

#define ENOSYS_RET (SECCOMP_RET_ERRNO | ENOSYS)
#define X32 0x40000000U

static void test_enosys_stub_bpf (void **state)
{
  struct sock_filter f[SECCOMP_ENOSYS_MAX_INSNS];
  size_t n;

  /* nothing known: no stub at all */
  n = stub_for (NULL, 0, f);
  assert_int_equal (n, 1);

  /* x86_64 alone: above the maximum ENOSYS, at or below it the filter;
     x32 calls and other architectures always reach the filter */
  n = stub_for ((struct seccomp_enosys_max[]) { { SCMP_ARCH_X86_64, 100 } }, 1, f);
  assert_int_equal (bpf_run (f, n, AUDIT_ARCH_X86_64, 0), FILTER_MARK);
  assert_int_equal (bpf_run (f, n, AUDIT_ARCH_X86_64, 100), FILTER_MARK);
  assert_int_equal (bpf_run (f, n, AUDIT_ARCH_X86_64, 101), ENOSYS_RET);
  assert_int_equal (bpf_run (f, n, AUDIT_ARCH_X86_64, 435), ENOSYS_RET);
  assert_int_equal (bpf_run (f, n, AUDIT_ARCH_X86_64, X32 | 5), FILTER_MARK);
  assert_int_equal (bpf_run (f, n, AUDIT_ARCH_X86_64, X32 | 500), FILTER_MARK);
  assert_int_equal (bpf_run (f, n, AUDIT_ARCH_I386, 999), FILTER_MARK);

  /* x86_64 + x32 + i386 + aarch64, each its own maximum */
  n = stub_for ((struct seccomp_enosys_max[]) { { SCMP_ARCH_X86_64, 200 },
                                                { SCMP_ARCH_X32, X32 | 300 },
                                                { SCMP_ARCH_X86, 50 },
                                                { SCMP_ARCH_AARCH64, 10 } },
                4, f);
  assert_int_equal (bpf_run (f, n, AUDIT_ARCH_X86_64, 200), FILTER_MARK);
  assert_int_equal (bpf_run (f, n, AUDIT_ARCH_X86_64, 201), ENOSYS_RET);
  assert_int_equal (bpf_run (f, n, AUDIT_ARCH_X86_64, 250), ENOSYS_RET);
  assert_int_equal (bpf_run (f, n, AUDIT_ARCH_X86_64, X32 | 250), FILTER_MARK);
  assert_int_equal (bpf_run (f, n, AUDIT_ARCH_X86_64, X32 | 300), FILTER_MARK);
  assert_int_equal (bpf_run (f, n, AUDIT_ARCH_X86_64, X32 | 301), ENOSYS_RET);
  assert_int_equal (bpf_run (f, n, AUDIT_ARCH_I386, 50), FILTER_MARK);
  assert_int_equal (bpf_run (f, n, AUDIT_ARCH_I386, 51), ENOSYS_RET);
  assert_int_equal (bpf_run (f, n, AUDIT_ARCH_AARCH64, 10), FILTER_MARK);
  assert_int_equal (bpf_run (f, n, AUDIT_ARCH_AARCH64, 11), ENOSYS_RET);
  assert_int_equal (bpf_run (f, n, AUDIT_ARCH_PPC64LE, 1000), FILTER_MARK);

  /* x32 alone: native x86_64 calls go to the filter untouched */
  n = stub_for ((struct seccomp_enosys_max[]) { { SCMP_ARCH_X32, X32 | 300 } }, 1, f);
  assert_int_equal (bpf_run (f, n, AUDIT_ARCH_X86_64, 1000), FILTER_MARK);
  assert_int_equal (bpf_run (f, n, AUDIT_ARCH_X86_64, X32 | 300), FILTER_MARK);
  assert_int_equal (bpf_run (f, n, AUDIT_ARCH_X86_64, X32 | 301), ENOSYS_RET);

  /* many architectures: every jump still fits a byte */
  {
    static const uint32_t archs[] = { SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_X32,
                                      SCMP_ARCH_ARM, SCMP_ARCH_AARCH64, SCMP_ARCH_MIPS,
                                      SCMP_ARCH_MIPS64, SCMP_ARCH_MIPS64N32, SCMP_ARCH_MIPSEL,
                                      SCMP_ARCH_MIPSEL64, SCMP_ARCH_MIPSEL64N32, SCMP_ARCH_PPC,
                                      SCMP_ARCH_PPC64, SCMP_ARCH_PPC64LE, SCMP_ARCH_S390,
                                      SCMP_ARCH_S390X, SCMP_ARCH_PARISC, SCMP_ARCH_PARISC64,
                                      SCMP_ARCH_RISCV64 };
    struct seccomp_enosys_max m[sizeof archs / sizeof *archs];
    for (size_t i = 0; i < sizeof archs / sizeof *archs; i++)
      m[i] = (struct seccomp_enosys_max) { archs[i], archs[i] == SCMP_ARCH_X32 ? X32 | (uint32_t) i : (uint32_t) i + 100 };
    n = stub_for (m, sizeof archs / sizeof *archs, f);
    for (size_t i = 0; i < sizeof archs / sizeof *archs; i++)
      {
        uint32_t audit = archs[i] == SCMP_ARCH_X32 ? AUDIT_ARCH_X86_64 : archs[i];
        assert_int_equal (bpf_run (f, n, audit, m[i].max_nr), FILTER_MARK);
        assert_int_equal (bpf_run (f, n, audit, m[i].max_nr + 1), ENOSYS_RET);
      }
  }
}

static void test_enosys_maxima (void **state)
{
  struct seccomp_enosys_max m[SECCOMP_ENOSYS_MAX_ARCHS];
  size_t n;
  oci_error *err = NULL;
  yajl_val v = parse ("{\"defaultAction\":\"SCMP_ACT_ERRNO\","
                      "\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"],"
                      "\"syscalls\":[{\"names\":[\"read\",\"socket\"],\"action\":\"SCMP_ACT_ALLOW\"},"
                      "{\"names\":[\"no_such_call\",\"clone3\"],\"action\":\"SCMP_ACT_ERRNO\"}]}");
  assert_int_equal (seccomp_enosys_maxima (v, m, SECCOMP_ENOSYS_MAX_ARCHS, &n, &err), 0);
  /* native first (x86_64 on this machine), then the rest once each */
  assert_int_equal (n, 3);
  assert_int_equal (m[0].arch, seccomp_arch_native ());
  for (size_t i = 0; i < n; i++)
    {
      /* clone3 is 435 on all three (x32 with its bit) */
      assert_int_equal (m[i].max_nr, seccomp_syscall_resolve_name_arch (m[i].arch, "clone3"));
    }
  yajl_tree_free (v);
  /* only unknown names: nothing to guard */
  v = parse ("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"no_such_call\"],\"action\":\"SCMP_ACT_ALLOW\"}]}");
  assert_int_equal (seccomp_enosys_maxima (v, m, SECCOMP_ENOSYS_MAX_ARCHS, &n, &err), 0);
  assert_int_equal (n, 0);
  yajl_tree_free (v);

  assert_false (seccomp_enosys_wanted (SCMP_ACT_ALLOW));
  assert_false (seccomp_enosys_wanted (SCMP_ACT_LOG));
  assert_false (seccomp_enosys_wanted (SCMP_ACT_TRACE (1)));
  assert_false (seccomp_enosys_wanted (SCMP_ACT_ERRNO (ENOSYS)));
  assert_true (seccomp_enosys_wanted (SCMP_ACT_ERRNO (EPERM)));
  assert_true (seccomp_enosys_wanted (SCMP_ACT_KILL_THREAD));
  assert_true (seccomp_enosys_wanted (SCMP_ACT_KILL_PROCESS));
  assert_true (seccomp_enosys_wanted (SCMP_ACT_TRAP));
}

/* errno of three calls: pidfd_open (434, unnamed, below the maximum),
   pidfd_getfd (438, named and denied: the maximum), faccessat2 (439,
   above it), as one number: e1 * 10000 + e2 * 100 + e3 */
static int three_errnos (void)
{
  long calls[] = { 434, 438, 439 };
  int out = 0;
  for (size_t i = 0; i < 3; i++)
    {
      long r = syscall (calls[i], -1, -1, -1, 0);
      out = out * 100 + (r == -1 ? errno : 99);
    }
  return out;
}

static int enosys_in_kernel (void)
{
  int e = three_errnos ();
  /* exit statuses are 8 bits: 1 = expected, else which call was wrong */
  if (e / 10000 != EPERM)
    return 10 + (e / 10000 == ENOSYS);
  if (e / 100 % 100 != EPERM)
    return 20 + (e / 100 % 100 == ENOSYS);
  if (e % 100 != ENOSYS)
    return 30 + (e % 100 == EPERM);
  return 1;
}

static void test_enosys_in_kernel (void **state)
{
  if (!seccomp_usable ())
    return; /* not applicable here (cmocka 0.7 prints skips as "not ok") */
  const char *profile
      = "{\"defaultAction\":\"SCMP_ACT_ERRNO\","
        "\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"],"
        "\"syscalls\":[{\"names\":[\"exit\",\"exit_group\",\"rt_sigreturn\"],\"action\":\"SCMP_ACT_ALLOW\"},"
        "{\"names\":[\"pidfd_getfd\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1}]}";
  seccomp_program *p = build (profile);
  assert_int_equal (exited (run_child (p, enosys_in_kernel)), 1);
  seccomp_program_free (p);
  /* an allowing default keeps the profile's answer: no stub */
  p = build ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"getppid\"],"
             "\"action\":\"SCMP_ACT_ERRNO\"}]}");
  assert_int_equal (exited (run_child (p, call_getppid_errno)), EPERM);
  seccomp_program_free (p);
  {
    /* the cached program carries the stub too */
    char dir[] = "/tmp/ocikit-enosys.XXXXXX";
    char cache[64];
    oci_error *err = NULL;
    seccomp_program *a = NULL, *b = NULL;
    yajl_val v = parse (profile);
    assert_non_null (mkdtemp (dir));
    snprintf (cache, sizeof cache, "%s/c", dir);
    assert_int_equal (seccomp_program_build_cached (v, cache, &a, &err), 0);
    assert_int_equal (seccomp_program_build_cached (v, cache, &b, &err), 0);
    assert_false (seccomp_program_from_cache (a));
    assert_true (seccomp_program_from_cache (b));
    assert_int_equal (seccomp_program_length (a), seccomp_program_length (b));
    assert_int_equal (exited (run_child (b, enosys_in_kernel)), 1);
    seccomp_program_free (a);
    seccomp_program_free (b);
    yajl_tree_free (v);
    char cmd[128];
    snprintf (cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal (system (cmd), 0);
  }
}

/* A NOTIFY profile with a refusing default: the stub goes in front of the
   same filter load, which still hands out its listener
   (SECCOMP_FILTER_FLAG_NEW_LISTENER). */
static void test_enosys_with_notify (void **state)
{
  if (!seccomp_usable ())
    return; /* not applicable here (cmocka 0.7 prints skips as "not ok") */
  seccomp_program *p = build (
      "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"listenerPath\":\"/nonexistent\","
      "\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"],"
      "\"syscalls\":[{\"names\":[\"exit\",\"exit_group\",\"rt_sigreturn\",\"close\"],\"action\":\"SCMP_ACT_ALLOW\"},"
      "{\"names\":[\"mkdirat\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}");
  int status;
  pid_t pid = fork ();
  assert_true (pid >= 0);
  if (pid == 0)
    {
      oci_error *err = NULL;
      int lfd = -1;
      signal (SIGSYS, SIG_DFL);
      if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        child_exit (120);
      if (seccomp_program_install (p, &lfd, &err) < 0)
        child_exit (121);
      if (lfd < 0)
        child_exit (122);
      /* faccessat2 (439) is above mkdirat (258), the largest named */
      if (syscall (439, -1, "", 0, 0) != -1 || errno != ENOSYS)
        child_exit (123);
      /* getppid (110) is below it and unnamed: the default */
      if (syscall (SYS_getppid) != -1 || errno != EPERM)
        child_exit (124);
      child_exit (0);
    }
  assert_int_equal (waitpid (pid, &status, 0), pid);
  assert_int_equal (exited (status), 0);
  seccomp_program_free (p);
}

int main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_errno_action),
    cmocka_unit_test (test_kill_actions),
    cmocka_unit_test (test_allow_log_trace),
    cmocka_unit_test (test_default_errno_allowlist),
    cmocka_unit_test (test_comparisons),
    cmocka_unit_test (test_bad_profiles),
    cmocka_unit_test (test_cache),
    cmocka_unit_test (test_notify),
    cmocka_unit_test (test_large_profile),
    cmocka_unit_test (test_features),
    cmocka_unit_test (test_enosys_stub_bpf),
    cmocka_unit_test (test_enosys_maxima),
    cmocka_unit_test (test_enosys_in_kernel),
    cmocka_unit_test (test_enosys_with_notify),
  };
  return cmocka_run_group_tests_name ("runner seccomp", tests, NULL, NULL);
}
