/* SPDX-License-Identifier: MIT */
/* plain — the course as a line-oriented dialogue (see plain.h; docs/accessibility.md). */
#include "tui/plain.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/esc.h"
#include "base/timefmt.h"
#include "jose/explain.h"
#include "jose/jws.h"
#include "lesson/action.h"
#include "lesson/course.h"
#include "lesson/engine.h"
#include "lesson/progress.h"
#include "lesson/state.h"
#include "oauth/http.h"
#include "tui/net.h"

#define LINE_MAX_BYTES 8192

typedef struct plain {
    net *net;
    course *course;
    progress *prog;
    engine *en;
    join *join;
    bool quit;
    bool echo; /* stdin is not a terminal: repeat each command in the output */
    /* the run in flight: its feedback arrives in on_done */
    bool waiting;
    bool have_fb;
    engine_feedback fb;
    /* what was last said, so only news is spoken */
    char *seen_tokens[STATE_TOK_COUNT];
    bool news[STATE_TOK_COUNT]; /* arrived since the last command, not yet said */
    char labs_seen[512];        /* the switches that were on when last said */
    int64_t clock_seen;
    bool up_seen;
    char *seen_decoder;
    uint64_t seen_exchange; /* id of the newest exchange already reported */
    size_t shown_item;      /* the item whose prose and text were last printed, or (size_t)-1 */
    const lesson *shown_lesson;
    const lesson *passed_said; /* the lesson whose "passed" was announced */
    char inbuf[LINE_MAX_BYTES];
    size_t inlen;
} plain;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    fflush(stdout);
}

/* Text from outside (the server, a token) as one safe line. */
static const char *safe(const char *s, char *buf, size_t n)
{
    return esc_text(s ? s : "", buf, n);
}

/* ---------- lesson prose as plain text ---------- */

/* Is the '*' or '_' at s (inside in) an emphasis marker rather than a character of the text? A
 * lone '*' between spaces ("2 * 3") and an underscore inside a word (snake_case) or quoted
 * ("-" and "_") are text. */
static bool emphasis_marker(const char *in, const char *s)
{
    if (s[1] == *s || (s > in && s[-1] == *s)) return true; /* ** or __ */
    bool prev_ws = s == in || isspace((unsigned char)s[-1]);
    bool next_ws = !s[1] || isspace((unsigned char)s[1]);
    if (*s == '*') return !(prev_ws && next_ws);
    bool prev_w = s > in && isalnum((unsigned char)s[-1]);
    bool next_w = isalnum((unsigned char)s[1]) != 0;
    if (prev_w && next_w) return false;
    return ((prev_ws || s[-1] == '(') && next_w) ||
           (prev_w && (next_ws || strchr(".,;:!?)", s[1])));
}

/* Inline Markdown to words: `code` and emphasis markers dropped, [text](url) read as "text (url)",
 * a backslash escape as its character. */
static void inline_plain(const char *in, char *out, size_t n)
{
    size_t o = 0;
    for (const char *s = in; *s && o + 1 < n; s++) {
        if (*s == '\\' && s[1] && strchr("\\`*_[]()#!|<>", s[1])) {
            out[o++] = *++s;
        } else if (*s == '`') {
            continue;
        } else if ((*s == '*' || *s == '_') && emphasis_marker(in, s)) {
            continue;
        } else if (*s == '[') {
            const char *close = strstr(s, "](");
            const char *end = close ? strchr(close, ')') : NULL;
            const char *nl = strchr(s, '\n');
            if (close && end && (!nl || end < nl)) {
                char txt[512], url[512];
                snprintf(txt, sizeof txt, "%.*s", (int)(close - s - 1), s + 1);
                snprintf(url, sizeof url, "%.*s", (int)(end - close - 2), close + 2);
                char inner[512];
                inline_plain(txt, inner, sizeof inner);
                o += (size_t)snprintf(out + o, n - o, "%s (%s)", inner, url);
                if (o >= n) o = n - 1;
                s = end;
            } else {
                out[o++] = *s;
            }
        } else {
            out[o++] = *s;
        }
    }
    out[o] = '\0';
}

static bool is_table_rule(const char *line)
{
    bool dash = false;
    for (const char *s = line; *s; s++) {
        if (*s == '-')
            dash = true;
        else if (!strchr("|: \t", *s))
            return false;
    }
    return dash;
}

/* Splits a table row "| a | b |" into cells (trimmed, in place). Returns the count. */
static size_t table_cells(char *row, char **cells, size_t max)
{
    size_t n = 0;
    char *s = row;
    while (*s == ' ') s++;
    if (*s == '|') s++;
    while (*s && n < max) {
        char *bar = strchr(s, '|');
        if (bar) *bar = '\0';
        while (*s == ' ') s++;
        char *e = s + strlen(s);
        while (e > s && e[-1] == ' ') *--e = '\0';
        if (*s || bar) cells[n++] = s;
        if (!bar) break;
        s = bar + 1;
        if (!*s) break;
    }
    return n;
}

/* A table is read row by row, each cell named by its column: "alg: HS256; meaning: HMAC". */
static void print_table_row(char *line, char (*head)[128], size_t *nhead, bool first)
{
    char *cells[16];
    size_t n = table_cells(line, cells, 16);
    char out[LINE_MAX_BYTES];
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        char txt[1024];
        inline_plain(cells[i], txt, sizeof txt);
        if (first) {
            size_t hl = strlen(txt) < sizeof head[i] - 1 ? strlen(txt) : sizeof head[i] - 1;
            memcpy(head[i], txt, hl);
            head[i][hl] = '\0';
            continue;
        }
        if (i < *nhead && head[i][0])
            o += (size_t)snprintf(out + o, sizeof out - o, "%s%s: %s", i ? "; " : "", head[i], txt);
        else
            o += (size_t)snprintf(out + o, sizeof out - o, "%s%s", i ? "; " : "", txt);
        if (o >= sizeof out) o = sizeof out - 1;
    }
    if (first) {
        *nhead = n;
        say("A table with %zu columns.", n);
    } else {
        say("%s.", out);
    }
}

