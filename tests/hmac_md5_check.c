/* For tests/manager.bats: prints hmac_md5(KEY, MESSAGE) in hex, KEY and
 * MESSAGE given in hex ("-" for empty), to compare with python3's hmac. */
#include "hmac_md5.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t unhex(const char *hex, unsigned char *out, size_t room)
{
    size_t n = 0;
    if (strcmp(hex, "-") == 0)
        return 0;
    for (; hex[0] && hex[1] && n < room; hex += 2) {
        unsigned v;
        if (sscanf(hex, "%2x", &v) != 1)
            exit(2);
        out[n++] = (unsigned char)v;
    }
    return n;
}

int main(int argc, char **argv)
{
    static unsigned char key[4096], message[65536];
    if (argc != 3)
        return 2;
    size_t key_n = unhex(argv[1], key, sizeof key), n = unhex(argv[2], message, sizeof message);
    unsigned char digest[MD5_DIGEST_BYTES];
    hmac_md5(key, key_n, message, n, digest);
    for (int i = 0; i < MD5_DIGEST_BYTES; i++)
        printf("%02x", digest[i]);
    printf("\n");
    return 0;
}
