/* SPDX-License-Identifier: MIT */
/* The meaning of JOSE header parameters and JWT claims, as one table. */
#include "jose/explain.h"

#include <string.h>

#define H(n, t, s, src)                                                                            \
    {                                                                                              \
        EXPLAIN_HEADER, n, t, s, src, false                                                        \
    }
#define C(n, t, s, src)                                                                            \
    {                                                                                              \
        EXPLAIN_CLAIM, n, t, s, src, false                                                         \
    }
#define T(n, t, s, src)                                                                            \
    {                                                                                              \
        EXPLAIN_CLAIM, n, t, s, src, true                                                          \
    }

static const explain_entry explain_table[] = {
    /* JOSE header, RFC 7515 §4.1 */
    H("alg", "Algorithm",
      "how the token is signed; the verifier's key, not this field, decides what is accepted",
      "RFC 7515 §4.1.1"),
    H("jku", "JWK Set URL", "a URL of keys; never fetch keys from a URL the token itself names",
      "RFC 7515 §4.1.2"),
    H("jwk", "JSON Web Key", "a public key embedded in the token; trusting it lets anyone sign",
      "RFC 7515 §4.1.3"),
    H("kid", "Key ID", "which of the issuer's keys signed this token (a hint for picking the key)",
      "RFC 7515 §4.1.4"),
    H("x5u", "X.509 URL", "a URL of the signer's certificate chain", "RFC 7515 §4.1.5"),
    H("x5c", "X.509 Certificate Chain", "the signer's certificate chain, base64 DER, leaf first",
      "RFC 7515 §4.1.6"),
    H("x5t", "X.509 SHA-1 Thumbprint", "SHA-1 hash of the signer's certificate, to pick the key",
      "RFC 7515 §4.1.7"),
    H("x5t#S256", "X.509 SHA-256 Thumbprint",
      "SHA-256 hash of the signer's certificate, to pick the key", "RFC 7515 §4.1.8"),
    H("typ", "Type", "what kind of token this is: JWT, or at+jwt for an OAuth access token",
      "RFC 7515 §4.1.9"),
    H("cty", "Content Type", "what the payload is; \"JWT\" means a token nested inside",
      "RFC 7515 §4.1.10"),
    H("crit", "Critical", "extensions the verifier must understand, or else reject the token",
      "RFC 7515 §4.1.11"),
    H("b64", "Base64url-Encode Payload", "false means the payload is signed unencoded (needs crit)",
      "RFC 7797 §3"),
    /* JWE headers (a 5-segment token shows only its header) */
    H("enc", "Encryption Algorithm", "how the payload is encrypted (e.g. A256GCM)",
      "RFC 7516 §4.1.2"),
    H("zip", "Compression", "the payload was compressed (DEF) before encryption",
      "RFC 7516 §4.1.3"),
    H("epk", "Ephemeral Public Key", "the sender's one-time ECDH key for this message",
      "RFC 7518 §4.6.1.1"),
    H("apu", "Agreement PartyUInfo", "information about the sender mixed into the ECDH key",
      "RFC 7518 §4.6.1.2"),
    H("apv", "Agreement PartyVInfo", "information about the recipient mixed into the ECDH key",
      "RFC 7518 §4.6.1.3"),
    H("iv", "Initialization Vector", "the nonce used to wrap the content key with AES-GCM",
      "RFC 7518 §4.7.1.1"),
    H("tag", "Authentication Tag", "the integrity tag of the wrapped content key (AES-GCM)",
      "RFC 7518 §4.7.1.2"),
    H("p2s", "PBES2 Salt", "salt for deriving the key-wrapping key from a password",
      "RFC 7518 §4.8.1.1"),
    H("p2c", "PBES2 Count", "how many PBKDF2 iterations derive the key from the password",
      "RFC 7518 §4.8.1.2"),
    /* Registered claims, RFC 7519 §4.1 */
    C("iss", "Issuer", "who created and signed the token", "RFC 7519 §4.1.1"),
    C("sub", "Subject", "whom the token is about, usually a user id", "RFC 7519 §4.1.2"),
    C("aud", "Audience", "who the token is for; others must reject it", "RFC 7519 §4.1.3"),
    T("exp", "Expiration Time", "after this instant the token must be rejected", "RFC 7519 §4.1.4"),
    T("nbf", "Not Before", "before this instant the token must be rejected", "RFC 7519 §4.1.5"),
    T("iat", "Issued At", "when the token was created", "RFC 7519 §4.1.6"),
    C("jti", "JWT ID", "a unique id, so a token can be recognised if it is replayed",
      "RFC 7519 §4.1.7"),
    /* OAuth access tokens and token exchange */
    C("scope", "Scope", "what the token lets its holder do, space-separated",
      "RFC 8693 §4.2, RFC 9068 §2.2.3"),
    C("client_id", "Client ID", "the application the token was issued to",
      "RFC 8693 §4.3, RFC 9068 §2.2"),
    C("cnf", "Confirmation",
      "the key a holder must prove it has (proof-of-possession); with DPoP its jkt is the "
      "thumbprint of the client's key, and the API wants a proof signed by it",
      "RFC 7800 §3.1, RFC 9449 §6.1"),
    /* a DPoP proof's own claims (typ dpop+jwt; its jwk header is the client's public key) */
    C("htm", "HTTP Method", "the method of the one request this DPoP proof is for",
      "RFC 9449 §4.2"),
    C("htu", "HTTP URI", "the URL (without query) of the one request this DPoP proof is for",
      "RFC 9449 §4.2"),
    C("ath", "Access Token Hash", "base64url SHA-256 of the access token this DPoP proof goes with",
      "RFC 9449 §4.2"),
    C("act", "Actor", "who is acting on behalf of the subject (delegation)", "RFC 8693 §4.1"),
    C("may_act", "Authorized Actor", "who may act on behalf of the subject", "RFC 8693 §4.4"),
    C("roles", "Roles", "roles the user has at the resource server", "RFC 9068 §2.2.3.1"),
    C("groups", "Groups", "groups the user belongs to", "RFC 9068 §2.2.3.1"),
    /* OpenID Connect ID tokens, Core §2 */
    C("azp", "Authorized Party", "the client the ID token was issued to, when aud lists several",
      "OpenID Connect Core §2"),
    C("nonce", "Nonce", "the client's random value, echoed back to stop replayed ID tokens",
      "OpenID Connect Core §2"),
    T("auth_time", "Authentication Time", "when the user last actually logged in",
      "OpenID Connect Core §2"),
    C("acr", "Authentication Context Class", "how strongly the user was authenticated",
      "OpenID Connect Core §2"),
    C("amr", "Authentication Methods", "how the user logged in (pwd, otp, mfa, ...)",
      "OpenID Connect Core §2"),
    C("at_hash", "Access Token Hash", "half a hash of the access token issued with this ID token",
      "OpenID Connect Core §3.1.3.6"),
    C("c_hash", "Code Hash", "half a hash of the authorization code issued with this ID token",
      "OpenID Connect Core §3.3.2.11"),
    C("sid", "Session ID", "the login session at the provider, for logout",
      "OpenID Connect Front-Channel Logout §3"),
    /* OpenID Connect standard claims, Core §5.1 */
    C("name", "Full Name", "the user's full name for display", "OpenID Connect Core §5.1"),
    C("given_name", "Given Name", "the user's first name", "OpenID Connect Core §5.1"),
    C("family_name", "Family Name", "the user's last name", "OpenID Connect Core §5.1"),
    C("email", "Email", "the user's email address (check email_verified before trusting it)",
      "OpenID Connect Core §5.1"),
    C("email_verified", "Email Verified",
      "whether the provider checked that the user owns the email", "OpenID Connect Core §5.1"),
    C("preferred_username", "Preferred Username",
      "a display handle; not unique, never use it as an id", "OpenID Connect Core §5.1"),
    {EXPLAIN_CLAIM, NULL, NULL, NULL, NULL, false},
};

const explain_entry *explain_lookup(explain_kind kind, const char *name)
{
    if (!name) return NULL;
    for (const explain_entry *x = explain_table; x->name; x++)
        if (x->kind == kind && strcmp(x->name, name) == 0) return x;
    return NULL;
}

const explain_entry *explain_all(void)
{
    return explain_table;
}
