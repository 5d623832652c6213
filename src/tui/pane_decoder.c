/* SPDX-License-Identifier: MIT */
#include "tui/pane_decoder.h"

#include <ctype.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/err.h"
#include "base/fileio.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include "jose/alg.h"
#include "jose/b64url.h"
#include "jose/explain.h"
#include "jose/jsonx.h"
#include "jose/jwk.h"
#include "jose/jws.h"
#include "jose/jwt.h"
#include "jose/verdict.h"
#include "tui/doc.h"

#define HISTORY_MAX  8
#define RAW_SHOW_MAX (16 * 1024) /* bytes of a huge token shown raw; the rest is summarised */
#define FIELD_MAX    (1u << 20)

typedef enum edit_mode { EDIT_NONE, EDIT_TOKEN, EDIT_HEADER, EDIT_PAYLOAD, EDIT_KEY } edit_mode;

typedef struct strbuf {
    char *s;
    size_t len, cap;
} strbuf;

typedef struct hist_entry {
    char label[24];
    char *token;
    jwk *key; /* the key it was signed with when the lesson knows it, or NULL */
} hist_entry;

struct pane_decoder {
    app *a;
    strbuf tok;   /* the token as typed */
    strbuf field; /* header / payload / key being edited */
    edit_mode mode;
    bool fresh; /* EDIT_TOKEN: the next typed text replaces the token */
    jws *t;
    tl_err perr;
    bool parsed_ok;
    verdict v;     /* the signature verdict, shared with the lesson check decoder.signature */
    jwk *key;      /* the learner's key (K) */
    char *key_for; /* the token it was given for: it decides for that token (and edits of it) */
    char key_desc[96];
    jwk *tok_key; /* the key this token was signed with, when known (a lesson's mint), or NULL */
    hist_entry hist[HISTORY_MAX];
    int nhist, cur;
    doc *d;
    int scroll;
    int view_h, view_w;
    bool has_times;
    int64_t last_now;
    bool stale; /* the token or a field changed since the last decode */
};

static void decode(pane_decoder *p);
static void build_doc(pane_decoder *p);

/* Brings the parsed token and the document up to date with the text. */
static void catch_up(pane_decoder *p)
{
    if (!p->stale) return;
    p->stale = false;
    decode(p);
    build_doc(p);
}

static void sb_set(strbuf *b, const char *s, size_t n)
{
    if (n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap : 256;
        while (nc < n + 1) nc *= 2;
        char *ns = realloc(b->s, nc);
        if (!ns) return;
        b->s = ns;
        b->cap = nc;
    }
    if (n) memmove(b->s, s, n);
    b->len = n;
    b->s[n] = '\0';
}