/* A paragraph or a list item being gathered: its lines are joined into one line of speech. */
typedef struct para {
    char text[LINE_MAX_BYTES * 2];
    size_t len;
    char prefix[48]; /* "- " or "2. " (indented by depth) for a list item, "" for a paragraph */
} para;

static void flush_para(para *pa)
{
    if (!pa->len) return;
    char txt[LINE_MAX_BYTES * 2];
    inline_plain(pa->text, txt, sizeof txt);
    say("%s%s", pa->prefix, txt);
    if (!pa->prefix[0]) say("%s", "");
    pa->len = 0;
    pa->text[0] = '\0';
    pa->prefix[0] = '\0';
}

static void para_add(para *pa, const char *t)
{
    pa->len += (size_t)snprintf(pa->text + pa->len, sizeof pa->text - pa->len, "%s%s",
                                pa->len ? " " : "", t);
    if (pa->len >= sizeof pa->text) pa->len = sizeof pa->text - 1;
}

/* Prose: headings, paragraphs and list items (each joined into one line), quotes and tables. */
static void print_prose(const char *text)
{
    para pa = {.len = 0};
    char head[16][128];
    size_t nhead = 0;
    bool in_table = false;
    const char *s = text;
    while (s && *s) {
        const char *nl = strchr(s, '\n');
        size_t l = nl ? (size_t)(nl - s) : strlen(s);
        char line[LINE_MAX_BYTES];
        snprintf(line, sizeof line, "%.*s", (int)(l < sizeof line ? l : sizeof line - 1), s);
        s = nl ? nl + 1 : NULL;
        char *t = line;
        while (*t == ' ') t++;
        if (*t == '|') {
            flush_para(&pa);
            if (is_table_rule(t)) continue;
            print_table_row(t, head, &nhead, !in_table);
            in_table = true;
            continue;
        }
        if (in_table) say("%s", "End of table.");
        in_table = false;
        if (!*t) {
            bool was_item = pa.prefix[0] != '\0';
            flush_para(&pa);
            if (was_item) say("%s", "");
            continue;
        }
        bool item = (*t == '-' || *t == '*' || *t == '+') && t[1] == ' ';
        char *digits = t;
        while (isdigit((unsigned char)*digits)) digits++;
        bool numbered = digits > t && (*digits == '.' || *digits == ')') && digits[1] == ' ';
        if (*t == '#') {
            flush_para(&pa);
            while (*t == '#') t++;
            while (*t == ' ') t++;
            char txt[LINE_MAX_BYTES];
            inline_plain(t, txt, sizeof txt);
            say("Heading: %s", txt);
            say("%s", "");
            continue;
        }
        if (item || numbered) {
            flush_para(&pa);
            int depth = (int)(t - line) / 2;
            if (depth > 8) depth = 8;
            if (numbered)
                snprintf(pa.prefix, sizeof pa.prefix, "%*s%.*s. ", depth * 2, "",
                         (int)(digits - t > 9 ? 9 : digits - t), t);
            else
                snprintf(pa.prefix, sizeof pa.prefix, "%*s- ", depth * 2, "");
            para_add(&pa, item ? t + 2 : digits + 2);
            continue;
        }
        if (*t == '>') {
            t++;
            while (*t == ' ') t++;
        }
        para_add(&pa, t);
    }
    if (in_table) say("%s", "End of table.");
    flush_para(&pa);
}

static void print_code(const lesson_block *b)
{
    say("Code%s%s%s:", b->lang && *b->lang ? " (" : "", b->lang ? b->lang : "",
        b->lang && *b->lang ? ")" : "");
    const char *s = b->text ? b->text : "";
    while (*s) {
        const char *nl = strchr(s, '\n');
        size_t l = nl ? (size_t)(nl - s) : strlen(s);
        say("    %.*s", (int)l, s);
        s = nl ? nl + 1 : s + l;
    }
    say("%s", "End of code.");
    say("%s", "");
}

/* ---------- items ---------- */

static const char *quiz_kind(lesson_quiz_type t)
{
    switch (t) {
    case QUIZ_SINGLE:
        return "choose one";
    case QUIZ_MULTI:
        return "choose all that apply";
    case QUIZ_TEXT:
        return "type your answer";
    case QUIZ_PRACTICAL:
        return "a task to do";
    }
    return "";
}

/* The number of `b` among the blocks of its kind (1-based), and how many there are. */
static size_t kind_index(const lesson *l, const lesson_block *b, size_t *total)
{
    size_t i = 0, n = 0;
    for (size_t k = 0; k < l->nblocks; k++) {
        if (l->blocks[k].kind != b->kind) continue;
        n++;
        if (&l->blocks[k] == b) i = n;
    }
    *total = n;
    return i;
}

