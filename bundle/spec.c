/* The runtime configuration being built, and its JSON form
   (runtime-spec config.md, config-linux.md). Fields are written in the
   order `runc spec` uses so that diffs against it read easily. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "cleanup.h"
#include "json.h"

void spec_init (spec *s)
{
  memset (s, 0, sizeof *s);
}

void user_ids_clear (user_ids *u)
{
  free (u->additional_gids);
  memset (u, 0, sizeof *u);
}

void seccomp_spec_free (seccomp_spec *s)
{
  if (s == NULL)
    return;
  free (s->default_action);
  strv_clear (&s->architectures);
  strv_clear (&s->flags);
  for (size_t i = 0; i < s->n_rules; i++)
    {
      strv_clear (&s->rules[i].names);
      free (s->rules[i].action);
    }
  free (s->rules);
  free (s);
}

static void hooks_free (spec_hook *h, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      free (h[i].path);
      strv_clear (&h[i].args);
    }
  free (h);
}

void spec_clear (spec *s)
{
  strv_clear (&s->args);
  strv_clear (&s->env);
  free (s->cwd);
  user_ids_clear (&s->user);
  strv_clear (&s->caps);
  free (s->rlimits);
  free (s->root_path);
  free (s->hostname);
  for (size_t i = 0; i < s->n_mounts; i++)
    bundle_mount_clear (&s->mounts[i]);
  free (s->mounts);
  strv_clear (&s->ann_keys);
  strv_clear (&s->ann_values);
  hooks_free (s->create_runtime, s->n_create_runtime);
  hooks_free (s->poststop, s->n_poststop);
  strv_clear (&s->namespaces);
  free (s->uid_maps);
  free (s->gid_maps);
  strv_clear (&s->masked_paths);
  strv_clear (&s->readonly_paths);
  strv_clear (&s->sysctl_keys);
  strv_clear (&s->sysctl_values);
  for (size_t i = 0; i < s->n_devices; i++)
    free (s->devices[i].path);
  free (s->devices);
  seccomp_spec_free (s->seccomp);
  strv_clear (&s->warnings);
  strv_clear (&s->notes);
  memset (s, 0, sizeof *s);
}

int spec_annotate (spec *s, const char *key, const char *value)
{
  long i = strv_index (&s->ann_keys, key);
  if (i >= 0)
    {
      char *v = strdup (value);
      if (v == NULL)
        return -1;
      free (s->ann_values.v[i]);
      s->ann_values.v[i] = v;
      return 0;
    }
  if (strv_push (&s->ann_keys, key) < 0)
    return -1;
  if (strv_push (&s->ann_values, value) < 0)
    {
      strv_remove_at (&s->ann_keys, s->ann_keys.n - 1);
      return -1;
    }
  return 0;
}

const char *spec_annotation (const spec *s, const char *key)
{
  long i = strv_index (&s->ann_keys, key);
  return i >= 0 ? s->ann_values.v[i] : NULL;
}

/* "/a/b/" and "/a//b" name the same mount point as "/a/b". */
static bool same_destination (const char *a, const char *b)
{
  for (;;)
    {
      while (*a == '/' && (a[1] == '/' || a[1] == '\0'))
        a++;
      while (*b == '/' && (b[1] == '/' || b[1] == '\0'))
        b++;
      if (*a != *b)
        return false;
      if (*a == '\0')
        return true;
      a++;
      b++;
    }
}

long spec_find_mount (const spec *s, const char *destination)
{
  for (size_t i = 0; i < s->n_mounts; i++)
    if (same_destination (s->mounts[i].destination, destination))
      return (long) i;
  return -1;
}

static int mount_copy (bundle_mount *dst, const bundle_mount *src)
{
  memset (dst, 0, sizeof *dst);
  dst->destination = strdup (src->destination);
  dst->type = src->type ? strdup (src->type) : NULL;
  dst->source = src->source ? strdup (src->source) : NULL;
  if (dst->destination == NULL || (src->type && !dst->type) || (src->source && !dst->source))
    {
      bundle_mount_clear (dst);
      return -1;
    }
  for (size_t i = 0; i < src->options.n; i++)
    if (strv_push (&dst->options, src->options.v[i]) < 0)
      {
        bundle_mount_clear (dst);
        return -1;
      }
  return 0;
}

