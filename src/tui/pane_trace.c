/* SPDX-License-Identifier: MIT */
#include "tui/pane_trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include "base/xalloc.h"
#include "jose/jsonx.h"
#include "tui/doc.h"

#define ENTRIES_MAX 400
#define TOKENS_MAX  16

typedef struct trace_entry {
    bool is_event;
    uint64_t id; /* exchange id */
    int64_t time_ms;
    net_event ev;
} trace_entry;

typedef struct found_token {
    char label[48];
    char *token;
} found_token;

struct pane_trace {
    app *a;
    http_client *http;
    trace_entry *e; /* ring, oldest first after compaction */
    size_t n;
    long sel;  /* index into e, -1 = follow the newest */
    bool full; /* Enter: the detail of one exchange fills the pane (Esc returns to the list) */
    bool reveal;
    int detail_scroll;
    int view_h, view_w, list_h;
    found_token tok[TOKENS_MAX];
    int ntok, tok_sel;
    doc *list, *detail;
};

static int64_t now_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static void push(pane_trace *p, const trace_entry *t)
{
    if (p->n == ENTRIES_MAX) {
        memmove(p->e, p->e + 1, (ENTRIES_MAX - 1) * sizeof *p->e);
        p->n--;
        if (p->sel > 0) p->sel--;
    }
    p->e[p->n++] = *t;
}

static void on_exchange(http_client *c, http_exchange *x, void *ud)
{
    (void)c;
    pane_trace *p = ud;
    bool own = !(x->url && strstr(x->url, "/lab/")) && !(x->url && strstr(x->url, "/jwks"));
    if (x->state == HTTP_PENDING) {
        trace_entry t = {.is_event = false, .id = x->id, .time_ms = x->start_ms};
        push(p, &t);
        /* a request the learner's step or console line made: the trace shows it (the learner
         * was reading an older one, but acting means "show me what this does") */
        if (own) {
            p->sel = -1;
            p->detail_scroll = 0;
            p->tok_sel = 0;
        }
    }
    if (own) app_http_seen(p->a, x->method, x->url, x->req_body);
    app_dirty(p->a, PANE_TRACE);
}

pane_trace *pane_trace_new(app *a, http_client *http)
{
    pane_trace *p = xcalloc(1, sizeof *p);
    p->e = xcalloc(ENTRIES_MAX, sizeof *p->e);
    p->a = a;
    p->http = http;
    p->sel = -1;
    p->list = doc_new();
    p->detail = doc_new();
    if (http) http_on_exchange(http, on_exchange, p);
    return p;
}

static void clear_tokens(pane_trace *p)
{
    for (int i = 0; i < p->ntok; i++) free(p->tok[i].token);
    p->ntok = 0;
    p->tok_sel = 0;
}

void pane_trace_free(pane_trace *p)
{
    if (!p) return;
    if (p->http) http_off_exchange(p->http, on_exchange, p);
    clear_tokens(p);
    doc_free(p->list);
    doc_free(p->detail);
    free(p->e);
    free(p);
}

void pane_trace_server_event(pane_trace *p, const net_event *ev)
{
    trace_entry t = {.is_event = true, .time_ms = now_ms(), .ev = *ev};
    push(p, &t);
    app_dirty(p->a, PANE_TRACE);
}

int pane_trace_pending(const pane_trace *p)
{
    int n = 0;
    for (size_t i = 0; i < p->n; i++) {
        if (p->e[i].is_event || !p->http) continue;
        http_exchange *x = http_history_find(p->http, p->e[i].id);
        if (x && x->state == HTTP_PENDING) n++;
    }
    return n;
}

/* ---- helpers ---- */

static const char *url_path(const char *url)
{
    const char *s = strstr(url, "://");
    s = s ? strchr(s + 3, '/') : NULL;
    return s ? s : "/";
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Percent-decodes (and '+' to space for forms) into a new string. Caller frees. */
static char *pct_decode(const char *s, size_t n, bool form)
{
    char *o = malloc(n + 1), *q = o;
    if (!o) return NULL;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            *q++ = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else if (form && s[i] == '+') {
            *q++ = ' ';
        } else {
            *q++ = s[i];
        }
    }
    *q = '\0';
    return o;
}