static void print_item(plain *p)
{
    const lesson *l = engine_lesson(p->en);
    const lesson_block *b = engine_item(p->en);
    if (!l || !b) {
        say("%s", "This lesson has no steps or questions. Type next for the next lesson.");
        return;
    }
    size_t total = 0, idx = kind_index(l, b, &total);
    bool done = engine_item_done(p->en, engine_item_index(p->en));
    if (b->kind == LESSON_STEP) {
        const lesson_step *st = b->step;
        say("Step %zu of %zu: %s%s", idx, total, st->title ? st->title : st->id,
            done ? " (done already)" : "");
        for (size_t i = 0; i < st->nacts; i++) say("It runs: %s", st->acts[i].text);
        say("%s", st->nacts ? "Type run to do it, or hint for a hint."
                            : "Do it with actions, then type check. Type hint for a hint.");
        return;
    }
    const lesson_quiz *q = b->quiz;
    say("Question %zu of %zu (%s)%s: %s", idx, total, quiz_kind(q->type),
        done ? ", answered already" : "", q->question ? q->question : "");
    for (size_t i = 0; i < q->nopts; i++) {
        char txt[2048];
        inline_plain(q->opts[i].text, txt, sizeof txt);
        say("  %zu. %s", i + 1, txt);
    }
    if (q->type == QUIZ_SINGLE)
        say("%s", "Answer with: answer NUMBER");
    else if (q->type == QUIZ_MULTI)
        say("%s", "Answer with: answer NUMBER NUMBER ...");
    else if (q->type == QUIZ_TEXT)
        say("%s", "Answer with: answer YOUR WORDS");
    else
        say("%s", "Do the task with actions (help actions lists them), then type check.");
}

/* Prints the prose that leads to the current item (once per item), then the item. */
static void show_current(plain *p, bool with_prose)
{
    const lesson *l = engine_lesson(p->en);
    if (!l) return;
    size_t want = engine_item_index(p->en);
    if (with_prose) {
        size_t item = 0;
        for (size_t k = 0; k < l->nblocks; k++) {
            const lesson_block *b = &l->blocks[k];
            bool is_item = b->kind == LESSON_STEP || b->kind == LESSON_QUIZ;
            if (is_item) {
                if (item == want) break;
                item++;
                continue;
            }
            if (item != want) continue;
            if (b->kind == LESSON_PROSE)
                print_prose(b->text ? b->text : "");
            else if (b->kind == LESSON_CODE)
                print_code(b);
        }
    }
    print_item(p);
    p->shown_item = want;
    p->shown_lesson = l;
}

static void print_lesson_intro(plain *p)
{
    const lesson *l = engine_lesson(p->en);
    if (!l) return;
    say("Lesson %zu of %zu: %s.", engine_lesson_index(p->en) + 1, p->course->n,
        l->title ? l->title : l->id);
    say("Level %s, about %d minutes, %zu steps and %zu questions.", l->level ? l->level : "any",
        l->minutes, l->nsteps, l->nquizzes);
    say("%s", "");
    show_current(p, true);
}

/* ---------- waiting for the engine and the network ---------- */

static void on_done(void *ud, const engine_feedback *fb)
{
    plain *p = ud;
    p->waiting = false;
    if (fb) {
        p->fb = *fb;
        p->have_fb = true;
    }
}

static void pump(plain *p, int timeout_ms)
{
    net_wait(p->net, NULL, NULL, 0, timeout_ms);
    net_tick(p->net);
    join_poll(p->join);
}

static void wait_engine(plain *p)
{
    while (p->waiting) pump(p, 200);
}

/* ---------- news: what changed since the last command ---------- */

/* The path of a URL ("/api/profile"); the text itself when it has no "scheme://host/". */
static const char *url_path(const char *url)
{
    const char *s = url ? strstr(url, "://") : NULL;
    const char *path = s ? strchr(s + 3, '/') : NULL;
    return path ? path : url ? url : "";
}

/* tokenlab's own look-ups (the event stream, JWKS, health, discovery, class reports), not the
 * learner's requests: they are not news. Paths count from the server's base URL, which in a class
 * is the student's lab (/s/st-N). */
static bool background_path(const plain *p, const char *url)
{
    const char *path = url_path(url);
    if (!*path || strstr(path, "://")) return true; /* no path at all */
    const char *base = url_path(net_base_url(p->net));
    size_t bl = base[0] == '/' ? strlen(base) : 0;
    if (bl && strncmp(path, base, bl) == 0 && path[bl] == '/') path += bl;
    static const char *const quiet[] = {"/lab/events", "/class/",       "/jwks",
                                        "/health",     "/.well-known/", NULL};
    for (int i = 0; quiet[i]; i++)
        if (strncmp(path, quiet[i], strlen(quiet[i])) == 0) return true;
    return false;
}

static void say_exchanges(plain *p)
{
    http_client *c = net_http(p->net);
    size_t n = http_history_count(c);
    for (size_t i = 0; i < n; i++) {
        http_exchange *x = http_history_get(c, i);
        if (!x || x->id <= p->seen_exchange || x->state == HTTP_PENDING) continue;
        p->seen_exchange = x->id;
        if (background_path(p, x->url)) continue;
        char path[300], why[600];
        safe(url_path(x->url), path, sizeof path);
        if (x->status == 0) {
            say("The request %s %s got no answer: %s.", x->method, path,
                safe(x->err.msg, why, sizeof why));
            continue;
        }
        const char *err = x->json ? json_string_value(json_object_get(x->json, "error")) : NULL;
        char errs[200] = "";
        if (err) snprintf(errs, sizeof errs, ", error %s", safe(err, why, sizeof why));
        say("The server answered %ld to %s %s%s.", x->status, x->method, path, errs);
    }
}

/* As the TUI does the moment a token arrives (the engine's change callback, in the middle of a
 * step): a new server token goes into the decoder, so the step's next action (decode, tamper)
 * works on what the learner would see. An opaque refresh token stays out of the decoder. */
