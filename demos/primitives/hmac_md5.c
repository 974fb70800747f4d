#include "hmac_md5.h"

#include <string.h>

struct md5_state {
    uint32_t h[4];
    uint64_t length; /* bytes so far */
    uint8_t block[64];
    size_t used;
};

static const uint32_t K[64] = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
};
static const uint8_t R[64] = {
    7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
    5, 9,  14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21,
    6, 10, 15, 21, 6, 10, 15, 21,
};

static uint32_t rotl(uint32_t x, unsigned n) { return (x << n) | (x >> (32 - n)); }

static void md5_block(struct md5_state *s, const uint8_t *p)
{
    uint32_t m[16];
    for (int i = 0; i < 16; i++) /* little-endian words */
        m[i] = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 | (uint32_t)p[4 * i + 2] << 16 |
               (uint32_t)p[4 * i + 3] << 24;
    uint32_t a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3];
    for (int i = 0; i < 64; i++) {
        uint32_t f;
        int g;
        if (i < 16) {
            f = (b & c) | (~b & d);
            g = i;
        } else if (i < 32) {
            f = (d & b) | (~d & c);
            g = (5 * i + 1) % 16;
        } else if (i < 48) {
            f = b ^ c ^ d;
            g = (3 * i + 5) % 16;
        } else {
            f = c ^ (b | ~d);
            g = (7 * i) % 16;
        }
        uint32_t next = d;
        d = c;
        c = b;
        b = b + rotl(a + f + K[i] + m[g], R[i]);
        a = next;
    }
    s->h[0] += a;
    s->h[1] += b;
    s->h[2] += c;
    s->h[3] += d;
}

static void md5_init(struct md5_state *s)
{
    memset(s, 0, sizeof *s);
    s->h[0] = 0x67452301;
    s->h[1] = 0xefcdab89;
    s->h[2] = 0x98badcfe;
    s->h[3] = 0x10325476;
}

static void md5_update(struct md5_state *s, const void *bytes, size_t n)
{
    const uint8_t *p = bytes;
    s->length += n;
    while (n > 0) {
        size_t take = 64 - s->used < n ? 64 - s->used : n;
        memcpy(s->block + s->used, p, take);
        s->used += take;
        p += take;
        n -= take;
        if (s->used == 64) {
            md5_block(s, s->block);
            s->used = 0;
        }
    }
}

static void md5_final(struct md5_state *s, uint8_t digest[MD5_DIGEST_BYTES])
{
    uint64_t bits = s->length * 8;
    uint8_t pad = 0x80, zero = 0, length[8];
    md5_update(s, &pad, 1);
    while (s->used != 56)
        md5_update(s, &zero, 1);
    for (int i = 0; i < 8; i++)
        length[i] = (uint8_t)(bits >> (8 * i));
    md5_update(s, length, 8);
    for (int i = 0; i < 16; i++)
        digest[i] = (uint8_t)(s->h[i / 4] >> (8 * (i % 4)));
}

void md5(const void *bytes, size_t n, uint8_t digest[MD5_DIGEST_BYTES])
{
    struct md5_state s;
    md5_init(&s);
    md5_update(&s, bytes, n);
    md5_final(&s, digest);
}

/* HMAC(K, m) = H((K' ^ opad) || H((K' ^ ipad) || m)), K' the key padded to a
 * block, or hashed first if longer than one. */
void hmac_md5(const void *key, size_t key_n, const void *message, size_t n, uint8_t digest[MD5_DIGEST_BYTES])
{
    uint8_t block[64] = { 0 }, inner_pad[64], outer_pad[64], inner[MD5_DIGEST_BYTES];
    if (key_n > sizeof block)
        md5(key, key_n, block);
    else if (key_n > 0)
        memcpy(block, key, key_n);
    for (int i = 0; i < 64; i++) {
        inner_pad[i] = block[i] ^ 0x36;
        outer_pad[i] = block[i] ^ 0x5c;
    }
    struct md5_state s;
    md5_init(&s);
    md5_update(&s, inner_pad, sizeof inner_pad);
    md5_update(&s, message, n);
    md5_final(&s, inner);
    md5_init(&s);
    md5_update(&s, outer_pad, sizeof outer_pad);
    md5_update(&s, inner, sizeof inner);
    md5_final(&s, digest);
}
