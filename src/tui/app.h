/* SPDX-License-Identifier: MIT */
/* app — the TUI's shared state and the services panes call (clock, keys, status line, clipboard,
 * tokens arriving from the network). Internal to src/tui/. */
#ifndef TL_TUI_APP_H
#define TL_TUI_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct jwks;
struct jwk;

typedef enum pane_id { PANE_LESSON, PANE_DECODER, PANE_TRACE, PANE_FLOW, PANE_COUNT } pane_id;

/* What a key handler did (htop style: handlers return flags instead of drawing). */
enum { KEY_R_IGNORED = 0, KEY_R_HANDLED = 1, KEY_R_REDRAW = 2, KEY_R_QUIT = 4 };

typedef struct app app;

/* The clock the learner sees: real time (or TOKENLAB_FAKE_TIME) plus the lesson's fast-forward. */
int64_t app_now(const app *a);
int64_t app_clock_offset(const app *a);
/* True with TOKENLAB_FAKE_TIME (screen tests): volatile numbers such as durations show as 0. */
bool app_fake_time(const app *a);
/* The embedded server's HS256 login secret, or NULL (remote server / none). Borrowed. */
const char *app_login_secret(app *a, size_t *len);
/* The server's JWKS if fetched, or NULL; a missing set or unknown `kid` starts a fetch. Borrowed.
 */
const struct jwks *app_jwks(app *a, const char *kid);
/* One line in the footer area for a few seconds. */
void app_flash(app *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Copies text to the terminal clipboard with OSC 52. */
void app_copy(app *a, const char *text);
/* Asks for a redraw of a pane. */
void app_dirty(app *a, pane_id p);
/* Puts a token in the decoder (with a history label such as "access", "id", "login"). */
void app_show_token(app *a, const char *label, const char *token);
/* The same, with the key the token was signed with (borrowed; NULL = unknown): the decoder
 * verifies with it, so a lesson's own tokens do not look tampered with. */
void app_show_token_key(app *a, const char *label, const char *token, struct jwk *key);
/* An HTTP exchange started or finished: the flow diagram follows it. */
void app_http_seen(app *a, const char *method, const char *url, const char *body);
/* The learner gave a key in the decoder (NULL: none) for the token `token` (described as `what`,
 * "your secret (12 bytes)"): the lesson's checks judge the signature with it too, the same way. */
void app_decoder_key(app *a, struct jwk *key, const char *what, const char *token);
/* The lesson engine's lab key (`key=lab` in lessons: an RSA key the learner holds), made on first
 * use; NULL without a lesson. Borrowed. */
struct jwk *app_lab_key(app *a);
/* The lab key if one was made already (never makes one), else NULL. Borrowed. */
const struct jwk *app_lab_key_held(app *a);
/* Feeds a key through the same path as the terminal's (presenter replay and auto-advance). */
void app_key(app *a, int key);
/* Focuses a pane (in tabs layout: shows it). */
void app_focus(app *a, pane_id p);

#endif
