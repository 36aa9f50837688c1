/* Option values: sizes, CPUs, ports, id maps, ulimits, volumes, tmpfs,
   capabilities, security options, and their one-line refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../bundle/bundle.h"
#include "log.h"

static void test_sizes (void **state)
{
  long long v;
  assert_int_equal (parse_size ("42", &v), 0);
  assert_int_equal (v, 42);
  assert_int_equal (parse_size ("512m", &v), 0);
  assert_int_equal (v, 512LL << 20);
  assert_int_equal (parse_size ("1G", &v), 0);
  assert_int_equal (v, 1LL << 30);
  assert_int_equal (parse_size ("100kb", &v), 0);
  assert_int_equal (v, 102400);
  assert_int_equal (parse_size ("2MiB", &v), 0);
  assert_int_equal (v, 2LL << 20);
  assert_int_equal (parse_size ("1.5g", &v), 0);
  assert_int_equal (v, 3LL << 29);
  assert_int_equal (parse_size ("10b", &v), 0);
  assert_int_equal (v, 10);
  assert_int_equal (parse_size ("lots", &v), -1);
  assert_int_equal (parse_size ("", &v), -1);
  assert_int_equal (parse_size ("-5m", &v), -1);
  assert_int_equal (parse_size ("5x", &v), -1);
  assert_int_equal (parse_size ("5mm", &v), -1);
  assert_int_equal (parse_size ("99999999999p", &v), -1);
}

static void test_memory_options (void **state)
{
  bundle_options o;
  cleanup_error oci_error *err = NULL;
  bundle_options_init (&o);
  assert_int_equal (bundle_options_add (&o, OPT_MEMORY, "lots", &err), -1);
  assert_string_equal (err->msg, "--memory `lots`: not a size (e.g. 512m, 2g)");
  oci_error_free (&err);
  assert_int_equal (bundle_options_add (&o, OPT_MEMORY, "1m", &err), -1);
  oci_error_free (&err);
  assert_int_equal (bundle_options_add (&o, OPT_MEMORY_SWAP, "1g", &err), 0);
  assert_int_equal (bundle_options_check (&o, &err), -1); /* swap without memory */
  oci_error_free (&err);
  assert_int_equal (bundle_options_add (&o, OPT_MEMORY, "2g", &err), 0);
  assert_int_equal (bundle_options_check (&o, &err), -1); /* swap below memory */
  oci_error_free (&err);
  assert_int_equal (bundle_options_add (&o, OPT_MEMORY_SWAP, "-1", &err), 0);
  assert_int_equal (bundle_options_check (&o, &err), 0);
  assert_int_equal (bundle_options_add (&o, OPT_PIDS_LIMIT, "100", &err), 0);
  assert_int_equal (o.pids_limit, 100);
  assert_int_equal (bundle_options_add (&o, OPT_PIDS_LIMIT, "many", &err), -1);
  oci_error_free (&err);
  assert_int_equal (bundle_options_add (&o, OPT_CPU_SHARES, "512", &err), 0);
  assert_int_equal (bundle_options_add (&o, OPT_CPU_SHARES, "1", &err), -1);
  bundle_options_clear (&o);
}

static void test_cpus (void **state)
{
  long long q, p;
  assert_int_equal (parse_cpus ("0.5", &q, &p), 0);
  assert_int_equal (q, 50000);
  assert_int_equal (p, 100000);
  assert_int_equal (parse_cpus ("1", &q, &p), 0);
  assert_int_equal (q, 100000);
  assert_int_equal (parse_cpus ("0", &q, &p), -1);
  assert_int_equal (parse_cpus ("abc", &q, &p), -1);
  assert_int_equal (parse_cpus ("1e9", &q, &p), -2); /* more than the host has */
}