static void on_change(void *ud)
{
    plain *p = ud;
    lesson_state *st = engine_state(p->en);
    for (int t = 0; t < STATE_TOK_COUNT; t++) {
        const char *now = st->tokens[t];
        if (!now || (p->seen_tokens[t] && strcmp(now, p->seen_tokens[t]) == 0)) continue;
        free(p->seen_tokens[t]);
        p->seen_tokens[t] = strdup(now);
        p->news[t] = true;
        bool jwt = now[0] == 'e' && strchr(now, '.');
        if ((t != STATE_TOK_REFRESH || jwt) && (!st->decoder || strcmp(st->decoder, now) != 0))
            state_set_decoder(st, now);
    }
}

static void say_tokens(plain *p)
{
    lesson_state *st = engine_state(p->en);
    on_change(p);
    for (int t = 0; t < STATE_TOK_COUNT; t++) {
        if (!p->news[t]) continue;
        p->news[t] = false;
        const char *now = st->tokens[t] ? st->tokens[t] : "";
        bool jwt = now[0] == 'e' && strchr(now, '.');
        if (t != STATE_TOK_REFRESH || jwt)
            say("A new %s token arrived.", state_token_name((state_token)t));
        else
            say("A new %s token was issued (not a JWT: only the server can read it).",
                state_token_name((state_token)t));
    }
    const char *dec = st->decoder;
    if (dec && (!p->seen_decoder || strcmp(dec, p->seen_decoder) != 0)) {
        const char *label = "a token the lesson made";
        for (int t = 0; t < STATE_TOK_COUNT; t++)
            if (st->tokens[t] && strcmp(st->tokens[t], dec) == 0)
                label = state_token_name((state_token)t);
        bool own = strchr(label, ' ') != NULL;
        say("The decoder now holds %s%s%s. Type decode to hear it.", own ? "" : "the ", label,
            own ? "" : " token");
    }
    free(p->seen_decoder);
    p->seen_decoder = dec ? strdup(dec) : NULL;
}

static bool lesson_passed(plain *p)
{
    size_t n = engine_item_count(p->en);
    for (size_t i = 0; i < n; i++)
        if (!engine_item_done(p->en, i)) return false;
    return n > 0;
}

static void say_lesson_end(plain *p)
{
    const lesson *l = engine_lesson(p->en);
    if (!l || p->passed_said == l || !lesson_passed(p)) return;
    p->passed_said = l;
    size_t correct = 0, answered = 0, total = 0;
    engine_score(p->en, &correct, &answered, &total);
    say("Lesson %s passed: every step done, %zu of %zu questions right the first time. Type next "
        "for the next lesson.",
        l->id, correct, total);
}

/* The switches that are on, as "a, b" (empty when none). */
static void labs_on(const lesson_state *st, char *buf, size_t n)
{
    size_t o = 0;
    buf[0] = '\0';
    const char *k;
    json_t *v;
    if (!st->labs) return;
    json_object_foreach(st->labs, k, v)
    {
        if (!json_is_true(v)) continue;
        o += (size_t)snprintf(buf + o, n - o, "%s%s", o ? ", " : "", k);
        if (o >= n) o = n - 1;
    }
}

/* The lab switches, the clock and the server's reachability: said when they change. */
static void say_status_changes(plain *p)
{
    lesson_state *st = engine_state(p->en);
    char on[512];
    labs_on(st, on, sizeof on);
    if (strcmp(on, p->labs_seen) != 0) {
        say("Lab switches on now: %s.", on[0] ? on : "none");
        snprintf(p->labs_seen, sizeof p->labs_seen, "%s", on);
    }
    if (st->clock_offset != p->clock_seen) {
        char d[64];
        if (st->clock_offset)
            say("The server's clock is now %s ahead.",
                timefmt_duration_words(st->clock_offset, d, sizeof d));
        else
            say("%s", "The server's clock is back to real time.");
        p->clock_seen = st->clock_offset;
    }
    bool up = net_up(p->net);
    if (up != p->up_seen) {
        say("%s", up ? "The server is reachable again." : "The server is not reachable.");
        p->up_seen = up;
    }
}

static void say_news(plain *p)
{
    say_exchanges(p);
    say_tokens(p);
    say_status_changes(p);
}

static const char *item_word(const lesson_block *b)
{
    return b && b->kind == LESSON_QUIZ ? (b->quiz->type == QUIZ_PRACTICAL ? "Task" : "Question")
                                       : "Step";
}

static void say_feedback(plain *p, const engine_feedback *fb)
{
    const lesson *l = engine_lesson(p->en);
    const lesson_block *b = engine_item(p->en);
    size_t total = 0, idx = l && b ? kind_index(l, b, &total) : 0;
    bool quiz = b && b->kind == LESSON_QUIZ && b->quiz->type != QUIZ_PRACTICAL;
    char msg[1100];
    safe(fb->message, msg, sizeof msg);
    if (fb->verdict == ENGINE_OK)
        say("%s %zu %s. %s", item_word(b), idx, quiz ? "right" : "passed", msg);
    else if (fb->verdict == ENGINE_FAIL)
        say("%s %zu %s. %s", item_word(b), idx, quiz ? "wrong" : "not passed yet", msg);
    else
        say("Could not run it: %s", msg);
    if (fb->explain) {
        char txt[2048];
        inline_plain(fb->explain, txt, sizeof txt);
        say("Why: %s", txt);
    }
}

/* ---------- commands ---------- */

