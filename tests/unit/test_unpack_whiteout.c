/* Whiteout removal keeps what the same layer wrote (image-spec layer.md). */
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
#include "../../unpack/pathmap.h"
#include "../../unpack/whiteout.h"

static char top[64];
static int topfd = -1;

static void mk (const char *rel, bool dir)
{
  if (dir)
    assert_int_equal (mkdirat (topfd, rel, 0755), 0);
  else
    {
      int fd = openat (topfd, rel, O_WRONLY | O_CREAT | O_EXCL, 0644);
      assert_true (fd >= 0);
      close (fd);
    }
}

static bool exists (const char *rel)
{
  struct stat st;
  return fstatat (topfd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static void mark (pathmap *m, const char *p, unsigned flags)
{
  pathmap_value *v = pathmap_get (m, p, true);
  assert_non_null (v);
  v->flags |= flags;
}

static int setup (void **state)
{
  snprintf (top, sizeof top, "/tmp/ocikit-wh-XXXXXX");
  assert_non_null (mkdtemp (top));
  topfd = open (top, O_RDONLY | O_DIRECTORY);
  assert_true (topfd >= 0);
  /* a lower layer: d/{a, b, sub/c}, f, and a symlink to outside */
  mk ("d", true);
  mk ("d/a", false);
  mk ("d/b", false);
  mk ("d/sub", true);
  mk ("d/sub/c", false);
  mk ("f", false);
  assert_int_equal (symlinkat ("/etc", topfd, "d/etclink"), 0);
  return 0;
}

static int teardown (void **state)
{
  close (topfd);
  remove_tree (top, NULL);
  return 0;
}

static void test_remove_all (void **state)
{
  assert_int_equal (whiteout_remove (topfd, "d", "d", NULL, NULL), 0);
  assert_false (exists ("d"));
  assert_true (exists ("f"));
  /* nothing there is fine */
  assert_int_equal (whiteout_remove (topfd, "nothing", "nothing", NULL, NULL), 0);
  /* a symlink is removed, never followed */
  assert_int_equal (access ("/etc/passwd", F_OK), 0);
}

static void test_keeps_same_layer (void **state)
{
  pathmap *w = pathmap_new ();
  /* this layer wrote d/b and d/sub/new: d and d/sub hold its entries */
  mk ("d/sub/new", false);
  mark (w, "d/b", PATH_WRITTEN);
  mark (w, "d/sub/new", PATH_WRITTEN);
  mark (w, "d/sub", PATH_ANCESTOR);
  mark (w, "d", PATH_ANCESTOR);
  assert_int_equal (whiteout_remove (topfd, "d", "d", w, NULL), 0);
  assert_true (exists ("d/b"));
  assert_true (exists ("d/sub/new"));
  assert_false (exists ("d/a"));
  assert_false (exists ("d/sub/c"));
  assert_false (exists ("d/etclink"));
  pathmap_free (w);
}

static void test_opaque (void **state)
{
  pathmap *w = pathmap_new ();
  int dfd;
  mark (w, "d/a", PATH_WRITTEN);
  mark (w, "d", PATH_WRITTEN | PATH_ANCESTOR);
  dfd = openat (topfd, "d", O_RDONLY | O_DIRECTORY);
  assert_int_equal (whiteout_opaque (dfd, "d", w, NULL), 0);
  close (dfd);
  assert_true (exists ("d"));
  assert_true (exists ("d/a"));
  assert_false (exists ("d/b"));
  assert_false (exists ("d/sub"));
  assert_true (exists ("f"));
  pathmap_free (w);
}

static void test_pathmap_grows (void **state)
{
  pathmap *m = pathmap_new ();
  char p[32];
  for (int i = 0; i < 5000; i++)
    {
      snprintf (p, sizeof p, "dir/%d", i);
      mark (m, p, PATH_WRITTEN);
    }
  assert_int_equal (pathmap_size (m), 5000);
  assert_non_null (pathmap_get (m, "dir/4999", false));
  assert_null (pathmap_get (m, "dir/5000", false));
  pathmap_clear (m);
  assert_int_equal (pathmap_size (m), 0);
  assert_null (pathmap_get (m, "dir/1", false));
  pathmap_free (m);
}

int main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_remove_all, setup, teardown),
    cmocka_unit_test_setup_teardown (test_keeps_same_layer, setup, teardown),
    cmocka_unit_test_setup_teardown (test_opaque, setup, teardown),
    cmocka_unit_test (test_pathmap_grows),
  };
  return cmocka_run_group_tests_name ("unpack_whiteout", tests, NULL, NULL);
}
