/* The store: verified blobs, atomic index, verify. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "digest.h"
#include "fileutil.h"
#include "image.h"
#include "mediatype.h"
#include "store.h"

static char dir[64];

static int setup (void **state)
{
  snprintf (dir, sizeof dir, "/tmp/ocikit-store-XXXXXX");
  assert_non_null (mkdtemp (dir));
  return 0;
}

static int teardown (void **state)
{
  remove_tree (dir, NULL);
  return 0;
}

static void test_create_and_put (void **state)
{
  cleanup_store store *s = NULL;
  cleanup_error oci_error *err = NULL;
  char d[DIGEST_STR_LEN + 1];
  cleanup_free char *back = NULL;
  size_t len;
  int bad;

  assert_int_equal (store_open (dir, STORE_CREATE, &s, &err), 0);
  assert_int_equal (store_put_blob (s, "hello", 5, NULL, d, &err), 0);
  assert_string_equal (d, "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
  assert_true (store_has_blob (s, d));
  assert_int_equal (store_blob_read (s, d, 100, &back, &len, &err), 0);
  assert_int_equal (len, 5);
  assert_memory_equal (back, "hello", 5);
  assert_int_equal (store_verify (s, &bad, &err), 0);
  assert_int_equal (bad, 0);
}

static void test_mismatch_never_visible (void **state)
{
  cleanup_store store *s = NULL;
  cleanup_error oci_error *err = NULL;
  store_writer *w = NULL;
  const char *want = "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

  assert_int_equal (store_open (dir, STORE_CREATE, &s, &err), 0);
  assert_int_equal (store_blob_create (s, want, &w, &err), 0);
  assert_int_equal (store_blob_append (w, "hellO", 5, &err), 0);
  assert_true (store_blob_commit (w, NULL, &err) < 0);
  assert_non_null (strstr (err->msg, "digest mismatch"));
  assert_false (store_has_blob (s, want));
}

static void test_restart (void **state)
{
  cleanup_store store *s = NULL;
  cleanup_error oci_error *err = NULL;
  store_writer *w = NULL;
  const char *want = "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

  assert_int_equal (store_open (dir, STORE_CREATE, &s, &err), 0);
  assert_int_equal (store_blob_create (s, want, &w, &err), 0);
  assert_int_equal (store_blob_append (w, "xx", 2, &err), 0);
  assert_int_equal (store_blob_restart (w, &err), 0);
  assert_int_equal (store_blob_append (w, "hel", 3, &err), 0);
  assert_int_equal (store_blob_append (w, "lo", 2, &err), 0);
  assert_int_equal (store_writer_size (w), 5);
  assert_int_equal (store_blob_commit (w, NULL, &err), 0);
  assert_true (store_has_blob (s, want));
}

static void test_index_and_image (void **state)
{
  cleanup_store store *s = NULL;
  cleanup_error oci_error *err = NULL;
  cleanup_image image *img = NULL;
  cleanup_free char *got = NULL;
  char layer[DIGEST_STR_LEN + 1], cfgd[DIGEST_STR_LEN + 1], md[DIGEST_STR_LEN + 1];
  char cfg[512], man[1024];
  int n;

  assert_int_equal (store_open (dir, STORE_CREATE, &s, &err), 0);
  assert_int_equal (store_put_blob (s, "layer", 5, NULL, layer, &err), 0);
  n = snprintf (cfg, sizeof cfg,
                "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\","
                "\"diff_ids\":[\"%s\"]}}", layer);
  assert_int_equal (store_put_blob (s, cfg, n, NULL, cfgd, &err), 0);
  n = snprintf (man, sizeof man,
                "{\"schemaVersion\":2,\"mediaType\":\"%s\",\"config\":{\"mediaType\":\"%s\","
                "\"digest\":\"%s\",\"size\":1},\"layers\":[{\"mediaType\":\"%s\",\"digest\":"
                "\"%s\",\"size\":5}]}", MT_OCI_MANIFEST, MT_OCI_CONFIG, cfgd, MT_OCI_LAYER, layer);
  assert_int_equal (store_put_blob (s, man, n, NULL, md, &err), 0);
  assert_int_equal (store_index_set (s, "example.com/a:1", MT_OCI_MANIFEST, md, n, &err), 0);
  assert_int_equal (store_index_set (s, "example.com/a:1", MT_OCI_MANIFEST, md, n, &err), 0);
  assert_int_equal (store_index_lookup (s, "example.com/a:1", &got, NULL, &err), 0);
  assert_string_equal (got, md);
  /* the only entry: found without a name; the name replaced, not added */
  free (got);
  got = NULL;
  assert_int_equal (store_index_lookup (s, NULL, &got, NULL, &err), 0);

  assert_int_equal (image_load (s, "example.com/a:1", NULL, &img, &err), 0);
  assert_int_equal (img->n_layers, 1);
  assert_string_equal (img->layers[0].diff_id, layer);
  assert_string_equal (img->manifest_digest, md);

  image_free (img);
  img = NULL;
  assert_true (image_load (s, "example.com/b:1", NULL, &img, &err) < 0);
  assert_non_null (strstr (err->msg, "not in store"));
}

static void test_verify_detects_corruption (void **state)
{
  cleanup_store store *s = NULL;
  cleanup_error oci_error *err = NULL;
  char d[DIGEST_STR_LEN + 1], path[256];
  int bad, fd;

  assert_int_equal (store_open (dir, STORE_CREATE, &s, &err), 0);
  assert_int_equal (store_put_blob (s, "abc", 3, NULL, d, &err), 0);
  snprintf (path, sizeof path, "%s/blobs/sha256/%s", dir, digest_hex (d));
  fd = open (path, O_WRONLY | O_TRUNC);
  assert_true (fd >= 0);
  assert_int_equal (write (fd, "abd", 3), 3);
  close (fd);
  assert_int_equal (store_verify (s, &bad, &err), 0);
  assert_int_equal (bad, 1);
}

static void test_not_a_layout (void **state)
{
  cleanup_store store *s = NULL;
  cleanup_error oci_error *err = NULL;
  assert_true (store_open (dir, 0, &s, &err) < 0);
  assert_non_null (strstr (err->msg, "not an OCI image layout"));
}

int main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_create_and_put, setup, teardown),
    cmocka_unit_test_setup_teardown (test_mismatch_never_visible, setup, teardown),
    cmocka_unit_test_setup_teardown (test_restart, setup, teardown),
    cmocka_unit_test_setup_teardown (test_index_and_image, setup, teardown),
    cmocka_unit_test_setup_teardown (test_verify_detects_corruption, setup, teardown),
    cmocka_unit_test_setup_teardown (test_not_a_layout, setup, teardown),
  };
  return cmocka_run_group_tests_name ("store", tests, NULL, NULL);
}