static const char *find_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0) return hay;
    return NULL;
}

static bool is_secret_name(const char *k)
{
    static const char *const names[] = {"password", "client_secret", "code_verifier",
                                        "refresh_token"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(k, names[i]) == 0) return true;
    return false;
}

static void add_token(pane_trace *p, const char *label, const char *tok)
{
    if (p->ntok >= TOKENS_MAX || !tok || !*tok) return;
    for (int i = 0; i < p->ntok; i++)
        if (strcmp(p->tok[i].token, tok) == 0) return;
    snprintf(p->tok[p->ntok].label, sizeof p->tok[p->ntok].label, "%s", label);
    p->tok[p->ntok].token = strdup(tok);
    if (p->tok[p->ntok].token) p->ntok++;
}

/* name=value pairs, one per line, values decoded; secrets masked unless revealed. */
static void put_params(pane_trace *p, doc *d, const char *s, size_t n, bool form)
{
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && s[j] != '&') j++;
        const char *eq = memchr(s + i, '=', j - i);
        size_t kl = eq ? (size_t)(eq - (s + i)) : j - i;
        char *k = pct_decode(s + i, kl, form);
        char *v = eq ? pct_decode(eq + 1, (size_t)(s + j - eq - 1), form) : strdup("");
        if (k && v) {
            doc_printf(d, THEME_JSON_KEY, "    %s", k);
            doc_put(d, THEME_JSON_PUNCT, " = ");
            if (is_secret_name(k) && !p->reveal) {
                doc_put(d, THEME_SECRET, "***** (r reveals)");
            } else if (doc_looks_like_jwt(v)) {
                doc_put(d, THEME_TOKEN, v);
                add_token(p, k, v);
            } else {
                doc_put(d, is_secret_name(k) ? THEME_SECRET : THEME_JSON_STRING, v);
            }
            doc_nl(d);
        }
        free(k);
        free(v);
        i = j + 1;
    }
}

/* Header block (CRLF lines); Authorization values and cookies masked unless revealed. */
static void put_head(pane_trace *p, doc *d, const char *h, size_t n, bool first_bold)
{
    size_t i = 0;
    bool first = true;
    while (i < n) {
        size_t j = i;
        while (j < n && h[j] != '\r' && h[j] != '\n') j++;
        if (j > i) {
            const char *colon = first ? NULL : memchr(h + i, ':', j - i);
            if (first) {
                doc_put(d, THEME_NORMAL, "    ");
                doc_putn(d, first_bold ? THEME_HEADING : THEME_NORMAL, h + i, j - i);
            } else if (colon) {
                size_t kl = (size_t)(colon - (h + i));
                doc_put(d, THEME_NORMAL, "    ");
                doc_putn(d, THEME_JSON_KEY, h + i, kl);
                doc_put(d, THEME_JSON_PUNCT, ":");
                const char *v = colon + 1;
                size_t vl = (size_t)(h + j - v);
                bool secret = (kl == 13 && strncasecmp(h + i, "Authorization", 13) == 0) ||
                              (kl == 6 && strncasecmp(h + i, "Cookie", 6) == 0);
                if (secret && !p->reveal) {
                    /* keep the scheme, hide the credentials */
                    size_t s = 0;
                    while (s < vl && v[s] == ' ') s++;
                    size_t e = s;
                    while (e < vl && v[e] != ' ') e++;
                    doc_putn(d, THEME_NORMAL, v, e);
                    const char *cred = v + e;
                    while (*cred == ' ' && cred < v + vl) cred++;
                    char tmp[4096];
                    snprintf(tmp, sizeof tmp, "%.*s", (int)(v + vl - cred), cred);
                    if (doc_looks_like_jwt(tmp)) {
                        doc_put(d, THEME_NORMAL, " ");
                        doc_put(d, THEME_TOKEN, tmp);
                        add_token(p, "bearer", tmp);
                    } else {
                        doc_put(d, THEME_SECRET, " ***** (r reveals)");
                    }
                } else {
                    doc_putn(d, THEME_NORMAL, v, vl);
                }
            } else {
                doc_put(d, THEME_NORMAL, "    ");
                doc_putn(d, THEME_NORMAL, h + i, j - i);
            }
            doc_nl(d);
            first = false;
        } else if (!first) {
            first = true; /* a blank line: the next status line of a multi-response head */
        }
        i = j + 1;
    }
}

