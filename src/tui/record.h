/* SPDX-License-Identifier: MIT */
/* record — recorded demos for presenter mode: a readable text file, one event per line
 * ("SECONDS EVENT ARGS…"), written while presenting (`--record FILE`) and read back for a
 * deterministic replay (`--replay FILE`). Only the `key` lines drive a replay; `open`, `step`,
 * `run`, `done` and `reveal` lines say what happened, for people reading the file (and for the
 * replay to notice when it went another way). Example:
 *
 *   # tokenlab demo v1
 *   lesson 03-jwt-login
 *   0.000 open 03-jwt-login "Log in and get a JWT"
 *   2.350 key <Space>
 *   2.350 run login "Log in as alice"
 *   2.611 done ok "You got a token."
 *   4.020 key <Right>
 *   4.020 step 2/6 quiz which-part
 */
#ifndef TL_TUI_RECORD_H
#define TL_TUI_RECORD_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

typedef struct record record;

/* Creates (truncates) `path` and writes the header. Error "record.io". Free with record_close. */
record *record_open(const char *path, const char *lesson_id, tl_err *e);
/* One line: the time offset in seconds (3 decimals), `kind`, then the formatted arguments.
 * Line breaks in the arguments become spaces. Flushed at once (a crash keeps what happened). */
void record_event(record *r, double t, const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Writes a key in the script-mode spelling ("a", "<Space>", "<Right>"); false for keys that have
 * no name (they are not recorded). */
bool record_key(record *r, double t, int key);
void record_close(record *r);

typedef struct replay_event {
    double t; /* seconds from the start, non-decreasing */
    int key;
    /* the last `step` line between this key and the next ("2/6 quiz which-part"), or "" */
    char expect[96];
} replay_event;

typedef struct replay {
    char *lesson; /* from the `lesson` line, or NULL */
    replay_event *ev;
    size_t n;
} replay;

/* Reads a recording. Unknown event kinds are skipped (newer files stay readable); a bad time, a
 * time going backwards or an unknown key is an error "replay.parse" naming FILE:LINE; a file that
 * cannot be read is "replay.io". At most 100000 events. */
bool replay_load(const char *path, replay *out, tl_err *e);
void replay_free(replay *r);

/* The script-mode name of a key ("a", "<Space>", "<F5>"), or NULL when it has none. Static. */
const char *record_key_name(int key);

#endif
