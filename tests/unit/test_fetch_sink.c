/* The blob writer thread: bytes queued from the network side land in the
   store in order, a commit verifies them, a wrong digest never becomes a
   blob, the buffer pool is bounded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../fetch/blob_sink.h"
#include "cleanup.h"
#include "digest.h"
#include "fileutil.h"
#include "store.h"

static char dir[64];

static int setup (void **state)
{
  snprintf (dir, sizeof dir, "/tmp/ocikit-sink-XXXXXX");
  assert_non_null (mkdtemp (dir));
  return 0;
}

static int teardown (void **state)
{
  remove_tree (dir, NULL);
  return 0;
}

/* Feed `data` through the sink in `chunk`-sized buffers, then commit. */
static void feed (blob_sink *k, sink_target *t, const char *data, size_t len, size_t chunk)
{
  for (size_t off = 0; off < len; off += chunk)
    {
      size_t n = len - off < chunk ? len - off : chunk;
      char *b = blob_sink_get_buffer (k);
      memcpy (b, data + off, n);
      blob_sink_write (k, t, b, n);
    }
  blob_sink_commit (k, t);
}

static void wait_committed (blob_sink *k, sink_target *t, oci_error **err)
{
  bool committed = false;
  while (!committed && *err == NULL)
    {
      blob_sink_drain (k, t);
      blob_sink_state (k, t, &committed, err);
    }
}

static void test_two_blobs_interleaved (void **state)
{
  cleanup_store store *s = NULL;
  cleanup_error oci_error *err = NULL;
  blob_sink *k = NULL;
  sink_target a = { 0 }, b = { 0 };
  size_t n = 3 << 20;
  cleanup_free char *da = malloc (n), *db = malloc (n);
  char ga[DIGEST_STR_LEN + 1], gb[DIGEST_STR_LEN + 1];

  for (size_t i = 0; i < n; i++)
    {
      da[i] = (char) (i * 7);
      db[i] = (char) (i * 13 + 1);
    }
  digest_buffer (da, n, ga);
  digest_buffer (db, n, gb);
  assert_int_equal (store_open (dir, STORE_CREATE, &s, &err), 0);
  assert_int_equal (blob_sink_start (3, 64 << 10, NULL, &k, &err), 0);
  assert_int_equal (store_blob_create (s, ga, &a.w, &err), 0);
  assert_int_equal (store_blob_create (s, gb, &b.w, &err), 0);
  /* interleave the two streams, as parallel transfers do */
  for (size_t off = 0; off < n; off += 50000)
    {
      size_t len = n - off < 50000 ? n - off : 50000;
      char *x = blob_sink_get_buffer (k), *y = blob_sink_get_buffer (k);
      memcpy (x, da + off, len);
      memcpy (y, db + off, len);
      blob_sink_write (k, &a, x, len);
      blob_sink_write (k, &b, y, len);
    }
  blob_sink_commit (k, &a);
  blob_sink_commit (k, &b);
  wait_committed (k, &a, &err);
  wait_committed (k, &b, &err);
  assert_null (err);
  assert_null (a.w);
  assert_true (store_has_blob (s, ga));
  assert_true (store_has_blob (s, gb));
  blob_sink_stop (k);
}

static void test_wrong_digest_never_lands (void **state)
{
  cleanup_store store *s = NULL;
  cleanup_error oci_error *err = NULL;
  blob_sink *k = NULL;
  sink_target t = { 0 };
  const char data[] = "not what the manifest promised";
  const char *want = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
  char got[DIGEST_STR_LEN + 1];
  assert_int_equal (store_open (dir, STORE_CREATE, &s, &err), 0);
  assert_int_equal (blob_sink_start (2, 8, NULL, &k, &err), 0);
  assert_int_equal (store_blob_create (s, want, &t.w, &err), 0);
  feed (k, &t, data, sizeof data - 1, 8);
  wait_committed (k, &t, &err);
  assert_non_null (err);
  assert_non_null (strstr (err->msg, "digest mismatch"));
  digest_buffer (data, sizeof data - 1, got);
  assert_false (store_has_blob (s, want));
  assert_false (store_has_blob (s, got));
  blob_sink_stop (k);
}

/* seal only: the sealed writer comes back unnamed, the caller names it */
static void test_seal_leaves_it_unnamed (void **state)
{
  cleanup_store store *s = NULL;
  cleanup_error oci_error *err = NULL;
  blob_sink *k = NULL;
  sink_target t = { 0 };
  const char data[] = "{\"schemaVersion\":2}";
  char want[DIGEST_STR_LEN + 1];
  bool committed = false;
  digest_buffer (data, sizeof data - 1, want);
  assert_int_equal (store_open (dir, STORE_CREATE, &s, &err), 0);
  assert_int_equal (blob_sink_start (2, 8, NULL, &k, &err), 0);
  assert_int_equal (store_blob_create (s, want, &t.w, &err), 0);
  assert_int_equal (store_blob_append (t.w, data, sizeof data - 1, &err), 0);
  blob_sink_seal (k, &t);
  blob_sink_drain (k, &t);
  blob_sink_state (k, &t, &committed, &err);
  assert_null (err);
  assert_true (committed);
  assert_non_null (t.w);
  assert_false (store_has_blob (s, want));
  assert_int_equal (store_blob_publish (t.w, &err), 0);
  assert_true (store_has_blob (s, want));
  blob_sink_stop (k);
}

int main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_two_blobs_interleaved, setup, teardown),
    cmocka_unit_test_setup_teardown (test_wrong_digest_never_lands, setup, teardown),
    cmocka_unit_test_setup_teardown (test_seal_leaves_it_unnamed, setup, teardown),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
