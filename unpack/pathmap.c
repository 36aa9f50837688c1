#include "pathmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct slot
{
  char *key;
  uint64_t hash;
  pathmap_value v;
} slot;

struct pathmap
{
  slot *slots;
  size_t cap, used;
};

static uint64_t hash_str (const char *s)
{
  /* FNV-1a */
  uint64_t h = 1469598103934665603ull;
  for (; *s; s++)
    h = (h ^ (unsigned char) *s) * 1099511628211ull;
  return h ? h : 1;
}

pathmap *pathmap_new (void)
{
  pathmap *m = calloc (1, sizeof *m);
  if (m == NULL)
    return NULL;
  m->cap = 1024;
  m->slots = calloc (m->cap, sizeof *m->slots);
  if (m->slots == NULL)
    {
      free (m);
      return NULL;
    }
  return m;
}

void pathmap_clear (pathmap *m)
{
  for (size_t i = 0; i < m->cap; i++)
    {
      free (m->slots[i].key);
      m->slots[i].key = NULL;
      m->slots[i].hash = 0;
    }
  m->used = 0;
}

void pathmap_free (pathmap *m)
{
  if (m == NULL)
    return;
  pathmap_clear (m);
  free (m->slots);
  free (m);
}

size_t pathmap_size (const pathmap *m) { return m->used; }

static slot *find (slot *slots, size_t cap, const char *key, uint64_t h)
{
  size_t i = h & (cap - 1);
  for (;;)
    {
      slot *s = &slots[i];
      if (s->key == NULL || (s->hash == h && strcmp (s->key, key) == 0))
        return s;
      i = (i + 1) & (cap - 1);
    }
}

static int grow (pathmap *m)
{
  size_t ncap = m->cap * 2;
  slot *ns = calloc (ncap, sizeof *ns);
  if (ns == NULL)
    return -1;
  for (size_t i = 0; i < m->cap; i++)
    if (m->slots[i].key)
      *find (ns, ncap, m->slots[i].key, m->slots[i].hash) = m->slots[i];
  free (m->slots);
  m->slots = ns;
  m->cap = ncap;
  return 0;
}

pathmap_value *pathmap_get (pathmap *m, const char *path, bool create)
{
  uint64_t h = hash_str (path);
  slot *s = find (m->slots, m->cap, path, h);
  if (s->key)
    return &s->v;
  if (!create)
    return NULL;
  if ((m->used + 1) * 4 > m->cap * 3)
    {
      if (grow (m) < 0)
        return NULL;
      s = find (m->slots, m->cap, path, h);
    }
  s->key = strdup (path);
  if (s->key == NULL)
    return NULL;
  s->hash = h;
  memset (&s->v, 0, sizeof s->v);
  m->used++;
  return &s->v;
}

void pathmap_each (pathmap *m, void (*fn) (const char *path, pathmap_value *v, void *arg),
                   void *arg)
{
  for (size_t i = 0; i < m->cap; i++)
    if (m->slots[i].key)
      fn (m->slots[i].key, &m->slots[i].v, arg);
}
