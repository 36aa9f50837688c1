/* Defaults, /etc files, the runtime-spec version, and the whole bundle
   written from an image config (without a store). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../bundle/bundle.h"
#include "fileutil.h"
#include "json.h"
#include "log.h"

static void test_defaults (void **state)
{
  bundle_options o;
  spec s;
  cleanup_error oci_error *err = NULL;
  bundle_options_init (&o);
  spec_init (&s);
  assert_int_equal (defaults_apply (&o, &s, &err), 0);
  assert_int_equal (s.namespaces.n, 6);
  assert_true (strv_index (&s.namespaces, "network") >= 0);
  assert_true (strv_index (&s.namespaces, "cgroup") >= 0);
  assert_true (strv_index (&s.namespaces, "user") < 0);
  assert_true (spec_find_mount (&s, "/proc") >= 0);
  assert_true (spec_find_mount (&s, "/dev/pts") >= 0);
  assert_true (spec_find_mount (&s, "/dev/shm") >= 0);
  assert_true (spec_find_mount (&s, "/dev/mqueue") >= 0);
  assert_true (spec_find_mount (&s, "/sys/fs/cgroup") >= 0);
  {
    const bundle_mount *sys = &s.mounts[spec_find_mount (&s, "/sys")];
    assert_string_equal (sys->type, "sysfs");
    assert_true (strv_index (&sys->options, "ro") >= 0);
  }
  assert_true (strv_index (&s.masked_paths, "/proc/kcore") >= 0);
  assert_true (strv_index (&s.readonly_paths, "/proc/sys") >= 0);
  assert_int_equal (s.n_rlimits, 1);
  assert_string_equal (s.rlimits[0].type, "RLIMIT_NOFILE");
  assert_true (s.rlimits[0].hard <= 1048576 && s.rlimits[0].hard == defaults_nofile ());
  assert_false (s.devices_allow_all);
  assert_int_equal (strv_index (&s.sysctl_keys, "net.ipv4.ip_unprivileged_port_start"), 0);
  spec_clear (&s);

  /* host network, privileged, user namespace, ulimits */
  assert_int_equal (bundle_options_add (&o, OPT_NET, "host", &err), 0);
  assert_int_equal (bundle_options_add (&o, OPT_PRIVILEGED, NULL, &err), 0);
  assert_int_equal (bundle_options_add (&o, OPT_ULIMIT, "nofile=100:200", &err), 0);
  assert_int_equal (bundle_options_add (&o, OPT_ULIMIT, "nproc=50", &err), 0);
  spec_init (&s);
  assert_int_equal (defaults_apply (&o, &s, &err), 0);
  assert_true (strv_index (&s.namespaces, "network") < 0);
  assert_int_equal (s.sysctl_keys.n, 0); /* not the host's network */
  assert_int_equal (s.masked_paths.n, 0);
  assert_true (s.devices_allow_all);
  assert_int_equal (s.n_rlimits, 2);
  assert_int_equal (s.rlimits[0].soft, 100);
  assert_int_equal (s.rlimits[0].hard, 200);
  assert_string_equal (s.rlimits[1].type, "RLIMIT_NPROC");
  spec_clear (&s);
  bundle_options_clear (&o);

  bundle_options_init (&o);
  assert_int_equal (bundle_options_add (&o, OPT_USERNS, "0:100000:65536", &err), 0);
  assert_int_equal (bundle_options_add (&o, OPT_NET, "host", &err), 0);
  spec_init (&s);
  assert_int_equal (defaults_apply (&o, &s, &err), 0);
  assert_true (strv_index (&s.namespaces, "user") >= 0);
  assert_int_equal (s.n_uid_maps, 1);
  /* sysfs of the host network namespace cannot be mounted: bound */
  assert_string_equal (s.mounts[spec_find_mount (&s, "/sys")].type, "bind");
  spec_clear (&s);
  bundle_options_clear (&o);
}

static void test_oci_version (void **state)
{
  spec s;
  spec_init (&s);
  assert_string_equal (spec_oci_version (&s), "1.0.0");
  s.seccomp = calloc (1, sizeof *s.seccomp);
  s.seccomp->default_action = strdup ("SCMP_ACT_ERRNO");
  assert_string_equal (spec_oci_version (&s), "1.0.0");
  s.seccomp->has_default_errno_ret = true;
  assert_string_equal (spec_oci_version (&s), "1.0.2-dev");
  spec_clear (&s);
}

static void test_mount_replace (void **state)
{
  spec s;
  cleanup_error oci_error *err = NULL;
  bundle_mount a = { .destination = "/data", .type = "tmpfs", .source = "tmpfs" };
  bundle_mount b = { .destination = "/data/", .type = "bind", .source = "/x" };
  spec_init (&s);
  assert_int_equal (spec_add_mount (&s, &a, false, &err), 0);
  assert_int_equal (spec_add_mount (&s, &b, false, &err), -1);
  oci_error_free (&err);
  assert_int_equal (spec_add_mount (&s, &b, true, &err), 0);
  assert_int_equal (s.n_mounts, 1);
  assert_string_equal (s.mounts[0].type, "bind");
  spec_clear (&s);
}

