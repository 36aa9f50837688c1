#include "caps.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "capnames.h"
#include "json.h"
#include "logfile.h"

int cap_from_name (const char *name) { return capnames_lookup (name); }

const char *cap_name (int cap) { return capnames_name (cap); }

int cap_last (void)
{
  static int last = -1;
  if (last < 0)
    {
      char buf[16] = "";
      int fd = open ("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
      if (fd >= 0)
        {
          if (read (fd, buf, sizeof buf - 1) > 0)
            last = atoi (buf);
          close (fd);
        }
      if (last <= 0 || last > 63)
        {
          size_t n;
          capnames_all (&n);
          last = (int) n - 1;
        }
    }
  return last;
}

static const char *const set_keys[CAP_SET_COUNT] = {
  "bounding", "effective", "permitted", "inheritable", "ambient",
};

int caps_parse (yajl_val caps, struct cap_sets *out, oci_error **err)
{
  memset (out, 0, sizeof *out);
  if (caps == NULL || YAJL_IS_NULL (caps))
    return 0;
  if (!YAJL_IS_OBJECT (caps))
    return oci_error_set (err, 0, "process.capabilities: not an object");
  out->given = true;
  for (int s = 0; s < CAP_SET_COUNT; s++)
    {
      yajl_val arr = json_get (caps, set_keys[s]);
      if (arr == NULL || YAJL_IS_NULL (arr))
        continue;
      if (!YAJL_IS_ARRAY (arr))
        return oci_error_set (err, 0, "process.capabilities.%s: not an array", set_keys[s]);
      for (size_t i = 0; i < json_array_len (arr); i++)
        {
          yajl_val v = json_array_at (arr, i);
          int c = YAJL_IS_STRING (v) ? cap_from_name (v->u.string) : -1;
          /* config.md "Linux Process": a value that cannot be mapped to a
             kernel interface MUST cause an error */
          if (c < 0)
            return oci_error_set (err, 0, "process.capabilities.%s: unknown capability `%s`",
                                  set_keys[s], YAJL_IS_STRING (v) ? v->u.string : "?");
          /* a capability newer than this kernel: clients list every one
             they know (podman --privileged), as runc, it is left out */
          if (c > cap_last ())
            {
              logfile_debug ("capability %s not supported by this kernel, ignored", v->u.string);
              continue;
            }
          out->set[s] |= 1ULL << c;
        }
    }
  return 0;
}

int caps_apply_bounding (const struct cap_sets *c, oci_error **err)
{
  if (!c->given)
    return 0;
  for (int i = 0; i <= cap_last (); i++)
    if (!(c->set[CAP_SET_BOUNDING] & (1ULL << i)))
      if (prctl (PR_CAPBSET_DROP, i, 0, 0, 0) < 0 && errno != EINVAL)
        return oci_error_set (err, errno, "drop %s from the bounding set", cap_name (i));
  return 0;
}

int caps_apply_sets (const struct cap_sets *c, oci_error **err)
{
  struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct data[2];

  if (!c->given)
    return 0;
  for (int w = 0; w < 2; w++)
    {
      data[w].effective = (uint32_t) (c->set[CAP_SET_EFFECTIVE] >> (32 * w));
      data[w].permitted = (uint32_t) (c->set[CAP_SET_PERMITTED] >> (32 * w));
      data[w].inheritable = (uint32_t) (c->set[CAP_SET_INHERITABLE] >> (32 * w));
    }
  if (syscall (SYS_capset, &hdr, data) < 0)
    return oci_error_set (err, errno, "set capabilities");
  if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
    return oci_error_set (err, errno, "clear ambient capabilities");
  for (int i = 0; i <= cap_last (); i++)
    if (c->set[CAP_SET_AMBIENT] & (1ULL << i))
      if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, i, 0, 0) < 0)
        logfile_debug ("cannot raise ambient %s: %s", cap_name (i), strerror (errno));
  return 0;
}
