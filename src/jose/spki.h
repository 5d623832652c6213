/* SPDX-License-Identifier: MIT */
/* spki — a SubjectPublicKeyInfo ("-----BEGIN PUBLIC KEY-----", RFC 5280 §4.1.2.7) read directly
 * for the three key shapes JOSE uses, without OpenSSL's decoder framework.
 *
 * Why: OpenSSL 3's PEM_read_bio_PUBKEY asks every provider's every decoder whether it can read the
 * input; in a short-lived `tokenlab verify` process that search is a third of all the work. The
 * shapes here are exactly what RFC 3279 §2.3.1 (RSA), RFC 5480 §2 (EC on a named curve,
 * uncompressed point) and RFC 8410 §4 (Ed25519) define, in DER; the key is then built from its
 * parts with EVP_PKEY_fromdata, as a JWK is. Anything else — another algorithm, explicit curve
 * parameters, a compressed point, a non-minimal length, trailing bytes — returns NULL and the
 * caller hands the input to OpenSSL's general decoder, which accepts it or says what is wrong.
 * Internal to jose. */
#ifndef TL_JOSE_SPKI_H
#define TL_JOSE_SPKI_H

#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

/* The public key in `in` (a whole SubjectPublicKeyInfo), or NULL when the shape is not one of the
 * three above or OpenSSL refuses the parts. Leaves the OpenSSL error queue empty. */
EVP_PKEY *spki_read(const uint8_t *in, size_t len);

#endif