int spec_add_mount (spec *s, const bundle_mount *m, bool replace, oci_error **err)
{
  long i = spec_find_mount (s, m->destination);
  bundle_mount copy, *nm;

  if (i >= 0 && !replace)
    return oci_error_set (err, 0, "mount point `%s` given twice", m->destination);
  if (mount_copy (&copy, m) < 0)
    return oci_error_set (err, ENOMEM, "mount `%s`", m->destination);
  if (i >= 0)
    {
      bundle_mount_clear (&s->mounts[i]);
      s->mounts[i] = copy;
      return 0;
    }
  nm = realloc (s->mounts, (s->n_mounts + 1) * sizeof *nm);
  if (nm == NULL)
    {
      bundle_mount_clear (&copy);
      return oci_error_set (err, ENOMEM, "mount `%s`", m->destination);
    }
  s->mounts = nm;
  s->mounts[s->n_mounts++] = copy;
  return 0;
}

/* runtime-spec 1.0.0 has all we write except the createRuntime hook
   (added in 1.0.2) and seccomp errnoRet/defaultErrnoRet (1.0.2-dev, the
   version podman and runc 1.1 write). crun 1.8.1 rejects 1.2 and later. */
const char *spec_oci_version (const spec *s)
{
  if (s->n_create_runtime > 0)
    return "1.0.2-dev";
  if (s->seccomp)
    {
      if (s->seccomp->has_default_errno_ret)
        return "1.0.2-dev";
      for (size_t i = 0; i < s->seccomp->n_rules; i++)
        if (s->seccomp->rules[i].has_errno_ret)
          return "1.0.2-dev";
    }
  return "1.0.0";
}

static void gen_strv (yajl_gen g, const char *key, const strv *v)
{
  json_gen_key (g, key);
  yajl_gen_array_open (g);
  for (size_t i = 0; i < v->n; i++)
    json_gen_str (g, v->v[i]);
  yajl_gen_array_close (g);
}

/* An object of strings from two parallel lists (sysctl, annotations). */
static void gen_strmap (yajl_gen g, const char *key, const strv *keys, const strv *values)
{
  json_gen_key (g, key);
  yajl_gen_map_open (g);
  for (size_t i = 0; i < keys->n; i++)
    json_gen_kv_str (g, keys->v[i], values->v[i]);
  yajl_gen_map_close (g);
}

/* uint64 values beyond LLONG_MAX (RLIM_INFINITY) go out as text numbers. */
static void gen_u64 (yajl_gen g, const char *key, unsigned long long v)
{
  char buf[32];
  int n = snprintf (buf, sizeof buf, "%llu", v);
  json_gen_key (g, key);
  yajl_gen_number (g, buf, (size_t) n);
}

static void gen_hooks (yajl_gen g, const char *key, const spec_hook *h, size_t n)
{
  if (n == 0)
    return;
  json_gen_key (g, key);
  yajl_gen_array_open (g);
  for (size_t i = 0; i < n; i++)
    {
      yajl_gen_map_open (g);
      json_gen_kv_str (g, "path", h[i].path);
      gen_strv (g, "args", &h[i].args);
      yajl_gen_map_close (g);
    }
  yajl_gen_array_close (g);
}

static void gen_id_maps (yajl_gen g, const char *key, const id_mapping *m, size_t n)
{
  if (n == 0)
    return;
  json_gen_key (g, key);
  yajl_gen_array_open (g);
  for (size_t i = 0; i < n; i++)
    {
      yajl_gen_map_open (g);
      gen_u64 (g, "containerID", m[i].container_id);
      gen_u64 (g, "hostID", m[i].host_id);
      gen_u64 (g, "size", m[i].size);
      yajl_gen_map_close (g);
    }
  yajl_gen_array_close (g);
}

