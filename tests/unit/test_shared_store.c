/* The store: verified blobs, atomic index, verify. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
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


/* Two-step commit: a sealed blob (verified, its bytes synced) has no name
   yet; publish names it; the index names it only after the blobs'
   directory sync (store_index_set does it). */
static void test_seal_then_publish (void **state)
{
  cleanup_store store *s = NULL;
  cleanup_error oci_error *err = NULL;
  store_writer *w = NULL;
  const char *want = "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
  char got[DIGEST_STR_LEN + 1];
  int bad;

  assert_int_equal (store_open (dir, STORE_CREATE, &s, &err), 0);
  assert_int_equal (store_blob_create (s, want, &w, &err), 0);
  assert_int_equal (store_blob_append (w, "hello", 5, &err), 0);
  assert_int_equal (store_blob_seal (w, got, &err), 0);
  assert_string_equal (got, want);
  assert_false (store_has_blob (s, want));
  assert_int_equal (store_blob_publish (w, &err), 0);
  assert_true (store_has_blob (s, want));
  assert_int_equal (store_sync_blobs (s, &err), 0);
  assert_int_equal (store_verify (s, &bad, &err), 0);
  assert_int_equal (bad, 0);

  /* a wrong digest fails the seal and never gets a name */
  assert_int_equal (store_blob_create (s, "sha256:486ea46224d1bb4fb680f34f7c9ad96a8f24ec88be73ea8e5a6c65260e9cb8a7", &w, &err), 0);
  assert_int_equal (store_blob_append (w, "hellO", 5, &err), 0);
  assert_true (store_blob_seal (w, NULL, &err) < 0);
  assert_non_null (strstr (err->msg, "digest mismatch"));
  assert_false (store_has_blob (s, "sha256:486ea46224d1bb4fb680f34f7c9ad96a8f24ec88be73ea8e5a6c65260e9cb8a7"));
}

/* Reserved space changes neither the size nor the digest of the blob. */
static void test_reserve (void **state)
{
  cleanup_store store *s = NULL;
  cleanup_error oci_error *err = NULL;
  store_writer *w = NULL;
  const char *want = "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
  long long size = 0;
  int fd = -1;

  assert_int_equal (store_open (dir, STORE_CREATE, &s, &err), 0);
  assert_int_equal (store_blob_create (s, want, &w, &err), 0);
  store_blob_reserve (w, 1 << 20);
  assert_int_equal (store_blob_append (w, "hello", 5, &err), 0);
  assert_int_equal (store_blob_commit (w, NULL, &err), 0);
  assert_int_equal (store_blob_open (s, want, &fd, &size, &err), 0);
  close (fd);
  assert_int_equal (size, 5);
}

/* STORE_CREATE_BACKGROUND: blobs can be written at once; naming waits for
   the layout; what is left is a layout that opens without STORE_CREATE. */
static void test_background_layout (void **state)
{
  cleanup_store store *s = NULL;
  cleanup_error oci_error *err = NULL;
  char sub[128], d[DIGEST_STR_LEN + 1];
  cleanup_free char *got = NULL;
  int bad;

  snprintf (sub, sizeof sub, "%s/new/store", dir);
  assert_int_equal (store_open (sub, STORE_CREATE_BACKGROUND, &s, &err), 0);
  assert_int_equal (store_put_blob (s, "{}", 2, NULL, d, &err), 0);
  assert_int_equal (store_index_set (s, "example.com/a:1", MT_OCI_MANIFEST, d, 2, &err), 0);
  store_close (s);
  s = NULL;
  assert_int_equal (store_open (sub, 0, &s, &err), 0);
  assert_int_equal (store_index_lookup (s, "example.com/a:1", &got, NULL, &err), 0);
  assert_string_equal (got, d);
  assert_int_equal (store_verify (s, &bad, &err), 0);
  assert_int_equal (bad, 0);
}

/* The index lock (an flock on oci-layout) keeps concurrent updates from
   losing each other's entries. */
static void test_concurrent_index_updates (void **state)
{
  cleanup_store store *s = NULL;
  cleanup_error oci_error *err = NULL;
  char d[DIGEST_STR_LEN + 1];
  pid_t kids[2];

  assert_int_equal (store_open (dir, STORE_CREATE, &s, &err), 0);
  assert_int_equal (store_put_blob (s, "{}", 2, NULL, d, &err), 0);
  for (int k = 0; k < 2; k++)
    {
      kids[k] = fork ();
      assert_true (kids[k] >= 0);
      if (kids[k] == 0)
        {
          store *c = NULL;
          oci_error *e = NULL;
          if (store_open (dir, 0, &c, &e) < 0)
            _exit (2);
          for (int i = 0; i < 25; i++)
            {
              char name[64];
              snprintf (name, sizeof name, "example.com/p%d:%d", k, i);
              if (store_index_set (c, name, MT_OCI_MANIFEST, d, 2, &e) < 0)
                _exit (3);
            }
          _exit (0);
        }
    }
  for (int k = 0; k < 2; k++)
    {
      int st;
      assert_int_equal (waitpid (kids[k], &st, 0), kids[k]);
      assert_true (WIFEXITED (st) && WEXITSTATUS (st) == 0);
    }
  for (int k = 0; k < 2; k++)
    for (int i = 0; i < 25; i++)
      {
        char name[64];
        cleanup_free char *got = NULL;
        snprintf (name, sizeof name, "example.com/p%d:%d", k, i);
        assert_int_equal (store_index_lookup (s, name, &got, NULL, &err), 0);
      }
}