static void collect_json_tokens(pane_trace *p, const json_t *j)
{
    const char *k;
    json_t *v;
    if (!json_is_object(j)) return;
    json_object_foreach((json_t *)j, k, v)
    {
        if (json_is_string(v) && (doc_looks_like_jwt(json_string_value(v)) ||
                                  (strstr(k, "token") && json_string_length(v) > 8)))
            add_token(p, k, json_string_value(v));
    }
}

/* JSON with the values of secret members replaced unless revealed (the record keeps the bytes). */
static void put_json_masked(pane_trace *p, doc *d, json_t *j)
{
    json_t *copy = NULL, *shown = j;
    if (!p->reveal && json_is_object(j)) {
        copy = json_deep_copy(j);
        const char *k;
        json_t *v;
        json_object_foreach(copy, k, v)
        {
            if (is_secret_name(k) && json_is_string(v))
                json_object_set_new(copy, k, json_string("***** (r reveals)"));
        }
        if (copy) shown = copy;
    }
    doc_put(d, THEME_NORMAL, "    ");
    doc_json(d, shown, 2);
    doc_nl(d);
    json_decref(copy);
}

static void build_exchange_detail(pane_trace *p, http_exchange *x, size_t idx)
{
    doc *d = p->detail;
    doc_printf(d, THEME_HEADING, "%s %s\n", x->method ? x->method : "?", x->url ? x->url : "?");
    if (x->label) doc_printf(d, THEME_NOTE, "  (%s)\n", x->label);
    /* the server's own view of it (its events follow it in the list, cut there), whole */
    for (size_t j = idx + 1; j < p->n && p->e[j].is_event; j++) {
        const net_event *ev = &p->e[j].ev;
        doc_printf(d, THEME_SERVER_VIEW, "  the server: %s%s%s: %s", ev->kind,
                   ev->code[0] ? " " : "", ev->code, ev->message);
        doc_hang(d, 4);
        doc_nl(d);
    }
    doc_put(d, THEME_TITLE, "Request\n");
    if (x->req_head && x->req_head_len) put_head(p, d, x->req_head, x->req_head_len, true);
    const char *query = x->url ? strchr(x->url, '?') : NULL;
    if (query && query[1]) {
        const char *frag = strchr(query + 1, '#');
        doc_put(d, THEME_TITLE, "  query (one parameter per line)\n");
        put_params(p, d, query + 1, frag ? (size_t)(frag - query - 1) : strlen(query + 1), false);
    }
    if (x->req_body && x->req_body_len) {
        const char *ct = x->req_head ? find_ci(x->req_head, "content-type:") : NULL;
        bool form = ct && strncasecmp(ct + 13 + strspn(ct + 13, " "),
                                      "application/x-www-form-urlencoded", 33) == 0;
        if (form) {
            doc_put(d, THEME_TITLE, "  form body (one parameter per line)\n");
            put_params(p, d, x->req_body, x->req_body_len, true);
        } else {
            json_t *j = jsonx_parse(x->req_body, x->req_body_len, false, NULL);
            if (json_is_object(j)) { /* a JSON body, pretty and with its secrets masked */
                doc_put(d, THEME_TITLE, "  JSON body\n");
                put_json_masked(p, d, j);
            } else {
                doc_put(d, THEME_TITLE, "  body\n");
                char *masked = p->reveal ? NULL : http_mask_secrets(x->req_body);
                doc_put(d, THEME_NORMAL, "    ");
                doc_put(d, THEME_NORMAL, masked ? masked : x->req_body);
                doc_nl(d);
                free(masked);
            }
            json_decref(j);
        }
    }
    doc_nl(d);
    if (x->state == HTTP_PENDING) {
        doc_put(d, THEME_NOTE, "waiting for the answer… (Esc cancels)\n");
        return;
    }
    if (x->state == HTTP_FAILED || x->state == HTTP_CANCELLED) {
        doc_printf(d, THEME_BAD, "%s\n", x->err.msg[0] ? x->err.msg : "failed");
        return;
    }
    doc_printf(d, THEME_TITLE, "Response");
    doc_printf(d, x->status < 400 ? THEME_OK : THEME_BAD, "  %ld", x->status);
    doc_printf(d, THEME_NOTE, "  %ld ms\n", app_fake_time(p->a) ? 0 : x->duration_ms);
    if (x->resp_head) put_head(p, d, x->resp_head, x->resp_head_len, true);
    /* a redirect: the Location header, or the JSON variant's "location" member */
    const char *loc = x->location;
    json_t *jl = json_is_object(x->json) ? json_object_get(x->json, "location") : NULL;
    if (!loc && json_is_string(jl)) loc = json_string_value(jl);
    if (loc) {
        doc_printf(d, THEME_TITLE, "  redirect %s, split:\n",
                   x->location ? "Location" : "location");
        const char *q = strchr(loc, '?');
        doc_printf(d, THEME_NORMAL, "    %.*s\n", q ? (int)(q - loc) : (int)strlen(loc), loc);
        if (q) {
            const char *frag = strchr(q + 1, '#');
            put_params(p, d, q + 1, frag ? (size_t)(frag - q - 1) : strlen(q + 1), false);
        }
    }
    if (x->json) {
        doc_put(d, THEME_TITLE, "  JSON body\n");
        put_json_masked(p, d, x->json);
        collect_json_tokens(p, x->json);
    } else if (x->body && x->body_len) {
        doc_put(d, THEME_TITLE, "  body\n");
        size_t n = x->body_len > 4096 ? 4096 : x->body_len;
        doc_putn(d, THEME_NORMAL, x->body, n);
        if (n < x->body_len) doc_printf(d, THEME_NOTE, "\n    … %zu more bytes", x->body_len - n);
        doc_nl(d);
    }
}

