/* The default profile's conditions (capabilities, architecture, kernel)
   and profile files in docker's and in OCI's format. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "../../bundle/bundle.h"

/* The action of the first rule naming `name` (NULL: default action). */
static const seccomp_rule *rule_for (const seccomp_spec *sc, const char *name)
{
  for (size_t i = 0; i < sc->n_rules; i++)
    if (strv_index (&sc->rules[i].names, name) >= 0)
      return &sc->rules[i];
  return NULL;
}

static bool allowed_plain (const seccomp_spec *sc, const char *name)
{
  for (size_t i = 0; i < sc->n_rules; i++)
    if (strv_index (&sc->rules[i].names, name) >= 0
        && strcmp (sc->rules[i].action, "SCMP_ACT_ALLOW") == 0 && sc->rules[i].n_args == 0)
      return true;
  return false;
}

static seccomp_spec *profile (const char *const *caps)
{
  strv c = { 0 };
  seccomp_spec *sc = NULL;
  cleanup_error oci_error *err = NULL;
  for (size_t i = 0; caps && caps[i]; i++)
    strv_push (&c, caps[i]);
  assert_int_equal (seccomp_default_profile (&c, &sc, &err), 0);
  strv_clear (&c);
  return sc;
}

static void test_default_denies (void **state)
{
  seccomp_spec *sc;
  seccomp_set_host ("x86_64", 6, 1);
  sc = profile ((const char *const[]){ "CAP_CHOWN", "CAP_NET_RAW", NULL });
  assert_string_equal (sc->default_action, "SCMP_ACT_ERRNO");
  assert_true (sc->has_default_errno_ret);
  assert_int_equal (sc->default_errno_ret, 1); /* EPERM */
  assert_int_equal (sc->architectures.n, 3);
  assert_string_equal (sc->architectures.v[0], "SCMP_ARCH_X86_64");
  assert_true (allowed_plain (sc, "read"));
  assert_true (allowed_plain (sc, "execve"));
  assert_true (allowed_plain (sc, "arch_prctl"));
  assert_true (allowed_plain (sc, "ptrace")); /* kernel >= 4.8 */
  assert_false (allowed_plain (sc, "mount"));
  assert_false (allowed_plain (sc, "unshare"));
  assert_false (allowed_plain (sc, "setns"));
  assert_null (rule_for (sc, "keyctl"));
  assert_null (rule_for (sc, "add_key"));
  assert_null (rule_for (sc, "reboot"));
  assert_null (rule_for (sc, "s390_runtime_instr"));
  /* clone only without namespace flags; clone3 gets ENOSYS */
  {
    const seccomp_rule *r = rule_for (sc, "clone");
    assert_non_null (r);
    assert_int_equal (r->n_args, 1);
    assert_string_equal (r->args[0].op, "SCMP_CMP_MASKED_EQ");
    assert_int_equal (r->args[0].index, 0);
    assert_int_equal (r->args[0].value, 0x7E020000);
    r = rule_for (sc, "clone3");
    assert_non_null (r);
    assert_string_equal (r->action, "SCMP_ACT_ERRNO");
    assert_int_equal (r->errno_ret, 38);
    r = rule_for (sc, "socket");
    assert_string_equal (r->args[0].op, "SCMP_CMP_NE");
    assert_int_equal (r->args[0].value, 40);
  }
  seccomp_spec_free (sc);
}

static void test_caps_open_syscalls (void **state)
{
  seccomp_spec *sc;
  seccomp_set_host ("x86_64", 6, 1);
  sc = profile ((const char *const[]){ "CAP_SYS_ADMIN", "CAP_SYS_PTRACE", "CAP_SYS_TIME", NULL });
  assert_true (allowed_plain (sc, "mount"));
  assert_true (allowed_plain (sc, "unshare"));
  assert_true (allowed_plain (sc, "clone"));
  assert_true (allowed_plain (sc, "clone3"));
  assert_true (allowed_plain (sc, "kcmp"));
  assert_true (allowed_plain (sc, "clock_settime"));
  /* no masked clone rule and no ENOSYS for clone3 with CAP_SYS_ADMIN */
  for (size_t i = 0; i < sc->n_rules; i++)
    assert_false (strcmp (sc->rules[i].action, "SCMP_ACT_ERRNO") == 0);
  assert_false (allowed_plain (sc, "reboot"));
  seccomp_spec_free (sc);
}

