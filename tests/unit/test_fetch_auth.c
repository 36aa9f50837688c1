/* WWW-Authenticate parsing, auth-file keys and lookup, token replies
   (distribution token-auth spec, containers-auth.json(5)). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../fetch/auth.h"
#include "cleanup.h"
#include "fileutil.h"

static void test_bearer (void **state)
{
  auth_challenge c;
  cleanup_error oci_error *err = NULL;
  assert_int_equal (auth_parse_challenge (
                      "Bearer realm=\"https://auth.example/token\",service=\"registry.example\","
                      "scope=\"repository:library/alpine:pull\"",
                      &c, &err),
                    0);
  assert_string_equal (c.scheme, "bearer");
  assert_string_equal (c.realm, "https://auth.example/token");
  assert_string_equal (c.service, "registry.example");
  assert_string_equal (c.scope, "repository:library/alpine:pull");
  assert_null (c.error);
  auth_challenge_clear (&c);
}

static void test_bearer_spacing_and_error (void **state)
{
  auth_challenge c;
  cleanup_error oci_error *err = NULL;
  assert_int_equal (auth_parse_challenge (
                      "  bearer  realm = \"http://127.0.0.1:1/t?x=1\" , Service=svc,"
                      "error=\"insufficient_scope\", scope=\"repository:a/b:pull,push\"",
                      &c, &err),
                    0);
  assert_string_equal (c.scheme, "bearer");
  assert_string_equal (c.realm, "http://127.0.0.1:1/t?x=1");
  assert_string_equal (c.service, "svc");
  assert_string_equal (c.error, "insufficient_scope");
  assert_string_equal (c.scope, "repository:a/b:pull,push");
  auth_challenge_clear (&c);
}

static void test_quoted_escape (void **state)
{
  auth_challenge c;
  cleanup_error oci_error *err = NULL;
  assert_int_equal (auth_parse_challenge ("Basic realm=\"a \\\"quoted\\\" realm\"", &c, &err), 0);
  assert_string_equal (c.scheme, "basic");
  assert_string_equal (c.realm, "a \"quoted\" realm");
  auth_challenge_clear (&c);
}

static void test_bad_challenges (void **state)
{
  auth_challenge c;
  {
    cleanup_error oci_error *err = NULL;
    assert_true (auth_parse_challenge ("Bearer service=\"x\"", &c, &err) < 0);
    assert_non_null (strstr (err->msg, "realm"));
  }
  {
    cleanup_error oci_error *err = NULL;
    assert_true (auth_parse_challenge ("", &c, &err) < 0);
  }
  {
    cleanup_error oci_error *err = NULL;
    assert_true (auth_parse_challenge (NULL, &c, &err) < 0);
  }
}

static void test_key_match (void **state)
{
  assert_int_equal (auth_key_match ("quay.example", "quay.example", "a/b"), 12);
  assert_int_equal (auth_key_match ("https://quay.example", "quay.example", "a/b"), 12);
  assert_int_equal (auth_key_match ("https://index.docker.io/v1/", "docker.io", "library/x"), 9);
  assert_int_equal (auth_key_match ("registry-1.docker.io", "docker.io", "library/x"), 9);
  assert_true (auth_key_match ("quay.example/a", "quay.example", "a/b") > 12);
  assert_int_equal (auth_key_match ("quay.example/ab", "quay.example", "a/b"), -1);
  assert_int_equal (auth_key_match ("other.example", "quay.example", "a/b"), -1);
  assert_int_equal (auth_key_match ("127.0.0.1:5000", "127.0.0.1:5001", "a"), -1);
  assert_int_equal (auth_key_match ("http://127.0.0.1:5000", "127.0.0.1:5000", "a"), 14);
}

static void test_basic_value (void **state)
{
  cleanup_free char *v = auth_basic_value ("alice", "s3cret");
  assert_string_equal (v, "YWxpY2U6czNjcmV0");
}

static void test_token_reply (void **state)
{
  cleanup_free char *t = NULL, *t2 = NULL;
  cleanup_error oci_error *err = NULL;
  const char a[] = "{\"token\":\"abc\",\"expires_in\":300}";
  const char b[] = "{\"access_token\":\"xyz\"}";
  const char c[] = "{\"nothing\":1}";
  assert_int_equal (auth_parse_token_reply (a, strlen (a), &t, &err), 0);
  assert_string_equal (t, "abc");
  assert_int_equal (auth_parse_token_reply (b, strlen (b), &t2, &err), 0);
  assert_string_equal (t2, "xyz");
  {
    cleanup_free char *t3 = NULL;
    assert_true (auth_parse_token_reply (c, strlen (c), &t3, &err) < 0);
    assert_non_null (strstr (err->msg, "no token"));
  }
}

static void test_find_credentials (void **state)
{
  char dir[] = "/tmp/ocikit-auth-XXXXXX", file[128], home[160];
  cleanup_free char *u = NULL, *p = NULL;
  cleanup_error oci_error *err = NULL;
  const char json[] = "{\"auths\":{\"reg.example\":{\"auth\":\"YWxpY2U6czNjcmV0\"},"
                      "\"reg.example/team\":{\"username\":\"bob\",\"password\":\"pw\"}}}";
  assert_non_null (mkdtemp (dir));
  snprintf (file, sizeof file, "%s/auth.json", dir);
  {
    FILE *f = fopen (file, "w");
    fputs (json, f);
    fclose (f);
  }
  assert_int_equal (auth_find_credentials (file, "reg.example", "x/y", &u, &p, &err), 0);
  assert_string_equal (u, "alice");
  assert_string_equal (p, "s3cret");
  free (u);
  free (p);
  u = p = NULL;
  /* the longest (host/namespace) key wins */
  assert_int_equal (auth_find_credentials (file, "reg.example", "team/app", &u, &p, &err), 0);
  assert_string_equal (u, "bob");
  free (u);
  free (p);
  u = p = NULL;
  assert_int_equal (auth_find_credentials (file, "other.example", "x", &u, &p, &err), 1);
  /* REGISTRY_AUTH_FILE, then the defaults under an empty HOME: none */
  snprintf (home, sizeof home, "%s/home", dir);
  setenv ("HOME", home, 1);
  unsetenv ("XDG_RUNTIME_DIR");
  unsetenv ("XDG_CONFIG_HOME");
  setenv ("REGISTRY_AUTH_FILE", file, 1);
  assert_int_equal (auth_find_credentials (NULL, "reg.example", "x", &u, &p, &err), 0);
  assert_string_equal (u, "alice");
  free (u);
  free (p);
  u = p = NULL;
  unsetenv ("REGISTRY_AUTH_FILE");
  assert_int_equal (auth_find_credentials (NULL, "reg.example", "x", &u, &p, &err), 1);
  unlink (file);
  rmdir (dir);
}

int main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_bearer),
    cmocka_unit_test (test_bearer_spacing_and_error),
    cmocka_unit_test (test_quoted_escape),
    cmocka_unit_test (test_bad_challenges),
    cmocka_unit_test (test_key_match),
    cmocka_unit_test (test_basic_value),
    cmocka_unit_test (test_token_reply),
    cmocka_unit_test (test_find_credentials),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