static void test_ports (void **state)
{
  port_mapping p;
  cleanup_error oci_error *err = NULL;
  assert_int_equal (parse_port ("8080:80", &p, &err), 0);
  assert_string_equal (p.host_ip, "0.0.0.0");
  assert_int_equal (p.host_port, 8080);
  assert_int_equal (p.container_port, 80);
  assert_string_equal (p.protocol, "tcp");
  assert_int_equal (parse_port ("127.0.0.1:53:5353/udp", &p, &err), 0);
  assert_string_equal (p.host_ip, "127.0.0.1");
  assert_int_equal (p.host_port, 53);
  assert_int_equal (p.container_port, 5353);
  assert_string_equal (p.protocol, "udp");
  assert_int_equal (parse_port ("[::1]:8080:80", &p, &err), 0);
  assert_string_equal (p.host_ip, "::1");
  assert_int_equal (parse_port ("80", &p, &err), -1);
  oci_error_free (&err);
  assert_int_equal (parse_port ("99999:80", &p, &err), -1);
  assert_non_null (strstr (err->msg, "99999"));
  oci_error_free (&err);
  assert_int_equal (parse_port ("80:80/sctp", &p, &err), -1);
  oci_error_free (&err);
  assert_int_equal (parse_port ("1.2.3:80:80", &p, &err), -1);
  oci_error_free (&err);
}

static void test_port_twice (void **state)
{
  bundle_options o;
  cleanup_error oci_error *err = NULL;
  bundle_options_init (&o);
  assert_int_equal (bundle_options_add (&o, OPT_PUBLISH, "8080:80", &err), 0);
  assert_int_equal (bundle_options_add (&o, OPT_PUBLISH, "8080:80/udp", &err), 0);
  assert_int_equal (bundle_options_add (&o, OPT_PUBLISH, "8081:80", &err), 0);
  assert_int_equal (bundle_options_add (&o, OPT_PUBLISH, "127.0.0.1:8080:81", &err), -1);
  assert_string_equal (err->msg, "-p `127.0.0.1:8080:81`: host port 8080/tcp is given twice");
  oci_error_free (&err);
  /* ports need the bridge */
  assert_int_equal (bundle_options_check (&o, &err), -1);
  oci_error_free (&err);
  assert_int_equal (bundle_options_add (&o, OPT_NET, "bridge", &err), 0);
  assert_int_equal (bundle_options_check (&o, &err), 0);
  assert_int_equal (bundle_options_add (&o, OPT_NET, "overlay", &err), -1);
  bundle_options_clear (&o);
}

static void test_id_maps (void **state)
{
  id_mapping m;
  cleanup_error oci_error *err = NULL;
  bundle_options o;
  assert_int_equal (parse_id_mapping ("0:100000:65536", &m, &err), 0);
  assert_int_equal (m.container_id, 0);
  assert_int_equal (m.host_id, 100000);
  assert_int_equal (m.size, 65536);
  assert_int_equal (parse_id_mapping ("0:1", &m, &err), -1);
  oci_error_free (&err);
  assert_int_equal (parse_id_mapping ("0:1:0", &m, &err), -1);
  oci_error_free (&err);
  assert_int_equal (parse_id_mapping ("0:4294967295:10", &m, &err), -1);
  oci_error_free (&err);
  bundle_options_init (&o);
  assert_int_equal (bundle_options_add (&o, OPT_UIDMAP, "0:1000:1", &err), 0);
  assert_int_equal (bundle_options_check (&o, &err), -1); /* no gid map */
  oci_error_free (&err);
  assert_int_equal (bundle_options_add (&o, OPT_USERNS, "0:100000:65536", &err), 0);
  assert_int_equal (o.n_uid_maps, 2);
  assert_int_equal (o.n_gid_maps, 1);
  assert_int_equal (bundle_options_check (&o, &err), 0);
  bundle_options_clear (&o);
}

static void test_ulimits (void **state)
{
  rlimit_value r;
  cleanup_error oci_error *err = NULL;
  assert_int_equal (parse_ulimit ("nofile=1024:2048", &r, &err), 0);
  assert_string_equal (r.type, "RLIMIT_NOFILE");
  assert_int_equal (r.soft, 1024);
  assert_int_equal (r.hard, 2048);
  assert_int_equal (parse_ulimit ("core=unlimited", &r, &err), 0);
  assert_string_equal (r.type, "RLIMIT_CORE");
  assert_true (r.soft == ~0ULL && r.hard == ~0ULL);
  assert_int_equal (parse_ulimit ("NPROC=10", &r, &err), 0);
  assert_string_equal (r.type, "RLIMIT_NPROC");
  assert_int_equal (parse_ulimit ("nofile=10:5", &r, &err), -1);
  oci_error_free (&err);
  assert_int_equal (parse_ulimit ("bogus=1", &r, &err), -1);
  oci_error_free (&err);
  assert_int_equal (parse_ulimit ("nofile", &r, &err), -1);
  oci_error_free (&err);
}

