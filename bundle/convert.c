/* image-spec conversion.md: the image config's Entrypoint, Cmd, Env,
   WorkingDir and User become process fields; Labels and the implicit
   fields (os, architecture, StopSignal, ExposedPorts, ...) become
   annotations; Volumes are noted. Command-line options are "externally
   provided inputs" and override, the way docker run does. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "cleanup.h"
#include "json.h"

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Entrypoint and Cmd are arrays of strings, or null. docker also reads a
   bare string as a one-element array (its strslice type); we do too. */
static int string_list (yajl_val v, const char *what, strv *out, oci_error **err)
{
  if (v == NULL || YAJL_IS_NULL (v))
    return 0;
  if (YAJL_IS_STRING (v))
    return strv_push (out, v->u.string) < 0 ? oci_error_set (err, ENOMEM, "%s", what) : 0;
  if (!YAJL_IS_ARRAY (v))
    return oci_error_set (err, 0, "image config: %s is not an array of strings", what);
  for (size_t i = 0; i < v->u.array.len; i++)
    {
      yajl_val e = v->u.array.values[i];
      if (!YAJL_IS_STRING (e))
        return oci_error_set (err, 0, "image config: %s[%zu] is not a string", what, i);
      if (strv_push (out, e->u.string) < 0)
        return oci_error_set (err, ENOMEM, "%s", what);
    }
  return 0;
}

int convert_args (yajl_val entrypoint, yajl_val cmd, const bundle_options *o, strv *out,
                  oci_error **err)
{
  strv ep = { 0 }, c = { 0 };
  int r = -1;

  /* docker: a new entrypoint drops the image's Cmd as well */
  if (o->entrypoint_set)
    {
      for (size_t i = 0; i < o->entrypoint.n; i++)
        if (strv_push (&ep, o->entrypoint.v[i]) < 0)
          goto nomem;
    }
  else
    {
      if (string_list (entrypoint, "Entrypoint", &ep, err) < 0)
        goto out;
      /* [""] is how docker stores "no entrypoint" */
      if (ep.n == 1 && ep.v[0][0] == '\0')
        strv_clear (&ep);
    }
  if (o->args_set)
    {
      for (size_t i = 0; i < o->args.n; i++)
        if (strv_push (&c, o->args.v[i]) < 0)
          goto nomem;
    }
  else if (!o->entrypoint_set && string_list (cmd, "Cmd", &c, err) < 0)
    goto out;
  /* conversion.md: process.args = Entrypoint followed by Cmd */
  for (size_t i = 0; i < ep.n; i++)
    if (strv_push (out, ep.v[i]) < 0)
      goto nomem;
  for (size_t i = 0; i < c.n; i++)
    if (strv_push (out, c.v[i]) < 0)
      goto nomem;
  if (out->n == 0)
    {
      oci_error_set (err, 0, "no command: the image has neither Entrypoint nor Cmd; give one "
                             "after `--` or with --entrypoint");
      goto out;
    }
  if (out->v[0][0] == '\0')
    {
      oci_error_set (err, 0, "the command to run is an empty string");
      goto out;
    }
  r = 0;
  goto out;
nomem:
  oci_error_set (err, ENOMEM, "process.args");
out:
  strv_clear (&ep);
  strv_clear (&c);
  return r;
}

static long env_find (const strv *env, const char *entry)
{
  const char *eq = strchr (entry, '=');
  size_t nl = eq ? (size_t) (eq - entry) : strlen (entry);
  for (size_t i = 0; i < env->n; i++)
    if (strncmp (env->v[i], entry, nl) == 0 && (env->v[i][nl] == '=' || env->v[i][nl] == '\0'))
      return (long) i;
  return -1;
}

static int env_set (strv *env, const char *entry)
{
  long i = env_find (env, entry);
  if (i >= 0)
    {
      char *d = strdup (entry);
      if (d == NULL)
        return -1;
      free (env->v[i]);
      env->v[i] = d;
      return 0;
    }
  return strv_push (env, entry);
}

