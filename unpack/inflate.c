#include "inflate.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>
#ifdef OCIKIT_HAVE_ISAL
#include <isa-l/igzip_lib.h>
#endif

#include "mediatype.h"

struct inflater
{
  enum compression kind;
  bool use_isal;
  /* at_end: the current member/frame ended; more input starts another */
  bool at_end;
  bool started;
  z_stream zs;
  ZSTD_DStream *zstd;
#ifdef OCIKIT_HAVE_ISAL
  struct inflate_state *isal;
#endif
};

int compression_from_media_type (const char *mt)
{
  if (mt == NULL)
    return COMPRESSION_GZIP;
  if (strcmp (mt, MT_OCI_LAYER_GZIP) == 0 || strcmp (mt, MT_OCI_LAYER_ND_GZIP) == 0
      || strcmp (mt, MT_DOCKER_LAYER_GZIP) == 0 || strcmp (mt, MT_DOCKER_LAYER_FOREIGN) == 0)
    return COMPRESSION_GZIP;
  if (strcmp (mt, MT_OCI_LAYER_ZSTD) == 0 || strcmp (mt, MT_OCI_LAYER_ND_ZSTD) == 0)
    return COMPRESSION_ZSTD;
  if (strcmp (mt, MT_OCI_LAYER) == 0 || strcmp (mt, MT_OCI_LAYER_ND) == 0)
    return COMPRESSION_NONE;
  return -1;
}

const char *compression_name (enum compression c)
{
  return c == COMPRESSION_GZIP ? "gzip" : c == COMPRESSION_ZSTD ? "zstd" : "none";
}

const char *inflater_backend (const inflater *z)
{
  if (z->kind == COMPRESSION_ZSTD)
    return "libzstd";
  if (z->kind == COMPRESSION_NONE)
    return "copy";
  return z->use_isal ? "isa-l" : "zlib";
}

int inflater_new (enum compression c, inflater **out, oci_error **err)
{
  inflater *z = calloc (1, sizeof *z);
  const char *want = getenv ("OCIKIT_INFLATE");

  if (z == NULL)
    return oci_error_set (err, ENOMEM, "decompressor");
  z->kind = c;
  z->at_end = true; /* an empty plain stream is complete */
  if (c == COMPRESSION_GZIP)
    {
      z->at_end = false;
#ifdef OCIKIT_HAVE_ISAL
      if (want == NULL || strcmp (want, "zlib") != 0)
        {
          z->isal = malloc (sizeof *z->isal);
          if (z->isal == NULL)
            {
              free (z);
              return oci_error_set (err, ENOMEM, "decompressor");
            }
          isal_inflate_init (z->isal);
          z->isal->crc_flag = ISAL_GZIP;
          z->use_isal = true;
        }
#else
      (void) want;
#endif
      /* windowBits 15+32: gzip (or zlib) header detection */
      if (!z->use_isal && inflateInit2 (&z->zs, 15 + 32) != Z_OK)
        {
          free (z);
          return oci_error_set (err, ENOMEM, "zlib inflateInit2");
        }
    }
  else if (c == COMPRESSION_ZSTD)
    {
      z->at_end = false;
      z->zstd = ZSTD_createDStream ();
      if (z->zstd == NULL)
        {
          free (z);
          return oci_error_set (err, ENOMEM, "zstd decompressor");
        }
      ZSTD_initDStream (z->zstd);
    }
  *out = z;
  return 0;
}

void inflater_free (inflater *z)
{
  if (z->kind == COMPRESSION_GZIP && !z->use_isal)
    inflateEnd (&z->zs);
  if (z->zstd)
    ZSTD_freeDStream (z->zstd);
#ifdef OCIKIT_HAVE_ISAL
  free (z->isal);
#endif
  free (z);
}

bool inflater_at_end (const inflater *z) { return z->at_end; }

