/* netsetup: port-mapping annotations, the OCI state, network config. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "../../netsetup/hookstate.h"
#include "../../netsetup/netconf.h"

static void bad_ports (const char *json, const char *msg_part)
{
  cleanup_error oci_error *err = NULL;
  struct port_mapping *p = NULL;
  size_t n = 0;
  assert_true (ports_parse (json, &p, &n, &err) < 0);
  assert_non_null (err);
  if (strstr (err->msg, msg_part) == NULL)
    fail_msg ("`%s` lacks `%s`", err->msg, msg_part);
  assert_null (p);
}

static void test_ports (void **state)
{
  cleanup_error oci_error *err = NULL;
  cleanup_free struct port_mapping *p = NULL;
  size_t n = 0;
  char ip[INET_ADDRSTRLEN];

  assert_int_equal (ports_parse ("[{\"hostIP\":\"\",\"hostPort\":8080,\"containerPort\":80,"
                                 "\"protocol\":\"tcp\"},{\"hostIP\":\"127.0.0.1\",\"hostPort\":\"53\","
                                 "\"containerPort\":\"5353\",\"protocol\":\"udp\"},{\"hostPort\":9}]",
                                 &p, &n, &err), 0);
  assert_int_equal (n, 3);
  assert_int_equal (p[0].host_port, 8080);
  assert_int_equal (p[0].container_port, 80);
  assert_int_equal (p[0].protocol, IPPROTO_TCP);
  assert_int_equal (p[0].host_ip.s_addr, 0);
  inet_ntop (AF_INET, &p[1].host_ip, ip, sizeof ip);
  assert_string_equal (ip, "127.0.0.1");
  assert_int_equal (p[1].protocol, IPPROTO_UDP);
  assert_int_equal (p[1].container_port, 5353);
  assert_int_equal (p[2].container_port, 9); /* defaults to the host port */
  free (p);
  p = NULL;
  assert_int_equal (ports_parse ("[]", &p, &n, &err), 0);
  assert_int_equal (n, 0);
}

static void test_bad_ports (void **state)
{
  bad_ports ("[{\"hostPort\":99999,\"containerPort\":80}]", "hostPort 99999 out of range 1-65535");
  bad_ports ("[{\"hostPort\":0,\"containerPort\":80}]", "out of range");
  bad_ports ("[{\"hostPort\":80,\"containerPort\":-1}]", "containerPort -1 out of range");
  bad_ports ("[{\"hostPort\":\"8o\"}]", "is not a number");
  bad_ports ("[{\"containerPort\":80}]", "hostPort missing");
  bad_ports ("[{\"hostPort\":80,\"protocol\":\"sctp\"}]", "protocol `sctp`");
  bad_ports ("[{\"hostPort\":80,\"hostIP\":\"::1\"}]", "hostIP `::1`");
  bad_ports ("[{\"hostPort\":80},{\"hostPort\":80}]", "tcp/80 given twice");
  bad_ports ("{\"hostPort\":80}", "want a JSON array");
  bad_ports ("[80", "port mappings");
}

static void test_state (void **state)
{
  cleanup_error oci_error *err = NULL;
  struct hook_state st;
  const char *s = "{\"ociVersion\":\"1.0.2\",\"id\":\"c1\",\"status\":\"created\",\"pid\":42,"
                  "\"bundle\":\"/b\",\"annotations\":{\"org.ocikit.net.mode\":\"bridge\","
                  "\"org.ocikit.net.ports\":\"[{\\\"hostPort\\\":8080,\\\"containerPort\\\":80}]\"}}";

  assert_int_equal (hook_state_parse (s, strlen (s), &st, &err), 0);
  assert_string_equal (st.id, "c1");
  assert_int_equal (st.pid, 42);
  assert_string_equal (st.bundle, "/b");
  assert_string_equal (st.mode, "bridge");
  assert_int_equal (st.n_ports, 1);
  hook_state_free (&st);

  s = "{\"id\":\"c2\",\"annotations\":{\"org.ocikit.net.ports\":\"[{\\\"hostPort\\\":99999}]\"}}";
  assert_true (hook_state_parse (s, strlen (s), &st, &err) < 0);
  assert_non_null (strstr (err->msg, "annotation org.ocikit.net.ports: port mapping 0: hostPort 99999"));
  hook_state_free (&st);
  oci_error_free (&err);
  s = "{\"pid\":1}";
  assert_true (hook_state_parse (s, strlen (s), &st, &err) < 0);
  assert_non_null (strstr (err->msg, "no `id`"));
  hook_state_free (&st);
}

