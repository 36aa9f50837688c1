/* image-spec conversion.md rules: Entrypoint/Cmd, Env, WorkingDir,
   annotations, volumes, and the overrides of the command line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "../../bundle/bundle.h"
#include "json.h"
#include "log.h"

static yajl_val parse (const char *text)
{
  char ebuf[128];
  yajl_val v = yajl_tree_parse (text, ebuf, sizeof ebuf);
  assert_non_null (v);
  return v;
}

/* Run convert_args on {"Entrypoint": ep, "Cmd": cmd} (JSON texts). */
static int args_of (const char *cfg, const bundle_options *o, strv *out, oci_error **err)
{
  yajl_val v = parse (cfg);
  int r = convert_args (json_get (v, "Entrypoint"), json_get (v, "Cmd"), o, out, err);
  yajl_tree_free (v);
  return r;
}

static void assert_args (const strv *s, const char *const *want)
{
  size_t n = 0;
  while (want[n])
    n++;
  assert_int_equal (s->n, n);
  for (size_t i = 0; i < n; i++)
    assert_string_equal (s->v[i], want[i]);
}

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void test_entrypoint_then_cmd (void **state)
{
  bundle_options o;
  strv out = { 0 };
  cleanup_error oci_error *err = NULL;
  bundle_options_init (&o);
  assert_int_equal (args_of ("{\"Entrypoint\":[\"/bin/ep\",\"-x\"],\"Cmd\":[\"a\",\"b\"]}", &o, &out, &err), 0);
  assert_args (&out, ARGS ("/bin/ep", "-x", "a", "b"));
  strv_clear (&out);
  assert_int_equal (args_of ("{\"Cmd\":[\"/bin/sh\"]}", &o, &out, &err), 0);
  assert_args (&out, ARGS ("/bin/sh"));
  strv_clear (&out);
  assert_int_equal (args_of ("{\"Entrypoint\":[\"/bin/ep\"]}", &o, &out, &err), 0);
  assert_args (&out, ARGS ("/bin/ep"));
  strv_clear (&out);
}

static void test_null_and_empty (void **state)
{
  bundle_options o;
  strv out = { 0 };
  bundle_options_init (&o);
  {
    cleanup_error oci_error *err = NULL;
    assert_int_equal (args_of ("{\"Entrypoint\":null,\"Cmd\":[\"x\"]}", &o, &out, &err), 0);
    assert_args (&out, ARGS ("x"));
    strv_clear (&out);
  }
  {
    cleanup_error oci_error *err = NULL;
    assert_int_equal (args_of ("{\"Entrypoint\":[],\"Cmd\":[\"x\",\"y\"]}", &o, &out, &err), 0);
    assert_args (&out, ARGS ("x", "y"));
    strv_clear (&out);
  }
  {
    /* docker's [""] means no entrypoint */
    cleanup_error oci_error *err = NULL;
    assert_int_equal (args_of ("{\"Entrypoint\":[\"\"],\"Cmd\":[\"x\"]}", &o, &out, &err), 0);
    assert_args (&out, ARGS ("x"));
    strv_clear (&out);
  }
  {
    cleanup_error oci_error *err = NULL;
    assert_int_equal (args_of ("{\"Entrypoint\":null,\"Cmd\":null}", &o, &out, &err), -1);
    assert_non_null (strstr (err->msg, "no command"));
    strv_clear (&out);
  }
  {
    cleanup_error oci_error *err = NULL;
    assert_int_equal (args_of ("{\"Entrypoint\":[],\"Cmd\":[]}", &o, &out, &err), -1);
    strv_clear (&out);
  }
  {
    cleanup_error oci_error *err = NULL;
    assert_int_equal (args_of ("{}", &o, &out, &err), -1);
    strv_clear (&out);
  }
  {
    cleanup_error oci_error *err = NULL;
    assert_int_equal (args_of ("{\"Cmd\":[\"\"]}", &o, &out, &err), -1);
    assert_non_null (strstr (err->msg, "empty"));
    strv_clear (&out);
  }
  {
    cleanup_error oci_error *err = NULL;
    assert_int_equal (args_of ("{\"Cmd\":[\"a\",3]}", &o, &out, &err), -1);
    assert_non_null (strstr (err->msg, "Cmd[1]"));
    strv_clear (&out);
  }
  {
    cleanup_error oci_error *err = NULL;
    assert_int_equal (args_of ("{\"Cmd\":{\"a\":1}}", &o, &out, &err), -1);
    strv_clear (&out);
  }
}

static void test_shell_form (void **state)
{
  bundle_options o;
  strv out = { 0 };
  cleanup_error oci_error *err = NULL;
  bundle_options_init (&o);
  /* the builder's shell form is stored as an explicit /bin/sh -c */
  assert_int_equal (args_of ("{\"Entrypoint\":[\"/bin/sh\",\"-c\",\"echo $HOME\"],\"Cmd\":[\"ignored by sh\"]}",
                             &o, &out, &err), 0);
  assert_args (&out, ARGS ("/bin/sh", "-c", "echo $HOME", "ignored by sh"));
  strv_clear (&out);
  /* a bare string is one argument (docker's strslice) */
  assert_int_equal (args_of ("{\"Cmd\":\"echo hi\"}", &o, &out, &err), 0);
  assert_args (&out, ARGS ("echo hi"));
  strv_clear (&out);
}

