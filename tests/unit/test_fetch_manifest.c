/* Manifest checks: media types from Content-Type and the body, schema1
   refused, platform choice skipping attestations, descriptors, and the
   transfer helpers (Content-Range, retry delays). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../fetch/manifest.h"
#include "../../fetch/registry.h"
#include "../../fetch/transfer.h"
#include "cleanup.h"
#include "mediatype.h"

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define D3 "sha256:3333333333333333333333333333333333333333333333333333333333333333"

static const char image_json[] =
  "{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_MANIFEST "\","
  "\"config\":{\"mediaType\":\"" MT_OCI_CONFIG "\",\"digest\":\"" D1 "\",\"size\":10},"
  "\"layers\":[{\"mediaType\":\"" MT_OCI_LAYER_GZIP "\",\"digest\":\"" D2 "\",\"size\":20},"
  "{\"mediaType\":\"" MT_OCI_LAYER_ND_GZIP "\",\"digest\":\"" D3 "\",\"size\":30,"
  "\"urls\":[\"https://example.invalid/l\"]}]}";

static int load (const char *json, const char *ct, manifest *m, oci_error **err)
{
  char *raw = strdup (json);
  return manifest_load (raw, strlen (raw), ct, "manifest", m, err);
}

static void test_image_manifest (void **state)
{
  manifest m;
  cleanup_error oci_error *err = NULL;
  cleanup_free blob_desc *b = NULL;
  size_t n;
  char want[DIGEST_STR_LEN + 1];
  assert_int_equal (load (image_json, MT_OCI_MANIFEST, &m, &err), 0);
  digest_buffer (image_json, strlen (image_json), want);
  assert_string_equal (m.digest, want); /* the raw bytes' digest */
  assert_false (manifest_is_index (&m));
  assert_int_equal (manifest_blobs (&m, &b, &n, &err), 0);
  assert_int_equal (n, 2); /* the layer with urls is not fetched */
  assert_string_equal (b[0].digest, D1);
  assert_int_equal (b[1].size, 20);
  manifest_clear (&m);
}

static void test_generic_content_type_defers_to_body (void **state)
{
  manifest m;
  cleanup_error oci_error *err = NULL;
  assert_int_equal (load (image_json, "application/json; charset=utf-8", &m, &err), 0);
  assert_string_equal (m.media_type, MT_OCI_MANIFEST);
  manifest_clear (&m);
}

static void expect_error (const char *json, const char *ct, const char *part)
{
  manifest m;
  cleanup_error oci_error *err = NULL;
  assert_true (load (json, ct, &m, &err) < 0);
  assert_non_null (err);
  if (strstr (err->msg, part) == NULL)
    fail_msg ("`%s` lacks `%s`", err->msg, part);
}

static void test_refusals (void **state)
{
  expect_error (image_json, MT_DOCKER_MANIFEST, "disagrees");
  expect_error (image_json, "application/vnd.example.thing+json", "unsupported media type");
  expect_error ("{\"schemaVersion\":1,\"name\":\"x\",\"fsLayers\":[]}", MT_DOCKER_SCHEMA1_SIGNED,
                "schema1");
  expect_error ("{\"schemaVersion\":1,\"name\":\"x\",\"fsLayers\":[]}", "application/json",
                "schema1");
  expect_error ("{\"schemaVersion\":2,", MT_OCI_MANIFEST, "not valid JSON");
  expect_error ("[1,2]", MT_OCI_MANIFEST, "not a JSON object");
}

static void test_index_choice (void **state)
{
  const char idx[] =
    "{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_INDEX "\",\"manifests\":["
    "{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"digest\":\"" D3 "\",\"size\":1,"
    "\"platform\":{\"os\":\"unknown\",\"architecture\":\"unknown\"},"
    "\"annotations\":{\"vnd.docker.reference.type\":\"attestation-manifest\"}},"
    "{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"digest\":\"" D1 "\",\"size\":1,"
    "\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}},"
    "{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"digest\":\"" D2 "\",\"size\":1,"
    "\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\",\"variant\":\"v8\"}}]}";
  manifest m;
  cleanup_error oci_error *err = NULL;
  const char *d, *mt;
  platform p;
  assert_int_equal (load (idx, NULL, &m, &err), 0);
  assert_true (manifest_is_index (&m));
  assert_int_equal (platform_parse ("linux/arm64", &p, &err), 0);
  assert_int_equal (manifest_choose (&m, &p, &d, &mt, &err), 0);
  assert_string_equal (d, D2);
  assert_int_equal (platform_parse ("linux/x86_64", &p, &err), 0);
  assert_int_equal (manifest_choose (&m, &p, &d, &mt, &err), 0);
  assert_string_equal (d, D1);
  assert_int_equal (platform_parse ("linux/riscv64", &p, &err), 0);
  assert_true (manifest_choose (&m, &p, &d, &mt, &err) < 0);
  assert_non_null (strstr (err->msg, "linux/amd64, linux/arm64/v8"));
  assert_null (strstr (err->msg, "unknown"));
  manifest_clear (&m);
}

static void test_bad_descriptors (void **state)
{
  manifest m;
  cleanup_error oci_error *err = NULL;
  cleanup_free blob_desc *b = NULL;
  size_t n;
  const char bad_layer[] =
    "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"" MT_OCI_CONFIG "\",\"digest\":\"" D1
    "\",\"size\":1},\"layers\":[{\"mediaType\":\"application/x-foo\",\"digest\":\"" D2
    "\",\"size\":1}]}";
  assert_int_equal (load (bad_layer, NULL, &m, &err), 0);
  assert_true (manifest_blobs (&m, &b, &n, &err) < 0);
  assert_non_null (strstr (err->msg, "layer 1: unsupported media type"));
  manifest_clear (&m);
}

static void test_content_range (void **state)
{
  long long s, e, t;
  assert_true (transfer_parse_content_range ("bytes 100-199/200", &s, &e, &t));
  assert_int_equal (s, 100);
  assert_int_equal (e, 199);
  assert_int_equal (t, 200);
  assert_true (transfer_parse_content_range ("bytes 5-9/*", &s, &e, &t));
  assert_int_equal (t, -1);
  assert_false (transfer_parse_content_range ("bytes 100-99/200", &s, &e, &t));
  assert_false (transfer_parse_content_range ("bytes 0-200/200", &s, &e, &t));
  assert_false (transfer_parse_content_range ("items 0-1/2", &s, &e, &t));
  assert_false (transfer_parse_content_range (NULL, &s, &e, &t));
}

static void test_retry_policy (void **state)
{
  assert_int_equal (http_retry_delay_ms (0, -1), 200);
  assert_int_equal (http_retry_delay_ms (1, -1), 400);
  assert_int_equal (http_retry_delay_ms (10, -1), 5000);
  assert_int_equal (http_retry_delay_ms (0, 3), 3000);  /* Retry-After wins */
  assert_int_equal (http_retry_delay_ms (0, 999), 60000);
  assert_true (http_status_retriable (429));
  assert_true (http_status_retriable (503));
  assert_false (http_status_retriable (404));
  assert_false (http_status_retriable (401));
  assert_true (http_curl_code_retriable (CURLE_PARTIAL_FILE));
  assert_false (http_curl_code_retriable (CURLE_SSL_CACERT_BADFILE));
}

int main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_image_manifest),
    cmocka_unit_test (test_generic_content_type_defers_to_body),
    cmocka_unit_test (test_refusals),
    cmocka_unit_test (test_index_choice),
    cmocka_unit_test (test_bad_descriptors),
    cmocka_unit_test (test_content_range),
    cmocka_unit_test (test_retry_policy),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
