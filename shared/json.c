#include "json.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"

int json_parse (const char *buf, size_t len, const char *what, yajl_val *out,
                oci_error **err)
{
  char ebuf[256];
  cleanup_free char *copy = malloc (len + 1);

  if (copy == NULL)
    return oci_error_set (err, ENOMEM, "parse %s", what);
  memcpy (copy, buf, len);
  copy[len] = '\0';
  if (strlen (copy) != len)
    return oci_error_set (err, 0, "%s is not valid JSON: contains a NUL byte", what);
  ebuf[0] = '\0';
  *out = yajl_tree_parse (copy, ebuf, sizeof ebuf);
  if (*out == NULL)
    {
      /* yajl's message spans lines; keep the first. */
      char *nl = strchr (ebuf, '\n');
      if (nl)
        *nl = '\0';
      return oci_error_set (err, 0, "%s is not valid JSON: %s", what,
                            ebuf[0] ? ebuf : "parse error");
    }
  return 0;
}

yajl_val json_get (yajl_val obj, const char *key)
{
  if (obj == NULL || !YAJL_IS_OBJECT (obj))
    return NULL;
  for (size_t i = 0; i < obj->u.object.len; i++)
    if (strcmp (obj->u.object.keys[i], key) == 0)
      return obj->u.object.values[i];
  return NULL;
}

const char *json_get_string (yajl_val obj, const char *key)
{
  yajl_val v = json_get (obj, key);
  return v && YAJL_IS_STRING (v) ? v->u.string : NULL;
}

yajl_val json_get_object (yajl_val obj, const char *key)
{
  yajl_val v = json_get (obj, key);
  return v && YAJL_IS_OBJECT (v) ? v : NULL;
}

yajl_val json_get_array (yajl_val obj, const char *key)
{
  yajl_val v = json_get (obj, key);
  return v && YAJL_IS_ARRAY (v) ? v : NULL;
}

bool json_get_int (yajl_val obj, const char *key, long long *out)
{
  yajl_val v = json_get (obj, key);
  if (v == NULL || !YAJL_IS_INTEGER (v))
    return false;
  *out = YAJL_GET_INTEGER (v);
  return true;
}

yajl_val json_path (yajl_val obj, ...)
{
  va_list ap;
  const char *k;
  va_start (ap, obj);
  while (obj != NULL && (k = va_arg (ap, const char *)) != NULL)
    obj = json_get (obj, k);
  va_end (ap);
  return obj;
}

size_t json_array_len (yajl_val arr)
{
  return arr && YAJL_IS_ARRAY (arr) ? arr->u.array.len : 0;
}

yajl_val json_array_at (yajl_val arr, size_t i)
{
  return i < json_array_len (arr) ? arr->u.array.values[i] : NULL;
}

size_t json_object_len (yajl_val obj)
{
  return obj && YAJL_IS_OBJECT (obj) ? obj->u.object.len : 0;
}

const char *json_object_key (yajl_val obj, size_t i)
{
  return i < json_object_len (obj) ? obj->u.object.keys[i] : NULL;
}

yajl_val json_object_value (yajl_val obj, size_t i)
{
  return i < json_object_len (obj) ? obj->u.object.values[i] : NULL;
}

yajl_gen json_gen_new (bool pretty)
{
  yajl_gen g = yajl_gen_alloc (NULL);
  if (g == NULL)
    return NULL;
  yajl_gen_config (g, yajl_gen_beautify, pretty ? 1 : 0);
  yajl_gen_config (g, yajl_gen_validate_utf8, 1);
  if (pretty)
    yajl_gen_config (g, yajl_gen_indent_string, "  ");
  return g;
}

void json_gen_str (yajl_gen g, const char *s)
{
  yajl_gen_string (g, (const unsigned char *) s, strlen (s));
}

void json_gen_key (yajl_gen g, const char *key) { json_gen_str (g, key); }

void json_gen_kv_str (yajl_gen g, const char *key, const char *val)
{
  json_gen_str (g, key);
  json_gen_str (g, val);
}

void json_gen_kv_int (yajl_gen g, const char *key, long long val)
{
  json_gen_str (g, key);
  yajl_gen_integer (g, val);
}

void json_gen_kv_bool (yajl_gen g, const char *key, bool val)
{
  json_gen_str (g, key);
  yajl_gen_bool (g, val);
}

void json_gen_value (yajl_gen g, yajl_val v)
{
  if (v == NULL || YAJL_IS_NULL (v))
    yajl_gen_null (g);
  else if (YAJL_IS_STRING (v))
    json_gen_str (g, v->u.string);
  else if (YAJL_IS_NUMBER (v))
    yajl_gen_number (g, v->u.number.r, strlen (v->u.number.r));
  else if (YAJL_IS_TRUE (v))
    yajl_gen_bool (g, 1);
  else if (YAJL_IS_FALSE (v))
    yajl_gen_bool (g, 0);
  else if (YAJL_IS_ARRAY (v))
    {
      yajl_gen_array_open (g);
      for (size_t i = 0; i < v->u.array.len; i++)
        json_gen_value (g, v->u.array.values[i]);
      yajl_gen_array_close (g);
    }
  else if (YAJL_IS_OBJECT (v))
    {
      yajl_gen_map_open (g);
      for (size_t i = 0; i < v->u.object.len; i++)
        {
          json_gen_str (g, v->u.object.keys[i]);
          json_gen_value (g, v->u.object.values[i]);
        }
      yajl_gen_map_close (g);
    }
}

int json_gen_result (yajl_gen g, char **out, size_t *len, oci_error **err)
{
  const unsigned char *buf;
  size_t n;
  if (yajl_gen_get_buf (g, &buf, &n) != yajl_gen_status_ok)
    return oci_error_set (err, 0, "generate JSON: invalid document");
  *out = malloc (n + 1);
  if (*out == NULL)
    return oci_error_set (err, ENOMEM, "generate JSON");
  memcpy (*out, buf, n);
  (*out)[n] = '\0';
  if (len)
    *len = n;
  return 0;
}
