/* HTTP reply handling: headers across redirects, Retry-After, error text
   from distribution-spec error bodies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "../../fetch/registry.h"
#include "cleanup.h"

static void feed (http_reply *r, const char *line)
{
  char *copy = strdup (line);
  assert_int_equal (http_reply_header_cb (copy, 1, strlen (copy), r), strlen (line));
  free (copy);
}

static void test_headers_after_redirect (void **state)
{
  http_reply r = { .retry_after = -1 };
  feed (&r, "HTTP/1.1 307 Temporary Redirect\r\n");
  feed (&r, "Content-Type: text/html\r\n");
  feed (&r, "Docker-Content-Digest: sha256:aaaa\r\n");
  feed (&r, "HTTP/1.1 206 Partial Content\r\n");
  feed (&r, "content-range:   bytes 10-19/20  \r\n");
  feed (&r, "Retry-After: 7\r\n");
  assert_null (r.content_type); /* the redirect's headers are gone */
  assert_null (r.docker_digest);
  assert_string_equal (r.content_range, "bytes 10-19/20");
  assert_int_equal (r.retry_after, 7);
  http_reply_clear (&r);
}

static void test_retry_after_date (void **state)
{
  http_reply r = { .retry_after = -1 };
  feed (&r, "HTTP/1.1 429 Too Many Requests\r\n");
  feed (&r, "Retry-After: Wed, 21 Oct 2026 07:28:00 GMT\r\n");
  assert_int_equal (r.retry_after, 2);
  http_reply_clear (&r);
}

static void test_error_text (void **state)
{
  http_reply r = { .retry_after = -1 };
  cleanup_free char *a = NULL, *b = NULL;
  r.status = 404;
  r.body = strdup ("{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\","
                   "\"detail\":{\"Tag\":\"x\"}}]}");
  r.len = strlen (r.body);
  a = http_reply_error_text (&r);
  assert_string_equal (a, "manifest unknown (HTTP 404 MANIFEST_UNKNOWN)");
  http_reply_clear (&r);
  r.status = 503;
  b = http_reply_error_text (&r);
  assert_string_equal (b, "server error (HTTP 503)");
}

int main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_headers_after_redirect),
    cmocka_unit_test (test_retry_after_date),
    cmocka_unit_test (test_error_text),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
