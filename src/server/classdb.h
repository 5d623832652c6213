/* SPDX-License-Identifier: MIT */
/* classdb — the class's state in SQLite (docs/class.md "A room that survives"): the join code, the
 * instructor key, every student's account, client, position and answers, and the per-question
 * attempts. WAL, one transaction per change, synchronous=NORMAL (a kill -9 loses nothing that was
 * committed; only a power cut may lose the last commits). The database is locked to one server
 * (locking_mode=EXCLUSIVE). Not thread-safe: class.c calls it under its room mutex. */
#ifndef TL_SERVER_CLASSDB_H
#define TL_SERVER_CLASSDB_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

typedef struct classdb classdb;

typedef struct classdb_student {
    size_t num; /* st-NUM */
    const char *asked_name, *name, *token_secret, *password_hash, *client_secret;
    int64_t joined, last_seen;
    const json_t *progress; /* {"lesson","step","title","completed":[…],"answers":{…}} */
} classdb_student;

/* Opens (creating) FILE. Errors "class.db": cannot open, not a tokenlab class database, in use by
 * another server. */
bool classdb_open(const char *path, classdb **out, tl_err *e);
void classdb_close(classdb *db);
/* A meta value ("code", "key") or NULL. Caller frees. */
char *classdb_meta(classdb *db, const char *name);
bool classdb_set_meta(classdb *db, const char *name, const char *value, tl_err *e);
/* Inserts or replaces the student, and sets attempts[key] = n when key is not NULL: one
 * transaction. */
bool classdb_save(classdb *db, const classdb_student *st, const char *attempts_key,
                  int64_t attempts, tl_err *e);
/* Calls fn for every student in id order (the strings live during the call), then fills
 * *attempts ({"lesson/id": n}, new reference). */
bool classdb_load(classdb *db, bool (*fn)(void *ud, const classdb_student *st), void *ud,
                  json_t **attempts, tl_err *e);

#endif
