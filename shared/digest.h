/* Content digests (image-spec descriptor.md): "sha256:" + 64 lowercase hex.
   SHA-256 through sha256x.c where the CPU has the SHA extensions, else
   OpenSSL's libcrypto; sha512 is recognised but we only compute sha256. */
#ifndef OCIKIT_DIGEST_H
#define OCIKIT_DIGEST_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

#define DIGEST_HEX_LEN 64
#define DIGEST_STR_LEN (7 + DIGEST_HEX_LEN) /* "sha256:" + hex */

typedef struct digest_ctx digest_ctx;

digest_ctx *digest_new (void);
void digest_update (digest_ctx *c, const void *buf, size_t len);
/* The same for n distinct contexts at once (c[i] gets buf[i], len[i]
   bytes): several streams hashed together cost less CPU than one by one. */
void digest_update_many (digest_ctx *c[], const void *buf[], const size_t len[], size_t n);
/* Writes "sha256:HEX\0" into out (DIGEST_STR_LEN + 1 bytes). */
void digest_final (digest_ctx *c, char out[DIGEST_STR_LEN + 1]);
void digest_free (digest_ctx *c);
static inline void digest_freep (digest_ctx **c)
{
  if (*c)
    digest_free (*c);
}
#define cleanup_digest __attribute__ ((cleanup (digest_freep)))

void digest_buffer (const void *buf, size_t len, char out[DIGEST_STR_LEN + 1]);
/* Digest of everything readable from fd (from its current offset). */
int digest_fd (int fd, char out[DIGEST_STR_LEN + 1], long long *size, oci_error **err);

/* True for "sha256:" + 64 lowercase hex (the only algorithm we store). */
bool digest_is_valid (const char *d);
/* The hex part of a valid digest. */
const char *digest_hex (const char *d);

#endif
