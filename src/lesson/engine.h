/* SPDX-License-Identifier: MIT */
/* engine — a lesson session, driven by the TUI's lesson pane and by the headless player alike (no
 * curses here). It holds the current lesson and item (the steps and quizzes of a lesson, in
 * document order), runs a step's actions asynchronously over the oauth transport and then its
 * checks, gives feedback (the step's ok text, the first `fail:` whose condition holds, or a generic
 * message), reveals hints one at a time, answers quizzes (single, multi, text, practical) with
 * their explanation, keeps scores and saves progress after every change. A lesson's lab switches
 * are turned on when it opens and off when it closes.
 *
 * Asynchrony: actions go through `opts.http` (borrowed). Callbacks run inside http_poll()/
 * http_wait() on the caller's thread — the TUI keeps polling its loop; the player calls http_wait.
 * Only one run is in flight at a time (engine_busy).
 *
 * The server's own view of its refusals (server_subscribe on an embedded server, or /lab/events)
 * can be fed to engine_state()'s state_post_refusal() from any thread; see state.h. */
#ifndef TL_LESSON_ENGINE_H
#define TL_LESSON_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "lesson/course.h"
#include "lesson/parse.h"
#include "lesson/progress.h"
#include "lesson/state.h"
#include "oauth/http.h"

typedef struct engine engine; /* opaque */

typedef struct engine_options {
    http_client *http; /* required, borrowed: the transport the caller polls */
    /* base URL of the embedded or remote server, e.g. http://127.0.0.1:PORT */
    const char *server_url;
    const char *lab_key; /* X-Tokenlab-Lab-Key for /lab/...; NULL: lab/clock actions fail plainly */
    /* HS256 secret of /login tokens when known (embedded server), or NULL */
    const char *login_secret;
    size_t login_secret_len;
    /* Or a function returning the current secret (the weak-secret lab switch swaps it); asked
     * after every action. Returns a borrowed pointer or NULL. */
    const char *(*login_secret_fn)(void *ud, size_t *len);
    void *login_secret_ud;
    const course *course; /* required, borrowed */
    progress *progress;   /* borrowed; NULL = nothing is saved */
    const char *wordlist; /* default for `crack`; NULL = assets/wordlists/common-secrets.txt */
    /* true for a REMOTE server: the engine reads its refusals itself from GET
     * server_url/lab/events (SSE on `http`) into state_post_refusal, reopening the stream at the
     * next run when it ended. Leave false for an embedded server the caller subscribes to
     * (server_subscribe), or each refusal would arrive twice. */
    bool server_events;
} engine_options;

typedef enum engine_verdict {
    ENGINE_OK,    /* the step's checks hold / the answer is right */
    ENGINE_FAIL,  /* checks do not hold / the answer is wrong: message says what to fix */
    ENGINE_ERROR, /* an action could not run (server down, bad argument): message says why */
} engine_verdict;

typedef struct engine_feedback {
    engine_verdict verdict;
    char message[1024];  /* for the learner: ok text, matching fail text, generic or error text */
    char detail[1024];   /* for authors/the player: the failing condition and what the state held */
    const char *explain; /* quizzes: the explanation (borrowed from the lesson), else NULL */
} engine_feedback;

typedef void (*engine_done_fn)(void *ud, const engine_feedback *fb);
/* Called whenever the state changed (an action finished a request, the decoder changed). */
typedef void (*engine_change_fn)(void *ud);

/* Caller frees with engine_free. Generates the `key=lab` RSA key and fetches nothing yet. */
bool engine_new(const engine_options *o, engine **out, tl_err *e);
/* Cancels what is running; does NOT turn lab switches off (call engine_close first for that). */
void engine_free(engine *en);
void engine_on_change(engine *en, engine_change_fn fn, void *ud);

lesson_state *engine_state(engine *en); /* borrowed; the decoder pane edits it via state.h */
/* Picks up the server's login secret as it is now (the embedded server came up after the engine,
 * or the weak-secret lab changed it) and recomputes decoder.signature, so the check judges with
 * the keys the decoder pane judges with. */
