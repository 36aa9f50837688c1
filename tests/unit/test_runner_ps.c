/* runner ps: the columns of `ps -ef` as procps lays them out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "../../runner/ps_table.h"

static void test_cputime (void **unused)
{
  char b[32];
  ps_format_cputime (0, b, sizeof b);
  assert_string_equal (b, "00:00:00");
  ps_format_cputime (3 * 3600 + 2 * 60 + 1, b, sizeof b);
  assert_string_equal (b, "03:02:01");
  ps_format_cputime (2 * 86400 + 5, b, sizeof b);
  assert_string_equal (b, "2-00:00:05");
}

static void test_stime (void **unused)
{
  char b[32];
  /* 2024-03-05 10:07:00 UTC and later */
  time_t t = 1709633220;
  setenv ("TZ", "UTC", 1);
  tzset ();
  ps_format_stime (t, t + 3600, b, sizeof b);
  assert_string_equal (b, "10:07");
  ps_format_stime (t, t + 3 * 86400, b, sizeof b);
  assert_string_equal (b, "Mar05");
  ps_format_stime (t, t + 400 * 86400, b, sizeof b);
  assert_string_equal (b, "2024");
}

static void test_tty (void **unused)
{
  char b[32];
  ps_format_tty (0, b, sizeof b);
  assert_string_equal (b, "?");
  ps_format_tty ((136 << 8) | 3, b, sizeof b);
  assert_string_equal (b, "pts/3");
  /* pts/300: minor 300 = 0x12c, high bits of the minor from bit 20 */
  ps_format_tty ((136 << 8) | 0x2c | (0x1 << 20), b, sizeof b);
  assert_string_equal (b, "pts/300");
  ps_format_tty ((4 << 8) | 1, b, sizeof b);
  assert_string_equal (b, "tty1");
  ps_format_tty ((4 << 8) | 65, b, sizeof b);
  assert_string_equal (b, "ttyS1");
}

static void test_user (void **unused)
{
  char b[64];
  ps_format_user (0, b, sizeof b);
  assert_string_equal (b, "root");
  ps_format_user (4000000000u, b, sizeof b);
  assert_string_equal (b, "4000000000");
}

static void test_pid_column (void **unused)
{
  assert_int_equal (ps_pid_column ("UID        PID  PPID  C STIME TTY          TIME CMD"), 1);
  assert_int_equal (ps_pid_column ("  PID USER     COMMAND"), 0);
  assert_int_equal (ps_pid_column ("USER COMMAND PPID"), -1);
}

int main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_cputime), cmocka_unit_test (test_stime),
    cmocka_unit_test (test_tty),     cmocka_unit_test (test_user),
    cmocka_unit_test (test_pid_column),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