/* The entry the trace shows while following: the newest exchange (a server event that came with
 * it is a line in the list; the detail is about the request), else the newest entry. */
static long newest(const pane_trace *p)
{
    for (size_t i = p->n; i-- > 0;)
        if (!p->e[i].is_event) return (long)i;
    return (long)p->n - 1;
}

static void build(pane_trace *p)
{
    doc_clear(p->list);
    doc_clear(p->detail);
    clear_tokens(p);
    doc *l = p->list;
    if (p->n == 0) {
        doc_put(l, THEME_NOTE,
                "No requests yet. Every HTTP exchange the app makes appears here, with the "
                "server's own view of it.");
        return;
    }
    long sel = p->sel < 0 ? newest(p) : p->sel;
    for (size_t i = 0; i < p->n; i++) {
        trace_entry *t = &p->e[i];
        if (t->is_event) { /* one line in the list (cut with an ellipsis); whole in the detail */
            char line[700];
            snprintf(line, sizeof line, "%s server %s %s%s%s: %s", ui_sym(SYM_BULLET), t->ev.kind,
                     t->ev.endpoint, t->ev.code[0] ? " " : "", t->ev.code, t->ev.message);
            doc_put_fit(l, THEME_SERVER_VIEW, line, p->view_w > 10 ? p->view_w : 76);
            if ((long)i == sel) {
                doc_printf(p->detail, THEME_SERVER_VIEW, "The server's view (%s)\n", t->ev.kind);
                doc_printf(p->detail, THEME_NORMAL, "  endpoint: %s\n  code: %s\n  %s\n",
                           t->ev.endpoint, t->ev.code[0] ? t->ev.code : "-", t->ev.message);
            }
        } else {
            http_exchange *x = p->http ? http_history_find(p->http, t->id) : NULL;
            if (!x) {
                doc_put(l, THEME_NOTE, "(dropped from the history)");
            } else {
                /* the path gets what the status and time leave, at least 28 columns; a narrow
                 * pane (a projector at 80x24) keeps the status and drops the time instead */
                const char *path = url_path(x->url ? x->url : "");
                bool narrow = p->view_w < 9 + 28 + 18;
                int room = narrow ? p->view_w - 9 - 4 : p->view_w - 9 - 18;
                if (room < (narrow ? 6 : 28)) room = narrow ? 6 : 28;
                int col = narrow ? room : 28;
                doc_printf(l, THEME_NORMAL, "%s %-6s ", ui_sym(SYM_ARROW_R),
                           x->method ? x->method : "?");
                int before = doc_cur_width(l);
                doc_put_fit(l, THEME_NORMAL, path, room);
                int used = doc_cur_width(l) - before;
                doc_printf(l, THEME_NORMAL, "%*s", (used < col ? col - used : 0) + 1, "");
                if (x->state == HTTP_PENDING)
                    doc_put(l, THEME_NOTE, "…");
                else if (x->state != HTTP_DONE)
                    doc_put(l, THEME_BAD, x->state == HTTP_CANCELLED ? "cancelled" : "failed");
                else
                    doc_printf(l, x->status < 400 ? THEME_OK : THEME_BAD, "%ld", x->status);
                if (x->state != HTTP_PENDING && !narrow)
                    doc_printf(l, THEME_NOTE, "  %ld ms", app_fake_time(p->a) ? 0 : x->duration_ms);
                if ((long)i == sel) build_exchange_detail(p, x, i);
            }
        }
        doc_nl(l);
    }
    if (p->ntok > 0) {
        doc_nl(p->detail);
        doc_put(p->detail, THEME_TITLE,
                p->full ? "Tokens in this exchange (o next, Enter loads):\n"
                        : "Tokens in this exchange (Enter opens it, then o next, Enter loads):\n");
        for (int i = 0; i < p->ntok; i++) {
            bool hide = !p->reveal && is_secret_name(p->tok[i].label);
            doc_printf(p->detail, i == p->tok_sel ? THEME_SELECTED : THEME_TOKEN,
                       "  %s %s: %.40s%s\n", i == p->tok_sel ? ui_sym(SYM_ARROW_R) : " ",
                       p->tok[i].label, hide ? "***** (r reveals)" : p->tok[i].token,
                       !hide && strlen(p->tok[i].token) > 40 ? ui_sym(SYM_ELLIPSIS) : "");
        }
    }
}