static void sb_append(strbuf *b, const char *s, size_t n)
{
    if (b->len + n > FIELD_MAX) n = b->len < FIELD_MAX ? FIELD_MAX - b->len : 0;
    if (b->len + n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap : 256;
        while (nc < b->len + n + 1) nc *= 2;
        char *ns = realloc(b->s, nc);
        if (!ns) return;
        b->s = ns;
        b->cap = nc;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

/* Removes the last UTF-8 character. */
static void sb_backspace(strbuf *b)
{
    if (!b->len) return;
    size_t i = b->len - 1;
    while (i > 0 && ((unsigned char)b->s[i] & 0xC0) == 0x80) i--;
    b->len = i;
    b->s[i] = '\0';
}

pane_decoder *pane_decoder_new(app *a)
{
    pane_decoder *p = xcalloc(1, sizeof *p);
    p->a = a;
    p->d = doc_new();
    sb_set(&p->tok, "", 0);
    sb_set(&p->field, "", 0);
    p->cur = -1;
    return p;
}

void pane_decoder_free(pane_decoder *p)
{
    if (!p) return;
    jws_free(p->t);
    jwk_free(p->key);
    free(p->key_for);
    jwk_free(p->tok_key);
    for (int i = 0; i < p->nhist; i++) {
        free(p->hist[i].token);
        jwk_free(p->hist[i].key);
    }
    free(p->tok.s);
    free(p->field.s);
    doc_free(p->d);
    free(p);
}

/* ---- decoding and verification ---- */

/* Is the learner's key (K) the one to judge this token by? It was given for this token, or for
 * the one this token is an edit of (jose/verdict: the same signature). */
static bool key_given(const pane_decoder *p)
{
    return p->key && p->t && verdict_same_token(p->t, p->key_for);
}

/* The verdict from every key the TUI holds, in the order the lesson state uses (lesson/state.c
 * state_update_signature): the learner's key given for this token, the lesson's signing key, the
 * server's login secret and JWKS, the lab key, and the learner's key given for another token. */
static void verify(pane_decoder *p)
{
    const jws *t = p->t;
    bool sig = t && !t->is_jwe && t->alg != JWS_ALG_NONE &&
               !(t->alg_name && jws_alg_name_is_none(t->alg_name));
    size_t slen = 0;
    const char *secret = sig && alg_is_hmac(t->alg) ? app_login_secret(p->a, &slen) : NULL;
    jwk *login = secret ? jwk_from_secret((const uint8_t *)secret, slen) : NULL;
    const struct jwks *set = sig && !alg_is_hmac(t->alg) ? app_jwks(p->a, t->kid) : NULL;
    verdict_key keys[] = {
        {VERDICT_SIGNER, p->tok_key, NULL, "the key the lesson signed it with"},
        {VERDICT_ISSUER, login, NULL, "the server's login secret"},
        {VERDICT_ISSUER, NULL, set, "the server's JWKS"},
        {VERDICT_MAYBE, app_lab_key_held(p->a), NULL, "the lab key"},
        {key_given(p) ? VERDICT_GIVEN : VERDICT_MAYBE, p->key, NULL, p->key_desc},
    };
    verdict_seen seen[HISTORY_MAX];
    for (int i = 0; i < p->nhist; i++) seen[i] = (verdict_seen){p->hist[i].label, p->hist[i].token};
    verdict_judge(t, keys, sizeof keys / sizeof keys[0], seen, (size_t)p->nhist, &p->v);
    jwk_free(login);
}

/* Where the token is in text copied from a request: "Bearer eyJ…" or "Authorization: Bearer eyJ…"
 * (any case) with whitespace around it, as the CLI reads it (args_read_token). */
static void token_span(const char *s, size_t n, size_t *off, size_t *len)
{
    size_t i = 0;
    while (i < n && isspace((unsigned char)s[i])) i++;
    if (n - i >= 14 && strncasecmp(s + i, "Authorization:", 14) == 0) {
        i += 14;
        while (i < n && isspace((unsigned char)s[i])) i++;
    }
    if (n - i > 6 && strncasecmp(s + i, "Bearer", 6) == 0 && isspace((unsigned char)s[i + 6])) {
        i += 6;
        while (i < n && isspace((unsigned char)s[i])) i++;
    }
    size_t e = n;
    while (e > i && isspace((unsigned char)s[e - 1])) e--;
    *off = i;
    *len = e - i;
}

/* Keeps only the token of a pasted or typed "Bearer eyJ…"; says so when a prefix went. */
static void trim_token(pane_decoder *p)
{
    size_t off, len;
    token_span(p->tok.s, p->tok.len, &off, &len);
    if (off == 0 && len == p->tok.len) return;
    size_t words = 0; /* a prefix word, not only whitespace, was dropped */
    for (size_t i = 0; i < off; i++) words += !isspace((unsigned char)p->tok.s[i]);
    memmove(p->tok.s, p->tok.s + off, len);
    p->tok.len = len;
    p->tok.s[len] = '\0';
    if (words)
        app_flash(p->a, "dropped the \"Bearer\" prefix: the token is what follows it in the "
                        "Authorization header (RFC 6750 §2.1)");
}

static void decode(pane_decoder *p)
{
    jws_free(p->t);
    p->t = NULL;
    err_clear(&p->perr);
    p->parsed_ok = false;
    p->scroll = p->scroll < 0 ? 0 : p->scroll;
    size_t off = 0, len = 0; /* while "Bearer eyJ…" is being typed, decode what follows Bearer */
    token_span(p->tok.s, p->tok.len, &off, &len);
    if (len > 0) p->parsed_ok = jws_parse(p->tok.s + off, len, &p->t, &p->perr);
    verify(p);
}

/* ---- the document ---- */

static bool is_time_claim(const char *name)
{
    const explain_entry *x = explain_lookup(EXPLAIN_CLAIM, name);
    if (x) return x->is_time;
    return strcmp(name, "exp") == 0 || strcmp(name, "iat") == 0 || strcmp(name, "nbf") == 0 ||
           strcmp(name, "auth_time") == 0;
}

static void put_bar(pane_decoder *p, int64_t remaining, int64_t lifetime)
{
    const int width = 20;
    int full = 0;
    theme_elem el = THEME_BAR_EXPIRED;
    if (remaining > 0) {
        if (lifetime <= 0) lifetime = remaining > 3600 ? remaining : 3600;
        double f = (double)remaining / (double)lifetime;
        if (f > 1) f = 1;
        full = (int)(f * width + 0.999);
        el = f > 0.25 ? THEME_BAR : THEME_BAR_LOW;
    }
    doc_put(p->d, THEME_NOTE, " ");
    for (int i = 0; i < width; i++)
        doc_put(p->d, i < full ? el : (remaining > 0 ? THEME_DIM : THEME_BAR_EXPIRED),
                ui_sym(i < full ? SYM_BAR_FULL : SYM_BAR_EMPTY));
}

/* The annotation under a time claim: dates, relative time, and for exp a draining bar. */
static void put_time_note(pane_decoder *p, const char *name, const json_t *v, int64_t now)
{
    doc *d = p->d;
    char utc[64], loc[64], rel[64];
    if (!json_is_integer(v) && !json_is_real(v)) {
        doc_printf(d, THEME_WARN, "      %s is not a number of seconds (RFC 7519 §2 NumericDate)\n",
                   name);
        return;
    }
    double dv = json_number_value(v);
    if (dv < -1e15 || dv > 1e15) {
        doc_printf(d, THEME_WARN, "      %s is out of range\n", name);
        return;
    }
    int64_t t = (int64_t)dv;
    p->has_times = true;
    timefmt_utc(t, utc, sizeof utc);
    timefmt_local(t, loc, sizeof loc);
    timefmt_relative(t, now, rel, sizeof rel);
    if (strcmp(utc, loc) == 0) /* local time is UTC here: say it once */
        doc_printf(d, THEME_NOTE, "      %s %s\n", ui_sym(SYM_ARROW_R), utc);
    else
        doc_printf(d, THEME_NOTE, "      %s %s · local %s\n", ui_sym(SYM_ARROW_R), utc, loc);
    if (strcmp(name, "exp") == 0) {
        int64_t lifetime = 0;
        json_t *iat = p->t && p->t->claims ? json_object_get(p->t->claims, "iat") : NULL;
        if (json_is_integer(iat)) lifetime = t - json_integer_value(iat);
        if (t > now) {
            doc_printf(d, THEME_OK, "      expires %s", rel);
        } else {
            doc_printf(d, THEME_BAD, "      expired %s", rel);
        }
        put_bar(p, t - now, lifetime);
        doc_nl(d);
    } else if (strcmp(name, "nbf") == 0) {
        doc_printf(d, t > now ? THEME_WARN : THEME_NOTE, "      %s %s\n",
                   t > now ? "not valid yet: becomes valid" : "valid since", rel);
    } else if (strcmp(name, "iat") == 0) {
        doc_printf(d, t > now + 60 ? THEME_WARN : THEME_NOTE, "      issued %s%s\n", rel,
                   t > now + 60 ? " (in the future!)" : "");
    } else if (strcmp(name, "auth_time") == 0) {
        doc_printf(d, THEME_NOTE, "      the user signed in %s\n", rel);
    } else {
        doc_printf(d, THEME_NOTE, "      %s\n", rel);
    }
}

static void put_explained_object(pane_decoder *p, const json_t *obj, explain_kind kind, int64_t now)
{
    doc *d = p->d;
    int width = p->view_w > 20 ? p->view_w : 76;
    doc_put(d, THEME_JSON_PUNCT, "{\n");
    const char *k;
    json_t *x;
    size_t i = 0, n = json_object_size(obj);
    json_object_foreach((json_t *)obj, k, x)
    {
        doc_put(d, THEME_NORMAL, "  ");
        json_t *ks = json_string(k);
        char *kq = ks ? json_dumps(ks, JSON_ENCODE_ANY) : NULL;
        doc_put(d, THEME_JSON_KEY, kq ? kq : k);
        free(kq);
        json_decref(ks);
        doc_put(d, THEME_JSON_PUNCT, ": ");
        doc_json(d, x, 1);
        doc_put(d, THEME_JSON_PUNCT, ++i < n ? "," : "");
        /* the explanation beside each registered name, wrapped under its own start (cut, it
         * lost the half that teaches); dates get their own lines */
        const explain_entry *ex = explain_lookup(kind, k);
        if (ex && !(kind == EXPLAIN_CLAIM && is_time_claim(k))) {
            char note[600];
            snprintf(note, sizeof note, "%s %s: %s (%s)", ui_sym(SYM_ARROW_L), ex->title,
                     ex->summary, ex->source);
            int room = width - doc_cur_width(d) - 2;
            if (room < 24) { /* a long value: the note goes on its own line */
                doc_nl(d);
                doc_put(d, THEME_NOTE, "      ");
            } else {
                doc_put(d, THEME_NOTE, "  ");
            }
            doc_hang(d, doc_cur_width(d) + 2);
            doc_put(d, THEME_NOTE, note);
        }
        doc_nl(d);
        if (kind == EXPLAIN_CLAIM && is_time_claim(k)) put_time_note(p, k, x, now);
    }
    doc_put(d, THEME_JSON_PUNCT, "}\n");
}

static void put_raw_token(pane_decoder *p)
{
    doc *d = p->d;
    const char *s = p->tok.s;
    size_t n = p->tok.len, shown = n > RAW_SHOW_MAX ? RAW_SHOW_MAX : n;
    int seg = 0;
    static const theme_elem seg_el[] = {THEME_JWT_HEADER, THEME_JWT_PAYLOAD, THEME_JWT_SIG,
                                        THEME_JWT_PAYLOAD, THEME_JWT_SIG};
    size_t start = 0;
    for (size_t i = 0; i <= shown; i++) {
        if (i == shown || s[i] == '.' || s[i] == '\n') {
            if (i > start) doc_putn(d, seg_el[seg > 4 ? 4 : seg], s + start, i - start);
            if (i < shown) {
                doc_put(d, THEME_NORMAL, s[i] == '.' ? "." : " ");
                if (s[i] == '.') seg++;
            }
            start = i + 1;
        }
    }
    if (p->mode == EDIT_TOKEN) doc_put(d, THEME_INPUT, p->fresh ? "▏" : "_");
    if (n > shown)
        doc_printf(d, THEME_NOTE, " %s (%zu more bytes not shown)", ui_sym(SYM_ELLIPSIS),
                   n - shown);
    doc_nl(d);
}

static void build_doc(pane_decoder *p)
{
    doc *d = p->d;
    doc_clear(d);
    p->has_times = false;
    int64_t now = app_now(p->a);
    p->last_now = now;

    if (p->mode == EDIT_HEADER || p->mode == EDIT_PAYLOAD || p->mode == EDIT_KEY) {
        const char *what = p->mode == EDIT_HEADER    ? "Header JSON"
                           : p->mode == EDIT_PAYLOAD ? "Payload JSON"
                                                     : "Secret, @file (PEM/JWK), lab or login";
        doc_printf(d, THEME_HEADING, "%s (Enter applies, Esc cancels):\n", what);
        doc_put(d, THEME_INPUT, p->mode == EDIT_KEY && p->field.len ? "" : "");
        doc_putn(d, THEME_INPUT, p->field.s, p->field.len);
        doc_put(d, THEME_INPUT, "_\n");
        doc_nl(d);
    }

    if (p->tok.len == 0) {
        if (p->mode == EDIT_TOKEN) doc_put(d, THEME_INPUT, "_\n");
        doc_put(d, THEME_NOTE,
                "Type or paste a token (press d). Tokens the app receives "
                "(login, token endpoint, refresh) appear here by themselves.\n");
        return;
    }
    if (p->nhist > 0 && p->cur >= 0)
        doc_printf(d, THEME_NOTE, "Token %s (%zu bytes) · history %d/%d [ ]\n",
                   p->hist[p->cur].label, p->tok.len, p->cur + 1, p->nhist);
    else
        doc_printf(d, THEME_NOTE, "Token (%zu bytes)\n", p->tok.len);
    put_raw_token(p);

    if (!p->parsed_ok) {
        doc_printf(d, THEME_BAD, "%s %s\n", ui_sym(SYM_CROSS), p->perr.msg);
        return;
    }
    jws *t = p->t;
    /* the verdict first: it is what changes while the learner edits */
    verdict_sig vs = p->v.sig;
    theme_elem el = vs == VERDICT_VALID ? THEME_OK : vs == VERDICT_UNKNOWN ? THEME_NOTE : THEME_BAD;
    const char *mark = vs == VERDICT_VALID     ? ui_sym(SYM_CHECK)
                       : vs == VERDICT_UNKNOWN ? "?"
                                               : ui_sym(SYM_CROSS);
    doc_printf(d, el, "%s %s", mark, p->v.message);
    doc_hang(d, 2);
    doc_nl(d);
    jwt_warning w[JWT_MAX_WARNINGS];
    size_t nw = jwt_warnings(t, key_given(p) ? p->key : NULL, now, w, JWT_MAX_WARNINGS);
    for (size_t i = 0; i < nw; i++) {
        doc_printf(d, THEME_WARN, "! %s", w[i].message);
        doc_hang(d, 2);
        doc_nl(d);
    }
    doc_nl(d);
    doc_put(d, THEME_JWT_HEADER, "HEADER ");
    put_explained_object(p, t->header, EXPLAIN_HEADER, now);

    if (t->is_jwe) {
        doc_put(d, THEME_WARN, "Encrypted (JWE): the payload cannot be read without the key.\n");
    } else {
        if (t->claims) {
            doc_put(d, THEME_JWT_PAYLOAD, "PAYLOAD ");
            put_explained_object(p, t->claims, EXPLAIN_CLAIM, now);
        } else {
            doc_put(d, THEME_JWT_PAYLOAD, "PAYLOAD\n");
            doc_printf(d, THEME_WARN, "%s\n", t->claims_err.msg);
            size_t n = t->payload_len > 2048 ? 2048 : t->payload_len;
            doc_putn(d, THEME_NORMAL, (const char *)t->payload, n);
            doc_nl(d);
        }
    }
    doc_nl(d);
    doc_put(d, THEME_JWT_SIG, "SIGNATURE");
    doc_printf(d, THEME_NOTE, "  %zu bytes over the first two segments exactly as sent\n",
               t->sig_len);
}

/* ---- public API ---- */

/* The key the current token was signed with (NULL: unknown); takes a new reference. */
static void set_tok_key(pane_decoder *p, jwk *key)
{
    if (key == p->tok_key) return;
    jwk_free(p->tok_key);
    p->tok_key = key ? jwk_ref(key) : NULL;
}

/* Adds the token (with the key it was signed with, when known) or selects its entry. */
static void history_push(pane_decoder *p, const char *label, const char *token, jwk *key)
{
    for (int i = 0; i < p->nhist; i++) {
        if (strcmp(p->hist[i].token, token) == 0) {
            p->cur = i;
            if (key && !p->hist[i].key) p->hist[i].key = jwk_ref(key);
            return;
        }
    }
    if (p->nhist == HISTORY_MAX) {
        free(p->hist[0].token);
        jwk_free(p->hist[0].key);
        memmove(p->hist, p->hist + 1, (HISTORY_MAX - 1) * sizeof p->hist[0]);
        p->nhist--;
    }
    hist_entry *h = &p->hist[p->nhist];
    snprintf(h->label, sizeof h->label, "%s", label ? label : "pasted");
    h->token = strdup(token);
    if (!h->token) return;
    h->key = key ? jwk_ref(key) : NULL;
    p->cur = p->nhist++;
}

static void changed(pane_decoder *p)
{
    decode(p);
    build_doc(p);
    app_dirty(p->a, PANE_DECODER);
}

void pane_decoder_set_token(pane_decoder *p, const char *label, const char *token)
{
    pane_decoder_set_token_key(p, label, token, NULL);
}

void pane_decoder_set_token_key(pane_decoder *p, const char *label, const char *token,
                                struct jwk *key)
{
    if (!token) token = "";
    size_t n = strlen(token);
    if (n > FIELD_MAX) n = FIELD_MAX;
    sb_set(&p->tok, token, n);
    set_tok_key(p, key);
    if (n && label) history_push(p, label, p->tok.s, key);
    p->scroll = 0;
    changed(p);
}

const char *pane_decoder_token(const pane_decoder *p)
{
    return p->tok.s ? p->tok.s : "";
}

const char *pane_decoder_signature(pane_decoder *p)
{
    catch_up(p);
    return verdict_sig_name(p->v.sig);
}

void pane_decoder_begin_edit(pane_decoder *p)
{
    p->mode = EDIT_TOKEN;
    p->fresh = true;
    build_doc(p);
    app_dirty(p->a, PANE_DECODER);
}

bool pane_decoder_editing(const pane_decoder *p)
{
    return p->mode != EDIT_NONE;
}

const char *pane_decoder_mode_hint(const pane_decoder *p)
{
    switch (p->mode) {
    case EDIT_TOKEN:
        return "done (Enter too) · typing or pasting replaces the token · BS deletes · C-u clears";
    case EDIT_HEADER:
    case EDIT_PAYLOAD:
        return "cancel · Enter applies the JSON (the old signature is kept: watch it fail)";
    case EDIT_KEY:
        return "cancel · Enter uses it · a secret, @path/key.pem|.jwk, lab (your RSA key), login";
    default:
        return NULL;
    }
}

/* Rebuilds the token with a new header or payload, keeping the other segments and the old
 * signature: exactly what an attacker who cannot sign does. */
static void apply_segment(pane_decoder *p, int seg)
{
    if (!p->t || p->t->nsegs != 3) {
        app_flash(p->a, "no signed token to edit: decode a JWS first");
        return;
    }
    tl_err e = {0};
    json_t *j = jsonx_parse(p->field.s, p->field.len, true, &e);
    if (!j) {
        app_flash(p->a, "not applied: %s", e.msg);
        return;
    }
    char *compact = jsonx_compact(j);
    json_decref(j);
    char *enc = compact ? b64url_encode((const uint8_t *)compact, strlen(compact)) : NULL;
    free(compact);
    if (!enc) return;
    const jws_span *s = p->t->seg;
    size_t n = strlen(enc) + s[0].n + s[1].n + s[2].n + 3;
    char *nt = malloc(n);
    if (nt) {
        if (seg == 0)
            snprintf(nt, n, "%s.%.*s.%.*s", enc, (int)s[1].n, s[1].p, (int)s[2].n, s[2].p);
        else
            snprintf(nt, n, "%.*s.%s.%.*s", (int)s[0].n, s[0].p, enc, (int)s[2].n, s[2].p);
        sb_set(&p->tok, nt, strlen(nt));
        history_push(p, "edited", nt, p->tok_key); /* still checked with the signer's key */
        free(nt);
        app_flash(p->a, "%s changed; the signature was not recomputed",
                  seg == 0 ? "header" : "payload");
    }
    free(enc);
}

static void apply_key(pane_decoder *p)
{
    tl_err e = {0};
    jwk *k = NULL;
    const char *s = p->field.s;
    if (p->field.len == 0) {
        jwk_free(p->key);
        p->key = NULL;
        free(p->key_for);
        p->key_for = NULL;
        app_decoder_key(p->a, NULL, NULL, NULL);
        app_flash(p->a, "key cleared: verifying with the server's keys again");
        return;
    }
    if (strcmp(s, "lab") == 0 || strcmp(s, "login") == 0) {
        size_t slen = 0;
        const char *secret = s[1] == 'a' ? NULL : app_login_secret(p->a, &slen);
        k = s[1] == 'a' ? app_lab_key(p->a) : NULL;
        if (k)
            k = jwk_ref(k);
        else if (secret)
            k = jwk_from_secret((const uint8_t *)secret, slen);
        if (!k) {
            app_flash(p->a, "%s",
                      s[1] == 'a' ? "no lab key yet (open a lesson first)"
                                  : "the login secret is known only for the "
                                    "embedded server");
            return;
        }
        snprintf(p->key_desc, sizeof p->key_desc, "%s",
                 s[1] == 'a' ? "the lab key (RSA, yours)" : "the server's login secret");
    } else if (s[0] == '@') {
        char *text = NULL;
        size_t len = 0;
        if (!fileio_read(s + 1, 1 << 20, &text, &len, &e) || !jwk_parse_any(text, len, &k, &e)) {
            free(text);
            app_flash(p->a, "key not loaded: %s", e.msg);
            return;
        }
        free(text);
        snprintf(p->key_desc, sizeof p->key_desc, "your key %.60s", s + 1);
    } else if (strstr(s, "-----BEGIN") || s[0] == '{') {
        if (!jwk_parse_any(s, p->field.len, &k, &e)) {
            app_flash(p->a, "key not loaded: %s", e.msg);
            return;
        }
        snprintf(p->key_desc, sizeof p->key_desc, "your %s key", jwk_kty_name(jwk_type(k)));
    } else {
        k = jwk_from_secret((const uint8_t *)s, p->field.len);
        snprintf(p->key_desc, sizeof p->key_desc, "your secret (%zu bytes)", p->field.len);
    }
    if (!k) return;
    jwk_free(p->key);
    p->key = k;
    /* the key belongs to this token (and edits of it), not to the tokens that come next */
    free(p->key_for);
    p->key_for = p->t ? xstrdup(p->t->compact) : NULL;
    app_decoder_key(p->a, k, p->key_desc, p->key_for);
    app_flash(p->a, "verifying with %s; S re-signs with it", p->key_desc);
}

static void resign(pane_decoder *p)
{
    if (!p->t || p->t->nsegs != 3) {
        app_flash(p->a, "nothing to re-sign: decode a JWS first");
        return;
    }
    if (!p->key || !jwk_is_private(p->key)) {
        app_flash(p->a, "re-signing needs a secret or private key you hold: press K first");
        return;
    }
    jws_alg alg = p->t->alg;
    tl_err e = {0};
    if (alg == JWS_ALG_UNKNOWN || alg == JWS_ALG_NONE || !jwk_allows(p->key, alg, true, NULL))
        alg = jwk_default_alg(p->key);
    char *tok = NULL;
    if (!jws_sign(p->t->header, p->t->payload, p->t->payload_len, alg, p->key, false, &tok, &e)) {
        app_flash(p->a, "not re-signed: %s", e.msg);
        return;
    }
    sb_set(&p->tok, tok, strlen(tok));
    set_tok_key(p, p->key);
    history_push(p, "re-signed", tok, p->key);
    free(p->key_for); /* the learner's key signed this one: it is given for it now */
    p->key_for = xstrdup(tok);
    app_decoder_key(p->a, p->key, p->key_desc, p->key_for);
    app_flash(p->a, "re-signed with %s as %s", p->key_desc, jws_alg_name(alg));
    free(tok);
}

static void start_field(pane_decoder *p, edit_mode m)
{
    p->mode = m;
    p->scroll = 0; /* the field is drawn at the top */
    sb_set(&p->field, "", 0);
    if (m == EDIT_HEADER && p->t && p->t->header) {
        char *c = jsonx_compact(p->t->header);
        if (c) sb_set(&p->field, c, strlen(c));
        free(c);
    } else if (m == EDIT_PAYLOAD && p->t && !p->t->is_jwe) {
        sb_set(&p->field, (const char *)p->t->payload, p->t->payload_len);
    }
}

static void finish_field(pane_decoder *p, bool apply)
{
    edit_mode m = p->mode;
    p->mode = EDIT_NONE;
    if (!apply) return;
    if (m == EDIT_HEADER)
        apply_segment(p, 0);
    else if (m == EDIT_PAYLOAD)
        apply_segment(p, 1);
    else if (m == EDIT_KEY)
        apply_key(p);
}

static int text_key(pane_decoder *p, int key)
{
    strbuf *b = p->mode == EDIT_TOKEN ? &p->tok : &p->field;
    if (key == TK_ESC || key == '\n' || key == '\r' || key == (TK_FN | KEY_ENTER)) {
        bool apply = key != TK_ESC;
        if (p->mode == EDIT_TOKEN) {
            p->mode = EDIT_NONE;
            trim_token(p);
            if (p->tok.len) history_push(p, "pasted", p->tok.s, p->tok_key);
        } else {
            finish_field(p, apply);
        }
        changed(p);
        return KEY_R_HANDLED | KEY_R_REDRAW;
    }
    if (key == 127 || key == 8 || key == (TK_FN | KEY_BACKSPACE)) {
        if (p->mode == EDIT_TOKEN && p->fresh) {
            sb_set(b, "", 0);
            set_tok_key(p, NULL);
        } else {
            sb_backspace(b);
        }
    } else if (key == TK_CTRL('u')) {
        sb_set(b, "", 0);
        if (p->mode == EDIT_TOKEN) set_tok_key(p, NULL);
    } else if (!(key & TK_FN) && key >= 32 && key != 127 && key < 0x110000) {
        char u[5];
        size_t n = 0;
        unsigned c = (unsigned)key;
        if (c < 0x80)
            u[n++] = (char)c;
        else if (c < 0x800) {
            u[n++] = (char)(0xC0 | (c >> 6));
            u[n++] = (char)(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
            u[n++] = (char)(0xE0 | (c >> 12));
            u[n++] = (char)(0x80 | ((c >> 6) & 0x3F));
            u[n++] = (char)(0x80 | (c & 0x3F));
        } else {
            u[n++] = (char)(0xF0 | (c >> 18));
            u[n++] = (char)(0x80 | ((c >> 12) & 0x3F));
            u[n++] = (char)(0x80 | ((c >> 6) & 0x3F));
            u[n++] = (char)(0x80 | (c & 0x3F));
        }
        if (p->mode == EDIT_TOKEN && p->fresh) {
            sb_set(b, "", 0);
            set_tok_key(p, NULL); /* a new token: whoever signed the old one did not sign it */
        }
        sb_append(b, u, n);
    } else {
        return KEY_R_IGNORED;
    }
    if (p->mode == EDIT_TOKEN) {
        p->fresh = false;
        p->cur = -1;
    }
    /* decoded when drawn: a burst of keys (a paste without bracketed paste) costs one decode */
    p->stale = true;
    app_dirty(p->a, PANE_DECODER);
    return KEY_R_HANDLED | KEY_R_REDRAW;
}

void pane_decoder_paste(pane_decoder *p, const char *text, size_t len)
{
    if (p->mode == EDIT_NONE) pane_decoder_begin_edit(p);
    strbuf *b = p->mode == EDIT_TOKEN ? &p->tok : &p->field;
    if (p->mode == EDIT_TOKEN && p->fresh) {
        sb_set(b, "", 0);
        set_tok_key(p, NULL);
    }
    /* a pasted token often carries a newline or spaces from the clipboard: drop control chars */
    for (size_t i = 0; i < len; i++) {
        size_t j = i;
        while (j < len && (unsigned char)text[j] >= 32) j++;
        if (j > i) sb_append(b, text + i, j - i);
        i = j;
    }
    if (p->mode == EDIT_TOKEN) {
        p->fresh = false;
        trim_token(p);
    }
    p->stale = true;
    app_dirty(p->a, PANE_DECODER);
}

static void scroll_by(pane_decoder *p, int n)
{
    int rows = doc_rows(p->d, p->view_w > 0 ? p->view_w : 80);
    int max = rows - (p->view_h > 0 ? p->view_h : 1);
    p->scroll += n;
    if (p->scroll > max) p->scroll = max;
    if (p->scroll < 0) p->scroll = 0;
}

int pane_decoder_key(pane_decoder *p, int key, tui_action act)
{
    catch_up(p);
    if (p->mode != EDIT_NONE) return text_key(p, key);
    int page = p->view_h > 2 ? p->view_h - 2 : 1;
    switch (act) {
    case ACT_EDIT_TOKEN:
        pane_decoder_begin_edit(p);
        return KEY_R_HANDLED;
    case ACT_EDIT_HEADER:
        start_field(p, EDIT_HEADER);
        break;
    case ACT_EDIT_PAYLOAD:
        start_field(p, EDIT_PAYLOAD);
        break;
    case ACT_KEY:
        start_field(p, EDIT_KEY);
        break;
    case ACT_RESIGN:
        resign(p);
        changed(p);
        return KEY_R_HANDLED;
    case ACT_HISTORY_PREV:
    case ACT_HISTORY_NEXT:
        if (p->nhist == 0) return KEY_R_HANDLED;
        p->cur = p->cur < 0 ? p->nhist - 1 : p->cur;
        p->cur = (p->cur + (act == ACT_HISTORY_NEXT ? 1 : p->nhist - 1)) % p->nhist;
        sb_set(&p->tok, p->hist[p->cur].token, strlen(p->hist[p->cur].token));
        set_tok_key(p, p->hist[p->cur].key);
        changed(p);
        return KEY_R_HANDLED;
    case ACT_COPY:
        if (p->tok.len) app_copy(p->a, p->tok.s);
        return KEY_R_HANDLED;
    case ACT_UP:
        scroll_by(p, -1);
        break;
    case ACT_DOWN:
        scroll_by(p, 1);
        break;
    case ACT_PGUP:
        scroll_by(p, -page);
        break;
    case ACT_PGDN:
        scroll_by(p, page);
        break;
    case ACT_TOP:
        p->scroll = 0;
        break;
    case ACT_BOTTOM:
        scroll_by(p, 1 << 30);
        break;
    default:
        return KEY_R_IGNORED;
    }
    build_doc(p);
    app_dirty(p->a, PANE_DECODER);
    return KEY_R_HANDLED | KEY_R_REDRAW;
}

void pane_decoder_draw(pane_decoder *p, WINDOW *w, bool focused)
{
    catch_up(p);
    int h, wd;
    getmaxyx(w, h, wd);
    werase(w);
    char title[64];
    snprintf(title, sizeof title, "Decoder%s", p->mode != EDIT_NONE ? " · editing" : "");
    ui_box(w, THEME_BORDER, title, focused);
    p->view_h = h - 2;
    p->view_w = wd - 4;
    if (p->view_h < 1 || p->view_w < 1) return;
    int rows = doc_rows(p->d, p->view_w);
    if (p->mode == EDIT_TOKEN) { /* keep the cursor (end of the raw token) in view */
        int end = doc_line_row(p->d, 2, p->view_w);
        if (end > p->scroll + p->view_h) p->scroll = end - p->view_h;
    }
    if (p->scroll > rows - p->view_h) p->scroll = rows - p->view_h;
    if (p->scroll < 0) p->scroll = 0;
    doc_draw(p->d, w, 1, 2, p->view_h, p->view_w, p->scroll, -1);
    if (rows > p->view_h) {
        char pos[32];
        snprintf(pos, sizeof pos, " %d%% ", (p->scroll + p->view_h) * 100 / rows);
        ui_put(w, h - 1, wd - 2 - ui_width(pos), pos, wd, theme_attr(THEME_BORDER));
    }
}

bool pane_decoder_tick(pane_decoder *p)
{
    if (p->stale) return false; /* the next draw rebuilds anyway */
    if (!p->has_times && p->mode == EDIT_NONE) return false;
    int64_t now = app_now(p->a);
    if (now == p->last_now) return false;
    build_doc(p);
    return true;
}

void pane_decoder_rekey(pane_decoder *p)
{
    catch_up(p);
    verify(p);
    build_doc(p);
    app_dirty(p->a, PANE_DECODER);
}
