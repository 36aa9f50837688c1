/* runner create/run: one option parser (create_opts.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <getopt.h>
#include <string.h>

#include "../../runner/create_opts.h"

static int parse (bool run, struct container_opts *o, bool *keep, oci_error **err, ...)
{
  char *argv[32];
  int argc = 0;
  va_list ap;
  va_start (ap, err);
  argv[argc++] = (char *) (run ? "run" : "create");
  for (char *a; (a = va_arg (ap, char *)) != NULL;)
    argv[argc++] = a;
  va_end (ap);
  argv[argc] = NULL;
  optind = 0;
  return create_opts_parse (argc, argv, run, o, keep, err);
}

static void test_create (void **unused)
{
  struct container_opts o;
  oci_error *err = NULL;
  assert_int_equal (parse (false, &o, NULL, &err, "--bundle", "/b", "--pid-file", "p", "--console-socket",
                           "s", "--no-pivot", "--no-new-keyring", "--preserve-fds", "2", "c1", NULL),
                    0);
  assert_string_equal (o.id, "c1");
  assert_string_equal (o.bundle, "/b");
  assert_string_equal (o.pid_file, "p");
  assert_string_equal (o.console_socket, "s");
  assert_true (o.no_pivot && o.no_new_keyring);
  assert_int_equal (o.preserve_fds, 2);
  assert_false (o.run);
  assert_false (o.foreground);
  /* the default bundle is the current directory */
  assert_int_equal (parse (false, &o, NULL, &err, "c2", NULL), 0);
  assert_string_equal (o.bundle, ".");
  /* run's options are not create's */
  assert_int_equal (parse (false, &o, NULL, &err, "--detach", "c3", NULL), 2);
  assert_non_null (strstr (err->msg, "usage: runner create"));
  oci_error_free (&err);
  assert_int_equal (parse (false, &o, NULL, &err, "--preserve-fds", "x", "c4", NULL), 2);
  assert_non_null (strstr (err->msg, "--preserve-fds"));
  oci_error_free (&err);
  assert_int_equal (parse (false, &o, NULL, &err, NULL), 2);
  oci_error_free (&err);
}

static void test_run (void **unused)
{
  struct container_opts o;
  oci_error *err = NULL;
  bool keep;
  assert_int_equal (parse (true, &o, &keep, &err, "-b", "/b", "c1", NULL), 0);
  assert_true (o.run && o.foreground);
  assert_false (keep);
  assert_int_equal (parse (true, &o, &keep, &err, "-d", "--keep", "--no-subreaper", "--preserve-fds",
                           "1", "c2", NULL),
                    0);
  assert_false (o.foreground);
  assert_true (keep);
  assert_int_equal (o.preserve_fds, 1);
  assert_string_equal (o.id, "c2");
  assert_int_equal (parse (true, &o, &keep, &err, "c1", "extra", NULL), 2);
  assert_non_null (strstr (err->msg, "usage: runner run"));
  oci_error_free (&err);
}

int main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_create),
    cmocka_unit_test (test_run),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