static void test_overrides (void **state)
{
  bundle_options o;
  strv out = { 0 };
  cleanup_error oci_error *err = NULL;
  const char *cfg = "{\"Entrypoint\":[\"/ep\"],\"Cmd\":[\"c1\",\"c2\"]}";

  bundle_options_init (&o);
  /* args after -- replace Cmd, keep Entrypoint */
  o.args_set = true;
  strv_push (&o.args, "x");
  assert_int_equal (args_of (cfg, &o, &out, &err), 0);
  assert_args (&out, ARGS ("/ep", "x"));
  strv_clear (&out);
  /* --entrypoint drops Cmd too (docker); args still appended */
  assert_int_equal (bundle_options_add (&o, OPT_ENTRYPOINT, "/other", &err), 0);
  assert_int_equal (args_of (cfg, &o, &out, &err), 0);
  assert_args (&out, ARGS ("/other", "x"));
  strv_clear (&out);
  strv_clear (&o.args);
  o.args_set = false;
  assert_int_equal (args_of (cfg, &o, &out, &err), 0);
  assert_args (&out, ARGS ("/other"));
  strv_clear (&out);
  /* --entrypoint "" and args: just the args */
  assert_int_equal (bundle_options_add (&o, OPT_ENTRYPOINT, "", &err), 0);
  o.args_set = true;
  strv_push (&o.args, "/bin/true");
  assert_int_equal (args_of (cfg, &o, &out, &err), 0);
  assert_args (&out, ARGS ("/bin/true"));
  strv_clear (&out);
  /* JSON array form */
  assert_int_equal (bundle_options_add (&o, OPT_ENTRYPOINT, "[\"sh\",\"-c\"]", &err), 0);
  assert_int_equal (args_of (cfg, &o, &out, &err), 0);
  assert_args (&out, ARGS ("sh", "-c", "/bin/true"));
  strv_clear (&out);
  assert_int_equal (bundle_options_add (&o, OPT_ENTRYPOINT, "[1]", &err), -1);
  bundle_options_clear (&o);
}

