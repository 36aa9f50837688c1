/* Config.User: numeric, names, groups, supplementary groups, missing
   users, and a hostile /etc/passwd symlink that must not reach the host. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../bundle/bundle.h"
#include "fileutil.h"

static const char passwd[] =
  "root:x:0:0:root:/root:/bin/sh\n"
  "# a comment\n"
  "broken line\n"
  "daemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
  "tester:x:1000:1000:tester:/home/tester:/bin/sh\n"
  "web:x:33:33::/var/www:\n";
static const char group[] =
  "root:x:0:\n"
  "users:x:100:tester,web\n"
  "tester:x:1000:\n"
  "audio:x:29: tester\n"
  "www:x:33:web\n";

static void test_numeric (void **state)
{
  user_ids u;
  cleanup_error oci_error *err = NULL;
  assert_int_equal (users_resolve_in (passwd, group, "1000", &u, &err), 0);
  assert_int_equal (u.uid, 1000);
  assert_int_equal (u.gid, 1000); /* primary group from passwd */
  assert_int_equal (u.n_additional_gids, 0); /* conversion.md: not for numeric users */
  user_ids_clear (&u);
  assert_int_equal (users_resolve_in (passwd, group, "4242", &u, &err), 0);
  assert_int_equal (u.uid, 4242);
  assert_int_equal (u.gid, 0);
  user_ids_clear (&u);
  assert_int_equal (users_resolve_in (NULL, NULL, "4242:77", &u, &err), 0);
  assert_int_equal (u.uid, 4242);
  assert_int_equal (u.gid, 77);
  user_ids_clear (&u);
}

static void test_names (void **state)
{
  user_ids u;
  cleanup_error oci_error *err = NULL;
  assert_int_equal (users_resolve_in (passwd, group, "tester", &u, &err), 0);
  assert_int_equal (u.uid, 1000);
  assert_int_equal (u.gid, 1000);
  assert_int_equal (u.n_additional_gids, 2);
  assert_int_equal (u.additional_gids[0], 100);
  assert_int_equal (u.additional_gids[1], 29);
  user_ids_clear (&u);
  /* web's primary group 33 is not repeated */
  assert_int_equal (users_resolve_in (passwd, group, "web", &u, &err), 0);
  assert_int_equal (u.n_additional_gids, 1);
  assert_int_equal (u.additional_gids[0], 100);
  user_ids_clear (&u);
  /* an explicit group: no supplementary groups */
  assert_int_equal (users_resolve_in (passwd, group, "tester:users", &u, &err), 0);
  assert_int_equal (u.uid, 1000);
  assert_int_equal (u.gid, 100);
  assert_int_equal (u.n_additional_gids, 0);
  user_ids_clear (&u);
  assert_int_equal (users_resolve_in (passwd, group, "tester:5", &u, &err), 0);
  assert_int_equal (u.gid, 5);
  user_ids_clear (&u);
  assert_int_equal (users_resolve_in (passwd, group, "0:www", &u, &err), 0);
  assert_int_equal (u.uid, 0);
  assert_int_equal (u.gid, 33);
  user_ids_clear (&u);
}

static void test_errors (void **state)
{
  user_ids u;
  {
    cleanup_error oci_error *err = NULL;
    assert_int_equal (users_resolve_in (passwd, group, "ghost", &u, &err), -1);
    assert_string_equal (err->msg, "user `ghost` not found in the image's /etc/passwd");
  }
  {
    cleanup_error oci_error *err = NULL;
    assert_int_equal (users_resolve_in (passwd, group, "tester:ghosts", &u, &err), -1);
    assert_string_equal (err->msg, "group `ghosts` not found in the image's /etc/group");
  }
  {
    cleanup_error oci_error *err = NULL;
    assert_int_equal (users_resolve_in (NULL, NULL, "tester", &u, &err), -1);
    assert_non_null (strstr (err->msg, "the image has none"));
  }
  {
    cleanup_error oci_error *err = NULL;
    assert_int_equal (users_resolve_in (passwd, group, ":5", &u, &err), -1);
  }
  {
    cleanup_error oci_error *err = NULL;
    assert_int_equal (users_resolve_in (passwd, group, "4294967295", &u, &err), -1);
  }
}

static void write_file (const char *dir, const char *rel, const char *data)
{
  char p[512];
  FILE *f;
  snprintf (p, sizeof p, "%s/%s", dir, rel);
  f = fopen (p, "w");
  assert_non_null (f);
  fputs (data, f);
  fclose (f);
}

static void test_inside_rootfs (void **state)
{
  char top[] = "/tmp/mkb-users-XXXXXX", root[128], p[256];
  int rootfd;
  user_ids u;
  cleanup_error oci_error *err = NULL;

  assert_non_null (mkdtemp (top));
  snprintf (root, sizeof root, "%s/root", top);
  mkdir (root, 0755);
  snprintf (p, sizeof p, "%s/etc", root);
  mkdir (p, 0755);
  /* a "host" passwd outside the rootfs with a user the image lacks */
  write_file (top, "passwd", "hostonly:x:4321:4321::/:/bin/sh\n");
  write_file (root, "etc/group", group);
  /* the image's /etc/passwd points at ../../passwd: inside the root
     that is /passwd, which does not exist */
  snprintf (p, sizeof p, "%s/etc/passwd", root);
  assert_int_equal (symlink ("../../passwd", p), 0);
  rootfd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  assert_true (rootfd >= 0);
  assert_int_equal (users_resolve (rootfd, "hostonly", &u, &err), -1);
  oci_error_free (&err);
  /* an absolute symlink resolves inside the root too */
  unlink (p);
  assert_int_equal (symlink ("/real-passwd", p), 0);
  write_file (root, "real-passwd", passwd);
  assert_int_equal (users_resolve (rootfd, "tester", &u, &err), 0);
  assert_int_equal (u.uid, 1000);
  assert_int_equal (u.n_additional_gids, 2);
  user_ids_clear (&u);
  /* a FIFO or a device as /etc/passwd is refused, not read (nor waited on) */
  unlink (p);
  assert_int_equal (mkfifo (p, 0644), 0);
  assert_int_equal (users_resolve (rootfd, "tester", &u, &err), -1);
  assert_non_null (strstr (err->msg, "not a regular file"));
  oci_error_free (&err);
  unlink (p);
  assert_int_equal (symlink ("/real-passwd", p), 0);
  /* numeric uid:gid needs no files */
  assert_int_equal (users_resolve (rootfd, "7:8", &u, &err), 0);
  assert_int_equal (u.uid, 7);
  assert_int_equal (u.gid, 8);
  close (rootfd);
  assert_int_equal (remove_tree (top, &err), 0);
}

int main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_numeric),
    cmocka_unit_test (test_names),
    cmocka_unit_test (test_errors),
    cmocka_unit_test (test_inside_rootfs),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
