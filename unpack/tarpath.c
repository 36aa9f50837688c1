#include "tarpath.h"

#include <stdlib.h>
#include <string.h>

char *tarpath_clean (const char *name, bool *escaped)
{
  size_t len = strlen (name);
  char *out = malloc (len + 1);
  size_t o = 0;
  const char *p = name;

  if (escaped)
    *escaped = false;
  if (out == NULL)
    return NULL;
  while (*p)
    {
      const char *c;
      size_t n;
      while (*p == '/')
        p++;
      c = p;
      while (*p && *p != '/')
        p++;
      n = (size_t) (p - c);
      if (n == 0 || (n == 1 && c[0] == '.'))
        continue;
      if (n == 2 && c[0] == '.' && c[1] == '.')
        {
          if (o == 0)
            {
              if (escaped)
                *escaped = true;
              continue;
            }
          while (o > 0 && out[o - 1] != '/')
            o--;
          if (o > 0)
            o--; /* the separating slash */
          continue;
        }
      if (o > 0)
        out[o++] = '/';
      memcpy (out + o, c, n);
      o += n;
    }
  out[o] = '\0';
  return out;
}

const char *tarpath_base (const char *clean)
{
  const char *s = strrchr (clean, '/');
  return s ? s + 1 : clean;
}

size_t tarpath_parent_len (const char *clean)
{
  const char *s = strrchr (clean, '/');
  return s ? (size_t) (s - clean) : 0;
}
