/* Device access on cgroup v2: there is no devices.allow, only a
   BPF_PROG_TYPE_CGROUP_DEVICE program attached to the cgroup. We emit one
   by hand from linux.resources.devices (config-linux.md "Allowed Device
   list"), keeping the v1 meaning of the ordered rule list: the last rule
   that matches a request decides; nothing matching means allowed (a new
   v1 cgroup inherits the root's "a *:* rwm"), so the usual leading
   "deny all" makes it a whitelist. */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup_internal.h"
#include "cleanup.h"
#include "json.h"

#define INSN(c, d, s, o, i) ((struct bpf_insn) { .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

static int rule_access_bits (const char *access)
{
  int bits = 0;
  for (const char *p = access; *p; p++)
    bits |= *p == 'r' ? BPF_DEVCG_ACC_READ : *p == 'w' ? BPF_DEVCG_ACC_WRITE : BPF_DEVCG_ACC_MKNOD;
  return bits;
}

int cgroup_bpf_devices_program (yajl_val rules, struct bpf_insn **out, size_t *count,
                                oci_error **err)
{
  size_t nrules = json_array_len (rules);
  size_t cap = 8 + nrules * 8, n = 0;
  bool ended = false;
  cleanup_free struct bpf_insn *p = calloc (cap, sizeof *p);

  if (p == NULL)
    return oci_error_set (err, ENOMEM, "device program");
  /* struct bpf_cgroup_dev_ctx: access_type = (ACC << 16) | DEV_TYPE,
     major, minor. r2 = type, r3 = access, r4 = major, r5 = minor. */
  p[n++] = INSN (BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_1, 0, 0);
  p[n++] = INSN (BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_3, BPF_REG_2, 0, 0);
  p[n++] = INSN (BPF_ALU | BPF_AND | BPF_K, BPF_REG_2, 0, 0, 0xffff);
  p[n++] = INSN (BPF_ALU | BPF_RSH | BPF_K, BPF_REG_3, 0, 0, 16);
  p[n++] = INSN (BPF_LDX | BPF_MEM | BPF_W, BPF_REG_4, BPF_REG_1, 4, 0);
  p[n++] = INSN (BPF_LDX | BPF_MEM | BPF_W, BPF_REG_5, BPF_REG_1, 8, 0);

  /* Last rule first: the first match in the program is the last in the
     list. */
  for (size_t k = nrules; k-- > 0;)
    {
      yajl_val r = json_array_at (rules, k);
      struct bpf_insn blk[8];
      size_t b = 0;
      char line[96], type, access[8];
      char smaj[24], smin[24];
      bool allow;
      int acc;

      if (cgroup_device_rule_string (r, line, sizeof line, &allow, err) < 0)
        return -1;
      /* Parse back the normalised "T MAJ:MIN ACC". */
      if (sscanf (line, "%c %23[^:]:%23s %7s", &type, smaj, smin, access) != 4)
        return oci_error_set (err, 0, "linux.resources.devices: rule %zu", k);
      acc = rule_access_bits (access);
      if (type != 'a')
        blk[b++] = INSN (BPF_JMP | BPF_JNE | BPF_K, BPF_REG_2, 0, 0,
                         type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
      if (allow && (~acc & 7))
        /* allow covers the request only if every requested bit is in acc */
        blk[b++] = INSN (BPF_JMP | BPF_JSET | BPF_K, BPF_REG_3, 0, 0, ~acc & 7);
      else if (!allow && acc != 7)
        {
          /* deny hits when any requested bit is in acc */
          blk[b++] = INSN (BPF_ALU | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_3, 0, 0);
          blk[b++] = INSN (BPF_ALU | BPF_AND | BPF_K, BPF_REG_1, 0, 0, acc);
          blk[b++] = INSN (BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_1, 0, 0, 0);
        }
      if (type != 'a' && smaj[0] != '*')
        blk[b++] = INSN (BPF_JMP | BPF_JNE | BPF_K, BPF_REG_4, 0, 0, atoi (smaj));
      if (type != 'a' && smin[0] != '*')
        blk[b++] = INSN (BPF_JMP | BPF_JNE | BPF_K, BPF_REG_5, 0, 0, atoi (smin));
      blk[b++] = INSN (BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, allow ? 1 : 0);
      blk[b++] = INSN (BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
      /* Every jump skips to the end of the block (the next rule). */
      for (size_t i = 0; i < b; i++)
        if (BPF_CLASS (blk[i].code) == BPF_JMP && BPF_OP (blk[i].code) != BPF_EXIT)
          blk[i].off = (short) (b - i - 1);
      memcpy (p + n, blk, b * sizeof *blk);
      n += b;
      /* A rule that matches everything ends the program: what follows
         would be unreachable, which the verifier refuses. */
      if (b == 2)
        {
          ended = true;
          break;
        }
    }
  if (!ended)
    {
      p[n++] = INSN (BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 1);
      p[n++] = INSN (BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
    }
  *out = steal_pointer (&p);
  *count = n;
  return 0;
}

static long sys_bpf (int cmd, union bpf_attr *attr)
{
  return syscall (__NR_bpf, cmd, attr, sizeof *attr);
}

int cgroup_bpf_devices_apply (cgroup *cg, const char *dir, yajl_val rules, oci_error **err)
{
  cleanup_free struct bpf_insn *prog = NULL;
  cleanup_close int cgfd = -1, progfd = -1;
  union bpf_attr attr;
  uint32_t old_ids[64];
  uint32_t nold = 0;
  size_t n;

  if (cgroup_bpf_devices_program (rules, &prog, &n, err) < 0)
    return -1;
  if (cg->fake)
    return 0; /* no kernel behind a test layout */

  cgfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (cgfd < 0)
    return oci_error_set (err, errno, "cgroup: open `%s`", dir);

  memset (&attr, 0, sizeof attr);
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = (uint64_t) (uintptr_t) prog;
  attr.insn_cnt = (uint32_t) n;
  attr.license = (uint64_t) (uintptr_t) "GPL";
  progfd = (int) sys_bpf (BPF_PROG_LOAD, &attr);
  if (progfd < 0 && errno == EINVAL)
    {
      /* Load again with the verifier's log, for a useful message. */
      static char log[4096];
      attr.log_buf = (uint64_t) (uintptr_t) log;
      attr.log_size = sizeof log;
      attr.log_level = 1;
      log[0] = '\0';
      sys_bpf (BPF_PROG_LOAD, &attr);
      for (char *c = log; *c; c++)
        if (*c == '\n')
          *c = ' ';
      return oci_error_set (err, EINVAL, "cgroup `%s`: load the device eBPF program (verifier: %.300s)",
                            dir, log);
    }
  if (progfd < 0)
    return oci_error_set (err, errno, "cgroup `%s`: load the device eBPF program", dir);

  /* Ours from before (create, then update) are replaced. */
  memset (&attr, 0, sizeof attr);
  attr.query.target_fd = cgfd;
  attr.query.attach_type = BPF_CGROUP_DEVICE;
  attr.query.prog_ids = (uint64_t) (uintptr_t) old_ids;
  attr.query.prog_cnt = sizeof old_ids / sizeof *old_ids;
  if (sys_bpf (BPF_PROG_QUERY, &attr) == 0)
    nold = attr.query.prog_cnt;

  memset (&attr, 0, sizeof attr);
  attr.target_fd = cgfd;
  attr.attach_bpf_fd = progfd;
  attr.attach_type = BPF_CGROUP_DEVICE;
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  if (sys_bpf (BPF_PROG_ATTACH, &attr) < 0)
    return oci_error_set (err, errno, "cgroup `%s`: attach the device eBPF program", dir);

  /* With both attached, access needs both to agree: never wider than
     either while we swap. */
  for (uint32_t i = 0; i < nold && i < sizeof old_ids / sizeof *old_ids; i++)
    {
      cleanup_close int oldfd = -1;
      memset (&attr, 0, sizeof attr);
      attr.prog_id = old_ids[i];
      oldfd = (int) sys_bpf (BPF_PROG_GET_FD_BY_ID, &attr);
      if (oldfd < 0)
        continue;
      memset (&attr, 0, sizeof attr);
      attr.target_fd = cgfd;
      attr.attach_bpf_fd = oldfd;
      attr.attach_type = BPF_CGROUP_DEVICE;
      if (sys_bpf (BPF_PROG_DETACH, &attr) < 0)
        return oci_error_set (err, errno, "cgroup `%s`: detach the old device eBPF program", dir);
    }
  return 0;
}
