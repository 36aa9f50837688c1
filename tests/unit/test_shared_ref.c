/* Reference normalisation (distribution/reference rules, NOTES.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "ref.h"

static void check (const char *in, const char *want_full, const char *want_host)
{
  cleanup_ref image_ref *r = NULL;
  cleanup_error oci_error *err = NULL;
  cleanup_free char *full = NULL;
  assert_int_equal (ref_parse (in, &r, &err), 0);
  full = ref_string (r);
  assert_string_equal (full, want_full);
  if (want_host)
    assert_string_equal (ref_registry_host (r), want_host);
}

static void bad (const char *in, const char *msg_part)
{
  cleanup_ref image_ref *r = NULL;
  cleanup_error oci_error *err = NULL;
  assert_true (ref_parse (in, &r, &err) < 0);
  assert_non_null (err);
  assert_non_null (strstr (err->msg, msg_part));
}

static void test_docker_hub (void **state)
{
  check ("alpine", "docker.io/library/alpine:latest", "registry-1.docker.io");
  check ("alpine:3.19", "docker.io/library/alpine:3.19", NULL);
  check ("library/alpine", "docker.io/library/alpine:latest", NULL);
  check ("user/app:v1", "docker.io/user/app:v1", NULL);
  check ("docker.io/alpine", "docker.io/library/alpine:latest", NULL);
  check ("index.docker.io/library/alpine", "docker.io/library/alpine:latest", NULL);
}

static void test_hosts (void **state)
{
  check ("localhost/foo", "localhost/foo:latest", "localhost");
  check ("localhost:5000/foo/bar:t", "localhost:5000/foo/bar:t", "localhost:5000");
  check ("127.0.0.1:5000/busybox", "127.0.0.1:5000/busybox:latest", NULL);
  check ("quay.io/a/b", "quay.io/a/b:latest", "quay.io");
  check ("[::1]:5000/x", "[::1]:5000/x:latest", NULL);
  /* a first component without '.' or ':' is a path, not a host */
  check ("foo/bar", "docker.io/foo/bar:latest", NULL);
}

static void test_digests (void **state)
{
  const char *d = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  char in[200], want[200];
  cleanup_ref image_ref *r = NULL;
  cleanup_error oci_error *err = NULL;
  cleanup_free char *pinned = NULL, *sname = NULL;

  snprintf (in, sizeof in, "alpine@%s", d);
  snprintf (want, sizeof want, "docker.io/library/alpine@%s", d);
  check (in, want, NULL);
  snprintf (in, sizeof in, "alpine:3@%s", d);
  snprintf (want, sizeof want, "docker.io/library/alpine:3@%s", d);
  check (in, want, NULL);

  assert_int_equal (ref_parse ("127.0.0.1:1/x:t", &r, &err), 0);
  pinned = ref_pinned (r, d);
  snprintf (want, sizeof want, "127.0.0.1:1/x:t@%s", d);
  assert_string_equal (pinned, want);
  sname = ref_store_name (r);
  assert_string_equal (sname, "127.0.0.1:1/x:t");
  assert_true (ref_registry_is_local (r));
}

static void test_bad (void **state)
{
  bad ("", "empty");
  bad ("Alpine", "lowercase");
  bad ("alpine:-x", "bad tag");
  bad ("alpine@sha256:abc", "bad digest");
  bad ("a//b", "component");
  bad ("a/b_", "component");
  bad ("host:5000/", "no repository");
}

static void test_tags (void **state)
{
  assert_true (ref_tag_is_valid ("latest"));
  assert_true (ref_tag_is_valid ("_x.Y-1"));
  assert_false (ref_tag_is_valid (".x"));
  char longtag[130];
  memset (longtag, 'a', 129);
  longtag[129] = 0;
  assert_false (ref_tag_is_valid (longtag));
  longtag[128] = 0;
  assert_true (ref_tag_is_valid (longtag));
}

int main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_docker_hub), cmocka_unit_test (test_hosts),
    cmocka_unit_test (test_digests), cmocka_unit_test (test_bad),
    cmocka_unit_test (test_tags),
  };
  return cmocka_run_group_tests_name ("ref", tests, NULL, NULL);
}
