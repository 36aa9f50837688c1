/* The default seccomp profile: the semantics of docker's default
   (moby profiles/seccomp/default.json) as a table: refuse with EPERM
   whatever is not listed; allow the ordinary system calls; allow the
   dangerous ones (mount, unshare, setns, bpf, ptrace before 4.8, keyctl
   is never listed, ...) only when the container holds the capability
   that makes them meaningful; clone only without namespace flags unless
   CAP_SYS_ADMIN; clone3 answers ENOSYS so that libc falls back to clone,
   whose flags can be checked. Conditions are evaluated here, at bundle
   time, for the container's capability set and the host's architecture
   and kernel, as docker does when it creates a container. A profile file
   in docker's format (archMap, includes, excludes) is evaluated the same
   way; a plain linux.seccomp object passes through. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "bundle.h"
#include "json.h"

#define EPERM_NO 1
#define ENOSYS_NO 38
#define AF_VSOCK_NO 40
/* CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET */
#define CLONE_NS_FLAGS 0x7E020000ULL

struct arg_cond
{
  unsigned index;
  unsigned long long value, value_two;
  const char *op;
};

struct profile_group
{
  const char *names;         /* space separated */
  const char *action;        /* NULL: SCMP_ACT_ALLOW */
  unsigned errno_ret;        /* with SCMP_ACT_ERRNO */
  const char *need_cap;      /* only with this capability */
  const char *unless_cap;    /* only without this capability */
  const char *only_arches;   /* only on these (Go names, space separated) */
  const char *unless_arches; /* not on these */
  int min_kernel_major, min_kernel_minor;
  struct arg_cond arg;       /* used when arg.op != NULL */
};

