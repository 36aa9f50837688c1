/* Root-confined resolution, with openat2 and with the fallback walk. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileutil.h"
#include "safepath.h"

static char top[64], root[96];
static int rootfd = -1;

static void put (const char *rel, const char *data)
{
  char p[256];
  snprintf (p, sizeof p, "%s/%s", top, rel);
  FILE *f = fopen (p, "w");
  assert_non_null (f);
  fputs (data, f);
  fclose (f);
}

static int setup (void **state)
{
  char p[256];
  snprintf (top, sizeof top, "/tmp/ocikit-sp-XXXXXX");
  assert_non_null (mkdtemp (top));
  snprintf (root, sizeof root, "%s/root", top);
  mkdir (root, 0755);
  snprintf (p, sizeof p, "%s/root/etc", top);
  mkdir (p, 0755);
  put ("outside", "HOST");
  put ("root/etc/passwd", "INSIDE");
  put ("root/outside", "ROOT-OUTSIDE");
  snprintf (p, sizeof p, "%s/root/abs", top);
  assert_int_equal (symlink ("/outside", p), 0);
  snprintf (p, sizeof p, "%s/root/rel", top);
  assert_int_equal (symlink ("../../outside", p), 0);
  snprintf (p, sizeof p, "%s/root/etcl", top);
  assert_int_equal (symlink ("/etc", p), 0);
  snprintf (p, sizeof p, "%s/root/loop", top);
  assert_int_equal (symlink ("loop", p), 0);
  snprintf (p, sizeof p, "%s/root/dot", top);
  assert_int_equal (symlink (".", p), 0);
  rootfd = open (root, O_PATH | O_DIRECTORY);
  assert_true (rootfd >= 0);
  return 0;
}

static int teardown (void **state)
{
  close (rootfd);
  remove_tree (top, NULL);
  safepath_force_fallback (0);
  return 0;
}

static void expect_content (const char *path, const char *want)
{
  char buf[64] = { 0 };
  int fd = safepath_open (rootfd, path, O_RDONLY, 0);
  assert_true (fd >= 0);
  assert_true (read (fd, buf, sizeof buf - 1) > 0);
  close (fd);
  assert_string_equal (buf, want);
}

static void run_all (void)
{
  expect_content ("etc/passwd", "INSIDE");
  expect_content ("/etc/passwd", "INSIDE");
  expect_content ("../../../etc/passwd", "INSIDE");
  expect_content ("abs", "ROOT-OUTSIDE");
  expect_content ("rel", "ROOT-OUTSIDE");
  expect_content ("etcl/passwd", "INSIDE");
  expect_content ("dot/dot/etc/passwd", "INSIDE");
  assert_int_equal (safepath_open (rootfd, "loop", O_RDONLY, 0), -1);
  assert_int_equal (errno, ELOOP);
  assert_int_equal (safepath_open (rootfd, "abs", O_RDONLY | O_NOFOLLOW, 0), -1);
  /* create through a symlinked parent stays inside */
  int fd = safepath_open (rootfd, "etcl/new", O_WRONLY | O_CREAT | O_EXCL, 0600);
  assert_true (fd >= 0);
  close (fd);
  char p[256];
  snprintf (p, sizeof p, "%s/root/etc/new", top);
  assert_int_equal (access (p, F_OK), 0);
  unlink (p);
  {
    const char *last;
    int pfd = safepath_open_parent (rootfd, "etcl/passwd", &last);
    assert_true (pfd >= 0);
    assert_string_equal (last, "passwd");
    close (pfd);
    assert_int_equal (safepath_open_parent (rootfd, "a/..", &last), -1);
  }
  /* mkdir -p through a symlinked parent and ".." stays inside */
  fd = safepath_mkdir_p (rootfd, "etcl/a/b", 0755);
  assert_true (fd >= 0);
  close (fd);
  snprintf (p, sizeof p, "%s/root/etc/a/b", top);
  assert_int_equal (access (p, F_OK), 0);
  fd = safepath_mkdir_p (rootfd, "../../up/down", 0755);
  assert_true (fd >= 0);
  close (fd);
  snprintf (p, sizeof p, "%s/root/up/down", top);
  assert_int_equal (access (p, F_OK), 0);
  snprintf (p, sizeof p, "%s/up", top);
  assert_int_equal (access (p, F_OK), -1);
  assert_int_equal (safepath_mkdir_p (rootfd, "abs/z", 0755), -1);
  assert_int_equal (errno, ENOTDIR);
  fd = safepath_mkdir_p (rootfd, "", 0755);
  assert_true (fd >= 0);
  close (fd);
  snprintf (p, sizeof p, "%s/root/etc/a/b", top);
  rmdir (p);
  snprintf (p, sizeof p, "%s/root/etc/a", top);
  rmdir (p);
  snprintf (p, sizeof p, "%s/root/up/down", top);
  rmdir (p);
  snprintf (p, sizeof p, "%s/root/up", top);
  rmdir (p);
}

static void test_openat2 (void **state) { run_all (); }
static void test_fallback (void **state)
{
  safepath_force_fallback (1);
  run_all ();
}

int main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_openat2, setup, teardown),
    cmocka_unit_test_setup_teardown (test_fallback, setup, teardown),
  };
  return cmocka_run_group_tests_name ("safepath", tests, NULL, NULL);
}
