#include "sha256x.h"

#include <string.h>

/* FIPS 180-4 section 4.2.2: the round constants. */
static const uint32_t sha256_k[64] __attribute__ ((aligned (16))) = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
  0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
  0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
  0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
  0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
  0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
  0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
  0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
};

/* FIPS 180-4 section 5.3.3: the initial hash value. */
static const uint32_t sha256_iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                       0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };

void sha256x_init (sha256x_ctx *c)
{
  memcpy (c->h, sha256_iv, sizeof c->h);
  c->buflen = 0;
  c->total = 0;
}

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

bool sha256x_available (void)
{
  /* -1 unknown; threads asking at once all find the same answer */
  static int known = -1;
  unsigned a, b, c, d;
  int k = __atomic_load_n (&known, __ATOMIC_RELAXED);
  if (k >= 0)
    return k;
  /* SHA extensions (leaf 7 EBX bit 29), SSSE3 and SSE4.1 (leaf 1 ECX
     bits 9 and 19) */
  k = __get_cpuid (1, &a, &b, &c, &d) && (c & (1u << 9)) && (c & (1u << 19))
      && __get_cpuid_count (7, 0, &a, &b, &c, &d) && (b & (1u << 29));
  __atomic_store_n (&known, k, __ATOMIC_RELAXED);
  return k;
}

#define SHA_TARGET __attribute__ ((target ("sha,sse4.1,ssse3")))

/* The SHA instructions keep the state as two vectors, ABEF and CDGH
   (Intel's "SHA extensions" paper); the context keeps A..H. */
SHA_TARGET static inline void state_load (const uint32_t h[8], __m128i *abef, __m128i *cdgh)
{
  __m128i badc = _mm_shuffle_epi32 (_mm_loadu_si128 ((const __m128i *) h), 0xB1);
  __m128i hgfe = _mm_shuffle_epi32 (_mm_loadu_si128 ((const __m128i *) (h + 4)), 0x1B);
  *abef = _mm_alignr_epi8 (badc, hgfe, 8);
  *cdgh = _mm_blend_epi16 (hgfe, badc, 0xF0);
}

SHA_TARGET static inline void state_store (uint32_t h[8], __m128i abef, __m128i cdgh)
{
  __m128i abef_r = _mm_shuffle_epi32 (abef, 0x1B), cdgh_r = _mm_shuffle_epi32 (cdgh, 0xB1);
  _mm_storeu_si128 ((__m128i *) h, _mm_blend_epi16 (abef_r, cdgh_r, 0xF0));
  _mm_storeu_si128 ((__m128i *) (h + 4), _mm_alignr_epi8 (cdgh_r, abef_r, 8));
}

/* One lane: state (s0 = ABEF, s1 = CDGH), the 16 message words of the
   block being hashed as four vectors w[4], and its input pointer. */
typedef struct lane
{
  __m128i s0, s1, save0, save1, w[4];
  const unsigned char *p;
} lane;

/* Four rounds i*4..i*4+3 with message vector v. */
#define QUAD(L, v, i)                                                                    \
  do                                                                                     \
    {                                                                                    \
      __m128i m_ = _mm_add_epi32 ((v), _mm_load_si128 ((const __m128i *) &sha256_k[4 * (i)])); \
      (L).s1 = _mm_sha256rnds2_epu32 ((L).s1, (L).s0, m_);                               \
      (L).s0 = _mm_sha256rnds2_epu32 ((L).s0, (L).s1, _mm_shuffle_epi32 (m_, 0x0E));      \
    }                                                                                    \
  while (0)

/* Message schedule (FIPS 180-4 6.2.2 step 1): words 4i..4i+3 from the
   16 before them, in place of words 4i-16..4i-13. */
#define SCHEDULE(L, i)                                                                   \
  ((L).w[(i) & 3] = _mm_sha256msg2_epu32 (                                               \
     _mm_add_epi32 (_mm_sha256msg1_epu32 ((L).w[(i) & 3], (L).w[((i) + 1) & 3]),         \
                    _mm_alignr_epi8 ((L).w[((i) + 3) & 3], (L).w[((i) + 2) & 3], 4)),     \
     (L).w[((i) + 3) & 3]))

/* n blocks on each of K lanes, interleaved: one lane's rounds are a
   chain of dependent instructions, several lanes fill the gaps (on this
   project's Zen machines: 2.1 GB/s for one, 3.1 for two, 3.9 for four). */
#define LANES_BLOCKS(K, L, n)                                                            \
  do                                                                                     \
    {                                                                                    \
      const __m128i bswap_ = _mm_set_epi64x (0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL); \
      for (size_t b_ = 0; b_ < (n); b_++)                                                \
        {                                                                                \
          for (int k_ = 0; k_ < (K); k_++)                                               \
            {                                                                            \
              (L)[k_].save0 = (L)[k_].s0;                                                \
              (L)[k_].save1 = (L)[k_].s1;                                                \
            }                                                                            \
          _Pragma ("GCC unroll 4") for (int i_ = 0; i_ < 4; i_++)                        \
            _Pragma ("GCC unroll 4") for (int k_ = 0; k_ < (K); k_++)                    \
              {                                                                          \
                (L)[k_].w[i_] = _mm_shuffle_epi8 (                                       \
                  _mm_loadu_si128 ((const __m128i *) ((L)[k_].p + 16 * i_)), bswap_);    \
                QUAD ((L)[k_], (L)[k_].w[i_], i_);                                        \
              }                                                                          \
          _Pragma ("GCC unroll 12") for (int i_ = 4; i_ < 16; i_++)                      \
            _Pragma ("GCC unroll 4") for (int k_ = 0; k_ < (K); k_++)                    \
              {                                                                          \
                SCHEDULE ((L)[k_], i_);                                                  \
                QUAD ((L)[k_], (L)[k_].w[i_ & 3], i_);                                    \
              }                                                                          \
          for (int k_ = 0; k_ < (K); k_++)                                               \
            {                                                                            \
              (L)[k_].s0 = _mm_add_epi32 ((L)[k_].s0, (L)[k_].save0);                    \
              (L)[k_].s1 = _mm_add_epi32 ((L)[k_].s1, (L)[k_].save1);                    \
              (L)[k_].p += 64;                                                           \
            }                                                                            \
        }                                                                                \
    }                                                                                    \
  while (0)

