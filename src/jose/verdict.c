/* SPDX-License-Identifier: MIT */
/* The signature verdict (see verdict.h). */
#include "jose/verdict.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "jose/alg.h"

const char *verdict_sig_name(verdict_sig s)
{
    static const char *const names[] = {"unknown", "valid", "invalid", "unsigned"};
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "unknown";
}

bool verdict_same_token(const jws *t, const char *given_for)
{
    if (!t || !given_for || t->nsegs != 3 || !t->seg[2].n) return false;
    const char *dot = strrchr(given_for, '.');
    if (!dot) return false;
    size_t n = strlen(dot + 1);
    while (n && (dot[n] == ' ' || dot[n] == '\n' || dot[n] == '\r' || dot[n] == '\t')) n--;
    return n == t->seg[2].n && memcmp(dot + 1, t->seg[2].p, n) == 0;
}

static bool set_verdict(verdict *out, verdict_sig sig, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool set_verdict(verdict *out, verdict_sig sig, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    out->sig = sig;
    vsnprintf(out->message, sizeof out->message, fmt, ap);
    va_end(ap);
    return true;
}

static bool is_mismatch(const tl_err *e)
{
    return err_is(e, "jws.sig_mismatch") || err_is(e, "jws.sig_length");
}

/* The seen token whose signature this token carries over other content and that verifies with
 * `k`: the token is a copy of it, changed after `k` signed it. NULL when there is none. */
static const char *signed_original(const jws *t, const jwk *k, const verdict_seen *seen,
                                   size_t nseen)
{
    if (t->nsegs != 3 || !t->seg[2].n) return NULL;
    const jws_span *sig = &t->seg[2];
    for (size_t i = nseen; i-- > 0;) {
        const char *h = seen[i].compact, *dot = h ? strrchr(h, '.') : NULL;
        if (!dot || strlen(dot + 1) != sig->n || memcmp(dot + 1, sig->p, sig->n) != 0) continue;
        if (strcmp(h, t->compact) == 0) continue;
        jws *o = NULL;
        tl_err e = {0};
        bool ok = jws_parse(h, strlen(h), &o, &e) && jws_verify(o, k, NULL, 0, &e);
        jws_free(o);
        if (ok) return seen[i].label ? seen[i].label : "earlier";
    }
    return NULL;
}

/* The learner's own key decides alone. */
static void judge_given(const jws *t, const verdict_key *g, verdict *out)
{
    tl_err e = {0};
    if (jws_verify(t, g->key, NULL, 0, &e))
        set_verdict(out, VERDICT_VALID, "signature verified with %s", g->what);
    else
        set_verdict(out, VERDICT_INVALID, "%.500s (checked with %.90s)", e.msg, g->what);
}

/* What the failures of the keys tried say, most telling first. */
typedef struct failures {
    const verdict_key *signer; /* a signer key that did not match */
    char signer_why[TL_ERR_MSG_MAX];
    const verdict_key *issuer; /* the first issuer key that failed */
    tl_err issuer_err;
    const char *copied_from; /* the issuer key signed the token this signature came from */
    const verdict_key *set;  /* the first key set that failed */
    tl_err set_err;
} failures;

static bool try_key(const jws *t, const verdict_key *c, const verdict_seen *seen, size_t nseen,
                    failures *f, verdict *out)
{
    tl_err e = {0};
    if (!jwk_allows(c->key, t->alg, false, NULL)) return false;
    if (jws_verify(t, c->key, NULL, 0, &e))
        return set_verdict(out, VERDICT_VALID, "signature verified with %s (%s)", c->what,
                           t->alg_name);
    if (c->role == VERDICT_SIGNER && !f->signer && is_mismatch(&e)) {
        f->signer = c;
        snprintf(f->signer_why, sizeof f->signer_why, "%s", e.msg);
    } else if (c->role == VERDICT_ISSUER && !f->issuer) {
        f->issuer = c;
        f->issuer_err = e;
        if (is_mismatch(&e)) f->copied_from = signed_original(t, c->key, seen, nseen);
    }
    return false;
}

static bool try_set(const jws *t, const verdict_key *c, failures *f, verdict *out)
{
    if (alg_is_hmac(t->alg)) return false; /* a published key is never an HMAC secret */
    const char *kid = NULL;
    tl_err e = {0};
    if (jws_verify_jwks(t, c->set, NULL, 0, &kid, &e))
        return set_verdict(out, VERDICT_VALID, "signature verified against %s (kid %s)", c->what,
                           kid ? kid : "-");
    if (c->role != VERDICT_MAYBE && !f->set) {
        f->set = c;
        f->set_err = e;
    }
    return false;
}

static void judge_failures(const jws *t, const failures *f, verdict *out)
{
    if (f->issuer && !f->signer) {
        const tl_err *e = &f->issuer_err;
        if (f->copied_from)
            set_verdict(out, VERDICT_INVALID,
                        "%.500s (checked with %.90s, which signed the %.40s token this signature "
                        "was copied from)",
                        e->msg, f->issuer->what, f->copied_from);
        else if (is_mismatch(e))
            /* another key may well have signed it (a lesson's mint, jwt.io's example): not
             * matching the one key we hold for the server proves no tampering */
            set_verdict(out, VERDICT_INVALID,
                        "not signed with %.90s (signed with another key, or changed after "
                        "signing) · K: give the key",
                        f->issuer->what);
        else
            set_verdict(out, VERDICT_INVALID, "%.500s (checked with %.90s)", e->msg,
                        f->issuer->what);
    } else if (f->signer) {
        set_verdict(out, VERDICT_INVALID, "%.500s (checked with %.90s)", f->signer_why,
                    f->signer->what);
    } else if (f->set && err_is(&f->set_err, "jwks.no_key")) {
        set_verdict(out, VERDICT_UNKNOWN, "not verified: %.500s", f->set_err.msg);
    } else if (f->set) {
        set_verdict(out, VERDICT_INVALID, "%.500s (checked against %.90s)", f->set_err.msg,
                    f->set->what);
    } else {
        set_verdict(out, VERDICT_UNKNOWN,
                    "not verified: no key for %s yet (press K to type a secret or a key file "
                    "@path)",
                    t->alg_name ? t->alg_name : "this alg");
    }
}

void verdict_judge(const jws *t, const verdict_key *keys, size_t nkeys, const verdict_seen *seen,
                   size_t nseen, verdict *out)
{
    out->sig = VERDICT_UNKNOWN;
    out->message[0] = '\0';
    if (!t) return;
    if (t->is_jwe) {
        set_verdict(out, VERDICT_UNKNOWN,
                    "encrypted (JWE): only the header is readable without the decryption key");
        return;
    }
    if (t->alg == JWS_ALG_NONE || (t->alg_name && jws_alg_name_is_none(t->alg_name))) {
        set_verdict(out, VERDICT_UNSIGNED, "unsigned (alg none): anyone could have written this");
        return;
    }
    for (size_t i = 0; i < nkeys; i++)
        if (keys[i].role == VERDICT_GIVEN && keys[i].key) {
            judge_given(t, &keys[i], out);
            return;
        }
    failures f = {0};
    for (size_t i = 0; i < nkeys; i++) {
        const verdict_key *c = &keys[i];
        if (c->role == VERDICT_GIVEN) continue;
        if (c->key ? try_key(t, c, seen, nseen, &f, out) : c->set && try_set(t, c, &f, out)) return;
    }
    judge_failures(t, &f, out);
}
