/* strv: a small list of malloc'd strings used throughout mkbundle. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"

int strv_push_take (strv *s, char *str)
{
  char **nv;
  if (str == NULL)
    return -1;
  nv = realloc (s->v, (s->n + 2) * sizeof *nv);
  if (nv == NULL)
    {
      free (str);
      return -1;
    }
  s->v = nv;
  s->v[s->n++] = str;
  s->v[s->n] = NULL;
  return 0;
}

int strv_push (strv *s, const char *str)
{
  return strv_push_take (s, strdup (str));
}

void strv_clear (strv *s)
{
  for (size_t i = 0; i < s->n; i++)
    free (s->v[i]);
  free (s->v);
  s->v = NULL;
  s->n = 0;
}

long strv_index (const strv *s, const char *str)
{
  for (size_t i = 0; i < s->n; i++)
    if (strcmp (s->v[i], str) == 0)
      return (long) i;
  return -1;
}

void strv_remove_at (strv *s, size_t i)
{
  if (i >= s->n)
    return;
  free (s->v[i]);
  memmove (&s->v[i], &s->v[i + 1], (s->n - i) * sizeof *s->v); /* moves the NULL too */
  s->n--;
}

int strv_split (strv *s, const char *str, char sep)
{
  const char *p = str;
  for (;;)
    {
      const char *e = strchr (p, sep);
      size_t len = e ? (size_t) (e - p) : strlen (p);
      if (strv_push_take (s, strndup (p, len)) < 0)
        return -1;
      if (e == NULL)
        return 0;
      p = e + 1;
    }
}

char *strv_join (const strv *s, const char *sep)
{
  size_t len = 1, sl = strlen (sep);
  char *out, *p;
  for (size_t i = 0; i < s->n; i++)
    len += strlen (s->v[i]) + sl;
  out = malloc (len);
  if (out == NULL)
    return NULL;
  p = out;
  *p = '\0';
  for (size_t i = 0; i < s->n; i++)
    {
      if (i)
        p = stpcpy (p, sep);
      p = stpcpy (p, s->v[i]);
    }
  return out;
}

void bundle_mount_clear (bundle_mount *m)
{
  free (m->destination);
  free (m->type);
  free (m->source);
  strv_clear (&m->options);
  memset (m, 0, sizeof *m);
}

bool utf8_valid (const char *s)
{
  const unsigned char *p = (const unsigned char *) s;
  while (*p)
    {
      unsigned cp, n;
      if (*p < 0x80)
        {
          p++;
          continue;
        }
      if ((*p & 0xE0) == 0xC0)
        n = 1, cp = *p & 0x1F;
      else if ((*p & 0xF0) == 0xE0)
        n = 2, cp = *p & 0x0F;
      else if ((*p & 0xF8) == 0xF0)
        n = 3, cp = *p & 0x07;
      else
        return false;
      for (unsigned i = 1; i <= n; i++)
        {
          if ((p[i] & 0xC0) != 0x80)
            return false;
          cp = (cp << 6) | (p[i] & 0x3F);
        }
      /* overlong forms, surrogates, beyond U+10FFFF */
      if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000)
          || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        return false;
      p += n + 1;
    }
  return true;
}
