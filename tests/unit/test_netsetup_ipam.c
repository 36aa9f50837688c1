/* netsetup: host-local leases (allocation, exhaustion, release, staleness)
   and the resolv.conf / hosts text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "fileutil.h"
#include "../../netsetup/ipam.h"
#include "../../netsetup/resolv.h"

static char dir[] = "/tmp/netsetup-ipam.XXXXXX";

static int setup_dir (void **state)
{
  return mkdtemp (dir) ? 0 : -1;
}

static int remove_dir (void **state)
{
  cleanup_error oci_error *err = NULL;
  return remove_tree (dir, &err);
}

static void net (struct net_config *c, const char *subnet)
{
  cleanup_error oci_error *err = NULL;
  net_config_defaults (c);
  assert_int_equal (net_config_set (c, "subnet", subnet, &err), 0);
  assert_int_equal (net_config_set (c, "lease_dir", dir, &err), 0);
  assert_int_equal (net_config_finish (c, &err), 0);
}

static const char *addr_str (struct in_addr a)
{
  static char s[INET_ADDRSTRLEN];
  return inet_ntop (AF_INET, &a, s, sizeof s);
}

static void test_allocate_exhaust_release (void **state)
{
  cleanup_error oci_error *err = NULL;
  cleanup_ipam struct ipam ip = { -1, -1 };
  struct net_config c;
  struct lease l = { 0 }, *all = NULL;
  struct in_addr third;
  size_t n, i;
  char id[16];

  net (&c, "10.213.9.0/29");
  assert_int_equal (ipam_open (&c, &ip, &err), 0);
  /* /29: .0 network, .1 gateway, .7 broadcast: five addresses. */
  for (i = 0; i < 5; i++)
    {
      snprintf (id, sizeof id, "c%zu", i);
      l.id = id;
      assert_int_equal (lease_set_owner (&l, getpid (), &err), 0);
      assert_int_equal (ipam_allocate (&ip, &c, &l, &err), 0);
      char want[16];
      snprintf (want, sizeof want, "10.213.9.%zu", i + 2);
      assert_string_equal (addr_str (l.addr), want);
      if (i == 2)
        third = l.addr;
    }
  l.id = "c5";
  assert_true (ipam_allocate (&ip, &c, &l, &err) < 0);
  assert_non_null (strstr (err->msg, "no free address in subnet 10.213.9.0/29"));
  oci_error_free (&err);

  assert_int_equal (ipam_list (&ip, &all, &n, &err), 0);
  assert_int_equal (n, 5);
  for (i = 0; i < n; i++)
    assert_true (lease_is_live (&all[i]));
  leases_free (all, n);

  assert_int_equal (ipam_release (&ip, third, &err), 0);
  assert_int_equal (ipam_release (&ip, third, &err), 0); /* idempotent */
  assert_int_equal (ipam_allocate (&ip, &c, &l, &err), 0);
  assert_string_equal (addr_str (l.addr), "10.213.9.4");
}

static void test_lease_json_and_staleness (void **state)
{
  cleanup_error oci_error *err = NULL;
  cleanup_free char *json = NULL;
  struct port_mapping ports[1] = { { .host_port = 8080, .container_port = 80, .protocol = IPPROTO_UDP } };
  struct lease l = { 0 }, back = { 0 };
  size_t len;

  inet_pton (AF_INET, "10.213.9.3", &l.addr);
  l.id = "abc";
  snprintf (l.host_if, sizeof l.host_if, "ocdeadbeef");
  l.ports = ports;
  l.n_ports = 1;
  assert_int_equal (lease_set_owner (&l, getpid (), &err), 0);
  assert_int_equal (lease_to_json (&l, &json, &len, &err), 0);
  assert_int_equal (lease_from_json (json, len, &back, &err), 0);
  assert_string_equal (back.id, "abc");
  assert_string_equal (back.host_if, "ocdeadbeef");
  assert_int_equal (back.pid, getpid ());
  assert_int_equal (back.n_ports, 1);
  assert_int_equal (back.ports[0].host_port, 8080);
  assert_int_equal (back.ports[0].protocol, IPPROTO_UDP);
  assert_true (lease_is_live (&back));
  {
    /* proc(5): starttime is field 22 of /proc/PID/stat */
    char stat[1024], *p;
    unsigned long long t;
    FILE *f = fopen ("/proc/self/stat", "re");
    assert_non_null (f);
    assert_non_null (fgets (stat, sizeof stat, f));
    fclose (f);
    p = strrchr (stat, ')');
    assert_int_equal (sscanf (p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu", &t), 1);
    assert_int_equal (back.start_time, t);
  }
  back.start_time++; /* the pid was reused by another process */
  assert_false (lease_is_live (&back));
  back.start_time--;
  snprintf (back.boot_id, sizeof back.boot_id, "another-boot");
  assert_false (lease_is_live (&back));
  free (back.id);
  free (back.ports);
}

static void test_resolv (void **state)
{
  cleanup_free char *r = resolv_filter ("# host\nnameserver 127.0.0.53\nnameserver 10.1.2.3\n"
                                        "nameserver ::1\nsearch example.test\noptions edns0\n"
                                        "  nameserver   127.1.1.1\nnameserver 192.0.2.9");
  assert_string_equal (r, "# host\nnameserver 10.1.2.3\nsearch example.test\noptions edns0\n"
                          "nameserver 192.0.2.9\n");
  struct in_addr a;
  inet_pton (AF_INET, "10.213.9.2", &a);
  cleanup_free char *h = hosts_text ("web", a);
  assert_non_null (strstr (h, "127.0.0.1\tlocalhost\n"));
  assert_non_null (strstr (h, "10.213.9.2\tweb\n"));
}

int main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_allocate_exhaust_release),
    cmocka_unit_test (test_lease_json_and_staleness),
    cmocka_unit_test (test_resolv),
  };
  return cmocka_run_group_tests_name ("netsetup_ipam", tests, setup_dir, remove_dir);
}
