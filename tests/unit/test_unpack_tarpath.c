/* Entry names cleaned into paths inside the root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "../../unpack/tarpath.h"
#include "../../unpack/whiteout.h"

static void expect_clean (const char *in, const char *want, bool want_escaped)
{
  bool escaped;
  char *c = tarpath_clean (in, &escaped);
  assert_non_null (c);
  assert_string_equal (c, want);
  assert_int_equal (escaped, want_escaped);
  free (c);
}

static void test_clean (void **state)
{
  expect_clean ("usr/bin/sh", "usr/bin/sh", false);
  expect_clean ("./usr//bin/./sh", "usr/bin/sh", false);
  expect_clean ("/etc/passwd", "etc/passwd", false);
  expect_clean ("usr/bin/", "usr/bin", false);
  expect_clean ("./", "", false);
  expect_clean (".", "", false);
  expect_clean ("/", "", false);
  expect_clean ("a/b/../c", "a/c", false);
  expect_clean ("a/../../etc", "etc", true);
  expect_clean ("../../../etc/passwd", "etc/passwd", true);
  expect_clean ("..", "", true);
  expect_clean ("a/..", "", false);
  expect_clean ("...", "...", false);
  expect_clean ("a/..b/c", "a/..b/c", false);
}

static void test_base_parent (void **state)
{
  assert_string_equal (tarpath_base ("a/b/c"), "c");
  assert_string_equal (tarpath_base ("c"), "c");
  assert_int_equal (tarpath_parent_len ("a/b/c"), 3);
  assert_int_equal (tarpath_parent_len ("c"), 0);
}

static void test_whiteout_parse (void **state)
{
  const char *t = NULL;
  assert_int_equal (whiteout_parse ("file", &t), WHITEOUT_NONE);
  assert_int_equal (whiteout_parse (".wh.file", &t), WHITEOUT_FILE);
  assert_string_equal (t, "file");
  assert_int_equal (whiteout_parse (".wh..wh..opq", &t), WHITEOUT_OPAQUE);
  assert_int_equal (whiteout_parse (".wh..wh.plnk", &t), WHITEOUT_META);
  assert_int_equal (whiteout_parse (".whfile", &t), WHITEOUT_NONE);
  assert_int_equal (whiteout_parse (".wh.", &t), WHITEOUT_FILE);
  assert_string_equal (t, "");
}

int main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_clean),
    cmocka_unit_test (test_base_parent),
    cmocka_unit_test (test_whiteout_parse),
  };
  return cmocka_run_group_tests_name ("unpack_tarpath", tests, NULL, NULL);
}