static void gen_process (yajl_gen g, const spec *s)
{
  json_gen_key (g, "process");
  yajl_gen_map_open (g);
  json_gen_kv_bool (g, "terminal", s->terminal);
  json_gen_key (g, "user");
  yajl_gen_map_open (g);
  json_gen_kv_int (g, "uid", s->user.uid);
  json_gen_kv_int (g, "gid", s->user.gid);
  if (s->user.n_additional_gids)
    {
      json_gen_key (g, "additionalGids");
      yajl_gen_array_open (g);
      for (size_t i = 0; i < s->user.n_additional_gids; i++)
        yajl_gen_integer (g, s->user.additional_gids[i]);
      yajl_gen_array_close (g);
    }
  yajl_gen_map_close (g);
  gen_strv (g, "args", &s->args);
  gen_strv (g, "env", &s->env);
  json_gen_kv_str (g, "cwd", s->cwd);
  json_gen_key (g, "capabilities");
  yajl_gen_map_open (g);
  /* Inheritable stays empty (CVE-2022-24769); ambient unset as docker. */
  gen_strv (g, "bounding", &s->caps);
  gen_strv (g, "effective", &s->caps);
  gen_strv (g, "permitted", &s->caps);
  yajl_gen_map_close (g);
  if (s->n_rlimits)
    {
      json_gen_key (g, "rlimits");
      yajl_gen_array_open (g);
      for (size_t i = 0; i < s->n_rlimits; i++)
        {
          yajl_gen_map_open (g);
          json_gen_kv_str (g, "type", s->rlimits[i].type);
          gen_u64 (g, "hard", s->rlimits[i].hard);
          gen_u64 (g, "soft", s->rlimits[i].soft);
          yajl_gen_map_close (g);
        }
      yajl_gen_array_close (g);
    }
  json_gen_kv_bool (g, "noNewPrivileges", s->no_new_privileges);
  yajl_gen_map_close (g);
}

static void gen_mounts (yajl_gen g, const spec *s)
{
  json_gen_key (g, "mounts");
  yajl_gen_array_open (g);
  for (size_t i = 0; i < s->n_mounts; i++)
    {
      const bundle_mount *m = &s->mounts[i];
      yajl_gen_map_open (g);
      json_gen_kv_str (g, "destination", m->destination);
      if (m->type)
        json_gen_kv_str (g, "type", m->type);
      if (m->source)
        json_gen_kv_str (g, "source", m->source);
      if (m->options.n)
        gen_strv (g, "options", &m->options);
      yajl_gen_map_close (g);
    }
  yajl_gen_array_close (g);
}

static void gen_seccomp (yajl_gen g, const seccomp_spec *sc)
{
  json_gen_key (g, "seccomp");
  yajl_gen_map_open (g);
  json_gen_kv_str (g, "defaultAction", sc->default_action);
  if (sc->has_default_errno_ret)
    json_gen_kv_int (g, "defaultErrnoRet", sc->default_errno_ret);
  if (sc->architectures.n)
    gen_strv (g, "architectures", &sc->architectures);
  if (sc->flags.n)
    gen_strv (g, "flags", &sc->flags);
  json_gen_key (g, "syscalls");
  yajl_gen_array_open (g);
  for (size_t i = 0; i < sc->n_rules; i++)
    {
      const seccomp_rule *r = &sc->rules[i];
      yajl_gen_map_open (g);
      gen_strv (g, "names", &r->names);
      json_gen_kv_str (g, "action", r->action);
      if (r->has_errno_ret)
        json_gen_kv_int (g, "errnoRet", r->errno_ret);
      if (r->n_args)
        {
          json_gen_key (g, "args");
          yajl_gen_array_open (g);
          for (size_t j = 0; j < r->n_args; j++)
            {
              yajl_gen_map_open (g);
              json_gen_kv_int (g, "index", r->args[j].index);
              gen_u64 (g, "value", r->args[j].value);
              if (r->args[j].value_two)
                gen_u64 (g, "valueTwo", r->args[j].value_two);
              json_gen_kv_str (g, "op", r->args[j].op);
              yajl_gen_map_close (g);
            }
          yajl_gen_array_close (g);
        }
      yajl_gen_map_close (g);
    }
  yajl_gen_array_close (g);
  yajl_gen_map_close (g);
}

