#include "auth.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "fileutil.h"
#include "json.h"

void auth_challenge_clear (auth_challenge *c)
{
  free (c->scheme);
  free (c->realm);
  free (c->service);
  free (c->scope);
  free (c->error);
  memset (c, 0, sizeof *c);
}

static bool is_token_char (char c)
{
  return c != '\0' && (isalnum ((unsigned char) c) || strchr ("!#$%&'*+-.^_`|~", c) != NULL);
}

/* Read a quoted-string or token at *p into a malloc'd string. */
static char *read_value (const char **p)
{
  const char *s = *p;
  char *out = malloc (strlen (s) + 1), *o = out;
  if (out == NULL)
    return NULL;
  if (*s == '"')
    {
      s++;
      while (*s && *s != '"')
        {
          if (*s == '\\' && s[1])
            s++;
          *o++ = *s++;
        }
      if (*s == '"')
        s++;
    }
  else
    while (*s && *s != ',' && !isspace ((unsigned char) *s))
      *o++ = *s++;
  *o = '\0';
  *p = s;
  return out;
}

int auth_parse_challenge (const char *header, auth_challenge *out, oci_error **err)
{
  const char *p = header;
  size_t n;
  memset (out, 0, sizeof *out);
  if (header == NULL)
    return oci_error_set (err, 0, "no WWW-Authenticate challenge");
  while (isspace ((unsigned char) *p))
    p++;
  for (n = 0; is_token_char (p[n]); n++)
    ;
  if (n == 0)
    return oci_error_set (err, 0, "malformed WWW-Authenticate challenge `%s`", header);
  out->scheme = strndup (p, n);
  for (char *c = out->scheme; *c; c++)
    *c = tolower ((unsigned char) *c);
  p += n;
  for (;;)
    {
      const char *k;
      size_t klen;
      char *v;
      while (isspace ((unsigned char) *p) || *p == ',')
        p++;
      if (*p == '\0')
        break;
      k = p;
      while (is_token_char (*p))
        p++;
      klen = p - k;
      while (isspace ((unsigned char) *p))
        p++;
      if (klen == 0 || *p != '=')
        {
          /* a second challenge ("..., Basic realm=...") or token68: stop */
          break;
        }
      p++;
      while (isspace ((unsigned char) *p))
        p++;
      v = read_value (&p);
      if (v == NULL)
        {
          auth_challenge_clear (out);
          return oci_error_set (err, ENOMEM, "parse WWW-Authenticate");
        }
#define PARAM(name)                                                            \
  if (klen == strlen (#name) && strncasecmp (k, #name, klen) == 0 && !out->name) \
    {                                                                          \
      out->name = v;                                                           \
      continue;                                                                \
    }
      PARAM (realm)
      PARAM (service)
      PARAM (scope)
      PARAM (error)
#undef PARAM
      free (v);
    }
  if (strcmp (out->scheme, "bearer") == 0 && (out->realm == NULL || out->realm[0] == '\0'))
    {
      auth_challenge_clear (out);
      return oci_error_set (err, 0, "Bearer challenge without a realm: `%s`", header);
    }
  return 0;
}

/* Strip "https://" and a trailing "/v1/"/"/v2/" path, map Docker Hub's
   aliases to docker.io: the key's canonical "host[/namespace]". */
static char *normalise_key (const char *key)
{
  char *k, *e;
  const char *s = strstr (key, "://");
  s = s ? s + 3 : key;
  k = strdup (s);
  if (k == NULL)
    return NULL;
  for (;;)
    {
      size_t n = strlen (k);
      if (n > 0 && k[n - 1] == '/')
        k[n - 1] = '\0';
      else if (n > 3 && (strcmp (k + n - 3, "/v1") == 0 || strcmp (k + n - 3, "/v2") == 0))
        k[n - 3] = '\0';
      else
        break;
    }
  e = k + strcspn (k, "/");
  {
    size_t hl = e - k;
    const char *alias = NULL;
    if (hl == 15 && strncmp (k, "index.docker.io", hl) == 0)
      alias = "docker.io";
    else if (hl == 20 && strncmp (k, "registry-1.docker.io", hl) == 0)
      alias = "docker.io";
    if (alias)
      {
        char *n = NULL;
        if (asprintf (&n, "%s%s", alias, e) < 0)
          n = NULL;
        free (k);
        return n;
      }
  }
  return k;
}

int auth_key_match (const char *key, const char *domain, const char *path)
{
  cleanup_free char *k = normalise_key (key);
  cleanup_free char *full = NULL;
  size_t kl;
  if (k == NULL || asprintf (&full, "%s/%s", domain, path) < 0)
    return -1;
  kl = strlen (k);
  if (strcmp (k, domain) == 0)
    return (int) kl;
  /* host/namespace prefix on a component boundary */
  if (strncmp (full, k, kl) == 0 && (full[kl] == '/' || full[kl] == '\0')
      && kl > strlen (domain))
    return (int) kl;
  return -1;
}

char *auth_basic_value (const char *user, const char *pass)
{
  cleanup_free char *plain = NULL;
  char *out;
  int n;
  if (asprintf (&plain, "%s:%s", user, pass) < 0)
    return NULL;
  n = strlen (plain);
  out = malloc (4 * ((n + 2) / 3) + 1);
  if (out == NULL)
    return NULL;
  EVP_EncodeBlock ((unsigned char *) out, (const unsigned char *) plain, n);
  return out;
}

static int decode_auth (const char *b64, const char *file, char **user, char **pass,
                        oci_error **err)
{
  size_t n = strlen (b64);
  cleanup_free unsigned char *buf = malloc (n + 1);
  int len;
  char *colon;
  if (buf == NULL)
    return oci_error_set (err, ENOMEM, "auth file `%s`", file);
  len = EVP_DecodeBlock (buf, (const unsigned char *) b64, n);
  if (len < 0)
    return oci_error_set (err, 0, "auth file `%s`: an `auth` value is not base64", file);
  /* EVP_DecodeBlock counts padding as zero bytes */
  while (n > 0 && b64[n - 1] == '=' && len > 0)
    {
      n--;
      len--;
    }
  buf[len] = '\0';
  colon = strchr ((char *) buf, ':');
  if (colon == NULL)
    return oci_error_set (err, 0, "auth file `%s`: an `auth` value is not user:password", file);
  *colon = '\0';
  *user = strdup ((char *) buf);
  *pass = strdup (colon + 1);
  return 0;
}

/* 0 found, 1 no entry or no file (when !must_exist), < 0 error. */
static int lookup_file (const char *file, bool must_exist, const char *domain, const char *path,
                        char **user, char **pass, oci_error **err)
{
  cleanup_free char *buf = NULL;
  cleanup_json yajl_val doc = NULL;
  size_t len;
  yajl_val auths, best = NULL;
  int best_len = -1;
  cleanup_close int fd = open (file, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    {
      if (!must_exist && (errno == ENOENT || errno == ENOTDIR))
        return 1;
      return oci_error_set (err, errno, "auth file `%s`", file);
    }
  if (read_all_fd (fd, 1 << 20, file, &buf, &len, err) < 0)
    return -1;
  if (json_parse (buf, len, "auth file", &doc, err) < 0)
    return oci_error_prefix (err, "`%s`", file);
  auths = json_get_object (doc, "auths");
  for (size_t i = 0; i < json_object_len (auths); i++)
    {
      int m = auth_key_match (json_object_key (auths, i), domain, path);
      if (m > best_len)
        {
          best_len = m;
          best = json_object_value (auths, i);
        }
    }
  if (best == NULL)
    return 1;
  {
    const char *a = json_get_string (best, "auth");
    const char *u = json_get_string (best, "username");
    const char *p = json_get_string (best, "password");
    if (a && *a)
      return decode_auth (a, file, user, pass, err) < 0 ? -1 : 0;
    if (u && p)
      {
        *user = strdup (u);
        *pass = strdup (p);
        return 0;
      }
  }
  return 1;
}

int auth_find_credentials (const char *authfile, const char *domain, const char *path,
                           char **user, char **pass, oci_error **err)
{
  const char *env;
  char *candidates[4] = { NULL, NULL, NULL, NULL };
  int n = 0, r = 1;

  if (authfile)
    return lookup_file (authfile, true, domain, path, user, pass, err);
  if ((env = getenv ("REGISTRY_AUTH_FILE")) && *env)
    candidates[n++] = strdup (env);
  if ((env = getenv ("XDG_RUNTIME_DIR")) && *env
      && asprintf (&candidates[n], "%s/containers/auth.json", env) >= 0)
    n++;
  if ((env = getenv ("XDG_CONFIG_HOME")) && *env)
    {
      if (asprintf (&candidates[n], "%s/containers/auth.json", env) >= 0)
        n++;
    }
  else if ((env = getenv ("HOME")) && *env
           && asprintf (&candidates[n], "%s/.config/containers/auth.json", env) >= 0)
    n++;
  if ((env = getenv ("HOME")) && *env
      && asprintf (&candidates[n], "%s/.docker/config.json", env) >= 0)
    n++;
  for (int i = 0; i < n && r == 1; i++)
    if (candidates[i])
      r = lookup_file (candidates[i], false, domain, path, user, pass, err);
  for (int i = 0; i < n; i++)
    free (candidates[i]);
  return r;
}

int auth_parse_token_reply (const char *body, size_t len, char **token, oci_error **err)
{
  cleanup_json yajl_val doc = NULL;
  const char *t;
  if (json_parse (body, len, "token service reply", &doc, err) < 0)
    return -1;
  t = json_get_string (doc, "token");
  if (t == NULL || *t == '\0')
    t = json_get_string (doc, "access_token");
  if (t == NULL || *t == '\0')
    return oci_error_set (err, 0, "token service reply has no token");
  *token = strdup (t);
  return *token ? 0 : oci_error_set (err, ENOMEM, "token");
}
