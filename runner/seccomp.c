/* linux.seccomp (runtime-spec config-linux.md "Seccomp") compiled with
   libseccomp in the runtime and exported as a classic BPF program, so the
   container's init only calls seccomp(2) with a ready program. Compiled
   programs are cached by the profile (a hash names the file). */
#include "seccomp.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cleanup.h"
#include "fileutil.h"
#include "json.h"
#include "seccomp_enosys.h"

/* The kernel's limit on a seccomp program (BPF_MAXINSNS). */
#define SECCOMP_MAX_INSNS 4096

struct seccomp_program
{
  struct sock_filter *filter;
  unsigned short len;
  unsigned int flags; /* SECCOMP_FILTER_FLAG_* from linux.seccomp.flags */
  bool notify;        /* some rule uses SCMP_ACT_NOTIFY */
  bool cached;
  char *listener_path;
  char *listener_metadata;
};

static void seccomp_ctx_releasep (scmp_filter_ctx *c)
{
  if (*c)
    seccomp_release (*c);
}

void seccomp_program_free (seccomp_program *p)
{
  if (p == NULL)
    return;
  free (p->filter);
  free (p->listener_path);
  free (p->listener_metadata);
  free (p);
}

static void seccomp_program_freep (seccomp_program **p)
{
  seccomp_program_free (*p);
}

const char *seccomp_program_listener_path (const seccomp_program *p)
{
  return p ? p->listener_path : NULL;
}

bool seccomp_program_uses_notify (const seccomp_program *p)
{
  return p && p->notify;
}

const char *seccomp_program_listener_metadata (const seccomp_program *p)
{
  return p ? p->listener_metadata : NULL;
}

bool seccomp_program_from_cache (const seccomp_program *p) { return p && p->cached; }
size_t seccomp_program_length (const seccomp_program *p) { return p ? p->len : 0; }

/* ---- the profile ---- */

static int parse_action (const char *name, yajl_val errno_ret, uint32_t *out, bool *notify,
                         oci_error **err)
{
  /* config-linux.md: errnoRet defaults to EPERM for ERRNO and TRACE. */
  long long e = EPERM;
  if (errno_ret && YAJL_IS_INTEGER (errno_ret))
    e = YAJL_GET_INTEGER (errno_ret);
  if (e < 0 || e > 0xffff)
    return oci_error_set (err, 0, "linux.seccomp: errnoRet %lld out of range", e);
  if (name == NULL)
    return oci_error_set (err, 0, "linux.seccomp: missing action");
  if (strcmp (name, "SCMP_ACT_KILL") == 0 || strcmp (name, "SCMP_ACT_KILL_THREAD") == 0)
    *out = SCMP_ACT_KILL_THREAD;
  else if (strcmp (name, "SCMP_ACT_KILL_PROCESS") == 0)
    *out = SCMP_ACT_KILL_PROCESS;
  else if (strcmp (name, "SCMP_ACT_TRAP") == 0)
    *out = SCMP_ACT_TRAP;
  else if (strcmp (name, "SCMP_ACT_ERRNO") == 0)
    *out = SCMP_ACT_ERRNO ((uint32_t) e);
  else if (strcmp (name, "SCMP_ACT_TRACE") == 0)
    *out = SCMP_ACT_TRACE ((uint32_t) e);
  else if (strcmp (name, "SCMP_ACT_ALLOW") == 0)
    *out = SCMP_ACT_ALLOW;
  else if (strcmp (name, "SCMP_ACT_LOG") == 0)
    *out = SCMP_ACT_LOG;
  else if (strcmp (name, "SCMP_ACT_NOTIFY") == 0)
    {
      *out = SCMP_ACT_NOTIFY;
      *notify = true;
    }
  else
    return oci_error_set (err, 0, "linux.seccomp: unknown action `%s`", name);
  return 0;
}

