#include "digest.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sha256x.h"

/* sha256x where the CPU has the SHA extensions (it hashes several blobs
   at once faster, see digest_update_many), libcrypto otherwise (md). */
struct digest_ctx
{
  EVP_MD_CTX *md;
  sha256x_ctx x;
};

digest_ctx *digest_new (void)
{
  digest_ctx *c = calloc (1, sizeof *c);
  if (c == NULL)
    return NULL;
  if (sha256x_available ())
    {
      sha256x_init (&c->x);
      return c;
    }
  c->md = EVP_MD_CTX_new ();
  if (c->md == NULL || EVP_DigestInit_ex (c->md, EVP_sha256 (), NULL) != 1)
    {
      EVP_MD_CTX_free (c->md);
      free (c);
      return NULL;
    }
  return c;
}

void digest_update (digest_ctx *c, const void *buf, size_t len)
{
  digest_update_many (&c, &buf, &len, 1);
}

void digest_update_many (digest_ctx *c[], const void *buf[], const size_t len[], size_t n)
{
  sha256x_ctx *x[SHA256X_MAX_STREAMS];
  size_t k = 0;
  if (n == 0)
    return;
  if (c[0]->md)
    {
      for (size_t i = 0; i < n; i++)
        EVP_DigestUpdate (c[i]->md, buf[i], len[i]);
      return;
    }
  for (size_t i = 0; i < n; i += k)
    {
      k = n - i < SHA256X_MAX_STREAMS ? n - i : SHA256X_MAX_STREAMS;
      for (size_t j = 0; j < k; j++)
        x[j] = &c[i + j]->x;
      sha256x_update_many (x, buf + i, len + i, k);
    }
}

void digest_final (digest_ctx *c, char out[DIGEST_STR_LEN + 1])
{
  static const char hex[] = "0123456789abcdef";
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 32;
  if (c->md)
    EVP_DigestFinal_ex (c->md, md, &n);
  else
    sha256x_final (&c->x, md);
  memcpy (out, "sha256:", 7);
  for (unsigned int i = 0; i < n && i < 32; i++)
    {
      out[7 + 2 * i] = hex[md[i] >> 4];
      out[8 + 2 * i] = hex[md[i] & 15];
    }
  out[DIGEST_STR_LEN] = '\0';
}

void digest_free (digest_ctx *c)
{
  EVP_MD_CTX_free (c->md);
  free (c);
}

void digest_buffer (const void *buf, size_t len, char out[DIGEST_STR_LEN + 1])
{
  digest_ctx *c = digest_new ();
  if (c == NULL)
    abort ();
  digest_update (c, buf, len);
  digest_final (c, out);
  digest_free (c);
}

int digest_fd (int fd, char out[DIGEST_STR_LEN + 1], long long *size, oci_error **err)
{
  char buf[1 << 16];
  long long total = 0;
  cleanup_digest digest_ctx *c = digest_new ();
  if (c == NULL)
    return oci_error_set (err, ENOMEM, "sha256");
  for (;;)
    {
      ssize_t n = read (fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return oci_error_set (err, errno, "read");
      if (n == 0)
        break;
      digest_update (c, buf, n);
      total += n;
    }
  digest_final (c, out);
  if (size)
    *size = total;
  return 0;
}

bool digest_is_valid (const char *d)
{
  if (d == NULL || strncmp (d, "sha256:", 7) != 0 || strlen (d) != DIGEST_STR_LEN)
    return false;
  for (const char *p = d + 7; *p; p++)
    if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
      return false;
  return true;
}

const char *digest_hex (const char *d) { return d + 7; }
