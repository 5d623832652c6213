/* SPDX-License-Identifier: MIT */
/* classdb — the class in SQLite (see classdb.h). */
#include "server/classdb.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "jose/jsonx.h"

struct classdb {
    sqlite3 *db;
    sqlite3_stmt *put, *att, *meta_get, *meta_put;
};

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS meta(name TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS students(num INTEGER PRIMARY KEY, asked_name TEXT NOT NULL,"
    " name TEXT NOT NULL, token_secret TEXT NOT NULL, password_hash TEXT NOT NULL,"
    " client_secret TEXT NOT NULL, joined INTEGER NOT NULL, last_seen INTEGER NOT NULL,"
    " progress TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS attempts(key TEXT PRIMARY KEY, n INTEGER NOT NULL);";

static bool fail(classdb *db, tl_err *e, const char *what)
{
    return err_set(e, "class.db", "class database: %s: %s", what,
                   db && db->db ? sqlite3_errmsg(db->db) : "out of memory");
}

bool classdb_open(const char *path, classdb **out, tl_err *e)
{
    *out = NULL;
    classdb *db = calloc(1, sizeof *db);
    if (!db) return err_set(e, "class.db", "out of memory");
    if (sqlite3_open_v2(path, &db->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        err_set(e, "class.db", "cannot open the class database %s: %s", path,
                db->db ? sqlite3_errmsg(db->db) : "out of memory");
        classdb_close(db);
        return false;
    }
    sqlite3_busy_timeout(db->db, 200);
    /* EXCLUSIVE: a second server on the same file would hand out the same ids */
    int rc = sqlite3_exec(db->db,
                          "PRAGMA locking_mode=EXCLUSIVE; PRAGMA journal_mode=WAL;"
                          "PRAGMA synchronous=NORMAL; BEGIN IMMEDIATE; COMMIT;",
                          NULL, NULL, NULL);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
        err_set(e, "class.db",
                "the class database %s is in use by another tokenlab serve --class (one room per "
                "database: stop it, or choose another --class-db FILE)",
                path);
        classdb_close(db);
        return false;
    }
    if (rc != SQLITE_OK || sqlite3_exec(db->db, schema, NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db->db,
                           "INSERT OR REPLACE INTO students VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)", -1,
                           &db->put, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db->db, "INSERT OR REPLACE INTO attempts VALUES(?1,?2)", -1, &db->att,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db->db, "SELECT value FROM meta WHERE name=?1", -1, &db->meta_get,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db->db, "INSERT OR REPLACE INTO meta VALUES(?1,?2)", -1, &db->meta_put,
                           NULL) != SQLITE_OK) {
        err_set(e, "class.db", "%s is not a tokenlab class database (%s)", path,
                sqlite3_errmsg(db->db));
        classdb_close(db);
        return false;
    }
    *out = db;
    return true;
}

void classdb_close(classdb *db)
{
    if (!db) return;
    sqlite3_finalize(db->put);
    sqlite3_finalize(db->att);
    sqlite3_finalize(db->meta_get);
    sqlite3_finalize(db->meta_put);
    sqlite3_close(db->db);
    free(db);
}

char *classdb_meta(classdb *db, const char *name)
{
    sqlite3_reset(db->meta_get);
    sqlite3_bind_text(db->meta_get, 1, name, -1, SQLITE_STATIC);
    char *v = NULL;
    if (sqlite3_step(db->meta_get) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(db->meta_get, 0);
        if (t) v = strdup((const char *)t);
    }
    sqlite3_reset(db->meta_get);
    return v;
}

bool classdb_set_meta(classdb *db, const char *name, const char *value, tl_err *e)
{
    sqlite3_reset(db->meta_put);
    sqlite3_bind_text(db->meta_put, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(db->meta_put, 2, value, -1, SQLITE_STATIC);
    bool ok = sqlite3_step(db->meta_put) == SQLITE_DONE;
    sqlite3_reset(db->meta_put);
    return ok || fail(db, e, "cannot record the class");
}

bool classdb_save(classdb *db, const classdb_student *st, const char *attempts_key,
                  int64_t attempts, tl_err *e)
{
    char *progress = jsonx_compact(st->progress);
    if (!progress) return err_set(e, "class.db", "out of memory");
    bool ok = sqlite3_exec(db->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
    if (ok) {
        sqlite3_reset(db->put);
        sqlite3_bind_int64(db->put, 1, (sqlite3_int64)st->num);
        sqlite3_bind_text(db->put, 2, st->asked_name, -1, SQLITE_STATIC);
        sqlite3_bind_text(db->put, 3, st->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(db->put, 4, st->token_secret, -1, SQLITE_STATIC);
        sqlite3_bind_text(db->put, 5, st->password_hash, -1, SQLITE_STATIC);
        sqlite3_bind_text(db->put, 6, st->client_secret, -1, SQLITE_STATIC);
        sqlite3_bind_int64(db->put, 7, st->joined);
        sqlite3_bind_int64(db->put, 8, st->last_seen);
        sqlite3_bind_text(db->put, 9, progress, -1, SQLITE_STATIC);
        ok = sqlite3_step(db->put) == SQLITE_DONE;
        sqlite3_reset(db->put);
    }
    if (ok && attempts_key) {
        sqlite3_reset(db->att);
        sqlite3_bind_text(db->att, 1, attempts_key, -1, SQLITE_STATIC);
        sqlite3_bind_int64(db->att, 2, attempts);
        ok = sqlite3_step(db->att) == SQLITE_DONE;
        sqlite3_reset(db->att);
    }
    ok = ok && sqlite3_exec(db->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK;
    free(progress);
    if (!ok) {
        fail(db, e, "cannot record the change");
        sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
    }
    return ok;
}

static const char *col(sqlite3_stmt *q, int i)
{
    const unsigned char *t = sqlite3_column_text(q, i);
    return t ? (const char *)t : "";
}

bool classdb_load(classdb *db, bool (*fn)(void *ud, const classdb_student *st), void *ud,
                  json_t **attempts, tl_err *e)
{
    *attempts = json_object();
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(db->db,
                           "SELECT num, asked_name, name, token_secret, password_hash, "
                           "client_secret, joined, last_seen, progress FROM students ORDER BY num",
                           -1, &q, NULL) != SQLITE_OK)
        return fail(db, e, "cannot read the students");
    bool ok = true;
    int rc;
    while (ok && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        json_t *progress = json_loads(col(q, 8), 0, NULL);
        classdb_student st = {.num = (size_t)sqlite3_column_int64(q, 0),
                              .asked_name = col(q, 1),
                              .name = col(q, 2),
                              .token_secret = col(q, 3),
                              .password_hash = col(q, 4),
                              .client_secret = col(q, 5),
                              .joined = sqlite3_column_int64(q, 6),
                              .last_seen = sqlite3_column_int64(q, 7),
                              .progress = progress};
        ok = json_is_object(progress)
                 ? fn(ud, &st)
                 : err_set(e, "class.db", "student %zu's record is damaged", st.num);
        json_decref(progress);
    }
    sqlite3_finalize(q);
    if (!ok) return false;
    if (sqlite3_prepare_v2(db->db, "SELECT key, n FROM attempts", -1, &q, NULL) != SQLITE_OK)
        return fail(db, e, "cannot read the attempts");
    while (sqlite3_step(q) == SQLITE_ROW)
        json_object_set_new(*attempts, col(q, 0), json_integer(sqlite3_column_int64(q, 1)));
    sqlite3_finalize(q);
    return true;
}
