/* The -ENOSYS stub (seccomp_enosys.h). Its layout, for k architectures:

     ld  [arch]
     jeq AUDIT_ARCH_1 → section 1     (one per architecture)
     …
     ja  → filter                     (any other architecture)
     section i: ld [nr]; jgt MAX_i → enosys, else → filter
     enosys: ret ERRNO(ENOSYS)
     filter: the profile's program, unchanged

   x86_64 and x32 share AUDIT_ARCH_X86_64; an x32 call has bit 30
   (__X32_SYSCALL_BIT) set in its number, so that section first tests the
   bit and compares with the maximum of the matching ABI only. */
#include "seccomp_enosys.h"

#include <ctype.h>
#include <errno.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <string.h>

#include "json.h"

#define X32_SYSCALL_BIT 0x40000000U

bool seccomp_enosys_wanted (uint32_t def)
{
  if (def == SCMP_ACT_ALLOW || def == SCMP_ACT_LOG || (def & 0xffff0000U) == SCMP_ACT_TRACE (0))
    return false;
  /* a default of ENOSYS already is what the stub would say */
  if ((def & ~0xffffU) == SCMP_ACT_ERRNO (0) && (def & 0xffffU) == ENOSYS)
    return false;
  return true;
}

static uint32_t arch_token (const char *name)
{
  char lower[32];
  size_t k;
  if (strncmp (name, "SCMP_ARCH_", 10) != 0)
    return 0;
  for (k = 0; name[10 + k] && k < sizeof lower - 1; k++)
    lower[k] = (char) tolower ((unsigned char) name[10 + k]);
  lower[k] = '\0';
  return seccomp_arch_resolve_name (lower);
}

static void add_max (yajl_val syscalls, uint32_t arch, struct seccomp_enosys_max *out, size_t *n)
{
  bool found = false;
  uint32_t max = 0;
  for (size_t i = 0; i < *n; i++)
    if (out[i].arch == arch)
      return;
  for (size_t i = 0; i < json_array_len (syscalls); i++)
    {
      yajl_val names = json_get_array (json_array_at (syscalls, i), "names");
      for (size_t k = 0; k < json_array_len (names); k++)
        {
          yajl_val v = json_array_at (names, k);
          int nr;
          if (!YAJL_IS_STRING (v))
            continue;
          /* negative: absent on this architecture, or a multiplexed
             pseudo-number (socketcall on x86) */
          nr = seccomp_syscall_resolve_name_arch (arch, YAJL_GET_STRING (v));
          if (nr < 0)
            continue;
          if (!found || (uint32_t) nr > max)
            max = (uint32_t) nr;
          found = true;
        }
    }
  if (found)
    out[(*n)++] = (struct seccomp_enosys_max) { .arch = arch, .max_nr = max };
}

int seccomp_enosys_maxima (yajl_val sc, struct seccomp_enosys_max *out, size_t cap, size_t *n,
                           oci_error **err)
{
  yajl_val archs = json_get_array (sc, "architectures");
  yajl_val syscalls = json_get_array (sc, "syscalls");

  *n = 0;
  if (json_array_len (archs) + 1 > cap)
    return oci_error_set (err, 0, "linux.seccomp.architectures: more than %zu", cap - 1);
  /* libseccomp's filter always holds the native architecture */
  add_max (syscalls, seccomp_arch_native (), out, n);
  for (size_t i = 0; i < json_array_len (archs); i++)
    {
      yajl_val a = json_array_at (archs, i);
      uint32_t token = YAJL_IS_STRING (a) ? arch_token (YAJL_GET_STRING (a)) : 0;
      if (token != 0)
        add_max (syscalls, token, out, n);
    }
  return 0;
}

/* One section per audit architecture: x86_64 and x32 merge into one. */
struct section
{
  uint32_t audit;
  bool has64, has32;
  uint32_t max64, max32;
  size_t start, len;
};

static int emit_jump (struct sock_filter *f, size_t pc, uint16_t code, uint32_t k, size_t jt,
                      size_t jf, oci_error **err)
{
  /* jt, jf: absolute targets, forward only; classic BPF skips fit a byte */
  if (jt <= pc || jf <= pc || jt - pc - 1 > 255 || jf - pc - 1 > 255)
    return oci_error_set (err, 0, "linux.seccomp: the ENOSYS stub needs a jump too long");
  f[pc] = (struct sock_filter) BPF_JUMP (code, k, (uint8_t) (jt - pc - 1), (uint8_t) (jf - pc - 1));
  return 0;
}