static const struct profile_group default_profile[] = {
  /* the ordinary system calls of a process */
  { .names =
      "accept accept4 access adjtimex alarm bind brk capget capset chdir chmod chown chown32 "
      "clock_adjtime clock_adjtime64 clock_getres clock_getres_time64 clock_gettime "
      "clock_gettime64 clock_nanosleep clock_nanosleep_time64 close close_range connect "
      "copy_file_range creat dup dup2 dup3 "
      "epoll_create epoll_create1 epoll_ctl epoll_ctl_old epoll_pwait epoll_pwait2 epoll_wait "
      "epoll_wait_old eventfd eventfd2 execve execveat exit exit_group "
      "faccessat faccessat2 fadvise64 fadvise64_64 fallocate fanotify_mark fchdir fchmod "
      "fchmodat fchown fchown32 fchownat fcntl fcntl64 fdatasync fgetxattr flistxattr flock "
      "fork fremovexattr fsetxattr fstat fstat64 fstatat64 fstatfs fstatfs64 fsync ftruncate "
      "ftruncate64 futex futex_time64 futex_waitv futimesat "
      "getcpu getcwd getdents getdents64 getegid getegid32 geteuid geteuid32 getgid getgid32 "
      "getgroups getgroups32 getitimer getpeername getpgid getpgrp getpid getppid getpriority "
      "getrandom getresgid getresgid32 getresuid getresuid32 getrlimit get_robust_list "
      "getrusage getsid getsockname getsockopt get_thread_area gettid gettimeofday getuid "
      "getuid32 getxattr "
      "inotify_add_watch inotify_init inotify_init1 inotify_rm_watch io_cancel ioctl "
      "io_destroy io_getevents io_pgetevents io_pgetevents_time64 ioprio_get ioprio_set "
      "io_setup io_submit io_uring_enter io_uring_register io_uring_setup ipc kill "
      "landlock_add_rule landlock_create_ruleset landlock_restrict_self lchown lchown32 "
      "lgetxattr link linkat listen listxattr llistxattr _llseek lremovexattr lseek lsetxattr "
      "lstat lstat64 "
      "madvise membarrier memfd_create memfd_secret mincore mkdir mkdirat mknod mknodat mlock "
      "mlock2 mlockall mmap mmap2 mprotect mq_getsetattr mq_notify mq_open mq_timedreceive "
      "mq_timedreceive_time64 mq_timedsend mq_timedsend_time64 mq_unlink mremap msgctl msgget "
      "msgrcv msgsnd msync munlock munlockall munmap "
      "name_to_handle_at nanosleep newfstatat _newselect open openat openat2 "
      "pause pidfd_open pidfd_send_signal pipe pipe2 pkey_alloc pkey_free pkey_mprotect poll "
      "ppoll ppoll_time64 prctl pread64 preadv preadv2 prlimit64 process_mrelease pselect6 "
      "pselect6_time64 pwrite64 pwritev pwritev2 "
      "read readahead readlink readlinkat readv recv recvfrom recvmmsg recvmmsg_time64 recvmsg "
      "remap_file_pages removexattr rename renameat renameat2 restart_syscall rmdir rseq "
      "rt_sigaction rt_sigpending rt_sigprocmask rt_sigqueueinfo rt_sigreturn rt_sigsuspend "
      "rt_sigtimedwait rt_sigtimedwait_time64 rt_tgsigqueueinfo "
      "sched_getaffinity sched_getattr sched_getparam sched_get_priority_max "
      "sched_get_priority_min sched_getscheduler sched_rr_get_interval "
      "sched_rr_get_interval_time64 sched_setaffinity sched_setattr sched_setparam "
      "sched_setscheduler sched_yield seccomp select semctl semget semop semtimedop "
      "semtimedop_time64 send sendfile sendfile64 sendmmsg sendmsg sendto setfsgid setfsgid32 "
      "setfsuid setfsuid32 setgid setgid32 setgroups setgroups32 setitimer setpgid setpriority "
      "setregid setregid32 setresgid setresgid32 setresuid setresuid32 setreuid setreuid32 "
      "setrlimit set_robust_list setsid setsockopt set_thread_area set_tid_address setuid "
      "setuid32 setxattr shmat shmctl shmdt shmget shutdown sigaltstack signalfd signalfd4 "
      "sigprocmask sigreturn socketcall socketpair splice stat stat64 statfs statfs64 statx "
      "symlink symlinkat sync sync_file_range syncfs sysinfo "
      "tee tgkill time timer_create timer_delete timer_getoverrun timer_gettime "
      "timer_gettime64 timer_settime timer_settime64 timerfd_create timerfd_gettime "
      "timerfd_gettime64 timerfd_settime timerfd_settime64 times tkill truncate truncate64 "
      "ugetrlimit umask uname unlink unlinkat utime utimensat utimensat_time64 utimes "
      "vfork vmsplice wait4 waitid waitpid write writev" },
  /* since 4.8 ptrace cannot bypass seccomp any more */
  { .names = "process_vm_readv process_vm_writev ptrace", .min_kernel_major = 4,
    .min_kernel_minor = 8 },
  /* every socket family but vsock (reaches the hypervisor) */
  { .names = "socket", .arg = { 0, AF_VSOCK_NO, 0, "SCMP_CMP_NE" } },
  /* personality: only the harmless domains (linux, linux32, uname26 variants, query) */
  { .names = "personality", .arg = { 0, 0x0, 0, "SCMP_CMP_EQ" } },
  { .names = "personality", .arg = { 0, 0x0008, 0, "SCMP_CMP_EQ" } },
  { .names = "personality", .arg = { 0, 0x20000, 0, "SCMP_CMP_EQ" } },
  { .names = "personality", .arg = { 0, 0x20008, 0, "SCMP_CMP_EQ" } },
  { .names = "personality", .arg = { 0, 0xffffffffULL, 0, "SCMP_CMP_EQ" } },
  /* architecture-specific calls */
  { .names = "sync_file_range2 swapcontext", .only_arches = "ppc64le" },
  { .names = "arm_fadvise64_64 arm_sync_file_range sync_file_range2 breakpoint cacheflush "
             "set_tls",
    .only_arches = "arm arm64" },
  { .names = "arch_prctl", .only_arches = "amd64 x32" },
  { .names = "modify_ldt", .only_arches = "amd64 x32 x86" },
  { .names = "s390_pci_mmio_read s390_pci_mmio_write s390_runtime_instr",
    .only_arches = "s390 s390x" },
  { .names = "riscv_flush_icache", .only_arches = "riscv64" },
  /* what a capability makes legitimate */
  { .names = "open_by_handle_at", .need_cap = "CAP_DAC_READ_SEARCH" },
  { .names = "bpf clone clone3 fanotify_init fsconfig fsmount fsopen fspick lookup_dcookie "
             "mount mount_setattr move_mount open_tree perf_event_open quotactl quotactl_fd "
             "setdomainname sethostname setns syslog umount umount2 unshare",
    .need_cap = "CAP_SYS_ADMIN" },
  /* clone without new namespaces; s390 swaps the first two arguments */
  { .names = "clone", .unless_cap = "CAP_SYS_ADMIN", .unless_arches = "s390 s390x",
    .arg = { 0, CLONE_NS_FLAGS, 0, "SCMP_CMP_MASKED_EQ" } },
  { .names = "clone", .unless_cap = "CAP_SYS_ADMIN", .only_arches = "s390 s390x",
    .arg = { 1, CLONE_NS_FLAGS, 0, "SCMP_CMP_MASKED_EQ" } },
  /* clone3 hides its flags in memory: ENOSYS makes libc use clone */
  { .names = "clone3", .action = "SCMP_ACT_ERRNO", .errno_ret = ENOSYS_NO,
    .unless_cap = "CAP_SYS_ADMIN" },
  { .names = "reboot", .need_cap = "CAP_SYS_BOOT" },
  { .names = "chroot", .need_cap = "CAP_SYS_CHROOT" },
  { .names = "delete_module init_module finit_module", .need_cap = "CAP_SYS_MODULE" },
  { .names = "acct", .need_cap = "CAP_SYS_PACCT" },
  { .names = "kcmp pidfd_getfd process_madvise process_vm_readv process_vm_writev ptrace",
    .need_cap = "CAP_SYS_PTRACE" },
  { .names = "iopl ioperm", .need_cap = "CAP_SYS_RAWIO" },
  { .names = "settimeofday stime clock_settime clock_settime64", .need_cap = "CAP_SYS_TIME" },
  { .names = "vhangup", .need_cap = "CAP_SYS_TTY_CONFIG" },
  { .names = "get_mempolicy mbind set_mempolicy set_mempolicy_home_node",
    .need_cap = "CAP_SYS_NICE" },
  { .names = "syslog", .need_cap = "CAP_SYSLOG" },
  { .names = "bpf", .need_cap = "CAP_BPF" },
  { .names = "perf_event_open", .need_cap = "CAP_PERFMON" },
};