static void cmd_help(const char *topic)
{
    if (topic && strcmp(topic, "actions") == 0) {
        say("%s", "Actions (the lessons' vocabulary; type one per line):");
        for (const char *const *n = action_names(); *n; n++) say("  %s", action_usage(*n));
        return;
    }
    say("%s", "Commands, one per line:");
    say("%s", "  next, back          the next or previous step or question");
    say("%s", "  again               read the current step or question again, with its text");
    say("%s", "  run                 do the current step");
    say("%s", "  check               check a step or task you did with actions");
    say("%s", "  show                do the current step the reference way (show me)");
    say("%s", "  hint                the next hint");
    say("%s", "  answer 2            answer a question: a number, several numbers, or words");
    say("%s", "  decode              read the token in the decoder, claim by claim");
    say("%s",
        "  trace               the last HTTP exchange, request then response, secrets masked");
    say("%s", "  status              server, lab switches, clock, class and score");
    say("%s", "  lessons             the list of lessons; open NUMBER or open ID opens one");
    say("%s", "  help actions        the actions (login, authorize, mint, api, ...)");
    say("%s", "  quit                leave (progress is saved after every change)");
    say("%s", "Any other line is an action, as in the TUI's : console: login alice@example.com "
              "wonderland");
}

static void cmd_status(plain *p)
{
    char url[600];
    say("Server: %s, %s%s.", safe(net_base_url(p->net), url, sizeof url),
        net_up(p->net) ? "up" : "not reachable", net_embedded(p->net) ? " (embedded)" : "");
    lesson_state *st = engine_state(p->en);
    char on[512];
    labs_on(st, on, sizeof on);
    say("Lab switches on: %s.", on[0] ? on : "none");
    if (st->clock_offset) {
        char d[64];
        say("The server's clock is %s ahead.",
            timefmt_duration_words(st->clock_offset, d, sizeof d));
    } else {
        say("%s", "The server's clock is not moved.");
    }
    const char *cls = join_header(p->join);
    if (cls && *cls) say("%s.", cls);
    const lesson *l = engine_lesson(p->en);
    if (l) {
        size_t correct = 0, answered = 0, total = 0;
        engine_score(p->en, &correct, &answered, &total);
        say("Lesson %s: item %zu of %zu; %zu of %zu questions answered, %zu right the first time.",
            l->id, engine_item_index(p->en) + 1, engine_item_count(p->en), answered, total,
            correct);
    }
}

static void cmd_lessons(plain *p)
{
    for (size_t i = 0; i < p->course->n; i++) {
        const lesson *l = p->course->lessons[i];
        const char *st = p->prog ? progress_lesson_status(p->prog, l->id) : NULL;
        say("%zu. %s (%s): %s%s", i + 1, l->title ? l->title : l->id, l->id,
            st && *st ? st : "not started", engine_lesson(p->en) == l ? ", open now" : "");
    }
    say("%s", "Type open NUMBER or open ID.");
}

static void open_lesson(plain *p, size_t idx)
{
    tl_err e = {0};
    p->waiting = true;
    p->have_fb = false;
    if (!engine_open(p->en, idx, on_done, p, &e)) {
        p->waiting = false;
        say("Could not open that lesson: %s", e.msg);
        return;
    }
    wait_engine(p);
    if (p->have_fb && p->fb.verdict == ENGINE_ERROR) say("Note: %s", p->fb.message);
    say_news(p);
    print_lesson_intro(p);
}

static void cmd_open(plain *p, const char *arg)
{
    if (!arg || !*arg) {
        say("%s", "open needs a lesson number or id (type lessons for the list).");
        return;
    }
    char *end = NULL;
    long n = strtol(arg, &end, 10);
    size_t idx = 0;
    if (end && *end == '\0' && n >= 1 && (size_t)n <= p->course->n) {
        open_lesson(p, (size_t)n - 1);
    } else if (course_find(p->course, arg, &idx)) {
        open_lesson(p, idx);
    } else {
        char a[200];
        say("There is no lesson '%s' (type lessons for the list).", safe(arg, a, sizeof a));
    }
}

static void cmd_move(plain *p, bool forward)
{
    if (forward ? engine_next(p->en) : engine_prev(p->en)) {
        show_current(p, forward);
        return;
    }
    if (!forward) {
        say("%s", "This is the first step of the lesson.");
        return;
    }
    size_t next = engine_lesson_index(p->en) + 1;
    if (next >= p->course->n) {
        say("%s", "This was the last lesson of the course. Type lessons to choose one again.");
        return;
    }
    say("%s", "End of the lesson. Opening the next one.");
    open_lesson(p, next);
}

static void after_run(plain *p)
{
    say_news(p);
    if (p->have_fb) say_feedback(p, &p->fb);
    say_lesson_end(p);
}

static void cmd_run(plain *p, bool with_solution)
{
    const lesson_block *b = engine_item(p->en);
    if (!b) {
        say("%s", "There is nothing to run here.");
        return;
    }
    if (b->kind == LESSON_QUIZ && b->quiz->type != QUIZ_PRACTICAL && !with_solution) {
        say("%s", "This is a question: answer it with answer, e.g. answer 2.");
        return;
    }
    tl_err e = {0};
    p->waiting = true;
    p->have_fb = false;
    if (!engine_run(p->en, with_solution, on_done, p, &e)) {
        p->waiting = false;
        say("Could not run it: %s", e.msg);
        return;
    }
    wait_engine(p);
    after_run(p);
}

static void cmd_check(plain *p)
{
    const lesson_block *b = engine_item(p->en);
    if (!b || (b->kind == LESSON_QUIZ && b->quiz->type != QUIZ_PRACTICAL)) {
        say("%s", "Nothing to check here: a question is answered with answer.");
        return;
    }
    engine_check(p->en, &p->fb);
    p->have_fb = true;
    after_run(p);
}