static void test_env (void **state)
{
  bundle_options o;
  strv out = { 0 };
  cleanup_error oci_error *err = NULL;
  yajl_val v = parse ("[\"PATH=/img\",\"A=1\",\"B=2\",\"A=3\"]");

  bundle_options_init (&o);
  assert_int_equal (bundle_options_add (&o, OPT_ENV, "B=override", &err), 0);
  assert_int_equal (bundle_options_add (&o, OPT_ENV, "C=new", &err), 0);
  setenv ("MKB_TEST_FROM_ENV", "passed", 1);
  unsetenv ("MKB_TEST_UNSET");
  assert_int_equal (bundle_options_add (&o, OPT_ENV, "MKB_TEST_FROM_ENV", &err), 0);
  assert_int_equal (bundle_options_add (&o, OPT_ENV, "MKB_TEST_UNSET", &err), 0);
  o.tty = true;
  assert_int_equal (convert_env (v, &o, "box", &out, &err), 0);
  assert_args (&out, ARGS ("PATH=/img", "A=3", "B=override", "C=new",
                           "MKB_TEST_FROM_ENV=passed", "HOSTNAME=box", "TERM=xterm"));
  strv_clear (&out);
  yajl_tree_free (v);
  /* no image env: PATH is added */
  o.tty = false;
  assert_int_equal (convert_env (NULL, &o, NULL, &out, &err), 0);
  assert_string_equal (out.v[out.n - 1],
                       "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  strv_clear (&out);
  assert_int_equal (bundle_options_add (&o, OPT_ENV, "BAD NAME=1", &err), -1);
  bundle_options_clear (&o);
}

static void test_env_file (void **state)
{
  strv env = { 0 };
  cleanup_error oci_error *err = NULL;
  setenv ("MKB_FROM", "x", 1);
  assert_int_equal (parse_env_file ("# comment\n\nA=1\r\n  B=two words\nMKB_FROM\nC=\n", "f",
                                    &env, &err), 0);
  assert_args (&env, ARGS ("A=1", "B=two words", "MKB_FROM=x", "C="));
  strv_clear (&env);
  assert_int_equal (parse_env_file ("=x\n", "f", &env, &err), -1);
  assert_non_null (strstr (err->msg, "line 1"));
  strv_clear (&env);
}

static void test_full_config (void **state)
{
  bundle_options o;
  spec s;
  cleanup_error oci_error *err = NULL;
  yajl_val v = parse (
    "{\"os\":\"linux\",\"architecture\":\"amd64\",\"variant\":\"v8\",\"author\":\"me\","
    "\"created\":\"2024-01-01T00:00:00Z\",\"os.features\":[\"a\",\"b\"],"
    "\"config\":{\"Cmd\":[\"/bin/sh\"],\"WorkingDir\":\"srv\",\"User\":\"42:7\","
    "\"StopSignal\":\"SIGQUIT\",\"ExposedPorts\":{\"80/tcp\":{},\"53/udp\":{}},"
    "\"Volumes\":{\"/data\":{}},"
    "\"Labels\":{\"org.opencontainers.image.os\":\"from-label\",\"x\":\"y\","
    "\"org.ocikit.net.ports\":\"[]\",\"run.oci.hooks.stderr\":\"/etc/x\"}}}");

  bundle_options_init (&o);
  spec_init (&s);
  assert_int_equal (convert_image_config (v, &o, -1, &s, &err), 0);
  assert_string_equal (s.cwd, "/srv");
  assert_int_equal (s.user.uid, 42);
  assert_int_equal (s.user.gid, 7);
  assert_int_equal (s.user.n_additional_gids, 0);
  /* Labels win over implicit annotations */
  assert_string_equal (spec_annotation (&s, "org.opencontainers.image.os"), "from-label");
  assert_string_equal (spec_annotation (&s, "org.opencontainers.image.architecture"), "amd64");
  assert_string_equal (spec_annotation (&s, "org.opencontainers.image.variant"), "v8");
  assert_string_equal (spec_annotation (&s, "org.opencontainers.image.author"), "me");
  assert_string_equal (spec_annotation (&s, "org.opencontainers.image.created"),
                       "2024-01-01T00:00:00Z");
  assert_string_equal (spec_annotation (&s, "org.opencontainers.image.os.features"), "a,b");
  assert_string_equal (spec_annotation (&s, "org.opencontainers.image.stopSignal"), "SIGQUIT");
  assert_string_equal (spec_annotation (&s, "org.opencontainers.image.exposedPorts"),
                       "80/tcp,53/udp");
  assert_string_equal (spec_annotation (&s, "x"), "y");
  assert_string_equal (spec_annotation (&s, "org.ocikit.image.volumes"), "/data");
  /* labels that would steer the host are dropped */
  assert_null (spec_annotation (&s, "org.ocikit.net.ports"));
  assert_null (spec_annotation (&s, "run.oci.hooks.stderr"));
  assert_int_equal (spec_find_mount (&s, "/data"), -1);
  assert_int_equal (s.warnings.n, 2);
  assert_non_null (strstr (s.warnings.v[0], "org.ocikit.net.ports"));
  assert_int_equal (s.notes.n, 1);
  spec_clear (&s);

  /* -w and -u override; --image-volumes tmpfs mounts the volume */
  assert_int_equal (bundle_options_add (&o, OPT_WORKDIR, "/w", &err), 0);
  assert_int_equal (bundle_options_add (&o, OPT_USER, "5", &err), 0);
  assert_int_equal (bundle_options_add (&o, OPT_IMAGE_VOLUMES, "tmpfs", &err), 0);
  spec_init (&s);
  assert_int_equal (convert_image_config (v, &o, -1, &s, &err), 0);
  assert_string_equal (s.cwd, "/w");
  assert_int_equal (s.user.uid, 5);
  assert_int_equal (s.user.gid, 0);
  assert_true (spec_find_mount (&s, "/data") >= 0);
  spec_clear (&s);
  assert_int_equal (bundle_options_add (&o, OPT_WORKDIR, "rel", &err), -1);
  bundle_options_clear (&o);
  yajl_tree_free (v);
}

static void test_missing_user_is_an_error (void **state)
{
  bundle_options o;
  spec s;
  cleanup_error oci_error *err = NULL;
  yajl_val v = parse ("{\"config\":{\"Cmd\":[\"x\"],\"User\":\"nobody-here\"}}");
  bundle_options_init (&o);
  spec_init (&s);
  assert_int_equal (convert_image_config (v, &o, -1, &s, &err), -1);
  assert_non_null (strstr (err->msg, "nobody-here"));
  spec_clear (&s);
  yajl_tree_free (v);
}

static void test_foreign_os (void **state)
{
  bundle_options o;
  spec s;
  cleanup_error oci_error *err = NULL;
  yajl_val v = parse ("{\"os\":\"windows\",\"config\":{\"Cmd\":[\"x\"]}}");
  bundle_options_init (&o);
  spec_init (&s);
  assert_int_equal (convert_image_config (v, &o, -1, &s, &err), -1);
  assert_string_equal (err->msg, "the image is for `windows`: mkbundle makes Linux bundles");
  spec_clear (&s);
  yajl_tree_free (v);
}

int main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_entrypoint_then_cmd),
    cmocka_unit_test (test_null_and_empty),
    cmocka_unit_test (test_shell_form),
    cmocka_unit_test (test_overrides),
    cmocka_unit_test (test_env),
    cmocka_unit_test (test_env_file),
    cmocka_unit_test (test_full_config),
    cmocka_unit_test (test_missing_user_is_an_error),
    cmocka_unit_test (test_foreign_os),
  };
  log_init ("test", LOG_QUIET);
  return cmocka_run_group_tests (tests, NULL, NULL);
}
