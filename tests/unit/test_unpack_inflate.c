/* Decompression: gzip through both backends (ISA-L when built with it,
   zlib), concatenated members and frames, truncation and trailing garbage. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "../../unpack/inflate.h"

#define N (300 * 1024)

static unsigned char plain[N];

static size_t gzip_member (const unsigned char *in, size_t len, unsigned char *out, size_t cap)
{
  z_stream zs = { 0 };
  assert_int_equal (deflateInit2 (&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  zs.next_in = (unsigned char *) in;
  zs.avail_in = (uInt) len;
  zs.next_out = out;
  zs.avail_out = (uInt) cap;
  assert_int_equal (deflate (&zs, Z_FINISH), Z_STREAM_END);
  deflateEnd (&zs);
  return cap - zs.avail_out;
}

/* Feed `in` in small pieces, collect the output; returns 0 when the stream
   ended cleanly, -1 on error, 1 when it was incomplete. */
static int run (enum compression c, const unsigned char *in, size_t len, unsigned char *out,
                size_t cap, size_t *outlen)
{
  inflater *z = NULL;
  oci_error *err = NULL;
  size_t pos = 0, o = 0;
  int r = 0;
  assert_int_equal (inflater_new (c, &z, &err), 0);
  while (pos < len)
    {
      size_t piece = len - pos < 4096 ? len - pos : 4096, used, made;
      if (inflater_run (z, in + pos, piece, &used, out + o, cap - o, &made, &err) < 0)
        {
          r = -1;
          break;
        }
      pos += used;
      o += made;
    }
  while (r == 0 && !inflater_at_end (z))
    {
      size_t used, made;
      if (inflater_run (z, in, 0, &used, out + o, cap - o, &made, &err) < 0)
        r = -1;
      else if (made == 0)
        r = 1;
      o += made;
    }
  if (err)
    oci_error_free (&err);
  inflater_free (z);
  *outlen = o;
  return r;
}

static void fill (void)
{
  for (size_t i = 0; i < N; i++)
    plain[i] = (unsigned char) ((i * 7) ^ (i >> 9));
}

static void gzip_cases (void)
{
  size_t cap = 2 * N, len1, len2, got;
  unsigned char *gz = malloc (cap), *out = malloc (2 * N + 16);
  fill ();
  len1 = gzip_member (plain, N, gz, cap);
  /* one member */
  assert_int_equal (run (COMPRESSION_GZIP, gz, len1, out, 2 * N, &got), 0);
  assert_int_equal (got, N);
  assert_memory_equal (out, plain, N);
  /* two members (RFC 1952): both come out */
  len2 = gzip_member (plain, N, gz + len1, cap - len1);
  assert_int_equal (run (COMPRESSION_GZIP, gz, len1 + len2, out, 2 * N, &got), 0);
  assert_int_equal (got, 2 * N);
  assert_memory_equal (out + N, plain, N);
  /* truncated */
  assert_int_equal (run (COMPRESSION_GZIP, gz, len1 / 2, out, 2 * N, &got), 1);
  /* trailing garbage */
  memcpy (gz + len1, "garbage!garbage!", 16);
  assert_int_equal (run (COMPRESSION_GZIP, gz, len1 + 16, out, 2 * N, &got), -1);
  /* a flipped bit in the data */
  gz[len1 / 2] ^= 0x10;
  assert_int_not_equal (run (COMPRESSION_GZIP, gz, len1, out, 2 * N, &got), 0);
  free (gz);
  free (out);
}

static void test_gzip_default (void **state)
{
  unsetenv ("OCIKIT_INFLATE");
  gzip_cases ();
}

static void test_gzip_zlib (void **state)
{
  inflater *z = NULL;
  oci_error *err = NULL;
  setenv ("OCIKIT_INFLATE", "zlib", 1);
  assert_int_equal (inflater_new (COMPRESSION_GZIP, &z, &err), 0);
  assert_string_equal (inflater_backend (z), "zlib");
  inflater_free (z);
  gzip_cases ();
  unsetenv ("OCIKIT_INFLATE");
}

static void test_zstd (void **state)
{
  size_t cap = ZSTD_compressBound (N), len1, len2, got;
  unsigned char *zs = malloc (2 * cap), *out = malloc (2 * N);
  fill ();
  len1 = ZSTD_compress (zs, cap, plain, N, 3);
  assert_false (ZSTD_isError (len1));
  len2 = ZSTD_compress (zs + len1, cap, plain, N, 3);
  assert_int_equal (run (COMPRESSION_ZSTD, zs, len1 + len2, out, 2 * N, &got), 0);
  assert_int_equal (got, 2 * N);
  assert_memory_equal (out + N, plain, N);
  assert_int_equal (run (COMPRESSION_ZSTD, zs, len1 - 10, out, 2 * N, &got), 1);
  free (zs);
  free (out);
}

static void test_media_types (void **state)
{
  assert_int_equal (compression_from_media_type ("application/vnd.oci.image.layer.v1.tar+gzip"),
                    COMPRESSION_GZIP);
  assert_int_equal (compression_from_media_type ("application/vnd.oci.image.layer.v1.tar+zstd"),
                    COMPRESSION_ZSTD);
  assert_int_equal (compression_from_media_type ("application/vnd.oci.image.layer.v1.tar"),
                    COMPRESSION_NONE);
  assert_int_equal (
    compression_from_media_type ("application/vnd.docker.image.rootfs.diff.tar.gzip"),
    COMPRESSION_GZIP);
  assert_int_equal (compression_from_media_type ("application/x-bogus"), -1);
}

int main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_gzip_default),
    cmocka_unit_test (test_gzip_zlib),
    cmocka_unit_test (test_zstd),
    cmocka_unit_test (test_media_types),
  };
  return cmocka_run_group_tests_name ("unpack_inflate", tests, NULL, NULL);
}