static void cmd_answer(plain *p, const char *arg)
{
    const lesson_block *b = engine_item(p->en);
    if (!b || b->kind != LESSON_QUIZ) {
        say("%s", "This is a step, not a question: type run to do it.");
        return;
    }
    const lesson_quiz *q = b->quiz;
    if (q->type == QUIZ_PRACTICAL) {
        say("%s", "This question is a task: do it with actions, then type check.");
        return;
    }
    while (arg && *arg == ' ') arg++;
    if (!arg || !*arg) {
        say("%s", q->type == QUIZ_TEXT ? "Type your answer after the word answer."
                                       : "Choose first: answer NUMBER (several for a multi).");
        return;
    }
    if (q->type == QUIZ_TEXT) {
        engine_answer_text(p->en, arg, &p->fb);
    } else {
        bool chosen[64] = {false};
        size_t count = 0;
        const char *s = arg;
        while (*s) {
            while (*s == ' ' || *s == ',') s++;
            if (!*s) break;
            char *end = NULL;
            long v = strtol(s, &end, 10);
            if (end == s || v < 1 || (size_t)v > q->nopts || v > 64) {
                say("'%.*s' is not an option number: choose from 1 to %zu.", (int)strcspn(s, " ,"),
                    s, q->nopts);
                return;
            }
            chosen[v - 1] = true;
            count++;
            s = end;
        }
        if (q->type == QUIZ_SINGLE && count != 1) {
            say("%s", "Choose exactly one option for this question.");
            return;
        }
        engine_answer_choices(p->en, chosen, q->nopts < 64 ? q->nopts : 64, &p->fb);
    }
    p->have_fb = true;
    say_feedback(p, &p->fb);
    say_lesson_end(p);
}

static void cmd_hint(plain *p)
{
    const char *h = engine_hint(p->en);
    if (!h) {
        say("%s", engine_item(p->en) ? "No more hints for this one." : "No hints here.");
        return;
    }
    char txt[2048];
    inline_plain(h, txt, sizeof txt);
    say("Hint %zu: %s", engine_hints_shown(p->en), txt);
}

static void say_json_member(const char *where, const char *k, json_t *v, int64_t now)
{
    char key[128], val[1200];
    safe(k, key, sizeof key);
    const explain_entry *ex =
        explain_lookup(strcmp(where, "header") == 0 ? EXPLAIN_HEADER : EXPLAIN_CLAIM, k);
    char *txt = json_is_string(v) ? NULL : json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    safe(json_is_string(v) ? json_string_value(v) : txt, val, sizeof val);
    free(txt);
    char when[200] = "";
    if (ex && ex->is_time && json_is_integer(v)) {
        int64_t t = (int64_t)json_integer_value(v), d = t - now;
        char at[64], dur[64];
        timefmt_utc(t, at, sizeof at);
        timefmt_duration_words(d < 0 ? -d : d, dur, sizeof dur);
        bool exp = strcmp(k, "exp") == 0;
        if (d > -2 && d < 2)
            snprintf(when, sizeof when, ": %s, at %s", exp ? "expires now" : "just now", at);
        else if (d >= 0)
            snprintf(when, sizeof when, ": %s %s, at %s", exp ? "expires in" : "in", dur, at);
        else
            snprintf(when, sizeof when, ": %s%s ago, at %s", exp ? "expired " : "", dur, at);
    }
    if (ex)
        say("  %s = %s%s. %s: %s (%s).", key, val, when, ex->title, ex->summary, ex->source);
    else
        say("  %s = %s%s.", key, val, when);
}

static void cmd_decode(plain *p)
{
    lesson_state *st = engine_state(p->en);
    if (!st->decoder) {
        say("%s", "The decoder is empty: log in, or type decode TOKEN.");
        return;
    }
    if (!st->decoder_jws) {
        char why[600];
        say("The decoder holds text that is not a readable JWT: %s.",
            safe(st->decoder_err.msg, why, sizeof why));
        return;
    }
    const jws *t = st->decoder_jws;
    char why[600];
    say("Signature: %s%s%s.", st->decoder_sig ? st->decoder_sig : "unknown",
        st->decoder_sig_why[0] ? ", " : "", safe(st->decoder_sig_why, why, sizeof why));
    int64_t now = state_now(st);
    const char *k;
    json_t *v;
    say("Header, %zu parameters:", json_object_size(t->header));
    json_object_foreach(t->header, k, v) say_json_member("header", k, v, now);
    if (t->is_jwe) {
        say("%s", "This is an encrypted token (JWE): only its header is readable.");
        return;
    }
    if (!t->claims) {
        say("The payload is not a JSON object: %s.", safe(t->claims_err.msg, why, sizeof why));
        return;
    }
    say("Payload, %zu claims:", json_object_size(t->claims));
    json_object_foreach(t->claims, k, v) say_json_member("claim", k, v, now);
}

static void cmd_trace(plain *p, bool reveal)
{
    http_client *c = net_http(p->net);
    size_t n = http_history_count(c);
    for (size_t i = n; i-- > 0;) {
        http_exchange *x = http_history_get(c, i);
        if (!x || x->state == HTTP_PENDING || background_path(p, x->url)) continue;
        char *txt = http_exchange_text(x, !reveal, 4000);
        if (!txt) return;
        say("The last exchange (%s):",
            reveal ? "secrets shown" : "secrets masked; trace reveal shows them");
        char line[LINE_MAX_BYTES];
        const char *s = txt;
        while (*s) {
            size_t l = strcspn(s, "\n");
            char raw[LINE_MAX_BYTES];
            snprintf(raw, sizeof raw, "%.*s", (int)(l < sizeof raw ? l : sizeof raw - 1), s);
            size_t rl = strlen(raw);
            if (rl && raw[rl - 1] == '\r') raw[rl - 1] = '\0';
            say("  %s", safe(raw, line, sizeof line));
            s += l;
            if (*s) s++;
        }
        say("%s", "End of exchange.");
        free(txt);
        return;
    }
    say("%s", "No exchange yet.");
}