int pane_trace_key(pane_trace *p, int key, tui_action act)
{
    (void)key;
    long last = (long)p->n - 1;
    int page = p->view_h - p->list_h - 2;
    if (page < 1) page = 1;
    if (p->full && (act == ACT_UP || act == ACT_DOWN)) { /* the full view scrolls */
        p->detail_scroll += act == ACT_UP ? -1 : 1;
        if (p->detail_scroll < 0) p->detail_scroll = 0;
        app_dirty(p->a, PANE_TRACE);
        return KEY_R_HANDLED | KEY_R_REDRAW;
    }
    switch (act) {
    case ACT_UP:
        p->sel = p->sel < 0 ? newest(p) - (newest(p) > 0) : (p->sel > 0 ? p->sel - 1 : 0);
        p->detail_scroll = 0;
        p->tok_sel = 0;
        break;
    case ACT_DOWN:
        p->sel = p->sel < 0 ? last : (p->sel < last ? p->sel + 1 : last);
        p->detail_scroll = 0;
        p->tok_sel = 0;
        break;
    case ACT_TOP:
        p->sel = p->n ? 0 : -1;
        break;
    case ACT_BOTTOM:
        p->sel = last;
        break;
    case ACT_CANCEL: /* the full view returns to the list; the list returns to following */
        if (p->full)
            p->full = false;
        else
            p->sel = -1;
        p->detail_scroll = 0;
        break;
    case ACT_PGDN:
        p->detail_scroll += page;
        break;
    case ACT_PGUP:
        p->detail_scroll -= page;
        if (p->detail_scroll < 0) p->detail_scroll = 0;
        break;
    case ACT_REVEAL:
        p->reveal = !p->reveal;
        app_flash(p->a, p->reveal ? "secrets shown: passwords, client secrets, verifiers"
                                  : "secrets masked again");
        break;
    case ACT_NEXT_TOKEN:
        build(p);
        if (p->ntok) p->tok_sel = (p->tok_sel + 1) % p->ntok;
        break;
    case ACT_ACTIVATE:
        if (!p->full) { /* Enter opens the exchange over the whole pane */
            if (p->n == 0) return KEY_R_HANDLED;
            if (p->sel < 0) p->sel = newest(p);
            p->full = true;
            p->detail_scroll = 0;
            break;
        }
        build(p);
        if (p->ntok == 0) {
            app_flash(p->a, "no token in this exchange");
            return KEY_R_HANDLED;
        }
        {
            int i = p->tok_sel < p->ntok ? p->tok_sel : 0;
            char label[48];
            snprintf(label, sizeof label, "%s", p->tok[i].label);
            char *tk = strdup(p->tok[i].token);
            if (tk) {
                app_show_token(p->a, label, tk);
                app_focus(p->a, PANE_DECODER);
                free(tk);
            }
        }
        return KEY_R_HANDLED;
    case ACT_COPY:
        build(p);
        if (p->ntok) app_copy(p->a, p->tok[p->tok_sel < p->ntok ? p->tok_sel : 0].token);
        return KEY_R_HANDLED;
    default:
        return KEY_R_IGNORED;
    }
    app_dirty(p->a, PANE_TRACE);
    return KEY_R_HANDLED | KEY_R_REDRAW;
}

