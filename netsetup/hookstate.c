/* OCI state on stdin → id, pid, bundle, network annotations. */
#include "hookstate.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "json.h"

const char *port_protocol_name (uint8_t proto)
{
  return proto == IPPROTO_UDP ? "udp" : "tcp";
}

/* A port given as a JSON number or a digit string; 0 when absent. */
static int port_value (yajl_val m, const char *key, size_t i, bool required,
                       uint16_t *out, oci_error **err)
{
  yajl_val v = json_get (m, key);
  long long n;
  char *end;

  if (v == NULL || YAJL_IS_NULL (v))
    {
      if (required)
        return oci_error_set (err, 0, "port mapping %zu: %s missing", i, key);
      *out = 0;
      return 0;
    }
  if (YAJL_IS_INTEGER (v))
    n = YAJL_GET_INTEGER (v);
  else if (YAJL_IS_STRING (v))
    {
      const char *s = YAJL_GET_STRING (v);
      errno = 0;
      n = strtoll (s, &end, 10);
      if (errno || *s == '\0' || *end)
        return oci_error_set (err, 0, "port mapping %zu: %s `%s` is not a number", i, key, s);
    }
  else
    return oci_error_set (err, 0, "port mapping %zu: %s is not a number", i, key);
  if (n < 1 || n > 65535)
    return oci_error_set (err, 0, "port mapping %zu: %s %lld out of range 1-65535", i, key, n);
  *out = (uint16_t) n;
  return 0;
}

int ports_parse (const char *json, struct port_mapping **out, size_t *n, oci_error **err)
{
  cleanup_json yajl_val root = NULL;
  cleanup_free struct port_mapping *ports = NULL;
  size_t i, len;

  *out = NULL;
  *n = 0;
  if (json_parse (json, strlen (json), "port mappings", &root, err) < 0)
    return -1;
  if (!YAJL_IS_ARRAY (root))
    return oci_error_set (err, 0, "port mappings: want a JSON array");
  len = json_array_len (root);
  if (len == 0)
    return 0;
  ports = calloc (len, sizeof *ports);
  if (ports == NULL)
    return oci_error_set (err, ENOMEM, "port mappings");
  for (i = 0; i < len; i++)
    {
      yajl_val m = json_array_at (root, i);
      struct port_mapping *p = &ports[i];
      const char *ip, *proto;
      size_t j;

      if (!YAJL_IS_OBJECT (m))
        return oci_error_set (err, 0, "port mapping %zu: want an object", i);
      if (port_value (m, "hostPort", i, true, &p->host_port, err) < 0
          || port_value (m, "containerPort", i, false, &p->container_port, err) < 0)
        return -1;
      if (p->container_port == 0)
        p->container_port = p->host_port;
      ip = json_get_string (m, "hostIP");
      if (ip && *ip && inet_pton (AF_INET, ip, &p->host_ip) != 1)
        return oci_error_set (err, 0, "port mapping %zu: hostIP `%s` is not an IPv4 address", i, ip);
      proto = json_get_string (m, "protocol");
      if (proto == NULL || *proto == '\0' || strcasecmp (proto, "tcp") == 0)
        p->protocol = IPPROTO_TCP;
      else if (strcasecmp (proto, "udp") == 0)
        p->protocol = IPPROTO_UDP;
      else
        return oci_error_set (err, 0, "port mapping %zu: protocol `%s`: want tcp or udp", i, proto);
      for (j = 0; j < i; j++)
        if (ports[j].host_port == p->host_port && ports[j].protocol == p->protocol
            && (ports[j].host_ip.s_addr == p->host_ip.s_addr || ports[j].host_ip.s_addr == 0
                || p->host_ip.s_addr == 0))
          return oci_error_set (err, 0, "port mapping %zu: host port %s/%u given twice", i,
                                port_protocol_name (p->protocol), p->host_port);
    }
  *out = steal_pointer (&ports);
  *n = len;
  return 0;
}

int hook_state_parse (const char *buf, size_t len, struct hook_state *st, oci_error **err)
{
  cleanup_json yajl_val root = NULL;
  yajl_val ann;
  const char *id, *bundle, *s;
  long long pid = 0;

  memset (st, 0, sizeof *st);
  if (json_parse (buf, len, "container state on stdin", &root, err) < 0)
    return -1;
  id = json_get_string (root, "id");
  if (id == NULL || *id == '\0')
    return oci_error_set (err, 0, "container state on stdin: no `id`");
  st->id = strdup (id);
  if (json_get (root, "pid") && (!json_get_int (root, "pid", &pid) || pid < 0 || pid > 0x3fffffff))
    return oci_error_set (err, 0, "container state on stdin: bad `pid`");
  st->pid = (pid_t) pid;
  bundle = json_get_string (root, "bundle");
  if (bundle && *bundle)
    st->bundle = strdup (bundle);
  ann = json_get_object (root, "annotations");
  if ((s = json_get_string (ann, ANNOTATION_NET_MODE)))
    st->mode = strdup (s);
  if ((s = json_get_string (ann, ANNOTATION_NET_PORTS)) && *s)
    {
      if (ports_parse (s, &st->ports, &st->n_ports, err) < 0)
        return oci_error_prefix (err, "annotation %s", ANNOTATION_NET_PORTS);
    }
  if (st->id == NULL)
    return oci_error_set (err, ENOMEM, "container state");
  return 0;
}

void hook_state_free (struct hook_state *st)
{
  free (st->id);
  free (st->bundle);
  free (st->mode);
  free (st->ports);
  memset (st, 0, sizeof *st);
}