void engine_refresh_keys(engine *en);
const course *engine_course(const engine *en);

/* Opens lesson `idx` of the course: closes the current one (its lab switches off), clears the
 * state, turns the new lesson's lab switches on (async; `fn` runs when done, may be NULL), and goes
 * to the item saved in progress (or the first). */
bool engine_open(engine *en, size_t idx, engine_done_fn fn, void *ud, tl_err *e);
/* Opens by id ("resume": NULL = the lesson saved in progress, else the first). */
bool engine_open_id(engine *en, const char *id, engine_done_fn fn, void *ud, tl_err *e);
/* Turns the current lesson's lab switches off (async). */
bool engine_close(engine *en, engine_done_fn fn, void *ud, tl_err *e);

const lesson *engine_lesson(const engine *en); /* NULL before engine_open */
size_t engine_lesson_index(const engine *en);

/* Items = the lesson's steps and quizzes in document order (parse_item). */
size_t engine_item_count(const engine *en);
size_t engine_item_index(const engine *en);
const lesson_block *engine_item(const engine *en); /* current item, or NULL for a lesson without */
bool engine_goto(engine *en, size_t item);         /* false when out of range; saves progress */
bool engine_next(engine *en);                      /* false at the last item */
bool engine_prev(engine *en);
/* Marks the lesson skipped and opens the next one; false at the last lesson. */
bool engine_skip(engine *en, engine_done_fn fn, void *ud, tl_err *e);
bool engine_item_done(const engine *en, size_t item); /* step completed / quiz answered */
/* The scored (first) answer to quiz `item` given since the lesson was opened: the chosen options
 * as 1-based numbers "1,3", or the text typed; NULL when none (or a practical quiz). Borrowed until
 * the lesson changes. */
const char *engine_item_answer(const engine *en, size_t item);

/* Runs the current STEP: its `do:` actions in order, then its checks; or, for a PRACTICAL quiz,
 * just its checks. `fn` gets the feedback — inside this call when no action needs the network. With
 * `with_solution` the `solution:` actions run after `do:` (the reference path; the TUI's "show
 * me"). */
bool engine_run(engine *en, bool with_solution, engine_done_fn fn, void *ud, tl_err *e);
/* Evaluates the current step's / practical quiz's checks now, without acting (for steps the learner
 * performs by hand, e.g. editing the decoder). Marks it done on success. */
void engine_check(engine *en, engine_feedback *out);
/* Runs arbitrary actions (e.g. a practical quiz's solution), then calls fn with ENGINE_OK or the
 * first action's error. */
bool engine_run_actions(engine *en, const lesson_action *acts, size_t n, engine_done_fn fn,
                        void *ud, tl_err *e);
bool engine_busy(const engine *en);

/* Hints, one at a time (nudge first, answer last): returns the newly revealed hint, or NULL when
 * all are shown. engine_hints_shown says how many are visible for the current item. */
const char *engine_hint(engine *en);
size_t engine_hints_shown(const engine *en);

/* Quizzes (current item). chosen[i] for option i of a single/multi quiz. */
void engine_answer_choices(engine *en, const bool *chosen, size_t n, engine_feedback *out);
void engine_answer_text(engine *en, const char *answer, engine_feedback *out);
/* Pure helpers, also used by `tokenlab quiz`: */
bool engine_choices_correct(const lesson_quiz *q, const bool *chosen, size_t n);
/* Case-insensitive, trimmed, inner whitespace collapsed, trailing punctuation dropped. A bound
 * the question states may be repeated ("at least 32", "32 or more" for "…, at least?"), and a
 * number may carry a unit word the question uses ("32 bytes" for "How many bytes …?"). */
bool engine_text_correct(const lesson_quiz *q, const char *answer);
void engine_normalize(const char *in, char *out, size_t n);

/* Score of the current lesson's quizzes: first-attempt correct, answered, total. */
void engine_score(const engine *en, size_t *correct, size_t *answered, size_t *total);

#endif