/* The host, as the filter sees it. */
static char host_machine[65];
static int host_kmajor = -1, host_kminor;

void seccomp_set_host (const char *machine, int kernel_major, int kernel_minor)
{
  snprintf (host_machine, sizeof host_machine, "%s", machine ? machine : "");
  host_kmajor = kernel_major;
  host_kminor = kernel_minor;
}

static void host_init (void)
{
  struct utsname u;
  if (host_kmajor >= 0)
    return;
  if (uname (&u) < 0)
    {
      seccomp_set_host ("x86_64", 0, 0);
      return;
    }
  host_kmajor = host_kminor = 0;
  sscanf (u.release, "%d.%d", &host_kmajor, &host_kminor);
  snprintf (host_machine, sizeof host_machine, "%s", u.machine);
}

struct arch_info
{
  const char *machine;    /* uname -m */
  const char *go_name;    /* the name docker profiles use in includes.arches */
  const char *scmp_arch;  /* native SCMP_ARCH_ */
  const char *sub_arches; /* the compat ABIs a process may also use */
};

static const struct arch_info arches[] = {
  { "x86_64", "amd64", "SCMP_ARCH_X86_64", "SCMP_ARCH_X86 SCMP_ARCH_X32" },
  { "aarch64", "arm64", "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM" },
  { "armv7l", "arm", "SCMP_ARCH_ARM", "" },
  { "i686", "386", "SCMP_ARCH_X86", "" },
  { "i386", "386", "SCMP_ARCH_X86", "" },
  { "ppc64le", "ppc64le", "SCMP_ARCH_PPC64LE", "" },
  { "s390x", "s390x", "SCMP_ARCH_S390X", "SCMP_ARCH_S390" },
  { "riscv64", "riscv64", "SCMP_ARCH_RISCV64", "" },
  { "mips64", "mips64", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS SCMP_ARCH_MIPS64N32" },
};

static const struct arch_info *host_arch (void)
{
  host_init ();
  for (size_t i = 0; i < sizeof arches / sizeof *arches; i++)
    if (strcmp (arches[i].machine, host_machine) == 0)
      return &arches[i];
  return NULL;
}

/* Is `word` one of the space-separated words of `list`? */
static bool word_in (const char *list, const char *word)
{
  size_t wl = strlen (word);
  const char *p = list;
  while (p && *p)
    {
      const char *e = strchr (p, ' ');
      size_t l = e ? (size_t) (e - p) : strlen (p);
      if (l == wl && strncmp (p, word, l) == 0)
        return true;
      p = e ? e + 1 : NULL;
    }
  return false;
}

static int push_words (strv *v, const char *words)
{
  const char *p = words;
  while (p && *p)
    {
      const char *e = strchr (p, ' ');
      size_t l = e ? (size_t) (e - p) : strlen (p);
      if (l && strv_push_take (v, strndup (p, l)) < 0)
        return -1;
      p = e ? e + 1 : NULL;
    }
  return 0;
}

static seccomp_spec *profile_new (const char *default_action, bool has_errno, unsigned errno_ret)
{
  seccomp_spec *sc = calloc (1, sizeof *sc);
  if (sc == NULL)
    return NULL;
  sc->default_action = strdup (default_action);
  sc->has_default_errno_ret = has_errno;
  sc->default_errno_ret = errno_ret;
  if (sc->default_action == NULL)
    {
      seccomp_spec_free (sc);
      return NULL;
    }
  return sc;
}

static seccomp_rule *profile_add_rule (seccomp_spec *sc, const char *action)
{
  seccomp_rule *nr = realloc (sc->rules, (sc->n_rules + 1) * sizeof *nr);
  if (nr == NULL)
    return NULL;
  sc->rules = nr;
  nr = &sc->rules[sc->n_rules];
  memset (nr, 0, sizeof *nr);
  nr->action = strdup (action);
  if (nr->action == NULL)
    return NULL;
  sc->n_rules++;
  return nr;
}

static int add_host_architectures (seccomp_spec *sc)
{
  const struct arch_info *a = host_arch ();
  if (a == NULL)
    return 0; /* unknown host: the runtime's native arch only */
  if (strv_push (&sc->architectures, a->scmp_arch) < 0 || push_words (&sc->architectures, a->sub_arches) < 0)
    return -1;
  return 0;
}

static bool kernel_at_least (int major, int minor)
{
  host_init ();
  return host_kmajor > major || (host_kmajor == major && host_kminor >= minor);
}

int seccomp_default_profile (const strv *caps, seccomp_spec **out, oci_error **err)
{
  const struct arch_info *a = host_arch ();
  const char *go = a ? a->go_name : "";
  seccomp_spec *sc = profile_new ("SCMP_ACT_ERRNO", true, EPERM_NO);

  if (sc == NULL || add_host_architectures (sc) < 0)
    goto nomem;
  for (size_t i = 0; i < sizeof default_profile / sizeof *default_profile; i++)
    {
      const struct profile_group *g = &default_profile[i];
      seccomp_rule *r;
      if (g->need_cap && strv_index (caps, g->need_cap) < 0)
        continue;
      if (g->unless_cap && strv_index (caps, g->unless_cap) >= 0)
        continue;
      if (g->only_arches && !word_in (g->only_arches, go))
        continue;
      if (g->unless_arches && word_in (g->unless_arches, go))
        continue;
      if (g->min_kernel_major && !kernel_at_least (g->min_kernel_major, g->min_kernel_minor))
        continue;
      r = profile_add_rule (sc, g->action ? g->action : "SCMP_ACT_ALLOW");
      if (r == NULL || push_words (&r->names, g->names) < 0)
        goto nomem;
      if (g->errno_ret)
        {
          r->has_errno_ret = true;
          r->errno_ret = g->errno_ret;
        }
      if (g->arg.op)
        {
          r->args[0].index = g->arg.index;
          r->args[0].value = g->arg.value;
          r->args[0].value_two = g->arg.value_two;
          snprintf (r->args[0].op, sizeof r->args[0].op, "%s", g->arg.op);
          r->n_args = 1;
        }
    }
  *out = sc;
  return 0;
nomem:
  seccomp_spec_free (sc);
  return oci_error_set (err, ENOMEM, "seccomp profile");
}

/* --- profile files --------------------------------------------------- */

static bool json_uint (yajl_val v, unsigned long long *out)
{
  if (v == NULL || !YAJL_IS_NUMBER (v) || v->u.number.r[0] == '-')
    return false;
  *out = strtoull (v->u.number.r, NULL, 10);
  return true;
}

/* docker's Filter: {"caps": [...], "arches": [...], "minKernel": "4.8"}.
   For includes every listed cap is needed; for excludes any one
   excludes. */
static bool filter_matches (yajl_val f, const strv *caps, const char *go, bool includes)
{
  yajl_val c = json_get_array (f, "caps");
  yajl_val a = json_get_array (f, "arches");
  const char *mk = json_get_string (f, "minKernel");
  size_t nc = json_array_len (c), na = json_array_len (a);
  bool any = false;

  if (includes)
    {
      for (size_t i = 0; i < nc; i++)
        {
          yajl_val x = json_array_at (c, i);
          if (!YAJL_IS_STRING (x) || strv_index (caps, x->u.string) < 0)
            return false;
        }
      if (na)
        {
          for (size_t i = 0; i < na; i++)
            {
              yajl_val x = json_array_at (a, i);
              if (YAJL_IS_STRING (x) && strcmp (x->u.string, go) == 0)
                any = true;
            }
          if (!any)
            return false;
        }
      if (mk)
        {
          int ma = 0, mi = 0;
          sscanf (mk, "%d.%d", &ma, &mi);
          if (!kernel_at_least (ma, mi))
            return false;
        }
      return true;
    }
  /* excludes: true means "exclude" */
  for (size_t i = 0; i < nc; i++)
    {
      yajl_val x = json_array_at (c, i);
      if (YAJL_IS_STRING (x) && strv_index (caps, x->u.string) >= 0)
        return true;
    }
  for (size_t i = 0; i < na; i++)
    {
      yajl_val x = json_array_at (a, i);
      if (YAJL_IS_STRING (x) && strcmp (x->u.string, go) == 0)
        return true;
    }
  if (mk)
    {
      int ma = 0, mi = 0;
      sscanf (mk, "%d.%d", &ma, &mi);
      if (kernel_at_least (ma, mi))
        return true;
    }
  return false;
}

static int load_rule (seccomp_spec *sc, yajl_val e, const char *what, size_t idx,
                      oci_error **err)
{
  const char *action = json_get_string (e, "action");
  yajl_val names = json_get_array (e, "names");
  const char *name = json_get_string (e, "name");
  yajl_val args = json_get_array (e, "args");
  unsigned long long er;
  seccomp_rule *r;

  if (action == NULL)
    return oci_error_set (err, 0, "%s: syscalls[%zu] has no action", what, idx);
  if (names == NULL && name == NULL)
    return oci_error_set (err, 0, "%s: syscalls[%zu] has no names", what, idx);
  if (json_array_len (args) > 6)
    return oci_error_set (err, 0, "%s: syscalls[%zu] has more than 6 args", what, idx);
  r = profile_add_rule (sc, action);
  if (r == NULL)
    return oci_error_set (err, ENOMEM, "%s", what);
  if (name && strv_push (&r->names, name) < 0)
    return oci_error_set (err, ENOMEM, "%s", what);
  for (size_t i = 0; i < json_array_len (names); i++)
    {
      yajl_val n = json_array_at (names, i);
      if (!YAJL_IS_STRING (n))
        return oci_error_set (err, 0, "%s: syscalls[%zu].names holds a non-string", what, idx);
      if (strv_push (&r->names, n->u.string) < 0)
        return oci_error_set (err, ENOMEM, "%s", what);
    }
  if (r->names.n == 0)
    return oci_error_set (err, 0, "%s: syscalls[%zu].names is empty", what, idx);
  if (json_uint (json_get (e, "errnoRet"), &er))
    {
      r->has_errno_ret = true;
      r->errno_ret = (unsigned) er;
    }
  for (size_t i = 0; i < json_array_len (args); i++)
    {
      yajl_val a = json_array_at (args, i);
      const char *op = json_get_string (a, "op");
      unsigned long long index, value = 0, value_two = 0;
      if (op == NULL || !json_uint (json_get (a, "index"), &index) || index > 5)
        return oci_error_set (err, 0, "%s: syscalls[%zu].args[%zu] needs index (0-5) and op",
                              what, idx, i);
      json_uint (json_get (a, "value"), &value);
      json_uint (json_get (a, "valueTwo"), &value_two);
      r->args[i].index = (unsigned) index;
      r->args[i].value = value;
      r->args[i].value_two = value_two;
      snprintf (r->args[i].op, sizeof r->args[i].op, "%s", op);
      r->n_args++;
    }
  return 0;
}

int seccomp_profile_from_json (yajl_val profile, const strv *caps, const char *what,
                               seccomp_spec **out, oci_error **err)
{
  const struct arch_info *a = host_arch ();
  const char *go = a ? a->go_name : "";
  const char *def = json_get_string (profile, "defaultAction");
  yajl_val syscalls = json_get_array (profile, "syscalls");
  yajl_val archmap = json_get_array (profile, "archMap");
  yajl_val archs = json_get_array (profile, "architectures");
  yajl_val flags = json_get_array (profile, "flags");
  unsigned long long der;
  bool has_der = json_uint (json_get (profile, "defaultErrnoRet"), &der);
  seccomp_spec *sc;

  if (profile == NULL || !YAJL_IS_OBJECT (profile))
    return oci_error_set (err, 0, "%s: not a JSON object", what);
  if (def == NULL)
    return oci_error_set (err, 0, "%s: no defaultAction", what);
  sc = profile_new (def, has_der, has_der ? (unsigned) der : 0);
  if (sc == NULL)
    return oci_error_set (err, ENOMEM, "%s", what);
#define FAIL(...)                                                              \
  do                                                                           \
    {                                                                          \
      seccomp_spec_free (sc);                                                  \
      return __VA_ARGS__;                                                      \
    }                                                                          \
  while (0)
  if (archmap)
    {
      /* docker's archMap: the native entry and its sub-architectures */
      for (size_t i = 0; a && i < json_array_len (archmap); i++)
        {
          yajl_val m = json_array_at (archmap, i);
          const char *arch = json_get_string (m, "architecture");
          yajl_val subs = json_get_array (m, "subArchitectures");
          if (arch == NULL || strcmp (arch, a->scmp_arch) != 0)
            continue;
          if (strv_push (&sc->architectures, arch) < 0)
            FAIL (oci_error_set (err, ENOMEM, "%s", what));
          for (size_t j = 0; j < json_array_len (subs); j++)
            {
              yajl_val s = json_array_at (subs, j);
              if (YAJL_IS_STRING (s) && strv_push (&sc->architectures, s->u.string) < 0)
                FAIL (oci_error_set (err, ENOMEM, "%s", what));
            }
        }
    }
  else
    for (size_t i = 0; i < json_array_len (archs); i++)
      {
        yajl_val s = json_array_at (archs, i);
        if (!YAJL_IS_STRING (s))
          FAIL (oci_error_set (err, 0, "%s: architectures holds a non-string", what));
        if (strv_push (&sc->architectures, s->u.string) < 0)
          FAIL (oci_error_set (err, ENOMEM, "%s", what));
      }
  for (size_t i = 0; i < json_array_len (flags); i++)
    {
      yajl_val s = json_array_at (flags, i);
      if (YAJL_IS_STRING (s) && strv_push (&sc->flags, s->u.string) < 0)
        FAIL (oci_error_set (err, ENOMEM, "%s", what));
    }
  for (size_t i = 0; i < json_array_len (syscalls); i++)
    {
      yajl_val e = json_array_at (syscalls, i);
      yajl_val inc = json_get_object (e, "includes");
      yajl_val exc = json_get_object (e, "excludes");
      if (inc && !filter_matches (inc, caps, go, true))
        continue;
      if (exc && filter_matches (exc, caps, go, false))
        continue;
      if (load_rule (sc, e, what, i, err) < 0)
        FAIL (-1);
    }
#undef FAIL
  *out = sc;
  return 0;
}
