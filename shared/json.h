/* JSON: parsing through yajl's tree API, writing through yajl_gen. */
#ifndef OCIKIT_JSON_H
#define OCIKIT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "error.h"

/* Parse `len` bytes (need not be NUL-terminated). `what` names the document
   in the error ("manifest of X"). */
int json_parse (const char *buf, size_t len, const char *what, yajl_val *out,
                oci_error **err);

static inline void json_freep (yajl_val *v)
{
  if (*v)
    yajl_tree_free (*v);
}
#define cleanup_json __attribute__ ((cleanup (json_freep)))

/* Member lookup on an object; NULL if absent or `obj` is not an object. */
yajl_val json_get (yajl_val obj, const char *key);
/* Typed lookups: NULL if absent or of another type. */
const char *json_get_string (yajl_val obj, const char *key);
yajl_val json_get_object (yajl_val obj, const char *key);
yajl_val json_get_array (yajl_val obj, const char *key);
/* Integer member; returns false if absent or not an integer. */
bool json_get_int (yajl_val obj, const char *key, long long *out);
/* Nested path: json_path (obj, "config", "Env", NULL). */
yajl_val json_path (yajl_val obj, ...) __attribute__ ((sentinel));

size_t json_array_len (yajl_val arr);
yajl_val json_array_at (yajl_val arr, size_t i);
size_t json_object_len (yajl_val obj);
const char *json_object_key (yajl_val obj, size_t i);
yajl_val json_object_value (yajl_val obj, size_t i);

/* Writer: a yajl_gen with helpers. */
yajl_gen json_gen_new (bool pretty);
static inline void json_gen_freep (yajl_gen *g)
{
  if (*g)
    yajl_gen_free (*g);
}
#define cleanup_json_gen __attribute__ ((cleanup (json_gen_freep)))
void json_gen_str (yajl_gen g, const char *s);
void json_gen_kv_str (yajl_gen g, const char *key, const char *val);
void json_gen_kv_int (yajl_gen g, const char *key, long long val);
void json_gen_kv_bool (yajl_gen g, const char *key, bool val);
void json_gen_key (yajl_gen g, const char *key);
/* Copy a parsed value into the generator unchanged. */
void json_gen_value (yajl_gen g, yajl_val v);
/* Take the generated text (malloc'd, NUL-terminated). */
int json_gen_result (yajl_gen g, char **out, size_t *len, oci_error **err);

#endif