static void gen_resources (yajl_gen g, const spec *s)
{
  json_gen_key (g, "resources");
  yajl_gen_map_open (g);
  json_gen_key (g, "devices");
  yajl_gen_array_open (g);
  yajl_gen_map_open (g);
  json_gen_kv_bool (g, "allow", s->devices_allow_all);
  json_gen_kv_str (g, "access", "rwm");
  yajl_gen_map_close (g);
  yajl_gen_array_close (g);
  if (s->memory_limit || s->memory_swap)
    {
      json_gen_key (g, "memory");
      yajl_gen_map_open (g);
      if (s->memory_limit)
        json_gen_kv_int (g, "limit", s->memory_limit);
      if (s->memory_swap)
        json_gen_kv_int (g, "swap", s->memory_swap);
      yajl_gen_map_close (g);
    }
  if (s->cpu_shares || s->cpu_quota)
    {
      json_gen_key (g, "cpu");
      yajl_gen_map_open (g);
      if (s->cpu_shares)
        json_gen_kv_int (g, "shares", s->cpu_shares);
      if (s->cpu_quota)
        {
          json_gen_kv_int (g, "quota", s->cpu_quota);
          json_gen_kv_int (g, "period", s->cpu_period);
        }
      yajl_gen_map_close (g);
    }
  if (s->pids_limit > 0)
    {
      json_gen_key (g, "pids");
      yajl_gen_map_open (g);
      json_gen_kv_int (g, "limit", s->pids_limit);
      yajl_gen_map_close (g);
    }
  yajl_gen_map_close (g);
}

static void gen_linux (yajl_gen g, const spec *s)
{
  json_gen_key (g, "linux");
  yajl_gen_map_open (g);
  gen_id_maps (g, "uidMappings", s->uid_maps, s->n_uid_maps);
  gen_id_maps (g, "gidMappings", s->gid_maps, s->n_gid_maps);
  if (s->n_devices)
    {
      json_gen_key (g, "devices");
      yajl_gen_array_open (g);
      for (size_t i = 0; i < s->n_devices; i++)
        {
          const spec_device *d = &s->devices[i];
          char t[2] = { d->type, '\0' };
          yajl_gen_map_open (g);
          json_gen_kv_str (g, "path", d->path);
          json_gen_kv_str (g, "type", t);
          json_gen_kv_int (g, "major", d->major);
          json_gen_kv_int (g, "minor", d->minor);
          json_gen_kv_int (g, "fileMode", d->file_mode);
          json_gen_kv_int (g, "uid", d->uid);
          json_gen_kv_int (g, "gid", d->gid);
          yajl_gen_map_close (g);
        }
      yajl_gen_array_close (g);
    }
  if (s->sysctl_keys.n)
    gen_strmap (g, "sysctl", &s->sysctl_keys, &s->sysctl_values);
  gen_resources (g, s);
  json_gen_key (g, "namespaces");
  yajl_gen_array_open (g);
  for (size_t i = 0; i < s->namespaces.n; i++)
    {
      yajl_gen_map_open (g);
      json_gen_kv_str (g, "type", s->namespaces.v[i]);
      yajl_gen_map_close (g);
    }
  yajl_gen_array_close (g);
  if (s->seccomp)
    gen_seccomp (g, s->seccomp);
  if (s->masked_paths.n)
    gen_strv (g, "maskedPaths", &s->masked_paths);
  if (s->readonly_paths.n)
    gen_strv (g, "readonlyPaths", &s->readonly_paths);
  yajl_gen_map_close (g);
}

int spec_to_json (const spec *s, char **out, size_t *len, oci_error **err)
{
  cleanup_json_gen yajl_gen g = json_gen_new (true);
  if (g == NULL)
    return oci_error_set (err, ENOMEM, "generate config.json");
  yajl_gen_map_open (g);
  json_gen_kv_str (g, "ociVersion", spec_oci_version (s));
  gen_process (g, s);
  json_gen_key (g, "root");
  yajl_gen_map_open (g);
  json_gen_kv_str (g, "path", s->root_path);
  json_gen_kv_bool (g, "readonly", s->root_readonly);
  yajl_gen_map_close (g);
  json_gen_kv_str (g, "hostname", s->hostname);
  gen_mounts (g, s);
  if (s->n_create_runtime || s->n_poststop)
    {
      json_gen_key (g, "hooks");
      yajl_gen_map_open (g);
      gen_hooks (g, "createRuntime", s->create_runtime, s->n_create_runtime);
      gen_hooks (g, "poststop", s->poststop, s->n_poststop);
      yajl_gen_map_close (g);
    }
  if (s->ann_keys.n)
    gen_strmap (g, "annotations", &s->ann_keys, &s->ann_values);
  gen_linux (g, s);
  yajl_gen_map_close (g);
  if (json_gen_result (g, out, len, err) < 0)
    return oci_error_prefix (err, "config.json (is every string valid UTF-8?)");
  return 0;
}