/* Any other line: an action of the `:` console, run through the lesson engine. */
static void cmd_action(plain *p, const char *text)
{
    char **argv = NULL;
    size_t argc = 0;
    tl_err e = {0};
    if (!parse_words(text, &argv, &argc, &e)) {
        say("%s", e.msg);
        return;
    }
    if (!action_validate(argc, argv, &e)) {
        say("%s (type help for commands, help actions for actions)", e.msg);
        parse_words_free(argv, argc);
        return;
    }
    lesson_action act = {.line = 0, .argc = argc, .argv = argv, .text = (char *)text};
    p->waiting = true;
    p->have_fb = false;
    if (!engine_run_actions(p->en, &act, 1, on_done, p, &e)) {
        p->waiting = false;
        say("Could not run it: %s", e.msg);
        parse_words_free(argv, argc);
        return;
    }
    wait_engine(p);
    parse_words_free(argv, argc);
    say_news(p);
    if (p->have_fb && p->fb.verdict == ENGINE_ERROR) {
        char msg[1100];
        say("The action failed: %s", safe(p->fb.message, msg, sizeof msg));
        return;
    }
    /* as the console does: the current step's or practical task's checks, unless it passed */
    const lesson_block *b = engine_item(p->en);
    bool checkable = b && (b->kind == LESSON_STEP || b->quiz->type == QUIZ_PRACTICAL);
    if (!checkable || engine_item_done(p->en, engine_item_index(p->en))) return;
    engine_feedback chk;
    engine_check(p->en, &chk);
    if (chk.verdict == ENGINE_OK) {
        say_feedback(p, &chk);
        say_lesson_end(p);
    }
}

static void command(plain *p, char *line)
{
    size_t l = strlen(line);
    while (l && (line[l - 1] == '\r' || line[l - 1] == ' ' || line[l - 1] == '\t')) line[--l] = 0;
    char *s = line;
    while (*s == ' ' || *s == '\t') s++;
    if (*s == ':') s++;
    if (!*s || *s == '#') return;
    /* read from a pipe or a file, the transcript shows what was typed (a terminal echoes it) */
    if (p->echo) say("> %s", s);
    char word[32];
    size_t wl = strcspn(s, " \t");
    snprintf(word, sizeof word, "%.*s", (int)(wl < sizeof word ? wl : sizeof word - 1), s);
    const char *arg = s + wl;
    while (*arg == ' ' || *arg == '\t') arg++;
    bool lesson_open = engine_lesson(p->en) != NULL;
    if (strcmp(word, "quit") == 0 || strcmp(word, "exit") == 0 || strcmp(word, "q") == 0) {
        p->quit = true;
    } else if (strcmp(word, "help") == 0 || strcmp(word, "?") == 0) {
        cmd_help(*arg ? arg : NULL);
    } else if (strcmp(word, "lessons") == 0) {
        cmd_lessons(p);
    } else if (strcmp(word, "open") == 0) {
        cmd_open(p, arg);
    } else if (!lesson_open) {
        say("%s", "No lesson is open: type lessons, then open NUMBER.");
    } else if (strcmp(word, "next") == 0 || strcmp(word, "n") == 0) {
        cmd_move(p, true);
    } else if (strcmp(word, "back") == 0 || strcmp(word, "prev") == 0 || strcmp(word, "p") == 0) {
        cmd_move(p, false);
    } else if (strcmp(word, "again") == 0 || strcmp(word, "repeat") == 0) {
        show_current(p, true);
    } else if (strcmp(word, "run") == 0) {
        cmd_run(p, false);
    } else if (strcmp(word, "show") == 0) {
        cmd_run(p, true);
    } else if (strcmp(word, "check") == 0) {
        cmd_check(p);
    } else if (strcmp(word, "hint") == 0) {
        cmd_hint(p);
    } else if (strcmp(word, "answer") == 0) {
        cmd_answer(p, arg);
    } else if (strcmp(word, "status") == 0) {
        cmd_status(p);
    } else if (strcmp(word, "trace") == 0) {
        cmd_trace(p, strcmp(arg, "reveal") == 0);
    } else if (strcmp(word, "decode") == 0 && !*arg) {
        cmd_decode(p);
    } else {
        cmd_action(p, s);
        if (strcmp(word, "decode") == 0) cmd_decode(p);
    }
}

/* ---------- the loop ---------- */

static void read_input(plain *p, bool *eof)
{
    ssize_t r = read(STDIN_FILENO, p->inbuf + p->inlen, sizeof p->inbuf - 1 - p->inlen);
    if (r < 0 && (errno == EINTR || errno == EAGAIN)) return;
    if (r <= 0) {
        *eof = true;
        return;
    }
    p->inlen += (size_t)r;
}

static void run_lines(plain *p, bool eof)
{
    while (!p->quit) {
        char *nl = memchr(p->inbuf, '\n', p->inlen);
        bool full = p->inlen >= sizeof p->inbuf - 1;
        if (!nl && !(eof && p->inlen) && !full) return;
        size_t l = nl ? (size_t)(nl - p->inbuf) : p->inlen;
        char line[LINE_MAX_BYTES];
        memcpy(line, p->inbuf, l);
        line[l] = '\0';
        size_t used = nl ? l + 1 : l;
        memmove(p->inbuf, p->inbuf + used, p->inlen - used);
        p->inlen -= used;
        if (full && !nl) {
            say("That line is too long (over %d bytes); it was ignored.", LINE_MAX_BYTES - 1);
            continue;
        }
        command(p, line);
        join_poll(p->join); /* a class hears of each step and answer as it happens */
    }
}

