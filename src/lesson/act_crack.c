/* SPDX-License-Identifier: MIT */
/* act_crack — `crack`: a dictionary attack on the decoder's HMAC secret, run in slices on the
 * caller's loop (http_work_start): CRACK_SLICE candidates per http_poll turn — a few milliseconds
 * of HMAC — so the TUI keeps drawing and reading keys while a long wordlist is tried. The job owns
 * the wordlist; crack_begin copied what it needs of the token, so the decoder may change meanwhile.
 */
#include <stdlib.h>
#include <string.h>

#include "base/assets.h"
#include "base/fileio.h"
#include "jose/crack.h"
#include "lesson/act.h"

#define CRACK_SLICE 4096

typedef struct crack_job {
    act_run *r;
    char *buf;
    crack_list list;
    crack_state *cs;
} crack_job;

static void crack_job_free(crack_job *j)
{
    crack_end(j->cs);
    crack_list_free(&j->list);
    free(j->buf);
    free(j);
}

static bool crack_slice(void *ud, bool cancelled)
{
    crack_job *j = ud;
    act_run *r = j->r;
    crack_result res = {0};
    tl_err e = {0};
    if (cancelled) {
        if (r->ctx.inflight) *r->ctx.inflight = 0;
        err_set(&e, "action.cancelled", "crack was cancelled");
        crack_job_free(j);
        act_finish(r, false, &e);
        return true;
    }
    if (!crack_step(j->cs, CRACK_SLICE, &res)) return false;
    if (r->ctx.inflight) *r->ctx.inflight = 0;
    lesson_state *st = r->ctx.st;
    st->crack_tried = res.progress.tried;
    if (res.found) {
        char *sec = malloc(res.secret_len + 1);
        if (sec) {
            memcpy(sec, res.secret, res.secret_len);
            sec[res.secret_len] = 0;
        }
        free(st->crack_secret);
        st->crack_secret = sec;
    } else {
        state_set_str(&st->crack_secret, NULL);
    }
    crack_job_free(j);
    act_finish(r, true, &e);
    return true;
}

static bool load_wordlist(const action_ctx *ctx, const char *path, char **buf, size_t *len,
                          tl_err *e)
{
    if (path) return fileio_read(path, 64u << 20, buf, len, e);
    if (ctx->wordlist) return fileio_read(ctx->wordlist, 64u << 20, buf, len, e);
    return assets_read("wordlists/common-secrets.txt", buf, len, e);
}

/* Fails (e filled, no slice runs) when there is no token, no wordlist, or not an HMAC token. */
static act_status crack_start(act_run *r, tl_err *e)
{
    lesson_state *st = r->ctx.st;
    if (!act_need_decoder(st, "crack", e)) return ACT_FAILED;
    crack_job *j = calloc(1, sizeof *j);
    if (!j) return act_fail(e, "lesson.nomem", "out of memory");
    j->r = r;
    size_t len = 0;
    uint64_t id = 0;
    if (!load_wordlist(&r->ctx, act_kv(r->a, "wordlist"), &j->buf, &len, e) ||
        !crack_split(j->buf, len, &j->list, e) ||
        !crack_begin(st->decoder_jws, &j->list, &j->cs, e) ||
        !http_work_start(r->ctx.http, crack_slice, j, &id, e)) {
        crack_job_free(j);
        return ACT_FAILED;
    }
    if (r->ctx.inflight) *r->ctx.inflight = id;
    return ACT_PENDING;
}

const action_entry act_crack = {
    .name = "crack",
    .usage = "crack [wordlist=FILE]",
    .keys = "wordlist",
    .start = crack_start,
    .outcome = ACTION_OUTCOME_CRACK,
};
