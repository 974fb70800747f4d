/* hmac_md5: the digest Python 3.11's multiprocessing uses to check an
 * authkey (Lib/multiprocessing/connection.py, deliver_challenge() and
 * answer_challenge(): hmac.new(authkey, message, 'md5')), written by hand:
 * MD5 (RFC 1321) and HMAC (RFC 2104).  MD5 is broken for signatures; in an
 * HMAC it still keeps out a peer that does not know the key, which is all a
 * challenge asks of it.  tests/manager.bats checks it against python3's hmac. */
#ifndef CONCDEMO_HMAC_MD5_H
#define CONCDEMO_HMAC_MD5_H

#include <stddef.h>
#include <stdint.h>

enum { MD5_DIGEST_BYTES = 16 };

void md5(const void *bytes, size_t n, uint8_t digest[MD5_DIGEST_BYTES]);
void hmac_md5(const void *key, size_t key_n, const void *message, size_t n, uint8_t digest[MD5_DIGEST_BYTES]);

#endif
