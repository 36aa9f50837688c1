/* runner's input parsing: container IDs, signals, capabilities, ociVersion,
   process settings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <string.h>

#include "../../runner/caps.h"
#include "../../runner/cli.h"
#include "../../runner/config.h"
#include "json.h"
#include "../../runner/process.h"
#include "../../runner/signals.h"
#include "../../runner/state.h"

static void test_ids (void **unused)
{
  oci_error *err = NULL;
  assert_int_equal (state_validate_id ("abc-1_2.3+x", &err), 0);
  assert_int_equal (state_validate_id ("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", &err), 0);
  const char *bad[] = { "", ".", "..", "../x", "a/b", "a b", "x\n", "/abs" };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      assert_int_equal (state_validate_id (bad[i], &err), -1);
      assert_non_null (err);
      oci_error_free (&err);
    }
}

static void test_signals (void **unused)
{
  oci_error *err = NULL;
  int s;
  assert_int_equal (signal_parse ("TERM", &s, &err), 0);
  assert_int_equal (s, SIGTERM);
  assert_int_equal (signal_parse ("SIGKILL", &s, &err), 0);
  assert_int_equal (s, SIGKILL);
  assert_int_equal (signal_parse ("sigusr1", &s, &err), 0);
  assert_int_equal (s, SIGUSR1);
  assert_int_equal (signal_parse ("15", &s, &err), 0);
  assert_int_equal (s, 15);
  assert_int_equal (signal_parse ("RTMIN+2", &s, &err), 0);
  assert_int_equal (s, SIGRTMIN + 2);
  assert_int_equal (signal_parse ("NOPE", &s, &err), -1);
  oci_error_free (&err);
  assert_int_equal (signal_parse ("0", &s, &err), -1);
  oci_error_free (&err);
  assert_int_equal (signal_parse ("999", &s, &err), -1);
  oci_error_free (&err);
}

static void test_caps (void **unused)
{
  assert_int_equal (cap_from_name ("CAP_SYS_ADMIN"), 21);
  assert_int_equal (cap_from_name ("sys_admin"), 21);
  assert_int_equal (cap_from_name ("CAP_CHOWN"), 0);
  assert_int_equal (cap_from_name ("CAP_NOPE"), -1);
  assert_string_equal (cap_name (5), "CAP_KILL");
}

static void test_version (void **unused)
{
  oci_error *err = NULL;
  assert_int_equal (config_check_version ("1.0.2-dev", &err), 0);
  assert_int_equal (config_check_version ("1.2.0", &err), 0);
  assert_int_equal (config_check_version ("2.0.0", &err), -1);
  assert_non_null (strstr (err->msg, "2.0.0"));
  oci_error_free (&err);
  assert_int_equal (config_check_version (NULL, &err), -1);
  oci_error_free (&err);
  assert_int_equal (config_check_version ("x", &err), -1);
  oci_error_free (&err);
}

static void test_process (void **unused)
{
  const char *text =
    "{\"args\":[\"sh\",\"-c\",\"x\"],\"env\":[\"A=1\",\"PATH=/bin\",\"A=2\"],\"cwd\":\"/w\","
    "\"user\":{\"uid\":1000,\"gid\":100,\"umask\":18,\"additionalGids\":[5,6]},"
    "\"capabilities\":{\"bounding\":[\"CAP_KILL\"],\"inheritable\":[]},"
    "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":10,\"hard\":20}],"
    "\"noNewPrivileges\":true,\"oomScoreAdj\":-5,\"terminal\":true,"
    "\"consoleSize\":{\"height\":24,\"width\":80}}";
  yajl_val v = NULL;
  oci_error *err = NULL;
  process_plan p;
  assert_int_equal (json_parse (text, strlen (text), "t", &v, &err), 0);
  assert_int_equal (process_plan_parse (v, &p, &err), 0);
  assert_string_equal (p.args[2], "x");
  assert_null (p.args[3]);
  assert_int_equal (p.nenv, 2);
  assert_string_equal (p.env[0], "A=2");
  assert_int_equal (p.uid, 1000);
  assert_int_equal (p.gid, 100);
  assert_int_equal (p.umask, 18);
  assert_int_equal (p.ngroups, 2);
  assert_true (p.caps.given);
  assert_true (p.caps.set[CAP_SET_BOUNDING] == (1ULL << 5));
  assert_true (p.caps.set[CAP_SET_INHERITABLE] == 0);
  assert_int_equal (p.nrlimits, 1);
  assert_int_equal (p.rlimits[0].limit.rlim_max, 20);
  assert_true (p.no_new_privileges && p.terminal && p.has_oom_score_adj);
  assert_int_equal (p.oom_score_adj, -5);
  assert_int_equal (p.console_width, 80);
  process_plan_clear (&p);
  yajl_tree_free (v);

  const char *bad[] = { "{\"args\":[],\"cwd\":\"/\"}", "{\"args\":[\"x\"],\"cwd\":\"rel\"}",
                        "{\"args\":[\"x\"],\"cwd\":\"/\",\"env\":[\"NOEQUALS\"]}",
                        "{\"args\":[\"x\"],\"cwd\":\"/\",\"rlimits\":[{\"type\":\"RLIMIT_X\",\"soft\":1,\"hard\":1}]}",
                        /* config.md: a capability no kernel interface maps */
                        "{\"args\":[\"x\"],\"cwd\":\"/\",\"capabilities\":{\"bounding\":[\"CAP_KILL\",\"CAP_BOGUS\"]}}" };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      assert_int_equal (json_parse (bad[i], strlen (bad[i]), "t", &v, &err), 0);
      assert_int_equal (process_plan_parse (v, &p, &err), -1);
      assert_non_null (err);
      oci_error_free (&err);
      process_plan_clear (&p);
      yajl_tree_free (v);
    }
}

int main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_ids),     cmocka_unit_test (test_signals),
    cmocka_unit_test (test_caps),    cmocka_unit_test (test_version),
    cmocka_unit_test (test_process),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