int convert_env (yajl_val image_env, const bundle_options *o, const char *hostname, strv *out,
                 oci_error **err)
{
  strv img = { 0 };
  if (image_env && !YAJL_IS_NULL (image_env) && !YAJL_IS_ARRAY (image_env))
    return oci_error_set (err, 0, "image config: Env is not an array of strings");
  if (string_list (image_env, "Env", &img, err) < 0)
    return -1;
  /* conversion.md: Config.Env verbatim (a later duplicate wins) */
  for (size_t i = 0; i < img.n; i++)
    if (env_set (out, img.v[i]) < 0)
      goto nomem;
  strv_clear (&img);
  for (size_t i = 0; i < o->env.n; i++)
    if (env_set (out, o->env.v[i]) < 0)
      goto nomem;
  /* Additions never replace a name the image or the user set. */
  if (env_find (out, "PATH") < 0 && strv_push (out, DEFAULT_PATH) < 0)
    goto nomem;
  if (hostname && env_find (out, "HOSTNAME") < 0)
    {
      char *h = NULL;
      if (asprintf (&h, "HOSTNAME=%s", hostname) < 0 || strv_push_take (out, h) < 0)
        goto nomem;
    }
  if (o->tty && env_find (out, "TERM") < 0 && strv_push (out, "TERM=xterm") < 0)
    goto nomem;
  return 0;
nomem:
  strv_clear (&img);
  return oci_error_set (err, ENOMEM, "process.env");
}

/* Image labels that would steer the runtime or our hooks on the host are
   not copied (conversion.md "Annotations" allows it, with feedback). */
static bool label_is_unsafe (const char *key)
{
  return strncmp (key, "org.ocikit.", 11) == 0 || strncmp (key, "run.oci.", 8) == 0;
}

static int annotate_string (spec *s, yajl_val config, const char *field, const char *key)
{
  const char *v = json_get_string (config, field);
  return v ? spec_annotate (s, key, v) : 0;
}

static int convert_annotations (yajl_val config, yajl_val cc, spec *s, oci_error **err)
{
  yajl_val labels = json_get_object (cc, "Labels");
  yajl_val ports = json_get_object (cc, "ExposedPorts");
  yajl_val features = json_get_array (config, "os.features");

  if (annotate_string (s, config, "os", "org.opencontainers.image.os") < 0
      || annotate_string (s, config, "architecture", "org.opencontainers.image.architecture") < 0
      || annotate_string (s, config, "variant", "org.opencontainers.image.variant") < 0
      || annotate_string (s, config, "os.version", "org.opencontainers.image.os.version") < 0
      || annotate_string (s, config, "author", "org.opencontainers.image.author") < 0
      || annotate_string (s, config, "created", "org.opencontainers.image.created") < 0
      || annotate_string (s, cc, "StopSignal", "org.opencontainers.image.stopSignal") < 0)
    return oci_error_set (err, ENOMEM, "annotations");
  if (json_array_len (features))
    {
      strv f = { 0 };
      cleanup_free char *joined = NULL;
      for (size_t i = 0; i < json_array_len (features); i++)
        {
          yajl_val x = json_array_at (features, i);
          if (YAJL_IS_STRING (x) && strv_push (&f, x->u.string) < 0)
            break;
        }
      joined = strv_join (&f, ",");
      strv_clear (&f);
      if (joined == NULL || spec_annotate (s, "org.opencontainers.image.os.features", joined) < 0)
        return oci_error_set (err, ENOMEM, "annotations");
    }
  if (json_object_len (ports))
    {
      strv p = { 0 };
      cleanup_free char *joined = NULL;
      for (size_t i = 0; i < json_object_len (ports); i++)
        if (strv_push (&p, json_object_key (ports, i)) < 0)
          break;
      joined = strv_join (&p, ",");
      strv_clear (&p);
      if (joined == NULL
          || spec_annotate (s, "org.opencontainers.image.exposedPorts", joined) < 0)
        return oci_error_set (err, ENOMEM, "annotations");
    }
  /* Labels last: conversion.md says they win over implicit values. */
  for (size_t i = 0; i < json_object_len (labels); i++)
    {
      const char *k = json_object_key (labels, i);
      yajl_val v = json_object_value (labels, i);
      if (!YAJL_IS_STRING (v))
        continue;
      if (label_is_unsafe (k))
        {
          char *w = NULL;
          if (asprintf (&w, "image label `%s` not copied into annotations: it could steer "
                            "the runtime or ocikit's hooks on the host", k) < 0
              || strv_push_take (&s->warnings, w) < 0)
            return oci_error_set (err, ENOMEM, "annotations");
          continue;
        }
      if (spec_annotate (s, k, v->u.string) < 0)
        return oci_error_set (err, ENOMEM, "annotations");
    }
  return 0;
}