static void test_arch_and_kernel (void **state)
{
  seccomp_spec *sc;
  seccomp_set_host ("aarch64", 4, 4);
  sc = profile (NULL);
  assert_int_equal (sc->architectures.n, 2);
  assert_string_equal (sc->architectures.v[0], "SCMP_ARCH_AARCH64");
  assert_true (allowed_plain (sc, "cacheflush"));
  assert_false (allowed_plain (sc, "arch_prctl"));
  assert_false (allowed_plain (sc, "ptrace")); /* before 4.8 */
  seccomp_spec_free (sc);
  seccomp_set_host ("s390x", 6, 1);
  sc = profile (NULL);
  {
    const seccomp_rule *r = rule_for (sc, "clone");
    assert_int_equal (r->args[0].index, 1);
  }
  seccomp_spec_free (sc);
  seccomp_set_host ("x86_64", 6, 1);
}

static void test_docker_format_file (void **state)
{
  char ebuf[128];
  yajl_val v = yajl_tree_parse (
    "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,"
    "\"archMap\":[{\"architecture\":\"SCMP_ARCH_X86_64\",\"subArchitectures\":[\"SCMP_ARCH_X86\"]},"
    "{\"architecture\":\"SCMP_ARCH_AARCH64\",\"subArchitectures\":[\"SCMP_ARCH_ARM\"]}],"
    "\"syscalls\":[{\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\"},"
    "{\"names\":[\"mount\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"caps\":[\"CAP_SYS_ADMIN\"]}},"
    "{\"names\":[\"arch_prctl\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"arches\":[\"amd64\"]}},"
    "{\"names\":[\"new_call\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"minKernel\":\"99.0\"}},"
    "{\"names\":[\"clone\"],\"action\":\"SCMP_ACT_ALLOW\",\"excludes\":{\"caps\":[\"CAP_SYS_ADMIN\"]},"
    "\"args\":[{\"index\":0,\"value\":2114060288,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}",
    ebuf, sizeof ebuf);
  strv caps = { 0 };
  seccomp_spec *sc = NULL;
  cleanup_error oci_error *err = NULL;

  assert_non_null (v);
  seccomp_set_host ("x86_64", 6, 1);
  assert_int_equal (seccomp_profile_from_json (v, &caps, "p", &sc, &err), 0);
  assert_int_equal (sc->architectures.n, 2);
  assert_string_equal (sc->architectures.v[1], "SCMP_ARCH_X86");
  assert_true (allowed_plain (sc, "write"));
  assert_true (allowed_plain (sc, "arch_prctl"));
  assert_null (rule_for (sc, "mount"));
  assert_null (rule_for (sc, "new_call"));
  assert_non_null (rule_for (sc, "clone"));
  seccomp_spec_free (sc);
  strv_push (&caps, "CAP_SYS_ADMIN");
  assert_int_equal (seccomp_profile_from_json (v, &caps, "p", &sc, &err), 0);
  assert_true (allowed_plain (sc, "mount"));
  assert_null (rule_for (sc, "clone"));
  seccomp_spec_free (sc);
  strv_clear (&caps);
  yajl_tree_free (v);

  v = yajl_tree_parse ("{\"syscalls\":[]}", ebuf, sizeof ebuf);
  assert_int_equal (seccomp_profile_from_json (v, &caps, "p.json", &sc, &err), -1);
  assert_string_equal (err->msg, "p.json: no defaultAction");
  yajl_tree_free (v);
}

int main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_default_denies),
    cmocka_unit_test (test_caps_open_syscalls),
    cmocka_unit_test (test_arch_and_kernel),
    cmocka_unit_test (test_docker_format_file),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