static int parse_op (const char *op, enum scmp_compare *out, oci_error **err)
{
  static const struct { const char *name; enum scmp_compare op; } ops[] = {
    { "SCMP_CMP_NE", SCMP_CMP_NE },  { "SCMP_CMP_LT", SCMP_CMP_LT },
    { "SCMP_CMP_LE", SCMP_CMP_LE },  { "SCMP_CMP_EQ", SCMP_CMP_EQ },
    { "SCMP_CMP_GE", SCMP_CMP_GE },  { "SCMP_CMP_GT", SCMP_CMP_GT },
    { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
  };
  for (size_t i = 0; op && i < sizeof ops / sizeof *ops; i++)
    if (strcmp (op, ops[i].name) == 0)
      {
        *out = ops[i].op;
        return 0;
      }
  return oci_error_set (err, 0, "linux.seccomp: unknown comparison `%s`", op ? op : "");
}

/* The parts a cached program still needs: flags, listener. */
static int parse_meta (yajl_val sc, seccomp_program *p, oci_error **err)
{
  yajl_val flags = json_get (sc, "flags");
  const char *s;

  if (flags && !YAJL_IS_NULL (flags) && !YAJL_IS_ARRAY (flags))
    return oci_error_set (err, 0, "linux.seccomp.flags: not an array");
  for (size_t i = 0; i < json_array_len (flags); i++)
    {
      yajl_val f = json_array_at (flags, i);
      const char *n = YAJL_IS_STRING (f) ? YAJL_GET_STRING (f) : "";
      if (strcmp (n, "SECCOMP_FILTER_FLAG_TSYNC") == 0)
        p->flags |= SECCOMP_FILTER_FLAG_TSYNC;
      else if (strcmp (n, "SECCOMP_FILTER_FLAG_LOG") == 0)
        p->flags |= SECCOMP_FILTER_FLAG_LOG;
      else if (strcmp (n, "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0)
        p->flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
      else if (strcmp (n, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") == 0)
        p->flags |= SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
      else
        return oci_error_set (err, 0, "linux.seccomp.flags: unknown flag `%s`", n);
    }
  if ((s = json_get_string (sc, "listenerPath")) && *s
      && (p->listener_path = strdup (s)) == NULL)
    return oci_error_set (err, ENOMEM, "linux.seccomp");
  if ((s = json_get_string (sc, "listenerMetadata")) && *s
      && (p->listener_metadata = strdup (s)) == NULL)
    return oci_error_set (err, ENOMEM, "linux.seccomp");
  return 0;
}

static int add_architectures (scmp_filter_ctx ctx, yajl_val archs, oci_error **err)
{
  for (size_t i = 0; i < json_array_len (archs); i++)
    {
      yajl_val a = json_array_at (archs, i);
      const char *name = YAJL_IS_STRING (a) ? YAJL_GET_STRING (a) : "";
      char lower[32];
      uint32_t token;
      int r;
      if (strncmp (name, "SCMP_ARCH_", 10) != 0 || strlen (name + 10) >= sizeof lower)
        return oci_error_set (err, 0, "linux.seccomp.architectures: unknown `%s`", name);
      /* libseccomp names them in lower case: SCMP_ARCH_X86_64 → x86_64 */
      for (size_t k = 0; k <= strlen (name + 10); k++)
        lower[k] = (char) tolower ((unsigned char) name[10 + k]);
      token = seccomp_arch_resolve_name (lower);
      if (token == 0)
        return oci_error_set (err, 0, "linux.seccomp.architectures: unknown `%s`", name);
      r = seccomp_arch_add (ctx, token);
      if (r < 0 && r != -EEXIST)
        return oci_error_set (err, -r, "linux.seccomp.architectures: add `%s`", name);
    }
  return 0;
}

static int add_syscall_rule (scmp_filter_ctx ctx, yajl_val rule, size_t idx, uint32_t def,
                             bool *notify, oci_error **err)
{
  yajl_val names = json_get_array (rule, "names");
  yajl_val args = json_get_array (rule, "args");
  size_t nargs = json_array_len (args);
  struct scmp_arg_cmp cmps[6];
  bool split = false;
  uint32_t action;

  if (parse_action (json_get_string (rule, "action"), json_get (rule, "errnoRet"), &action,
                    notify, err) < 0)
    return oci_error_prefix (err, "linux.seccomp.syscalls[%zu]", idx);
  if (nargs > 6)
    return oci_error_set (err, 0, "linux.seccomp.syscalls[%zu]: more than 6 args", idx);
  for (size_t i = 0; i < nargs; i++)
    {
      yajl_val a = json_array_at (args, i);
      long long index = -1;
      yajl_val v = json_get (a, "value"), v2 = json_get (a, "valueTwo");
      enum scmp_compare op = SCMP_CMP_EQ;
      if (!json_get_int (a, "index", &index) || index < 0 || index > 5)
        return oci_error_set (err, 0, "linux.seccomp.syscalls[%zu].args[%zu]: index not in 0..5", idx, i);
      if (parse_op (json_get_string (a, "op"), &op, err) < 0)
        return oci_error_prefix (err, "linux.seccomp.syscalls[%zu].args[%zu]", idx, i);
      cmps[i] = (struct scmp_arg_cmp) {
        .arg = (unsigned) index,
        .op = op,
        /* MASKED_EQ: value is the mask, valueTwo the expected result. */
        .datum_a = v && YAJL_IS_NUMBER (v) ? strtoull (v->u.number.r, NULL, 10) : 0,
        .datum_b = v2 && YAJL_IS_NUMBER (v2) ? strtoull (v2->u.number.r, NULL, 10) : 0,
      };
      for (size_t j = 0; j < i; j++)
        split |= cmps[j].arg == cmps[i].arg;
    }
  /* libseccomp refuses a rule equal to the default action. */
  if (action == def)
    return 0;
  for (size_t k = 0; k < json_array_len (names); k++)
    {
      yajl_val n = json_array_at (names, k);
      const char *name = YAJL_IS_STRING (n) ? YAJL_GET_STRING (n) : NULL;
      int nr, r = 0;
      if (name == NULL)
        return oci_error_set (err, 0, "linux.seccomp.syscalls[%zu].names: not a string", idx);
      /* The runtime still writes (the listener fd, sync messages) after
         the install: notifying write would wait on itself (runc too). */
      if (action == SCMP_ACT_NOTIFY && strcmp (name, "write") == 0)
        return oci_error_set (err, 0, "linux.seccomp: SCMP_ACT_NOTIFY cannot be used for `write`");
      nr = seccomp_syscall_resolve_name (name);
      if (nr == __NR_SCMP_ERROR)
        continue; /* unknown here (newer or other arch): skipped, as runc */
      if (split)
        {
          /* Two conditions on one argument cannot be one libseccomp rule:
             like runc, one rule per condition (any of them matches). */
          for (size_t i = 0; r == 0 && i < nargs; i++)
            r = seccomp_rule_add_array (ctx, action, nr, 1, &cmps[i]);
        }
      else
        r = seccomp_rule_add_array (ctx, action, nr, (unsigned) nargs, cmps);
      if (r < 0)
        return oci_error_set (err, -r, "linux.seccomp: add rule for `%s`", name);
    }
  return 0;
}

static int compile (yajl_val sc, seccomp_program *p, oci_error **err)
{
  __attribute__ ((cleanup (seccomp_ctx_releasep))) scmp_filter_ctx ctx = NULL;
  cleanup_close int fd = -1;
  cleanup_free char *buf = NULL;
  yajl_val syscalls = json_get_array (sc, "syscalls");
  bool def_notify = false;
  uint32_t def;
  size_t len;
  int r;

  if (parse_action (json_get_string (sc, "defaultAction"), json_get (sc, "defaultErrnoRet"),
                    &def, &def_notify, err) < 0)
    return oci_error_prefix (err, "linux.seccomp.defaultAction");
  if (def_notify)
    /* The runtime's own syscalls after the install would wait for a
       supervisor that does not have the fd yet (runc refuses it too). */
    return oci_error_set (err, 0, "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default");
  ctx = seccomp_init (def);
  if (ctx == NULL)
    return oci_error_set (err, EINVAL, "linux.seccomp: libseccomp init");
  if (add_architectures (ctx, json_get_array (sc, "architectures"), err) < 0)
    return -1;
  for (size_t i = 0; i < json_array_len (syscalls); i++)
    if (add_syscall_rule (ctx, json_array_at (syscalls, i), i, def, &p->notify, err) < 0)
      return -1;

  fd = memfd_create ("runner-seccomp", MFD_CLOEXEC);
  if (fd < 0)
    return oci_error_set (err, errno, "linux.seccomp: memfd_create");
  r = seccomp_export_bpf (ctx, fd);
  if (r < 0)
    return oci_error_set (err, -r, "linux.seccomp: export the filter");
  if (lseek (fd, 0, SEEK_SET) < 0 || read_all_fd (fd, 8 * SECCOMP_MAX_INSNS + 8, "seccomp filter", &buf, &len, err) < 0)
    return oci_error_set (err, errno, "linux.seccomp: read the filter back");
  if (len == 0 || len % sizeof (struct sock_filter) || len / sizeof (struct sock_filter) > SECCOMP_MAX_INSNS)
    return oci_error_set (err, 0, "linux.seccomp: the filter has %zu instructions (limit %d)",
                          len / sizeof (struct sock_filter), SECCOMP_MAX_INSNS);
  if (seccomp_enosys_wanted (def))
    {
      /* runc's -ENOSYS stub in front of libseccomp's program (seccomp_enosys.h) */
      struct seccomp_enosys_max max[SECCOMP_ENOSYS_MAX_ARCHS];
      struct sock_filter stub[SECCOMP_ENOSYS_MAX_INSNS];
      size_t nmax, insns = len / sizeof (struct sock_filter);
      int nstub;
      char *grown;
      if (seccomp_enosys_maxima (sc, max, SECCOMP_ENOSYS_MAX_ARCHS, &nmax, err) < 0)
        return -1;
      nstub = seccomp_enosys_stub (max, nmax, stub, SECCOMP_ENOSYS_MAX_INSNS, err);
      if (nstub < 0)
        return -1;
      if (insns + (size_t) nstub > SECCOMP_MAX_INSNS)
        return oci_error_set (err, 0, "linux.seccomp: the filter has %zu instructions (limit %d)",
                              insns + (size_t) nstub, SECCOMP_MAX_INSNS);
      grown = realloc (buf, len + (size_t) nstub * sizeof *stub);
      if (grown == NULL)
        return oci_error_set (err, ENOMEM, "linux.seccomp");
      buf = grown;
      memmove (buf + (size_t) nstub * sizeof *stub, buf, len);
      memcpy (buf, stub, (size_t) nstub * sizeof *stub);
      len += (size_t) nstub * sizeof *stub;
    }
  p->filter = (struct sock_filter *) steal_pointer (&buf);
  p->len = (unsigned short) (len / sizeof (struct sock_filter));
  return 0;
}

/* The cache key: everything that decides the compiled program (libseccomp
   and kernel API version, machine, the profile as JSON). Files are named by
   a 64-bit FNV-1a of it and hold the key itself in front of the program, so
   a load compares the whole key: a hash collision can only cost a
   recompile, never hand a container another profile's filter. (No SHA-256
   here: runner does not link libcrypto, which keeps its start small.) */
struct cache_key
{
  char *text;
  size_t len;
  char name[16 + 5]; /* HEX.bpf */
};

static void cache_key_clear (struct cache_key *k) { free (k->text); }

static int cache_key_make (yajl_val sc, struct cache_key *k, oci_error **err)
{
  cleanup_json_gen yajl_gen g = json_gen_new (false);
  cleanup_free char *text = NULL;
  const struct scmp_version *v = seccomp_version ();
  char head[256];
  struct utsname u;
  size_t len, hlen;
  uint64_t h = 0xcbf29ce484222325ULL;

  if (g == NULL)
    return oci_error_set (err, ENOMEM, "seccomp cache");
  json_gen_value (g, sc);
  if (json_gen_result (g, &text, &len, err) < 0)
    return -1;
  uname (&u);
  snprintf (head, sizeof head, "ocikit-seccomp-3 libseccomp-%u.%u.%u api-%u %s\n",
            v->major, v->minor, v->micro, seccomp_api_get (), u.machine);
  hlen = strlen (head);
  k->text = malloc (hlen + len);
  if (k->text == NULL)
    return oci_error_set (err, ENOMEM, "seccomp cache");
  memcpy (k->text, head, hlen);
  memcpy (k->text + hlen, text, len);
  k->len = hlen + len;
  for (size_t i = 0; i < k->len; i++)
    {
      h ^= (unsigned char) k->text[i];
      h *= 0x100000001b3ULL;
    }
  snprintf (k->name, sizeof k->name, "%016llx.bpf", (unsigned long long) h);
  return 0;
}

/* A cached program is trusted as is: use a cache directory only when
   nobody but us can write to it. */
static bool cache_dir_safe (const char *dir)
{
  struct stat st;
  return lstat (dir, &st) == 0 && S_ISDIR (st.st_mode) && st.st_uid == geteuid ()
         && (st.st_mode & 022) == 0;
}

/* File: the key's length (8 bytes, native order), the key, the program. */
static bool cache_load (const char *dir, const struct cache_key *k, seccomp_program *p)
{
  cleanup_free char *path = NULL, *buf = NULL;
  cleanup_close int fd = -1;
  cleanup_error oci_error *e = NULL;
  size_t len, prog;
  uint64_t klen;

  if (!cache_dir_safe (dir) || asprintf (&path, "%s/%s", dir, k->name) < 0)
    return false;
  fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0
      || read_all_fd (fd, sizeof klen + k->len + 8 * SECCOMP_MAX_INSNS, path, &buf, &len, &e) < 0)
    return false;
  if (len < sizeof klen + k->len)
    return false;
  memcpy (&klen, buf, sizeof klen);
  if (klen != k->len || memcmp (buf + sizeof klen, k->text, k->len) != 0)
    return false; /* another profile with the same hash: recompile */
  prog = len - sizeof klen - k->len;
  if (prog == 0 || prog % sizeof (struct sock_filter))
    return false;
  p->filter = malloc (prog);
  if (p->filter == NULL)
    return false;
  memcpy (p->filter, buf + sizeof klen + k->len, prog);
  p->len = (unsigned short) (prog / sizeof (struct sock_filter));
  p->cached = true;
  return true;
}

static void cache_store (const char *dir, const struct cache_key *k, const seccomp_program *p)
{
  cleanup_error oci_error *e = NULL;
  cleanup_close int dfd = -1;
  cleanup_free char *buf = NULL;
  uint64_t klen = k->len;
  size_t prog = p->len * sizeof (struct sock_filter);

  if (mkdir_p (dir, 0700, &e) < 0 || !cache_dir_safe (dir))
    return;
  dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  buf = malloc (sizeof klen + k->len + prog);
  if (dfd < 0 || buf == NULL)
    return;
  memcpy (buf, &klen, sizeof klen);
  memcpy (buf + sizeof klen, k->text, k->len);
  memcpy (buf + sizeof klen + k->len, p->filter, prog);
  write_file_atomic (dfd, k->name, buf, sizeof klen + k->len + prog, 0600, &e);
}

/* Does the profile use SCMP_ACT_NOTIFY anywhere? (the cached path does
   not compile, but install needs to know) */
static bool uses_notify (yajl_val sc)
{
  yajl_val syscalls = json_get_array (sc, "syscalls");
  for (size_t i = 0; i < json_array_len (syscalls); i++)
    {
      const char *a = json_get_string (json_array_at (syscalls, i), "action");
      if (a && strcmp (a, "SCMP_ACT_NOTIFY") == 0)
        return true;
    }
  return false;
}

int seccomp_program_build_cached (yajl_val seccomp, const char *cache_dir,
                                  seccomp_program **out, oci_error **err)
{
  __attribute__ ((cleanup (seccomp_program_freep))) seccomp_program *p = NULL;
  __attribute__ ((cleanup (cache_key_clear))) struct cache_key key = { 0 };

  *out = NULL;
  if (seccomp == NULL || YAJL_IS_NULL (seccomp))
    return 0;
  if (!YAJL_IS_OBJECT (seccomp))
    return oci_error_set (err, 0, "linux.seccomp: not an object");
  p = calloc (1, sizeof *p);
  if (p == NULL)
    return oci_error_set (err, ENOMEM, "linux.seccomp");
  if (parse_meta (seccomp, p, err) < 0)
    return -1;
  if (uses_notify (seccomp) && p->listener_path == NULL)
    return oci_error_set (err, 0, "linux.seccomp: SCMP_ACT_NOTIFY needs listenerPath");
  if (cache_dir && cache_key_make (seccomp, &key, err) < 0)
    return -1;
  if (cache_dir && cache_load (cache_dir, &key, p))
    p->notify = uses_notify (seccomp);
  else
    {
      if (compile (seccomp, p, err) < 0)
        return -1;
      if (cache_dir)
        cache_store (cache_dir, &key, p);
    }
  *out = steal_pointer (&p);
  return 0;
}

int seccomp_program_build (yajl_val seccomp, seccomp_program **out, oci_error **err)
{
  return seccomp_program_build_cached (seccomp, NULL, out, err);
}

/* ---- in the container ---- */

int seccomp_program_install (const seccomp_program *p, int *listener_fd, oci_error **err)
{
  struct sock_fprog prog;
  unsigned int flags;
  long r;

  *listener_fd = -1;
  if (p == NULL)
    return 0;
  prog.len = p->len;
  prog.filter = p->filter;
  flags = p->flags;
  if (p->notify)
    {
      flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
      /* TSYNC returns a thread id on failure, which clashes with the
         listener fd: the kernel wants TSYNC_ESRCH with it. */
      if (flags & SECCOMP_FILTER_FLAG_TSYNC)
        flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
    }
  r = syscall (__NR_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
  if (r < 0 && errno == EINVAL
      && (flags & (SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW
                   | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)))
    {
      /* Flags this kernel does not have are dropped, not fatal. */
      flags &= ~(SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW
                 | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV);
      r = syscall (__NR_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
    }
  if (r < 0)
    return oci_error_set (err, errno, "install the seccomp filter");
  if (p->notify)
    *listener_fd = (int) r;
  return 0;
}

/* ---- runner features ---- */

static const char *const feature_actions[] = {
  "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
  "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP",
};
static const char *const feature_operators[] = {
  "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE",
  "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE",
};
static const char *const feature_archs[] = {
  "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64",
  "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32",
  "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64",
  "SCMP_ARCH_PPC64LE", "SCMP_ARCH_RISCV64", "SCMP_ARCH_S390", "SCMP_ARCH_S390X",
  "SCMP_ARCH_X32", "SCMP_ARCH_X86", "SCMP_ARCH_X86_64",
};
static const struct { const char *name; unsigned int flag; } feature_flags[] = {
  { "SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC },
  { "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG },
  { "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW },
  { "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV },
};

static void gen_list (yajl_gen g, const char *key, const char *const *v, size_t n)
{
  json_gen_key (g, key);
  yajl_gen_array_open (g);
  for (size_t i = 0; i < n; i++)
    json_gen_str (g, v[i]);
  yajl_gen_array_close (g);
}

void seccomp_features_json (yajl_gen g)
{
  yajl_gen_map_open (g);
  json_gen_kv_bool (g, "enabled", true);
  gen_list (g, "actions", feature_actions, sizeof feature_actions / sizeof *feature_actions);
  gen_list (g, "operators", feature_operators, sizeof feature_operators / sizeof *feature_operators);
  json_gen_key (g, "archs");
  yajl_gen_array_open (g);
  for (size_t i = 0; i < sizeof feature_archs / sizeof *feature_archs; i++)
    {
      char lower[32];
      const char *n = feature_archs[i] + 10;
      size_t k;
      for (k = 0; n[k] && k < sizeof lower - 1; k++)
        lower[k] = (char) tolower ((unsigned char) n[k]);
      lower[k] = '\0';
      if (seccomp_arch_resolve_name (lower) != 0)
        json_gen_str (g, feature_archs[i]);
    }
  yajl_gen_array_close (g);
  json_gen_key (g, "knownFlags");
  yajl_gen_array_open (g);
  for (size_t i = 0; i < sizeof feature_flags / sizeof *feature_flags; i++)
    json_gen_str (g, feature_flags[i].name);
  yajl_gen_array_close (g);
  /* seccomp(2) with a NULL program: EFAULT when the flag is known,
     EINVAL when not. */
  json_gen_key (g, "supportedFlags");
  yajl_gen_array_open (g);
  for (size_t i = 0; i < sizeof feature_flags / sizeof *feature_flags; i++)
    if (syscall (__NR_seccomp, SECCOMP_SET_MODE_FILTER, feature_flags[i].flag, NULL) < 0
        && errno == EFAULT)
      json_gen_str (g, feature_flags[i].name);
  yajl_gen_array_close (g);
  yajl_gen_map_close (g);
}