static void test_etc_files (void **state)
{
  etc_files f;
  cleanup_error oci_error *err = NULL;
  char *h;
  const char *resolv = "search example\nnameserver 127.0.0.53\nnameserver 10.0.0.1\n"
                       "nameserver ::1\noptions edns0\n";
  assert_int_equal (etc_files_build (NET_BRIDGE, "box", "HOSTS", resolv, &f, &err), 0);
  assert_string_equal (f.hostname, "box\n");
  assert_non_null (strstr (f.hosts, "127.0.1.1\tbox\n"));
  assert_string_equal (f.resolv_conf, "search example\nnameserver 10.0.0.1\noptions edns0\n");
  etc_files_clear (&f);
  assert_int_equal (etc_files_build (NET_HOST, "h", "HOSTS", resolv, &f, &err), 0);
  assert_string_equal (f.hosts, "HOSTS");
  assert_string_equal (f.resolv_conf, resolv);
  etc_files_clear (&f);
  assert_int_equal (etc_files_build (NET_NONE, "h", "HOSTS", resolv, &f, &err), 0);
  assert_string_equal (f.resolv_conf, "");
  etc_files_clear (&f);
  h = etc_default_hostname ("/var/lib/My Bundle_1/");
  assert_string_equal (h, "my-bundle-1");
  free (h);
  h = etc_default_hostname ("/");
  assert_string_equal (h, "container");
  free (h);
}

static void test_make_from_config (void **state)
{
  char dir[] = "/tmp/mkb-spec-XXXXXX", p[256];
  char ebuf[128];
  bundle_options o;
  cleanup_error oci_error *err = NULL;
  yajl_val cfg = yajl_tree_parse ("{\"config\":{\"Cmd\":[\"/bin/sh\"],\"Env\":[\"A=1\"]}}", ebuf,
                                  sizeof ebuf);
  char *json = NULL;
  yajl_val v;

  assert_non_null (mkdtemp (dir));
  bundle_options_init (&o);
  /* no rootfs: refused, nothing written */
  assert_int_equal (bundle_make_from_config (cfg, dir, &o, &err), -1);
  assert_non_null (strstr (err->msg, "rootfs"));
  assert_non_null (strstr (err->msg, "No such file or directory"));
  oci_error_free (&err);
  snprintf (p, sizeof p, "%s/config.json", dir);
  assert_int_equal (access (p, F_OK), -1);

  snprintf (p, sizeof p, "%s/rootfs", dir);
  mkdir (p, 0755);
  assert_int_equal (bundle_options_add (&o, OPT_HOSTNAME, "unit", &err), 0);
  assert_int_equal (bundle_make_from_config (cfg, dir, &o, &err), 0);
  snprintf (p, sizeof p, "%s/config.json", dir);
  assert_int_equal (read_file_at (AT_FDCWD, p, 1 << 20, &json, NULL, &err), 0);
  assert_int_equal (json_parse (json, strlen (json), "c", &v, &err), 0);
  assert_string_equal (json_get_string (v, "hostname"), "unit");
  assert_string_equal (json_get_string (json_get_object (v, "root"), "path"), "rootfs");
  assert_string_equal (json_get_string (v, "ociVersion"), "1.0.2-dev");
  assert_non_null (json_path (v, "linux", "seccomp", NULL));
  yajl_tree_free (v);
  free (json);
  snprintf (p, sizeof p, "%s/hostname", dir);
  assert_int_equal (read_file_at (AT_FDCWD, p, 1024, &json, NULL, &err), 0);
  assert_string_equal (json, "unit\n");
  free (json);

  /* run again: unchanged /etc files are left alone, changed ones replaced */
  {
    struct stat a, b;
    snprintf (p, sizeof p, "%s/hosts", dir);
    assert_int_equal (stat (p, &a), 0);
    assert_int_equal (bundle_make_from_config (cfg, dir, &o, &err), 0);
    assert_int_equal (stat (p, &b), 0);
    assert_true (a.st_ino == b.st_ino);
    assert_int_equal (bundle_options_add (&o, OPT_HOSTNAME, "other", &err), 0);
    assert_int_equal (bundle_make_from_config (cfg, dir, &o, &err), 0);
    assert_int_equal (stat (p, &b), 0);
    assert_true (a.st_ino != b.st_ino);
  }

  /* a bad option value across options: nothing rewritten */
  assert_int_equal (bundle_options_add (&o, OPT_PUBLISH, "80:80", &err), 0);
  assert_int_equal (bundle_make_from_config (cfg, dir, &o, &err), -1);
  assert_non_null (strstr (err->msg, "--net bridge"));
  bundle_options_clear (&o);
  yajl_tree_free (cfg);
  assert_int_equal (remove_tree (dir, &err), 0);
}

int main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_defaults),
    cmocka_unit_test (test_oci_version),
    cmocka_unit_test (test_mount_replace),
    cmocka_unit_test (test_etc_files),
    cmocka_unit_test (test_make_from_config),
  };
  log_init ("test", LOG_QUIET);
  return cmocka_run_group_tests (tests, NULL, NULL);
}