int seccomp_enosys_stub (const struct seccomp_enosys_max *m, size_t n, struct sock_filter *out,
                         size_t cap, oci_error **err)
{
  struct section s[SECCOMP_ENOSYS_MAX_ARCHS];
  size_t k = 0, pc, enosys, filter;

  for (size_t i = 0; i < n; i++)
    {
      bool x32 = m[i].arch == SCMP_ARCH_X32;
      uint32_t audit = x32 ? SCMP_ARCH_X86_64 : m[i].arch;
      size_t j;
      for (j = 0; j < k && s[j].audit != audit; j++)
        ;
      if (j == k)
        {
          if (k == SECCOMP_ENOSYS_MAX_ARCHS)
            return oci_error_set (err, 0, "linux.seccomp: too many architectures");
          s[k++] = (struct section) { .audit = audit };
        }
      if (x32)
        s[j].has32 = true, s[j].max32 = m[i].max_nr;
      else
        s[j].has64 = true, s[j].max64 = m[i].max_nr;
    }
  if (k == 0)
    return 0;
  /* sizes first, then every jump target is known */
  pc = 1 + k + 1;
  for (size_t j = 0; j < k; j++)
    {
      s[j].start = pc;
      if (s[j].audit != SCMP_ARCH_X86_64)
        s[j].len = 2;
      else
        s[j].len = s[j].has64 && s[j].has32 ? 4 : 3;
      pc += s[j].len;
    }
  enosys = pc;
  filter = enosys + 1;
  if (filter > cap)
    return oci_error_set (err, 0, "linux.seccomp: the ENOSYS stub is too long");

  out[0] = (struct sock_filter) BPF_STMT (BPF_LD | BPF_W | BPF_ABS,
                                          offsetof (struct seccomp_data, arch));
  for (size_t j = 0; j < k; j++)
    if (emit_jump (out, 1 + j, BPF_JMP | BPF_JEQ | BPF_K, s[j].audit, s[j].start, 2 + j, err) < 0)
      return -1;
  out[1 + k] = (struct sock_filter) BPF_STMT (BPF_JMP | BPF_JA | BPF_K, (uint32_t) (filter - k - 2));
  for (size_t j = 0; j < k; j++)
    {
      size_t p = s[j].start;
      int r = 0;
      out[p++] = (struct sock_filter) BPF_STMT (BPF_LD | BPF_W | BPF_ABS,
                                                offsetof (struct seccomp_data, nr));
      if (s[j].audit != SCMP_ARCH_X86_64)
        r = emit_jump (out, p, BPF_JMP | BPF_JGT | BPF_K, s[j].max64, enosys, filter, err);
      else if (s[j].has64 && s[j].has32)
        {
          /* bit 30 set: the x32 comparison at p+2, else the x86_64 one */
          r = emit_jump (out, p, BPF_JMP | BPF_JSET | BPF_K, X32_SYSCALL_BIT, p + 2, p + 1, err);
          if (r == 0)
            r = emit_jump (out, p + 1, BPF_JMP | BPF_JGT | BPF_K, s[j].max64, enosys, filter, err);
          if (r == 0)
            r = emit_jump (out, p + 2, BPF_JMP | BPF_JGT | BPF_K, s[j].max32, enosys, filter, err);
        }
      else if (s[j].has64)
        {
          /* an x32 call when the profile names no x32 syscall: the filter
             decides (its x32 handling, or bad-arch) */
          r = emit_jump (out, p, BPF_JMP | BPF_JSET | BPF_K, X32_SYSCALL_BIT, filter, p + 1, err);
          if (r == 0)
            r = emit_jump (out, p + 1, BPF_JMP | BPF_JGT | BPF_K, s[j].max64, enosys, filter, err);
        }
      else
        {
          r = emit_jump (out, p, BPF_JMP | BPF_JSET | BPF_K, X32_SYSCALL_BIT, p + 1, filter, err);
          if (r == 0)
            r = emit_jump (out, p + 1, BPF_JMP | BPF_JGT | BPF_K, s[j].max32, enosys, filter, err);
        }
      if (r < 0)
        return -1;
    }
  out[enosys] = (struct sock_filter) BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
  return (int) filter;
}