#define LANES_FN(K)                                                                      \
  SHA_TARGET static void blocks_##K (uint32_t *h[], const unsigned char *p[], size_t n)  \
  {                                                                                      \
    lane l[K];                                                                           \
    for (int k = 0; k < (K); k++)                                                        \
      {                                                                                  \
        state_load (h[k], &l[k].s0, &l[k].s1);                                           \
        l[k].p = p[k];                                                                   \
      }                                                                                  \
    LANES_BLOCKS (K, l, n);                                                              \
    for (int k = 0; k < (K); k++)                                                        \
      state_store (h[k], l[k].s0, l[k].s1);                                              \
  }

LANES_FN (1)
LANES_FN (2)
LANES_FN (3)
LANES_FN (4)

void sha256x_blocks (uint32_t *h[], const unsigned char *p[], size_t k, size_t n)
{
  switch (k)
    {
    case 4: blocks_4 (h, p, n); break;
    case 2: blocks_2 (h, p, n); break;
    case 1: blocks_1 (h, p, n); break;
    case 3: blocks_3 (h, p, n); break;
    }
}

#else

bool sha256x_available (void) { return false; }
void sha256x_blocks (uint32_t *h[], const unsigned char *p[], size_t k, size_t n)
{
  (void) h, (void) p, (void) k, (void) n;
}

#endif

/* Feed a context's partial block from *p; compress it once full. */
static void fill_partial (sha256x_ctx *c, const unsigned char **p, size_t *len)
{
  size_t take = 64 - c->buflen < *len ? 64 - c->buflen : *len;
  memcpy (c->buf + c->buflen, *p, take);
  c->buflen += take;
  c->total += take;
  *p += take;
  *len -= take;
  if (c->buflen == 64)
    {
      uint32_t *h[1] = { c->h };
      const unsigned char *b[1] = { c->buf };
      sha256x_blocks (h, b, 1, 1);
      c->buflen = 0;
    }
}

void sha256x_update_many (sha256x_ctx *c[], const void *data[], const size_t len[], size_t k)
{
  const unsigned char *p[SHA256X_MAX_STREAMS];
  size_t left[SHA256X_MAX_STREAMS];
  if (k > SHA256X_MAX_STREAMS)
    {
      for (size_t i = 0; i < k; i += SHA256X_MAX_STREAMS)
        sha256x_update_many (c + i, data + i, len + i,
                             k - i < SHA256X_MAX_STREAMS ? k - i : SHA256X_MAX_STREAMS);
      return;
    }
  for (size_t i = 0; i < k; i++)
    {
      p[i] = data[i];
      left[i] = len[i];
      if (c[i]->buflen > 0)
        fill_partial (c[i], &p[i], &left[i]);
    }
  /* whole blocks: as many streams at once as have some, for as many
     blocks as the shortest of them has */
  for (;;)
    {
      uint32_t *h[SHA256X_MAX_STREAMS];
      const unsigned char *b[SHA256X_MAX_STREAMS];
      size_t idx[SHA256X_MAX_STREAMS], m = 0, n = 0, run;
      for (size_t i = 0; i < k; i++)
        if (left[i] >= 64)
          {
            size_t nb = left[i] / 64;
            idx[m] = i;
            h[m] = c[i]->h;
            b[m] = p[i];
            n = (m == 0 || nb < n) ? nb : n;
            m++;
          }
      if (m == 0)
        break;
      run = n;
      sha256x_blocks (h, b, m, run);
      for (size_t j = 0; j < m; j++)
        {
          size_t i = idx[j];
          p[i] += run * 64;
          left[i] -= run * 64;
          c[i]->total += run * 64;
        }
    }
  for (size_t i = 0; i < k; i++)
    if (left[i] > 0)
      fill_partial (c[i], &p[i], &left[i]);
}

void sha256x_final (sha256x_ctx *c, unsigned char md[32])
{
  /* FIPS 180-4 5.1.1: a 1 bit, zeros, the length in bits (64 bits, big
     endian) ending a block */
  uint64_t bits = c->total * 8;
  uint32_t *h[1] = { c->h };
  const unsigned char *b[1] = { c->buf };
  c->buf[c->buflen++] = 0x80;
  if (c->buflen > 56)
    {
      memset (c->buf + c->buflen, 0, 64 - c->buflen);
      sha256x_blocks (h, b, 1, 1);
      c->buflen = 0;
    }
  memset (c->buf + c->buflen, 0, 56 - c->buflen);
  for (int i = 0; i < 8; i++)
    c->buf[56 + i] = (unsigned char) (bits >> (56 - 8 * i));
  sha256x_blocks (h, b, 1, 1);
  for (int i = 0; i < 8; i++)
    {
      md[4 * i] = (unsigned char) (c->h[i] >> 24);
      md[4 * i + 1] = (unsigned char) (c->h[i] >> 16);
      md[4 * i + 2] = (unsigned char) (c->h[i] >> 8);
      md[4 * i + 3] = (unsigned char) c->h[i];
    }
}