static int run_zlib (inflater *z, const unsigned char *in, size_t in_len, size_t *consumed,
                     unsigned char *out, size_t out_cap, size_t *produced, oci_error **err)
{
  int r;
  if (z->at_end)
    {
      /* a further gzip member (RFC 1952 2.2: members may be concatenated) */
      if (inflateReset (&z->zs) != Z_OK)
        return oci_error_set (err, 0, "gzip: cannot restart the decompressor");
      z->at_end = false;
    }
  z->zs.next_in = (unsigned char *) in;
  z->zs.avail_in = (uInt) in_len;
  z->zs.next_out = out;
  z->zs.avail_out = (uInt) out_cap;
  r = inflate (&z->zs, Z_NO_FLUSH);
  *consumed = in_len - z->zs.avail_in;
  *produced = out_cap - z->zs.avail_out;
  if (r == Z_STREAM_END)
    z->at_end = true;
  else if (r == Z_BUF_ERROR && *consumed == 0 && *produced == 0 && in_len > 0)
    return oci_error_set (err, 0, "gzip: stream makes no progress");
  else if (r != Z_OK && r != Z_BUF_ERROR)
    return oci_error_set (err, 0, "gzip: %s", z->zs.msg ? z->zs.msg : "corrupt data");
  return 0;
}

#ifdef OCIKIT_HAVE_ISAL
static int run_isal (inflater *z, const unsigned char *in, size_t in_len, size_t *consumed,
                     unsigned char *out, size_t out_cap, size_t *produced, oci_error **err)
{
  struct inflate_state *s = z->isal;
  int r;
  if (z->at_end)
    {
      isal_inflate_reset (s);
      s->crc_flag = ISAL_GZIP;
      z->at_end = false;
    }
  s->next_in = (unsigned char *) in;
  s->avail_in = (uint32_t) in_len;
  s->next_out = out;
  s->avail_out = (uint32_t) out_cap;
  r = isal_inflate (s);
  *consumed = in_len - s->avail_in;
  *produced = out_cap - s->avail_out;
  if (r != ISAL_DECOMP_OK)
    return oci_error_set (err, 0, "gzip: %s",
                          r == ISAL_INCORRECT_CHECKSUM ? "CRC mismatch"
                          : r == ISAL_UNSUPPORTED_METHOD ? "unsupported method"
                          : "corrupt data");
  if (s->block_state == ISAL_BLOCK_FINISH)
    z->at_end = true;
  return 0;
}
#endif

static int run_zstd (inflater *z, const unsigned char *in, size_t in_len, size_t *consumed,
                     unsigned char *out, size_t out_cap, size_t *produced, oci_error **err)
{
  ZSTD_inBuffer ib = { in, in_len, 0 };
  ZSTD_outBuffer ob = { out, out_cap, 0 };
  size_t r = ZSTD_decompressStream (z->zstd, &ob, &ib);
  *consumed = ib.pos;
  *produced = ob.pos;
  if (ZSTD_isError (r))
    return oci_error_set (err, 0, "zstd: %s", ZSTD_getErrorName (r));
  /* r == 0: a frame ended and all its output was flushed; frames may be
     concatenated (RFC 8878 3), the next input starts another */
  z->at_end = r == 0;
  return 0;
}

int inflater_run (inflater *z, const unsigned char *in, size_t in_len, size_t *consumed,
                  unsigned char *out, size_t out_cap, size_t *produced, oci_error **err)
{
  switch (z->kind)
    {
    case COMPRESSION_GZIP:
#ifdef OCIKIT_HAVE_ISAL
      if (z->use_isal)
        return run_isal (z, in, in_len, consumed, out, out_cap, produced, err);
#endif
      return run_zlib (z, in, in_len, consumed, out, out_cap, produced, err);
    case COMPRESSION_ZSTD:
      return run_zstd (z, in, in_len, consumed, out, out_cap, produced, err);
    default:
      {
        size_t n = in_len < out_cap ? in_len : out_cap;
        memcpy (out, in, n);
        *consumed = *produced = n;
        return 0;
      }
    }
}
