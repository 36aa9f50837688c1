/* HTTP to a registry (distribution-spec v2) over libcurl: the /v2/ ping,
   authenticated GETs that answer a 401 by asking for a fresh token, retries
   with backoff on connection errors, 5xx and 429 (Retry-After). */
#ifndef OCIKIT_FETCH_REGISTRY_H
#define OCIKIT_FETCH_REGISTRY_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "ref.h"

typedef struct registry_opts
{
  bool tls_verify;      /* verify TLS certificates (default) */
  const char *creds;    /* "USER:PASS" from --creds, or NULL */
  const char *authfile; /* --authfile, or NULL */
} registry_opts;

typedef struct http_reply
{
  long status;
  char *body;
  size_t len;
  size_t max;       /* larger bodies are an error */
  bool too_big;
  char *content_type;
  char *docker_digest;
  char *www_authenticate;
  char *content_range;
  long retry_after; /* seconds, -1 if absent */
} http_reply;

void http_reply_clear (http_reply *r);
/* CURLOPT_HEADERFUNCTION for an http_reply (a redirect's headers are
   forgotten at the next status line). */
size_t http_reply_header_cb (char *buf, size_t size, size_t n, void *data);
/* "message (404 MANIFEST_UNKNOWN)" from a distribution error body. */
char *http_reply_error_text (const http_reply *r);

/* Worth retrying after a pause: connection-level failures, 5xx, 429. */
bool http_curl_code_retriable (CURLcode c);
bool http_status_retriable (long status);
/* Pause before retry number `attempt` (0-based): exponential backoff, or
   Retry-After when the server gave one (capped). In milliseconds. */
long http_retry_delay_ms (int attempt, long retry_after);
#define HTTP_MAX_ATTEMPTS 5

typedef struct registry registry;

/* Connect to ref's registry: HTTPS, GET /v2/ and authenticate as the
   challenge asks for a pull of ref's repository. For localhost and
   127.0.0.0/8 (insecure registries) plain HTTP is assumed without a
   request: the first registry_get confirms it, or finds out that the
   registry speaks HTTPS, and authenticates on its 401. */
int registry_open (const image_ref *ref, const registry_opts *o, registry **out,
                   oci_error **err);
void registry_free (registry *r);
static inline void registry_freep (registry **r)
{
  if (*r)
    registry_free (*r);
}
#define cleanup_registry __attribute__ ((cleanup (registry_freep)))

/* GET (or HEAD) /v2/NAME/`what`/`ref` with the current credentials;
   a 401 fetches a fresh token and tries again. Any status comes back in
   *out (only transport failures and authentication are errors). */
int registry_get (registry *r, const char *what, const char *reference, const char *accept,
                  bool head, size_t max, http_reply *out, oci_error **err);

/* Before requests that do not go through registry_get (blobs): make sure
   the loopback registry's scheme is known. */
int registry_prepare (registry *r, oci_error **err);

/* For transfer.c: the URL of a blob, the common handle options (TLS,
   timeouts, redirects without forwarding credentials), the current
   Authorization header line (or NULL), and re-authentication after a 401. */
char *registry_blob_url (registry *r, const char *digest);
void registry_setup_handle (registry *r, CURL *e);
const char *registry_authorization (registry *r);
int registry_reauth (registry *r, const char *www_authenticate, oci_error **err);

#endif