static void test_volumes (void **state)
{
  bundle_mount m;
  cleanup_error oci_error *err = NULL;
  char dir[] = "/tmp/mkb-vol-XXXXXX";
  char spec[128];
  assert_non_null (mkdtemp (dir));
  snprintf (spec, sizeof spec, "%s:/data:ro", dir);
  assert_int_equal (parse_volume (spec, &m, &err), 0);
  assert_string_equal (m.destination, "/data");
  assert_string_equal (m.source, dir);
  assert_string_equal (m.type, "bind");
  assert_int_equal (m.options.n, 3);
  assert_string_equal (m.options.v[0], "rbind");
  assert_string_equal (m.options.v[1], "rprivate");
  assert_string_equal (m.options.v[2], "ro");
  bundle_mount_clear (&m);
  snprintf (spec, sizeof spec, "%s:/data:rshared", dir);
  assert_int_equal (parse_volume (spec, &m, &err), 0);
  assert_string_equal (m.options.v[1], "rshared");
  bundle_mount_clear (&m);
  snprintf (spec, sizeof spec, "%s/nope:/data", dir);
  assert_int_equal (parse_volume (spec, &m, &err), -1);
  assert_non_null (strstr (err->msg, "No such file or directory"));
  oci_error_free (&err);
  assert_int_equal (parse_volume ("named:/data", &m, &err), -1);
  assert_non_null (strstr (err->msg, "named volumes"));
  oci_error_free (&err);
  snprintf (spec, sizeof spec, "%s:rel", dir);
  assert_int_equal (parse_volume (spec, &m, &err), -1);
  oci_error_free (&err);
  snprintf (spec, sizeof spec, "%s:/d:bogus", dir);
  assert_int_equal (parse_volume (spec, &m, &err), -1);
  oci_error_free (&err);
  assert_int_equal (parse_volume ("/tmp", &m, &err), -1);
  oci_error_free (&err);
  {
    bundle_options o;
    bundle_options_init (&o);
    snprintf (spec, sizeof spec, "%s:/data", dir);
    assert_int_equal (bundle_options_add (&o, OPT_VOLUME, spec, &err), 0);
    assert_int_equal (bundle_options_add (&o, OPT_TMPFS, "/data/", &err), -1);
    assert_non_null (strstr (err->msg, "given twice"));
    bundle_options_clear (&o);
  }
  rmdir (dir);
}

static void test_tmpfs (void **state)
{
  bundle_mount m;
  cleanup_error oci_error *err = NULL;
  assert_int_equal (parse_tmpfs ("/run:size=64m,mode=1777", &m, &err), 0);
  assert_string_equal (m.destination, "/run");
  assert_string_equal (m.type, "tmpfs");
  assert_int_equal (m.options.n, 5);
  assert_string_equal (m.options.v[3], "size=64m");
  bundle_mount_clear (&m);
  assert_int_equal (parse_tmpfs ("/x", &m, &err), 0);
  assert_int_equal (m.options.n, 3);
  bundle_mount_clear (&m);
  assert_int_equal (parse_tmpfs ("//run//x/", &m, &err), 0);
  assert_string_equal (m.destination, "/run/x");
  bundle_mount_clear (&m);
  assert_int_equal (parse_tmpfs ("/", &m, &err), 0);
  assert_string_equal (m.destination, "/");
  bundle_mount_clear (&m);
  assert_int_equal (parse_tmpfs ("x", &m, &err), -1);
}

