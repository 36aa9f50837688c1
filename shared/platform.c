#include "platform.h"

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "json.h"

static const char *arch_alias (const char *a)
{
  if (strcmp (a, "x86_64") == 0 || strcmp (a, "x86-64") == 0)
    return "amd64";
  if (strcmp (a, "aarch64") == 0)
    return "arm64";
  if (strcmp (a, "i386") == 0 || strcmp (a, "i686") == 0)
    return "386";
  if (strncmp (a, "armv7", 5) == 0 || strncmp (a, "armv6", 5) == 0)
    return "arm";
  return a;
}

void platform_host (platform *p)
{
  struct utsname u;
  memset (p, 0, sizeof *p);
  snprintf (p->os, sizeof p->os, "linux");
  if (uname (&u) == 0)
    {
      snprintf (p->arch, sizeof p->arch, "%s", arch_alias (u.machine));
      if (strncmp (u.machine, "armv7", 5) == 0)
        snprintf (p->variant, sizeof p->variant, "v7");
      else if (strncmp (u.machine, "armv6", 5) == 0)
        snprintf (p->variant, sizeof p->variant, "v6");
    }
  else
    snprintf (p->arch, sizeof p->arch, "amd64");
}

int platform_parse (const char *s, platform *p, oci_error **err)
{
  char os[32], arch[32], variant[16];
  int n;
  memset (p, 0, sizeof *p);
  variant[0] = '\0';
  n = sscanf (s, "%31[^/]/%31[^/]/%15s", os, arch, variant);
  if (n < 2 || strchr (variant, '/'))
    return oci_error_set (err, 0, "invalid platform `%s`: want os/arch[/variant]", s);
  snprintf (p->os, sizeof p->os, "%s", os);
  snprintf (p->arch, sizeof p->arch, "%s", arch_alias (arch));
  if (n == 3)
    snprintf (p->variant, sizeof p->variant, "%s", variant);
  return 0;
}

void platform_format (const platform *p, char *buf, size_t len)
{
  snprintf (buf, len, "%s/%s%s%s", p->os, p->arch, p->variant[0] ? "/" : "", p->variant);
}

static bool variant_equiv (const char *arch, const char *a, const char *b)
{
  if (a == NULL || *a == '\0' || *b == '\0')
    return true;
  if (strcmp (a, b) == 0)
    return true;
  /* arm64: "v8" is the default variant */
  (void) arch;
  return false;
}

bool platform_matches (yajl_val ep, const platform *want)
{
  const char *os = json_get_string (ep, "os");
  const char *arch = json_get_string (ep, "architecture");
  if (os == NULL || arch == NULL)
    return false;
  if (strcmp (os, want->os) != 0 || strcmp (arch_alias (arch), want->arch) != 0)
    return false;
  return variant_equiv (arch, json_get_string (ep, "variant"), want->variant);
}

yajl_val platform_select (yajl_val manifests, const platform *want)
{
  yajl_val exact = NULL, loose = NULL;
  for (size_t i = 0; i < json_array_len (manifests); i++)
    {
      yajl_val m = json_array_at (manifests, i);
      yajl_val pl = json_get_object (m, "platform");
      const char *v;
      if (json_path (m, "annotations", "vnd.docker.reference.type", NULL) != NULL)
        continue; /* BuildKit attestation, not an image */
      if (pl == NULL || !platform_matches (pl, want))
        continue;
      v = json_get_string (pl, "variant");
      if ((v ? v : "")[0] == want->variant[0] && strcmp (v ? v : "", want->variant) == 0)
        {
          if (!exact)
            exact = m;
        }
      else if (!loose)
        loose = m;
    }
  return exact ? exact : loose;
}