/* What a pull does, over and over, as fast as it can: blobs sealed and
   published without a directory sync each, an index entry naming them. */
static void churn (const char *path, unsigned seed)
{
  store *s = NULL;
  oci_error *err = NULL;
  static char buf[300000];
  srandom (seed);
  if (store_open (path, STORE_CREATE_BACKGROUND, &s, &err) < 0)
    _exit (2);
  for (unsigned i = 0;; i++)
    {
      char names[4][DIGEST_STR_LEN + 1], idx[64];
      store_writer *w[4];
      for (int k = 0; k < 4; k++)
        {
          size_t n = 1 + random () % sizeof buf;
          for (size_t j = 0; j < n; j += 64)
            buf[j] = (char) random ();
          if (store_blob_create (s, NULL, &w[k], &err) < 0)
            _exit (3);
          for (size_t off = 0; off < n; off += 65536)
            if (store_blob_append (w[k], buf + off, n - off < 65536 ? n - off : 65536, &err) < 0)
              _exit (3);
        }
      for (int k = 0; k < 4; k++)
        if (store_blob_seal (w[k], names[k], &err) < 0 || store_blob_publish (w[k], &err) < 0)
          _exit (4);
      snprintf (idx, sizeof idx, "example.com/churn:%u", i % 3);
      if (store_index_set (s, idx, MT_OCI_MANIFEST, names[i % 4], 1, &err) < 0)
        _exit (5);
    }
}

/* Every name in blobs/sha256 is complete (its bytes hash to it) and, once
   oci-layout exists, index.json parses and names only present blobs. */
static int check_store (const char *path)
{
  store *s = NULL;
  oci_error *err = NULL;
  char p[256];
  int bad = 0;
  snprintf (p, sizeof p, "%s/oci-layout", path);
  if (access (p, F_OK) < 0)
    {
      /* not a layout yet: then no blob has a name in it either */
      cleanup_dir DIR *d = NULL;
      struct dirent *de;
      snprintf (p, sizeof p, "%s/blobs/sha256", path);
      d = opendir (p);
      while (d && (de = readdir (d)) != NULL)
        if (de->d_name[0] != '.')
          bad++;
      return bad;
    }
  if (store_open (path, 0, &s, &err) < 0 || store_verify (s, &bad, &err) < 0)
    {
      fprintf (stderr, "check_store: %s\n", err ? err->msg : "?");
      oci_error_free (&err);
      store_close (s);
      return -1;
    }
  store_close (s);
  return bad;
}

/* A writer killed at any moment (SIGKILL: the process's view of a crash)
   leaves a store that verifies clean, also while the layout is being
   created; and an observer never sees a blob whose bytes are not all
   there, because names are given only to sealed blobs. */
static void test_killed_anytime_verifies (void **state)
{
  char path[128];
  snprintf (path, sizeof path, "%s/churn", dir);
  for (unsigned round = 0; round < 12; round++)
    {
      struct timespec t = { 0, (long) (round % 6) * 3000000L + 200000L };
      pid_t pid = fork ();
      assert_true (pid >= 0);
      if (pid == 0)
        churn (path, round);
      /* look while it writes, then kill it at some point */
      nanosleep (&t, NULL);
      assert_int_equal (check_store (path), 0);
      nanosleep (&t, NULL);
      kill (pid, SIGKILL);
      {
        int st;
        assert_int_equal (waitpid (pid, &st, 0), pid);
        assert_true (WIFSIGNALED (st));
      }
      assert_int_equal (check_store (path), 0);
      if (round % 4 == 3)
        remove_tree (path, NULL); /* and a fresh store again */
    }
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
    cmocka_unit_test_setup_teardown (test_seal_then_publish, setup, teardown),
    cmocka_unit_test_setup_teardown (test_reserve, setup, teardown),
    cmocka_unit_test_setup_teardown (test_background_layout, setup, teardown),
    cmocka_unit_test_setup_teardown (test_concurrent_index_updates, setup, teardown),
    cmocka_unit_test_setup_teardown (test_killed_anytime_verifies, setup, teardown),
  };
  return cmocka_run_group_tests_name ("store", tests, NULL, NULL);
}