static void test_capabilities (void **state)
{
  char *c = NULL;
  cleanup_error oci_error *err = NULL;
  bundle_options o;
  strv caps = { 0 };
  assert_int_equal (parse_capability ("net_admin", &c, &err), 0);
  assert_string_equal (c, "CAP_NET_ADMIN");
  free (c);
  assert_int_equal (parse_capability ("CAP_SYS_ADMIN", &c, &err), 0);
  assert_string_equal (c, "CAP_SYS_ADMIN");
  free (c);
  assert_int_equal (parse_capability ("all", &c, &err), 0);
  assert_string_equal (c, "ALL");
  free (c);
  assert_int_equal (parse_capability ("fly", &c, &err), -1);
  oci_error_free (&err);

  bundle_options_init (&o);
  assert_int_equal (defaults_capabilities (&o, &caps, &err), 0);
  assert_int_equal (caps.n, 14);
  assert_true (strv_index (&caps, "CAP_NET_RAW") >= 0);
  assert_true (strv_index (&caps, "CAP_SYS_ADMIN") < 0);
  strv_clear (&caps);
  bundle_options_add (&o, OPT_CAP_ADD, "sys_admin", &err);
  bundle_options_add (&o, OPT_CAP_DROP, "net_raw", &err);
  assert_int_equal (defaults_capabilities (&o, &caps, &err), 0);
  assert_int_equal (caps.n, 14);
  assert_true (strv_index (&caps, "CAP_SYS_ADMIN") >= 0);
  assert_true (strv_index (&caps, "CAP_NET_RAW") < 0);
  strv_clear (&caps);
  bundle_options_add (&o, OPT_CAP_DROP, "ALL", &err);
  assert_int_equal (defaults_capabilities (&o, &caps, &err), 0);
  assert_int_equal (caps.n, 1); /* drop ALL, then the added one */
  assert_string_equal (caps.v[0], "CAP_SYS_ADMIN");
  strv_clear (&caps);
  bundle_options_clear (&o);
  bundle_options_init (&o);
  bundle_options_add (&o, OPT_PRIVILEGED, NULL, &err);
  assert_int_equal (defaults_capabilities (&o, &caps, &err), 0);
  assert_true (caps.n >= 38);
  strv_clear (&caps);
  bundle_options_clear (&o);
}

static void test_utf8 (void **state)
{
  strv env = { 0 };
  cleanup_error oci_error *err = NULL;
  assert_true (utf8_valid ("plain"));
  assert_true (utf8_valid ("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3"));
  assert_false (utf8_valid ("\xff"));
  assert_false (utf8_valid ("\xc3"));           /* cut short */
  assert_false (utf8_valid ("\xc0\xaf"));       /* overlong */
  assert_false (utf8_valid ("\xed\xa0\x80"));   /* surrogate */
  assert_false (utf8_valid ("\xf4\x90\x80\x80")); /* beyond U+10FFFF */
  assert_int_equal (parse_env_file ("A=1\nB=\xff\n", "f", &env, &err), -1);
  assert_non_null (strstr (err->msg, "line 2"));
  strv_clear (&env);
}

static void test_security_opts (void **state)
{
  bundle_options o;
  cleanup_error oci_error *err = NULL;
  bundle_options_init (&o);
  assert_int_equal (bundle_options_add (&o, OPT_SECURITY_OPT, "no-new-privileges", &err), 0);
  assert_true (o.no_new_privileges);
  assert_int_equal (bundle_options_add (&o, OPT_SECURITY_OPT, "seccomp=unconfined", &err), 0);
  assert_int_equal (o.seccomp, SECCOMP_UNCONFINED);
  assert_int_equal (bundle_options_add (&o, OPT_SECURITY_OPT, "seccomp=/p.json", &err), 0);
  assert_int_equal (o.seccomp, SECCOMP_FILE);
  assert_string_equal (o.seccomp_file, "/p.json");
  assert_int_equal (bundle_options_add (&o, OPT_SECURITY_OPT, "apparmor=x", &err), -1);
  oci_error_free (&err);
  assert_int_equal (bundle_options_add (&o, OPT_HOSTNAME, "bad host", &err), -1);
  oci_error_free (&err);
  assert_int_equal (bundle_options_add (&o, OPT_HOSTNAME, "good-host.example", &err), 0);
  bundle_options_clear (&o);
}

int main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_sizes),        cmocka_unit_test (test_memory_options),
    cmocka_unit_test (test_cpus),         cmocka_unit_test (test_ports),
    cmocka_unit_test (test_port_twice),   cmocka_unit_test (test_id_maps),
    cmocka_unit_test (test_ulimits),      cmocka_unit_test (test_volumes),
    cmocka_unit_test (test_tmpfs),        cmocka_unit_test (test_capabilities),
    cmocka_unit_test (test_security_opts), cmocka_unit_test (test_utf8),
  };
  log_init ("test", LOG_QUIET);
  return cmocka_run_group_tests (tests, NULL, NULL);
}