static void test_cidr (void **state)
{
  struct in_addr a;
  int p;
  assert_int_equal (parse_cidr ("10.88.0.0/16", &a, &p), 0);
  assert_int_equal (p, 16);
  assert_int_equal (ntohl (a.s_addr), 0x0a580000);
  assert_true (parse_cidr ("10.88.0.1/16", &a, &p) < 0); /* host bits */
  assert_true (parse_cidr ("10.88.0.0", &a, &p) < 0);
  assert_true (parse_cidr ("10.88.0.0/33", &a, &p) < 0);
  assert_true (parse_cidr ("10.88.0.0/", &a, &p) < 0);
  assert_true (parse_cidr ("x/8", &a, &p) < 0);
}

static void test_config (void **state)
{
  cleanup_error oci_error *err = NULL;
  struct net_config c;
  char path[] = "/tmp/netsetup-conf.XXXXXX", gw[INET_ADDRSTRLEN];
  int fd;

  net_config_defaults (&c);
  assert_int_equal (net_config_finish (&c, &err), 0);
  assert_string_equal (c.bridge, "ocikit0");
  inet_ntop (AF_INET, &c.gateway, gw, sizeof gw);
  assert_string_equal (gw, "10.88.0.1");
  assert_string_equal (c.lease_dir, "/var/lib/ocikit/net/ocikit");

  fd = mkstemp (path);
  assert_true (fd >= 0);
  dprintf (fd, "# test network\nbridge = okt0\nsubnet=10.213.9.0/29 # tiny\n\nmtu = 1400\n"
               "table = ocikit_test\nlease_dir = /tmp/x\n");
  close (fd);
  net_config_defaults (&c);
  assert_int_equal (net_config_read_file (&c, path, &err), 0);
  assert_int_equal (net_config_finish (&c, &err), 0);
  assert_string_equal (c.bridge, "okt0");
  assert_int_equal (c.prefix, 29);
  assert_int_equal (c.mtu, 1400);
  inet_ntop (AF_INET, &c.gateway, gw, sizeof gw);
  assert_string_equal (gw, "10.213.9.1");
  assert_string_equal (c.lease_dir, "/tmp/x");

  fd = open (path, O_WRONLY | O_TRUNC | O_CLOEXEC);
  dprintf (fd, "bridge = okt0\ncolour = blue\n");
  close (fd);
  assert_true (net_config_read_file (&c, path, &err) < 0);
  assert_non_null (strstr (err->msg, ":2: unknown setting `colour`"));
  oci_error_free (&err);
  unlink (path);

  assert_true (net_config_set (&c, "bridge", "much-too-long-name", &err) < 0);
  oci_error_free (&err);
  assert_true (net_config_set (&c, "subnet", "10.0.0.0/30", &err) < 0);
  oci_error_free (&err);
  assert_true (net_config_set (&c, "mtu", "70000", &err) < 0);
  oci_error_free (&err);
  net_config_defaults (&c);
  assert_int_equal (net_config_set (&c, "gateway", "10.89.0.1", &err), 0);
  assert_true (net_config_finish (&c, &err) < 0);
  assert_non_null (strstr (err->msg, "gateway is not a host address of subnet 10.88.0.0/16"));
}

int main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_ports), cmocka_unit_test (test_bad_ports),
    cmocka_unit_test (test_state), cmocka_unit_test (test_cidr),
    cmocka_unit_test (test_config),
  };
  return cmocka_run_group_tests_name ("netsetup_config", tests, NULL, NULL);
}
