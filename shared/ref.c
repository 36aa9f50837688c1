#include "ref.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "digest.h"

#define NAME_MAX_LEN 255

void ref_free (image_ref *r)
{
  if (r == NULL)
    return;
  free (r->domain);
  free (r->path);
  free (r->tag);
  free (r->digest);
  free (r);
}

bool ref_tag_is_valid (const char *tag)
{
  size_t n = strlen (tag);
  if (n == 0 || n > 128)
    return false;
  if (!(isalnum ((unsigned char) tag[0]) || tag[0] == '_'))
    return false;
  for (size_t i = 1; i < n; i++)
    if (!(isalnum ((unsigned char) tag[i]) || strchr ("_.-", tag[i])))
      return false;
  return true;
}

static bool is_lower_alnum (char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

/* A path component: [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)* */
static bool component_is_valid (const char *s, size_t n)
{
  size_t i = 0;
  if (n == 0 || !is_lower_alnum (s[0]) || !is_lower_alnum (s[n - 1]))
    return false;
  while (i < n)
    {
      if (is_lower_alnum (s[i]))
        {
          i++;
          continue;
        }
      /* a separator run */
      size_t j = i;
      while (j < n && !is_lower_alnum (s[j]))
        j++;
      size_t len = j - i;
      if (s[i] == '.' || s[i] == '_')
        {
          if (!(len == 1 || (len == 2 && s[i] == '_' && s[i + 1] == '_')))
            return false;
        }
      else if (s[i] == '-')
        {
          for (size_t k = i; k < j; k++)
            if (s[k] != '-')
              return false;
        }
      else
        return false;
      i = j;
    }
  return true;
}

/* host: dns labels with '.', or [v6], optional :port */
static bool domain_is_valid (const char *d)
{
  const char *p = d;
  if (*p == '[')
    {
      const char *e = strchr (p, ']');
      if (e == NULL)
        return false;
      p = e + 1;
    }
  else
    {
      if (!isalnum ((unsigned char) *p))
        return false;
      while (*p && *p != ':')
        {
          if (!(isalnum ((unsigned char) *p) || *p == '.' || *p == '-'))
            return false;
          p++;
        }
    }
  if (*p == ':')
    {
      p++;
      if (!*p)
        return false;
      for (; *p; p++)
        if (!isdigit ((unsigned char) *p))
          return false;
    }
  return *p == '\0';
}

int ref_parse (const char *s, image_ref **out, oci_error **err)
{
  cleanup_free char *copy = NULL;
  char *at, *name, *slash, *colon, *lastslash;
  image_ref *r;

  if (s == NULL || *s == '\0')
    return oci_error_set (err, 0, "invalid reference: empty");
  if (strlen (s) > 4096)
    return oci_error_set (err, 0, "invalid reference: too long");
  copy = strdup (s);
  r = calloc (1, sizeof *r);
  if (copy == NULL || r == NULL)
    {
      free (r);
      return oci_error_set (err, ENOMEM, "parse reference");
    }

#define FAIL(...)                                                              \
  do                                                                           \
    {                                                                          \
      ref_free (r);                                                            \
      return oci_error_set (err, 0, __VA_ARGS__);                              \
    }                                                                          \
  while (0)

  at = strrchr (copy, '@');
  if (at)
    {
      *at = '\0';
      if (!digest_is_valid (at + 1))
        FAIL ("invalid reference `%s`: bad digest `%s` (want sha256: and 64 lowercase hex digits)",
              s, at + 1);
      r->digest = strdup (at + 1);
    }
  name = copy;
  lastslash = strrchr (name, '/');
  colon = strrchr (name, ':');
  if (colon && (lastslash == NULL || colon > lastslash))
    {
      *colon = '\0';
      if (!ref_tag_is_valid (colon + 1))
        FAIL ("invalid reference `%s`: bad tag `%s`", s, colon + 1);
      r->tag = strdup (colon + 1);
    }
  slash = strchr (name, '/');
  if (slash && (memchr (name, '.', slash - name) || memchr (name, ':', slash - name)
                || (slash - name == 9 && strncmp (name, "localhost", 9) == 0)))
    {
      *slash = '\0';
      if (!domain_is_valid (name))
        FAIL ("invalid reference `%s`: bad registry host `%s`", s, name);
      r->domain = strdup (strcmp (name, "index.docker.io") == 0 ? "docker.io" : name);
      name = slash + 1;
    }
  else
    r->domain = strdup ("docker.io");

  if (*name == '\0')
    FAIL ("invalid reference `%s`: no repository name", s);
  for (const char *c = name; *c; c++)
    if (isupper ((unsigned char) *c))
      FAIL ("invalid reference `%s`: repository name must be lowercase", s);
  {
    const char *p = name;
    for (;;)
      {
        const char *e = strchr (p, '/');
        size_t n = e ? (size_t) (e - p) : strlen (p);
        if (!component_is_valid (p, n))
          FAIL ("invalid reference `%s`: bad repository name component `%.*s`", s,
                (int) n, p);
        if (!e)
          break;
        p = e + 1;
      }
  }
  if (strcmp (r->domain, "docker.io") == 0 && strchr (name, '/') == NULL)
    {
      if (asprintf (&r->path, "library/%s", name) < 0)
        r->path = NULL;
    }
  else
    r->path = strdup (name);
  if (r->tag == NULL && r->digest == NULL)
    r->tag = strdup ("latest");
  if (r->domain == NULL || r->path == NULL)
    FAIL ("parse reference: out of memory");
  if (strlen (r->domain) + 1 + strlen (r->path) > NAME_MAX_LEN)
    FAIL ("invalid reference `%s`: name longer than %d characters", s, NAME_MAX_LEN);
#undef FAIL
  *out = r;
  return 0;
}

char *ref_name (const image_ref *r)
{
  char *s = NULL;
  if (asprintf (&s, "%s/%s", r->domain, r->path) < 0)
    return NULL;
  return s;
}

static char *join (const image_ref *r, const char *tag, const char *digest)
{
  char *s = NULL;
  if (asprintf (&s, "%s/%s%s%s%s%s", r->domain, r->path, tag ? ":" : "", tag ? tag : "",
                digest ? "@" : "", digest ? digest : "")
      < 0)
    return NULL;
  return s;
}

char *ref_string (const image_ref *r) { return join (r, r->tag, r->digest); }
char *ref_pinned (const image_ref *r, const char *digest) { return join (r, r->tag, digest); }
char *ref_store_name (const image_ref *r)
{
  return r->tag ? join (r, r->tag, NULL) : join (r, NULL, r->digest);
}

const char *ref_registry_host (const image_ref *r)
{
  return strcmp (r->domain, "docker.io") == 0 ? "registry-1.docker.io" : r->domain;
}

bool ref_registry_is_local (const image_ref *r)
{
  const char *d = r->domain;
  size_t hostlen = strcspn (d, ":");
  if (d[0] == '[')
    return strncmp (d, "[::1]", 5) == 0;
  if (hostlen == 9 && strncmp (d, "localhost", 9) == 0)
    return true;
  return strncmp (d, "127.", 4) == 0;
}