static void on_event(void *ud, const net_event *ev)
{
    plain *p = ud;
    if (join_event_is_others(p->join, ev->client_id, ev->message)) return;
    if (p->en && strcmp(ev->kind, "refused") == 0) {
        state_post_refusal(engine_state(p->en), ev->code, ev->message);
        char msg[600];
        say("The server refused a request: %s.", safe(ev->message, msg, sizeof msg));
    }
}

static bool start_engine(plain *p, const plain_opts *o)
{
    tl_err e = {0};
    parse_diags diags = {0};
    course_options co = {.dir = o->lessons_dir, .lang = o->lang};
    p->course = course_load(&co, &diags, &e);
    if (!p->course || p->course->n == 0) {
        say("No lessons: %s", p->course ? "the lessons folder has none" : e.msg);
        parse_diags_free(&diags);
        return false;
    }
    if (diags.n) say("%zu lesson problem(s), for example %s", diags.n, diags.msgs[0]);
    parse_diags_free(&diags);
    char notice[512] = "";
    if (!progress_open(NULL, &p->prog, notice, sizeof notice, &e)) {
        say("Progress will not be saved: %s", e.msg);
        p->prog = NULL;
    } else if (notice[0]) {
        say("%s", notice);
    }
    size_t slen = 0;
    const char *secret = net_login_secret(p->net, &slen);
    engine_options eo = {
        .http = net_http(p->net),
        .server_url = net_base_url(p->net),
        .lab_key = net_lab_key(p->net),
        .login_secret = secret,
        .login_secret_len = slen,
        .course = p->course,
        .progress = p->prog,
    };
    if (!engine_new(&eo, &p->en, &e)) {
        say("The lesson engine did not start: %s", e.msg);
        return false;
    }
    engine_on_change(p->en, on_change, p);
    join_attach(p->join, p->en);
    return true;
}

static bool wait_server(plain *p)
{
    for (int i = 0; i < 300 && !net_ready(p->net); i++) pump(p, 100);
    if (!net_ready(p->net)) {
        say("%s", "The embedded server did not start within 30 seconds.");
        return false;
    }
    if (net_start_error(p->net)) {
        say("The embedded server did not start: %s", net_start_error(p->net));
        return false;
    }
    return true;
}

static void open_first(plain *p, const char *want)
{
    tl_err e = {0};
    p->waiting = true;
    if (!engine_open_id(p->en, want, on_done, p, &e)) {
        say("%s", e.msg);
        p->waiting = true;
        if (!engine_open(p->en, 0, on_done, p, &e)) p->waiting = false;
    }
    wait_engine(p);
    say_news(p);
    print_lesson_intro(p);
}

static void free_plain(plain *p)
{
    net_on_event(p->net, NULL, NULL);
    join_free(p->join);
    engine_free(p->en);
    progress_free(p->prog);
    course_free(p->course);
    net_free(p->net);
    for (int t = 0; t < STATE_TOK_COUNT; t++) free(p->seen_tokens[t]);
    free(p->seen_decoder);
}

int plain_main(const plain_opts *o)
{
    plain p = {.shown_item = (size_t)-1, .echo = !isatty(STDIN_FILENO), .up_seen = true};
    tl_err e = {0};
    p.join = join_start(&o->join, o->server_url, &e);
    if (!p.join && e.code) {
        fprintf(stderr, "tokenlab: %s\n", e.msg);
        return err_is(&e, "join.usage") ? 2 : err_is(&e, "join.refused") ? 1 : 3;
    }
    /* a student of a class works in their own lab (docs/class.md) */
    p.net = p.join ? net_new(join_lab_url(p.join), join_lab_key(p.join), false, &e)
                   : net_new(o->server_url, o->lab_key, o->fresh_keys, &e);
    if (!p.net) {
        fprintf(stderr, "tokenlab: %s\n", e.msg);
        join_free(p.join);
        return 1;
    }
    net_on_event(p.net, on_event, &p);
    say("tokenlab %s, line mode. Type help for the commands; any other line is an action.",
        TOKENLAB_VERSION);
    int rc = 0;
    if (!wait_server(&p) || !start_engine(&p, o)) {
        free_plain(&p);
        return 1;
    }
    net_start(p.net);
    char url[600];
    say("Server: %s%s.", safe(net_base_url(p.net), url, sizeof url),
        net_embedded(p.net) ? ", embedded, up" : "");
    const char *cls = join_header(p.join);
    if (cls && *cls) say("%s.", cls);
    open_first(&p, o->lesson_id);
    bool eof = false;
    while (!p.quit) {
        run_lines(&p, eof);
        if (eof || p.quit) break;
        int fds[1] = {STDIN_FILENO};
        bool ready[1] = {false};
        net_wait(p.net, fds, ready, 1, 1000);
        net_tick(p.net);
        join_poll(p.join);
        if (ready[0]) read_input(&p, &eof);
    }
    /* the lesson's lab switches go off as they do when the TUI closes */
    p.waiting = true;
    if (!engine_close(p.en, on_done, &p, NULL)) p.waiting = false;
    for (int i = 0; i < 50 && p.waiting; i++) pump(&p, 100);
    join_flush(p.join, 3000);
    say("%s", "Goodbye. Your progress is saved.");
    free_plain(&p);
    return rc;
}
