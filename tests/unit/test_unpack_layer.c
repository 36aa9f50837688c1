/* The layer stream: a producer thread inflating into a ring the consumer
   reads; both digests checked; cancellation mid-stream. */
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
#include <zlib.h>

#include "digest.h"
#include "mediatype.h"
#include "../../unpack/layer.h"

static int gz_file (const unsigned char *data, size_t len, char digest[DIGEST_STR_LEN + 1])
{
  char path[] = "/tmp/ocikit-layer-XXXXXX";
  int fd = mkstemp (path);
  size_t cap = compressBound (len) + 64;
  unsigned char *out = malloc (cap);
  z_stream zs = { 0 };
  assert_true (fd >= 0);
  unlink (path);
  assert_int_equal (deflateInit2 (&zs, 1, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
  zs.next_in = (unsigned char *) data;
  zs.avail_in = (uInt) len;
  zs.next_out = out;
  zs.avail_out = (uInt) cap;
  assert_int_equal (deflate (&zs, Z_FINISH), Z_STREAM_END);
  deflateEnd (&zs);
  assert_int_equal (write (fd, out, cap - zs.avail_out), (ssize_t) (cap - zs.avail_out));
  digest_buffer (out, cap - zs.avail_out, digest);
  lseek (fd, 0, SEEK_SET);
  free (out);
  return fd;
}

static void stream_all (size_t len, bool lie_diff_id, long long budget, int want)
{
  unsigned char *data = malloc (len ? len : 1);
  char cd[DIGEST_STR_LEN + 1], ud[DIGEST_STR_LEN + 1];
  image_layer l = { 0 };
  layer_stream *ls = NULL;
  oci_error *err = NULL;
  size_t got = 0;
  ssize_t n;
  const void *buf;
  int fd;

  for (size_t i = 0; i < len; i++)
    data[i] = (unsigned char) (i % 251);
  fd = gz_file (data, len, cd);
  digest_buffer (lie_diff_id ? (const void *) "x" : data, lie_diff_id ? 1 : len, ud);
  l.digest = cd;
  l.diff_id = ud;
  l.media_type = (char *) MT_OCI_LAYER_GZIP;
  assert_int_equal (layer_stream_open (fd, &l, 3, &budget, &ls, &err), 0);
  while ((n = layer_stream_read (ls, &buf)) > 0)
    {
      assert_true (got + (size_t) n <= len);
      assert_memory_equal (buf, data + got, (size_t) n);
      got += (size_t) n;
    }
  if (want == 0)
    {
      assert_int_equal (n, 0);
      assert_int_equal (got, len);
      assert_int_equal (layer_stream_finish (ls, &err), 0);
    }
  else
    {
      assert_int_equal (n, -1);
      assert_int_equal (layer_stream_error (ls, &err), -1);
      assert_non_null (err);
      assert_non_null (strstr (err->msg, "layer 3"));
      oci_error_free (&err);
    }
  layer_stream_close (ls);
  free (data);
}

static void test_sizes (void **state)
{
  stream_all (0, false, 1 << 30, 0);
  stream_all (1, false, 1 << 30, 0);
  stream_all (3 * 256 * 1024, false, 1 << 30, 0); /* exactly three slots */
  stream_all (5 * 1024 * 1024 + 17, false, 1 << 30, 0);
}

static void test_lying_diff_id (void **state) { stream_all (300000, true, 1 << 30, -1); }

static void test_budget (void **state) { stream_all (4 << 20, false, 1 << 20, -1); }

static void test_close_midway (void **state)
{
  size_t len = 16 << 20;
  unsigned char *data = calloc (1, len);
  char cd[DIGEST_STR_LEN + 1], ud[DIGEST_STR_LEN + 1];
  image_layer l = { cd, (char *) MT_OCI_LAYER_GZIP, 0, ud };
  layer_stream *ls = NULL;
  oci_error *err = NULL;
  long long budget = 1LL << 40;
  const void *buf;
  int fd = gz_file (data, len, cd);
  digest_buffer (data, len, ud);
  assert_int_equal (layer_stream_open (fd, &l, 0, &budget, &ls, &err), 0);
  assert_true (layer_stream_read (ls, &buf) > 0);
  layer_stream_close (ls); /* the producer is blocked on a full ring: must stop */
  free (data);
}

int main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_sizes),
    cmocka_unit_test (test_lying_diff_id),
    cmocka_unit_test (test_budget),
    cmocka_unit_test (test_close_midway),
  };
  return cmocka_run_group_tests_name ("unpack_layer", tests, NULL, NULL);
}
