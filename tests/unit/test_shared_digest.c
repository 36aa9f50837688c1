/* SHA-256: the FIPS 180-4 examples, and several streams hashed together
   (digest_update_many, sha256x) in random pieces agree with libcrypto. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "sha256x.h"

static void check (const char *msg, size_t repeat, const char *want_hex)
{
  char got[DIGEST_STR_LEN + 1], want[DIGEST_STR_LEN + 1];
  digest_ctx *c = digest_new ();
  assert_non_null (c);
  for (size_t i = 0; i < repeat; i++)
    digest_update (c, msg, strlen (msg));
  digest_final (c, got);
  digest_free (c);
  snprintf (want, sizeof want, "sha256:%s", want_hex);
  assert_string_equal (got, want);
}

/* FIPS 180-2 appendix B (and the million a's) */
static void test_known_answers (void **state)
{
  check ("", 1, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  check ("abc", 1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  check ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  check ("aaaaaaaaaa", 100000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void libcrypto_sha256 (const unsigned char *p, size_t n, char out[DIGEST_STR_LEN + 1])
{
  static const char hex[] = "0123456789abcdef";
  unsigned char md[32];
  unsigned int len = 0;
  assert_int_equal (EVP_Digest (p, n, md, &len, EVP_sha256 (), NULL), 1);
  memcpy (out, "sha256:", 7);
  for (int i = 0; i < 32; i++)
    {
      out[7 + 2 * i] = hex[md[i] >> 4];
      out[8 + 2 * i] = hex[md[i] & 15];
    }
  out[DIGEST_STR_LEN] = '\0';
}

/* 1 to 6 streams of random lengths fed in random pieces, some of them
   left out of a round, as the blob writer does */
static void test_many_streams_in_pieces (void **state)
{
  enum { MAXS = 6, MAXLEN = 300000 };
  unsigned char *data[MAXS];
  unsigned seed = 12345;
  for (int i = 0; i < MAXS; i++)
    {
      data[i] = malloc (MAXLEN);
      assert_non_null (data[i]);
      for (size_t j = 0; j < MAXLEN; j++)
        data[i][j] = (unsigned char) rand_r (&seed);
    }
  for (int trial = 0; trial < 200; trial++)
    {
      size_t k = 1 + rand_r (&seed) % MAXS, total[MAXS], off[MAXS] = { 0 };
      digest_ctx *c[MAXS];
      for (size_t i = 0; i < k; i++)
        {
          /* short ones too: partial blocks only, exactly 55/56/64 bytes */
          total[i] = trial < 40 ? rand_r (&seed) % 200 : rand_r (&seed) % MAXLEN;
          c[i] = digest_new ();
          assert_non_null (c[i]);
        }
      for (;;)
        {
          digest_ctx *cc[MAXS];
          const void *p[MAXS];
          size_t l[MAXS], m = 0;
          bool done = true;
          for (size_t i = 0; i < k; i++)
            if (off[i] < total[i] && rand_r (&seed) % 4 != 0)
              {
                size_t t = rand_r (&seed) % 3 == 0 ? rand_r (&seed) % 130 : rand_r (&seed) % 70000;
                if (t > total[i] - off[i])
                  t = total[i] - off[i];
                cc[m] = c[i];
                p[m] = data[i] + off[i];
                l[m] = t;
                off[i] += t;
                m++;
              }
          digest_update_many (cc, p, l, m);
          for (size_t i = 0; i < k; i++)
            done = done && off[i] == total[i];
          if (done)
            break;
        }
      for (size_t i = 0; i < k; i++)
        {
          char got[DIGEST_STR_LEN + 1], want[DIGEST_STR_LEN + 1];
          digest_final (c[i], got);
          digest_free (c[i]);
          libcrypto_sha256 (data[i], total[i], want);
          assert_string_equal (got, want);
        }
    }
  for (int i = 0; i < MAXS; i++)
    free (data[i]);
}

/* The block functions on their own, each lane count, against one lane. */
static void test_sha256x_lanes_agree (void **state)
{
  unsigned char *p[4];
  uint32_t h1[4][8], hk[4][8];
  if (!sha256x_available ())
    skip ();
  for (int i = 0; i < 4; i++)
    {
      p[i] = malloc (64 * 37);
      assert_non_null (p[i]);
      for (int j = 0; j < 64 * 37; j++)
        p[i][j] = (unsigned char) (i * 31 + j * 7);
    }
  for (size_t k = 1; k <= 4; k++)
    {
      uint32_t *hp[4];
      const unsigned char *pp[4];
      for (size_t i = 0; i < k; i++)
        {
          sha256x_ctx c;
          sha256x_init (&c);
          memcpy (h1[i], c.h, sizeof c.h);
          memcpy (hk[i], c.h, sizeof c.h);
          hp[i] = h1[i];
          pp[i] = p[i];
          sha256x_blocks (&hp[i], &pp[i], 1, 37);
          hp[i] = hk[i];
        }
      sha256x_blocks (hp, pp, k, 37);
      for (size_t i = 0; i < k; i++)
        assert_memory_equal (h1[i], hk[i], sizeof h1[i]);
    }
  for (int i = 0; i < 4; i++)
    free (p[i]);
}

int main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_known_answers),
    cmocka_unit_test (test_many_streams_in_pieces),
    cmocka_unit_test (test_sha256x_lanes_agree),
  };
  return cmocka_run_group_tests_name ("shared_digest", tests, NULL, NULL);
}
