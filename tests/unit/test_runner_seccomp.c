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
  };
  return cmocka_run_group_tests_name ("runner seccomp", tests, NULL, NULL);
}
