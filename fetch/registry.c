#include "registry.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "cleanup.h"
#include "json.h"
#include "log.h"

struct registry
{
  char *base;   /* "http://127.0.0.1:5000" */
  char *domain; /* as in the reference: "docker.io" */
  char *path;   /* repository: "library/alpine" */
  registry_opts opts;
  bool creds_loaded;
  char *user, *pass;
  char *authz;  /* "Authorization: Bearer ..." or NULL */
  bool insecure; /* a loopback registry: TLS without verification */
  bool unprobed; /* loopback: plain HTTP assumed, not yet confirmed */
  char *host;    /* ref's registry host[:port] */
  int max_attempts;
  CURLcode last_code; /* of the last request */
  CURL *easy;   /* for the synchronous requests */
};

void http_reply_clear (http_reply *r)
{
  free (r->body);
  free (r->content_type);
  free (r->docker_digest);
  free (r->www_authenticate);
  free (r->content_range);
  memset (r, 0, sizeof *r);
  r->retry_after = -1;
}

static char *header_value (const char *buf, size_t len, const char *name)
{
  size_t nl = strlen (name);
  const char *v, *e;
  if (len <= nl || strncasecmp (buf, name, nl) != 0 || buf[nl] != ':')
    return NULL;
  v = buf + nl + 1;
  e = buf + len;
  while (v < e && isspace ((unsigned char) *v))
    v++;
  while (e > v && isspace ((unsigned char) e[-1]))
    e--;
  return strndup (v, e - v);
}

size_t http_reply_header_cb (char *buf, size_t size, size_t n, void *data)
{
  http_reply *r = data;
  size_t len = size * n;
  char *v;
  if (len >= 5 && strncmp (buf, "HTTP/", 5) == 0)
    {
      /* a new response (after a redirect): forget the previous headers */
      free (r->content_type);
      free (r->docker_digest);
      free (r->www_authenticate);
      free (r->content_range);
      r->content_type = r->docker_digest = r->www_authenticate = r->content_range = NULL;
      r->retry_after = -1;
      return len;
    }
#define TAKE(field, name)                                                      \
  if ((v = header_value (buf, len, name)) != NULL)                             \
    {                                                                          \
      if (r->field == NULL)                                                    \
        r->field = v;                                                          \
      else                                                                     \
        free (v);                                                              \
      return len;                                                              \
    }
  TAKE (content_type, "Content-Type")
  TAKE (docker_digest, "Docker-Content-Digest")
  TAKE (www_authenticate, "WWW-Authenticate")
  TAKE (content_range, "Content-Range")
#undef TAKE
  if ((v = header_value (buf, len, "Retry-After")) != NULL)
    {
      char *end;
      long s = strtol (v, &end, 10);
      /* an HTTP date instead of seconds: wait a little */
      r->retry_after = (end != v && *end == '\0' && s >= 0) ? s : 2;
      free (v);
    }
  return len;
}

static size_t body_cb (char *buf, size_t size, size_t n, void *data)
{
  http_reply *r = data;
  size_t len = size * n;
  char *nb;
  if (r->len + len > r->max)
    {
      r->too_big = true;
      return 0;
    }
  nb = realloc (r->body, r->len + len + 1);
  if (nb == NULL)
    return 0;
  memcpy (nb + r->len, buf, len);
  r->body = nb;
  r->len += len;
  r->body[r->len] = '\0';
  return len;
}

char *http_reply_error_text (const http_reply *r)
{
  cleanup_json yajl_val doc = NULL;
  const char *msg = NULL, *code = NULL;
  char *out = NULL;
  if (r->body && r->len && json_parse (r->body, r->len, "error", &doc, NULL) == 0)
    {
      yajl_val e = json_array_at (json_get_array (doc, "errors"), 0);
      msg = json_get_string (e, "message");
      code = json_get_string (e, "code");
    }
  if (msg == NULL)
    switch (r->status)
      {
      case 401: msg = "unauthorized"; break;
      case 403: msg = "forbidden"; break;
      case 404: msg = "not found"; break;
      case 429: msg = "too many requests"; break;
      default: msg = r->status >= 500 ? "server error" : "unexpected answer";
      }
  if (asprintf (&out, "%s (HTTP %ld%s%s)", msg, r->status, code ? " " : "", code ? code : "")
      < 0)
    return NULL;
  return out;
}

bool http_curl_code_retriable (CURLcode c)
{
  switch (c)
    {
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
      return true;
    default:
      return false;
    }
}

