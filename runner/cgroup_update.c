/* `runner update` options (runc's names) → a linux.resources object, merged
   over a --resources document, for cgroup_update. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "cleanup.h"
#include "json.h"

enum value_kind { V_INT, V_SIZE, V_STRING };

static const struct
{
  const char *option, *section, *key;
  enum value_kind kind;
} update_options[] = {
  { "blkio-weight", "blockIO", "weight", V_INT },
  { "cpu-period", "cpu", "period", V_INT },
  { "cpu-quota", "cpu", "quota", V_INT },
  { "cpu-rt-period", "cpu", "realtimePeriod", V_INT },
  { "cpu-rt-runtime", "cpu", "realtimeRuntime", V_INT },
  { "cpu-share", "cpu", "shares", V_INT },
  { "cpu-idle", "cpu", "idle", V_INT },
  { "cpuset-cpus", "cpu", "cpus", V_STRING },
  { "cpuset-mems", "cpu", "mems", V_STRING },
  { "kernel-memory", "memory", "kernel", V_SIZE },
  { "kernel-memory-tcp", "memory", "kernelTCP", V_SIZE },
  { "memory", "memory", "limit", V_SIZE },
  { "memory-reservation", "memory", "reservation", V_SIZE },
  { "memory-swap", "memory", "swap", V_SIZE },
  { "pids-limit", "pids", "limit", V_INT },
};
#define N_OPTIONS (sizeof update_options / sizeof *update_options)

int cgroup_parse_size (const char *s, long long *out)
{
  char *end;
  double v;
  long long mult = 1;

  if (strcmp (s, "-1") == 0)
    {
      *out = -1;
      return 0;
    }
  errno = 0;
  v = strtod (s, &end);
  if (end == s || errno || v < 0 || !isfinite (v))
    return -1;
  switch (tolower ((unsigned char) *end))
    {
    case 'k': mult = 1LL << 10; end++; break;
    case 'm': mult = 1LL << 20; end++; break;
    case 'g': mult = 1LL << 30; end++; break;
    case 't': mult = 1LL << 40; end++; break;
    case 'p': mult = 1LL << 50; end++; break;
    default: break;
    }
  /* 512m, 512mb, 512MiB, 1024b */
  if (mult > 1 && tolower ((unsigned char) *end) == 'i')
    end++;
  if (tolower ((unsigned char) *end) == 'b')
    end++;
  if (*end != '\0' || v * (double) mult > 9.2e18)
    return -1;
  *out = (long long) (v * (double) mult);
  return 0;
}

static int option_index (const char *name)
{
  if (strncmp (name, "--", 2) == 0)
    name += 2;
  for (size_t i = 0; i < N_OPTIONS; i++)
    if (strcmp (name, update_options[i].option) == 0)
      return (int) i;
  return -1;
}

/* The value given for option i, or NULL. The last one wins. */
static const char *given (int i, const char *const *names, const char *const *values, size_t n)
{
  const char *v = NULL;
  for (size_t k = 0; k < n; k++)
    if (option_index (names[k]) == i)
      v = values[k];
  return v;
}

int cgroup_update_resources (yajl_val base, const char *const *names,
                             const char *const *values, size_t n, yajl_val *out,
                             oci_error **err)
{
  static const char *const sections[] = { "memory", "cpu", "blockIO", "pids" };
  cleanup_json_gen yajl_gen g = json_gen_new (false);
  cleanup_free char *text = NULL;
  size_t len;

  *out = NULL;
  if (g == NULL)
    return oci_error_set (err, ENOMEM, "update");
  if (base && !YAJL_IS_OBJECT (base))
    return oci_error_set (err, 0, "update: the resources document is not a JSON object");
  for (size_t k = 0; k < n; k++)
    {
      int i = option_index (names[k]);
      long long v;
      if (i < 0)
        return oci_error_set (err, 0, "update: unknown option `%s`", names[k]);
      if (update_options[i].kind == V_INT
          && (sscanf (values[k], "%lld", &v) != 1 || strspn (values[k], "-0123456789") != strlen (values[k])))
        return oci_error_set (err, 0, "update: --%s `%s`: not an integer", update_options[i].option,
                              values[k]);
      if (update_options[i].kind == V_SIZE && cgroup_parse_size (values[k], &v) < 0)
        return oci_error_set (err, 0, "update: --%s `%s`: not a size (like 512m, 1g, -1)",
                              update_options[i].option, values[k]);
    }

  yajl_gen_map_open (g);
  /* the document's other sections as they are */
  for (size_t i = 0; i < json_object_len (base); i++)
    {
      const char *key = json_object_key (base, i);
      bool ours = false;
      for (size_t s = 0; s < 4; s++)
        ours |= strcmp (key, sections[s]) == 0;
      if (!ours)
        {
          json_gen_key (g, key);
          json_gen_value (g, json_object_value (base, i));
        }
    }
  for (size_t s = 0; s < 4; s++)
    {
      yajl_val sec = json_get (base, sections[s]);
      bool any = sec != NULL;
      for (size_t i = 0; i < N_OPTIONS; i++)
        any |= strcmp (update_options[i].section, sections[s]) == 0
               && given ((int) i, names, values, n) != NULL;
      if (!any)
        continue;
      json_gen_key (g, sections[s]);
      yajl_gen_map_open (g);
      for (size_t i = 0; i < json_object_len (sec); i++)
        {
          const char *key = json_object_key (sec, i);
          bool overridden = false;
          for (size_t o = 0; o < N_OPTIONS; o++)
            overridden |= strcmp (update_options[o].section, sections[s]) == 0
                          && strcmp (update_options[o].key, key) == 0
                          && given ((int) o, names, values, n) != NULL;
          if (!overridden)
            {
              json_gen_key (g, key);
              json_gen_value (g, json_object_value (sec, i));
            }
        }
      for (size_t o = 0; o < N_OPTIONS; o++)
        {
          const char *v = given ((int) o, names, values, n);
          long long num = 0;
          if (v == NULL || strcmp (update_options[o].section, sections[s]) != 0)
            continue;
          if (update_options[o].kind == V_STRING)
            json_gen_kv_str (g, update_options[o].key, v);
          else
            {
              if (update_options[o].kind == V_SIZE)
                cgroup_parse_size (v, &num);
              else
                num = strtoll (v, NULL, 10);
              json_gen_kv_int (g, update_options[o].key, num);
            }
        }
      yajl_gen_map_close (g);
    }
  yajl_gen_map_close (g);
  if (json_gen_result (g, &text, &len, err) < 0)
    return -1;
  return json_parse (text, len, "update resources", out, err);
}

int cgroup_stats_event (cgroup *cg, const char *id, char **line, oci_error **err)
{
  cleanup_json_gen yajl_gen g = json_gen_new (false);
  if (g == NULL)
    return oci_error_set (err, ENOMEM, "events");
  yajl_gen_map_open (g);
  json_gen_kv_str (g, "type", "stats");
  json_gen_kv_str (g, "id", id);
  json_gen_key (g, "data");
  if (cgroup_stats_json (cg, g, err) < 0)
    return -1;
  yajl_gen_map_close (g);
  return json_gen_result (g, line, NULL, err);
}

void cgroup_features_json (yajl_gen g)
{
  yajl_gen_map_open (g);
  json_gen_kv_bool (g, "v1", true);
  json_gen_kv_bool (g, "v2", true);
  json_gen_kv_bool (g, "systemd", true);
  json_gen_kv_bool (g, "systemdUser", false);
  json_gen_kv_bool (g, "rdma", true);
  yajl_gen_map_close (g);
}