/* Config.Volumes: anonymous volumes are not created; they are named in
   an annotation, or become tmpfs mounts with --image-volumes tmpfs. */
static int convert_volumes (yajl_val cc, const bundle_options *o, spec *s, oci_error **err)
{
  yajl_val vols = json_get_object (cc, "Volumes");
  strv names = { 0 };
  cleanup_free char *joined = NULL;

  if (json_object_len (vols) == 0)
    return 0;
  for (size_t i = 0; i < json_object_len (vols); i++)
    {
      const char *dst = json_object_key (vols, i);
      if (dst[0] != '/')
        {
          strv_clear (&names);
          return oci_error_set (err, 0, "image config: volume `%s` is not an absolute path",
                                dst);
        }
      if (strv_push (&names, dst) < 0)
        goto nomem;
      if (o->image_volumes == IMAGE_VOLUMES_TMPFS && spec_find_mount (s, dst) < 0)
        {
          bundle_mount m = { .destination = (char *) dst, .type = "tmpfs", .source = "tmpfs" };
          int r;
          if (strv_split (&m.options, "nosuid,nodev", ',') < 0)
            goto nomem;
          r = spec_add_mount (s, &m, false, err);
          strv_clear (&m.options);
          if (r < 0)
            {
              strv_clear (&names);
              return -1;
            }
        }
    }
  joined = strv_join (&names, ",");
  strv_clear (&names);
  if (joined == NULL || spec_annotate (s, "org.ocikit.image.volumes", joined) < 0)
    return oci_error_set (err, ENOMEM, "annotations");
  if (o->image_volumes == IMAGE_VOLUMES_IGNORE)
    {
      char *n = NULL;
      if (asprintf (&n, "the image declares volumes (%s): not mounted; data written there "
                        "stays in the rootfs (use -v or --image-volumes tmpfs)", joined) < 0
          || strv_push_take (&s->notes, n) < 0)
        return oci_error_set (err, ENOMEM, "volumes");
    }
  return 0;
nomem:
  strv_clear (&names);
  return oci_error_set (err, ENOMEM, "volumes");
}

int convert_image_config (yajl_val config, const bundle_options *o, int rootfd, spec *s,
                          oci_error **err)
{
  yajl_val cc = json_get_object (config, "config");
  const char *wd, *user;

  if (config == NULL || !YAJL_IS_OBJECT (config))
    return oci_error_set (err, 0, "image config is not a JSON object");
  {
    const char *os = json_get_string (config, "os");
    if (os && strcmp (os, "linux") != 0)
      return oci_error_set (err, 0, "the image is for `%s`: mkbundle makes Linux bundles", os);
  }
  if (convert_args (json_get (cc, "Entrypoint"), json_get (cc, "Cmd"), o, &s->args, err) < 0)
    return -1;
  if (convert_env (json_get (cc, "Env"), o, s->hostname, &s->env, err) < 0)
    return -1;

  /* WorkingDir → cwd; the runtime needs an absolute path */
  wd = o->workdir ? o->workdir : json_get_string (cc, "WorkingDir");
  if (wd == NULL || wd[0] == '\0')
    s->cwd = strdup ("/");
  else if (wd[0] != '/')
    {
      if (asprintf (&s->cwd, "/%s", wd) < 0)
        s->cwd = NULL;
    }
  else
    s->cwd = strdup (wd);
  if (s->cwd == NULL)
    return oci_error_set (err, ENOMEM, "process.cwd");

  user = o->user ? o->user : json_get_string (cc, "User");
  if (user && user[0])
    {
      if (users_resolve (rootfd, user, &s->user, err) < 0)
        return -1;
    }

  if (convert_annotations (config, cc, s, err) < 0)
    return -1;
  return convert_volumes (cc, o, s, err);
}