bool http_status_retriable (long status)
{
  return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

long http_retry_delay_ms (int attempt, long retry_after)
{
  long ms;
  if (retry_after >= 0)
    return (retry_after > 60 ? 60 : retry_after) * 1000;
  ms = 200L << (attempt > 5 ? 5 : attempt);
  return ms > 5000 ? 5000 : ms;
}

static void sleep_ms (long ms)
{
  struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
  while (nanosleep (&ts, &ts) < 0 && errno == EINTR)
    ;
}

void registry_setup_handle (registry *r, CURL *e)
{
  curl_easy_setopt (e, CURLOPT_USERAGENT, "ocikit-img-fetch/" OCIKIT_VERSION);
  curl_easy_setopt (e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (e, CURLOPT_CONNECTTIMEOUT, 30L);
  /* a stalled transfer counts as a connection error (and is retried) */
  curl_easy_setopt (e, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt (e, CURLOPT_LOW_SPEED_TIME, 60L);
  /* Blob GETs may be redirected to storage on another host; libcurl then
     drops the Authorization header (never set CURLOPT_UNRESTRICTED_AUTH:
     S3 refuses two auth mechanisms, and the token is not theirs). */
  curl_easy_setopt (e, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt (e, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt (e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt (e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  if (!r->opts.tls_verify || r->insecure)
    {
      curl_easy_setopt (e, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt (e, CURLOPT_SSL_VERIFYHOST, 0L);
      /* nothing to verify against: do not load the system's CA bundle
         (about a megabyte of resident memory) */
      curl_easy_setopt (e, CURLOPT_CAINFO, NULL);
      curl_easy_setopt (e, CURLOPT_CAPATH, NULL);
    }
}

const char *registry_authorization (registry *r) { return r->authz; }

char *registry_blob_url (registry *r, const char *digest)
{
  char *u = NULL;
  if (asprintf (&u, "%s/v2/%s/blobs/%s", r->base, r->path, digest) < 0)
    return NULL;
  return u;
}

/* One request with retries on transient failures. `authz` is a header
   line or NULL; `userpwd` turns on Basic auth (for the token service). */
static int http_get (registry *r, const char *url, const char *accept, const char *authz,
                     const char *user, const char *pass, bool head, size_t max,
                     http_reply *out, oci_error **err)
{
  int max_attempts = r->max_attempts > 0 ? r->max_attempts : HTTP_MAX_ATTEMPTS;
  for (int attempt = 0;; attempt++)
    {
      struct curl_slist *hdrs = NULL;
      cleanup_free char *accept_line = NULL;
      char errbuf[CURL_ERROR_SIZE] = "";
      CURLcode c;

      http_reply_clear (out);
      out->max = max;
      curl_easy_reset (r->easy);
      registry_setup_handle (r, r->easy);
      curl_easy_setopt (r->easy, CURLOPT_URL, url);
      curl_easy_setopt (r->easy, CURLOPT_ERRORBUFFER, errbuf);
      if (accept && asprintf (&accept_line, "Accept: %s", accept) >= 0)
        hdrs = curl_slist_append (hdrs, accept_line);
      if (authz)
        hdrs = curl_slist_append (hdrs, authz);
      curl_easy_setopt (r->easy, CURLOPT_HTTPHEADER, hdrs);
      if (user)
        {
          curl_easy_setopt (r->easy, CURLOPT_HTTPAUTH, (long) CURLAUTH_BASIC);
          curl_easy_setopt (r->easy, CURLOPT_USERNAME, user);
          curl_easy_setopt (r->easy, CURLOPT_PASSWORD, pass);
        }
      if (head)
        curl_easy_setopt (r->easy, CURLOPT_NOBODY, 1L);
      curl_easy_setopt (r->easy, CURLOPT_HEADERFUNCTION, http_reply_header_cb);
      curl_easy_setopt (r->easy, CURLOPT_HEADERDATA, out);
      curl_easy_setopt (r->easy, CURLOPT_WRITEFUNCTION, body_cb);
      curl_easy_setopt (r->easy, CURLOPT_WRITEDATA, out);
      c = curl_easy_perform (r->easy);
      r->last_code = c;
      curl_slist_free_all (hdrs);
      if (c == CURLE_OK)
        curl_easy_getinfo (r->easy, CURLINFO_RESPONSE_CODE, &out->status);
      if (c == CURLE_WRITE_ERROR && out->too_big)
        {
          http_reply_clear (out);
          return oci_error_set (err, 0, "GET %s: answer larger than %zu bytes", url, max);
        }
      /* nothing listening: a few quick tries, not the whole backoff */
      if (c != CURLE_OK
          && ((c == CURLE_COULDNT_CONNECT && attempt + 1 >= 3)
              || !(http_curl_code_retriable (c) && attempt + 1 < max_attempts)))
        {
          http_reply_clear (out);
          return oci_error_set (err, 0, "%s %s: %s", head ? "HEAD" : "GET", url,
                                errbuf[0] ? errbuf : curl_easy_strerror (c));
        }
      if (c == CURLE_OK
          && !(http_status_retriable (out->status) && attempt + 1 < max_attempts))
        return 0;
      {
        long ms = http_retry_delay_ms (attempt, c == CURLE_OK ? out->retry_after : -1);
        if (c == CURLE_OK)
          log_debug ("GET %s: HTTP %ld, retrying in %ld ms", url, out->status, ms);
        else
          log_debug ("GET %s: %s, retrying in %ld ms", url, curl_easy_strerror (c), ms);
        sleep_ms (ms);
      }
    }
}

static int load_creds (registry *r, oci_error **err)
{
  int rc;
  if (r->creds_loaded)
    return 0;
  r->creds_loaded = true;
  if (r->opts.creds)
    {
      const char *colon = strchr (r->opts.creds, ':');
      if (colon == NULL)
        return oci_error_set (err, 0, "--creds: want USER:PASSWORD");
      r->user = strndup (r->opts.creds, colon - r->opts.creds);
      r->pass = strdup (colon + 1);
      return 0;
    }
  rc = auth_find_credentials (r->opts.authfile, r->domain, r->path, &r->user, &r->pass, err);
  return rc < 0 ? -1 : 0;
}

int registry_reauth (registry *r, const char *www_authenticate, oci_error **err)
{
  auth_challenge ch;
  int rc = -1;
  if (www_authenticate == NULL)
    return oci_error_set (err, 0, "%s answered 401 without a WWW-Authenticate challenge",
                          r->domain);
  if (auth_parse_challenge (www_authenticate, &ch, err) < 0)
    return oci_error_prefix (err, "%s", r->domain);
  if (load_creds (r, err) < 0)
    goto out;
  if (strcmp (ch.scheme, "basic") == 0)
    {
      cleanup_free char *b = NULL;
      if (r->user == NULL)
        {
          oci_error_set (err, 0, "%s requires a user name and password (--creds or an auth file)",
                         r->domain);
          goto out;
        }
      b = auth_basic_value (r->user, r->pass);
      free (r->authz);
      r->authz = NULL;
      if (b == NULL || asprintf (&r->authz, "Authorization: Basic %s", b) < 0)
        {
          r->authz = NULL;
          oci_error_set (err, ENOMEM, "auth");
          goto out;
        }
      rc = 0;
    }
  else if (strcmp (ch.scheme, "bearer") == 0)
    {
      cleanup_free char *url = NULL, *scope = NULL, *token = NULL;
      cleanup_free char *e_service = NULL, *e_scope = NULL, *e_account = NULL;
      http_reply rep = { .retry_after = -1 };
      /* The scope the registry asked for, else a pull of our repository. */
      if (ch.scope)
        scope = strdup (ch.scope);
      else if (asprintf (&scope, "repository:%s:pull", r->path) < 0)
        scope = NULL;
      e_service = ch.service ? curl_easy_escape (r->easy, ch.service, 0) : NULL;
      e_scope = scope ? curl_easy_escape (r->easy, scope, 0) : NULL;
      e_account = r->user ? curl_easy_escape (r->easy, r->user, 0) : NULL;
      if (asprintf (&url, "%s%s%s%s%s%s%s%s", ch.realm, strchr (ch.realm, '?') ? "&" : "?",
                    e_service ? "service=" : "", e_service ? e_service : "",
                    e_scope ? "&scope=" : "", e_scope ? e_scope : "",
                    e_account ? "&account=" : "", e_account ? e_account : "")
          < 0)
        {
          url = NULL;
          oci_error_set (err, ENOMEM, "auth");
          goto out;
        }
      if (http_get (r, url, "application/json", NULL, r->user, r->pass, false, 1 << 20, &rep,
                    err)
          < 0)
        {
          oci_error_prefix (err, "token service");
          goto out;
        }
      if (rep.status == 401 || rep.status == 403)
        {
          oci_error_set (err, 0, "token service %s rejected %s (HTTP %ld)", ch.realm,
                         r->user ? "the credentials" : "an anonymous request", rep.status);
          http_reply_clear (&rep);
          goto out;
        }
      if (rep.status != 200)
        {
          cleanup_free char *t = http_reply_error_text (&rep);
          oci_error_set (err, 0, "token service %s: %s", ch.realm, t ? t : "error");
          http_reply_clear (&rep);
          goto out;
        }
      rc = auth_parse_token_reply (rep.body, rep.len, &token, err);
      http_reply_clear (&rep);
      if (rc < 0)
        goto out;
      free (r->authz);
      if (asprintf (&r->authz, "Authorization: Bearer %s", token) < 0)
        {
          r->authz = NULL;
          rc = oci_error_set (err, ENOMEM, "auth");
        }
    }
  else
    oci_error_set (err, 0, "%s asks for unsupported authentication `%s`", r->domain, ch.scheme);
out:
  auth_challenge_clear (&ch);
  return rc;
}

static int probe_loopback (registry *r, oci_error **err);

/* The first request to a loopback registry, over plain HTTP and tried
   once: any HTTP answer but a 400 says the registry speaks it (0, the
   answer in *out, or 1: a 5xx/429 answer, waited for as it asked); else
   probe_loopback finds out how it speaks (1). */
static int first_loopback_request (registry *r, const char *url, const char *accept, bool head,
                                   size_t max, http_reply *out, oci_error **err)
{
  oci_error *quick_err = NULL;
  int rc;
  r->unprobed = false;
  r->max_attempts = 1;
  rc = http_get (r, url, accept, r->authz, NULL, NULL, head, max, out, &quick_err);
  r->max_attempts = 0;
  oci_error_free (&quick_err);
  if (rc == 0 && out->status != 400)
    log_debug ("%s: registry at %s", r->domain, r->base);
  if (rc == 0 && out->status != 400 && !http_status_retriable (out->status))
    return 0;
  if (rc == 0 && out->status != 400)
    {
      sleep_ms (http_retry_delay_ms (0, out->retry_after));
      return 1;
    }
  http_reply_clear (out);
  return probe_loopback (r, err) < 0 ? -1 : 1;
}

int registry_prepare (registry *r, oci_error **err)
{
  if (!r->unprobed)
    return 0;
  r->unprobed = false;
  return probe_loopback (r, err);
}

int registry_get (registry *r, const char *what, const char *reference, const char *accept,
                  bool head, size_t max, http_reply *out, oci_error **err)
{
  cleanup_free char *url = NULL;
  int first = 1;
  if (r->unprobed)
    {
      if (asprintf (&url, "%s/v2/%s/%s/%s", r->base, r->path, what, reference) < 0)
        return oci_error_set (err, ENOMEM, "url");
      first = first_loopback_request (r, url, accept, head, max, out, err);
      if (first < 0)
        return -1;
      /* the base may have changed (HTTPS) */
      free (url);
      url = NULL;
    }
  if (asprintf (&url, "%s/v2/%s/%s/%s", r->base, r->path, what, reference) < 0)
    return oci_error_set (err, ENOMEM, "url");
  for (int tries = 0;; tries++)
    {
      /* first == 0: the first request's answer is in *out already */
      if (first != 0 && http_get (r, url, accept, r->authz, NULL, NULL, head, max, out, err) < 0)
        return -1;
      first = 1;
      if (out->status != 401)
        return 0;
      if (tries > 0)
        {
          /* A fresh token and still 401: the token service gave no
             access (NOTES.md: private repository, anonymous token). */
          http_reply_clear (out);
          return oci_error_set (err, 0, "access denied to %s/%s%s", r->domain, r->path,
                                r->user ? " with these credentials"
                                        : " (authentication required: --creds or an auth file)");
        }
      if (registry_reauth (r, out->www_authenticate, err) < 0)
        {
          http_reply_clear (out);
          return -1;
        }
    }
}

/* r->base = SCHEME://host and *url = its /v2/ */
static int set_base (registry *r, const char *scheme, const char *host, char **url)
{
  free (r->base);
  free (*url);
  r->base = *url = NULL;
  if (asprintf (&r->base, "%s://%s", scheme, host) < 0)
    {
      r->base = NULL;
      return -1;
    }
  if (asprintf (url, "%s/v2/", r->base) < 0)
    {
      *url = NULL;
      return -1;
    }
  return 0;
}

/* The /v2/ answer: 200, or 401 with the challenge to authenticate by. */
static int check_ping (registry *r, http_reply *rep, oci_error **err)
{
  if (rep->status == 401)
    {
      /* the ping's challenge has no scope: registry_reauth asks for a pull
         of our repository, so the first manifest GET needs no retry */
      return registry_reauth (r, rep->www_authenticate, err);
    }
  if (rep->status != 200)
    {
      cleanup_free char *t = http_reply_error_text (rep);
      return oci_error_set (err, 0, "%s is not a registry: GET /v2/ answered %s", r->domain,
                            t ? t : "?");
    }
  return 0;
}

/* Find out how a loopback registry speaks (Docker treats 127.0.0.0/8 as
   insecure registries): plain HTTP, or HTTPS without verification; and
   authenticate as its /v2/ challenge asks. Called when the first request
   over plain HTTP got no HTTP answer or a 400. */
static int probe_loopback (registry *r, oci_error **err)
{
  http_reply rep = { .retry_after = -1 };
  cleanup_free char *url = NULL;
  oci_error *probe_err = NULL;
  int rc = -1;

  r->max_attempts = 1;
  if (set_base (r, "http", r->host, &url) < 0)
    goto nomem;
  if (http_get (r, url, NULL, NULL, NULL, NULL, false, 1 << 16, &rep, &probe_err) == 0
      && rep.status != 400)
    {
      r->max_attempts = 0;
      if (http_status_retriable (rep.status)
          && http_get (r, url, NULL, NULL, NULL, NULL, false, 1 << 16, &rep, err) < 0)
        goto out;
    }
  else if (probe_err && r->last_code == CURLE_COULDNT_CONNECT)
    {
      /* nothing listening (yet): the usual retries, over HTTP */
      oci_error_free (&probe_err);
      r->max_attempts = 0;
      if (http_get (r, url, NULL, NULL, NULL, NULL, false, 1 << 16, &rep, err) < 0)
        goto out;
    }
  else
    {
      /* a TLS server: no answer to plain HTTP, or a 400 saying so;
         or a transient failure: then back to HTTP with retries */
      log_debug ("%s: plain HTTP failed (%s), trying HTTPS", r->domain,
                 probe_err ? probe_err->msg : "HTTP 400");
      oci_error_free (&probe_err);
      if (set_base (r, "https", r->host, &url) < 0)
        goto nomem;
      bool https_failed
        = http_get (r, url, NULL, NULL, NULL, NULL, false, 1 << 16, &rep, &probe_err) < 0;
      oci_error_free (&probe_err);
      if (https_failed && set_base (r, "http", r->host, &url) < 0)
        goto nomem;
      r->max_attempts = 0;
      if ((https_failed || http_status_retriable (rep.status))
          && http_get (r, url, NULL, NULL, NULL, NULL, false, 1 << 16, &rep, err) < 0)
        goto out;
    }
  log_debug ("%s: registry at %s", r->domain, r->base);
  rc = check_ping (r, &rep, err);
  goto out;
nomem:
  oci_error_set (err, ENOMEM, "registry");
out:
  r->max_attempts = 0;
  oci_error_free (&probe_err);
  http_reply_clear (&rep);
  return rc;
}

int registry_open (const image_ref *ref, const registry_opts *o, registry **out,
                   oci_error **err)
{
  registry *r = calloc (1, sizeof *r);
  http_reply rep = { .retry_after = -1 };
  cleanup_free char *url = NULL;
  if (r == NULL)
    return oci_error_set (err, ENOMEM, "registry");
  r->opts = *o;
  r->domain = strdup (ref->domain);
  r->path = strdup (ref->path);
  r->host = strdup (ref_registry_host (ref));
  r->easy = curl_easy_init ();
  if (r->domain == NULL || r->path == NULL || r->host == NULL || r->easy == NULL)
    goto nomem;
  if (ref_registry_is_local (ref))
    {
      /* Loopback registries are insecure registries: plain HTTP is
         assumed (most speak it; a TLS handshake costs every run about a
         megabyte of OpenSSL state) and the first request confirms it, so
         no round trip for a /v2/ ping (registry_get probes when it fails,
         and authenticates on a 401 as on any request). */
      r->insecure = true;
      r->unprobed = true;
      if (set_base (r, "http", r->host, &url) < 0)
        goto nomem;
      *out = r;
      return 0;
    }
  if (set_base (r, "https", r->host, &url) < 0)
    goto nomem;
  if (http_get (r, url, NULL, NULL, NULL, NULL, false, 1 << 16, &rep, err) < 0
      || check_ping (r, &rep, err) < 0)
    goto fail;
  http_reply_clear (&rep);
  *out = r;
  return 0;
nomem:
  oci_error_set (err, ENOMEM, "registry");
fail:
  http_reply_clear (&rep);
  registry_free (r);
  return -1;
}

void registry_free (registry *r)
{
  if (r == NULL)
    return;
  if (r->easy)
    curl_easy_cleanup (r->easy);
  free (r->base);
  free (r->domain);
  free (r->path);
  free (r->host);
  free (r->user);
  if (r->pass)
    explicit_bzero (r->pass, strlen (r->pass));
  free (r->pass);
  if (r->authz)
    explicit_bzero (r->authz, strlen (r->authz));
  free (r->authz);
  free (r);
}