void pane_trace_draw(pane_trace *p, WINDOW *w, bool focused)
{
    int h, wd;
    getmaxyx(w, h, wd);
    werase(w);
    /* the title says whether the trace follows the newest exchange or holds one for reading */
    char title[200], where[120] = "";
    long shown = p->sel < 0 ? newest(p) : p->sel;
    if (p->n && p->full)
        snprintf(where, sizeof where, " · entry %ld of %zu · Esc: back to the list", shown + 1,
                 p->n);
    else if (p->n && p->sel >= 0)
        snprintf(where, sizeof where, " · reading %ld of %zu · Esc: follow the newest", p->sel + 1,
                 p->n);
    else if (p->n)
        snprintf(where, sizeof where, " · following the newest");
    snprintf(title, sizeof title, "HTTP trace%s%s", where, p->reveal ? " · secrets shown" : "");
    if (ui_width(title) > wd - 6) /* narrow: the state in a word */
        snprintf(title, sizeof title, "HTTP trace%s%s",
                 p->full       ? " · entry"
                 : p->sel >= 0 ? " · reading"
                 : p->n        ? " · following"
                               : "",
                 p->reveal ? " · secrets" : "");
    ui_box(w, THEME_BORDER, title, focused);
    p->view_h = h - 2;
    p->view_w = wd - 4;
    if (p->view_h < 3 || p->view_w < 10) return;
    build(p);
    if (p->full && p->n) {
        int rows = doc_rows(p->detail, p->view_w);
        if (p->detail_scroll > rows - p->view_h) p->detail_scroll = rows - p->view_h;
        if (p->detail_scroll < 0) p->detail_scroll = 0;
        doc_draw(p->detail, w, 1, 2, p->view_h, p->view_w, p->detail_scroll, -1);
        return;
    }
    int n = (int)doc_line_count(p->list);
    p->list_h = n < p->view_h * 2 / 5 ? n : p->view_h * 2 / 5;
    if (p->list_h < 1) p->list_h = 1;
    if (p->n == 0) p->list_h = p->view_h;
    long sel = p->sel < 0 ? (long)p->n - 1 : p->sel;
    int lscroll = (int)sel - p->list_h + 1;
    if (lscroll < 0) lscroll = 0;
    /* list lines never wrap: draw each clipped to the width */
    doc_draw_lines(p->list, w, 1, 2, p->list_h, p->view_w, lscroll, p->sel);
    if (p->n == 0) return;
    ui_hline(w, 1 + p->list_h, 1, wd - 2, theme_attr(THEME_BORDER));
    int dh = p->view_h - p->list_h - 1;
    int rows = doc_rows(p->detail, p->view_w);
    if (p->detail_scroll > rows - dh) p->detail_scroll = rows - dh;
    if (p->detail_scroll < 0) p->detail_scroll = 0;
    doc_draw(p->detail, w, 2 + p->list_h, 2, dh, p->view_w, p->detail_scroll, -1);
}
