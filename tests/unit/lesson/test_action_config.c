/* SPDX-License-Identifier: MIT */
/* The lesson actions take their default clients, secrets and redirect URIs from the server config
 * (lesson/defaults.h), not from copies in the code: with a config whose clients are renamed, given
 * other secrets and another redirect URI, the actions that name no client still work against a
 * server loaded from that same config. (Before, action.c hard-coded "tokenlab-cli", "demo-web",
 * "demo-web-secret", "demo-service" and "http://localhost:3000/callback", and such an edit broke
 * the lessons silently: invalid_client.) The lab actions, which build their requests with
 * flow_lab_*_request (JSON bodies) like every other action, are checked against the same server. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/assets.h"
#include "lesson/action.h"
#include "lesson/defaults.h"
#include "lesson/parse.h"
#include "lesson/state.h"
#include "oauth/http.h"
#include "server/config.h"
#include "server/server.h"

#include "action_run.h"

typedef struct fx {
    char dir[64];
    server *srv;
    http_client *h;
    lesson_state *st;
    uint64_t inflight;
} fx;

static void rename_client(json_t *clients, const char *from, const char *to, const char *secret,
                          const char *redirect)
{
    size_t i;
    json_t *c;
    json_array_foreach(clients, i, c)
    {
        if (strcmp(json_string_value(json_object_get(c, "client_id")), from) != 0) continue;
        json_object_set_new(c, "client_id", json_string(to));
        if (secret) json_object_set_new(c, "secret", json_string(secret));
        if (redirect) json_object_set_new(c, "redirect_uris", json_pack("[s]", redirect));
    }
}

/* $TOKENLAB_DATA/assets/config.json: the shipped config with every client renamed. */
static bool write_edited_config(const char *dir)
{
    size_t len = 0;
    const char *text = assets_builtin("config.json", &len);
    json_t *cfg = text ? json_loadb(text, len, 0, NULL) : NULL;
    if (!cfg) return false;
    json_t *clients = json_object_get(cfg, "clients");
    rename_client(clients, "tokenlab-cli", "cli-app", NULL, NULL);
    rename_client(clients, "demo-web", "web-app", "web-app-secret-2", "http://localhost:4000/cb");
    rename_client(clients, "demo-service", "svc-app", "svc-app-secret-2", NULL);
    char p[128];
    snprintf(p, sizeof p, "%s/lessons", dir);
    mkdir(p, 0700);
    snprintf(p, sizeof p, "%s/assets", dir);
    mkdir(p, 0700);
    snprintf(p, sizeof p, "%s/assets/config.json", dir);
    bool ok = json_dump_file(cfg, p, JSON_INDENT(2)) == 0;
    json_decref(cfg);
    return ok;
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (!f) return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/tl-action-config-XXXXXX");
    if (!mkdtemp(f->dir) || !write_edited_config(f->dir)) return -1;
    setenv("TOKENLAB_DATA", f->dir, 1); /* before anything reads an asset */
    static const char *const labs[] = {"password-grant"};
    server_options so = {.listen = "127.0.0.1:0", .labs = labs, .nlabs = 1};
    tl_err e = {0};
    if (!server_start(&so, &f->srv, &e)) {
        fprintf(stderr, "server_start: %s\n", e.msg);
        return -1;
    }
    f->h = http_client_new();
    f->st = state_new();
    if (!f->h || !f->st) return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    http_client_free(f->h);
    state_free(f->st);
    server_stop(f->srv);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", f->dir);
    free(f);
    return 0;
}

static done act(fx *f, const char *line)
{
    char **w = NULL;
    size_t n = 0;
    assert_true(parse_words(line, &w, &n, NULL));
    assert_true(action_validate(n, w, NULL));
    parse_words_free(w, n);
    action_ctx c = {.http = f->h,
                    .server_url = server_base_url(f->srv),
                    .lab_key = server_lab_key(f->srv),
                    .st = f->st,
                    .inflight = &f->inflight};
    return act_run_line(&c, line);
}

static void test_defaults_read_the_config(void **state)
{
    (void)state;
    assert_string_equal(defaults_client(DEFAULTS_PUBLIC, NULL), "cli-app");
    assert_string_equal(defaults_client(DEFAULTS_WEB, NULL), "web-app");
    assert_string_equal(defaults_client(DEFAULTS_SERVICE, NULL), "svc-app");
    assert_string_equal(defaults_secret("web-app"), "web-app-secret-2");
    assert_null(defaults_secret("cli-app"));  /* public */
    assert_null(defaults_secret("demo-web")); /* not in this config */
    /* a native client's loopback URI gets the port its listener would have (RFC 8252 §7.3) */
    assert_string_equal(defaults_redirect("cli-app"), "http://127.0.0.1:8765/callback");
    assert_string_equal(defaults_redirect("web-app"), "http://localhost:4000/cb");
    assert_string_equal(defaults_redirect("svc-app"), "http://127.0.0.1:8765/callback");
    assert_string_equal(defaults_redirect("nobody"), "http://127.0.0.1:8765/callback");
}

static void test_actions_follow_the_config(void **state)
{
    fx *f = *state;
    done d = act(f, "password-grant username=alice@example.com password=wonderland");
    assert_true(d.ok);
    assert_int_equal(f->st->response.status, 200);
    assert_string_equal(f->st->flow.client_id, "web-app");
    assert_non_null(f->st->tokens[STATE_TOK_ACCESS]);

    d = act(f, "introspect access");
    assert_true(d.ok);
    assert_int_equal(f->st->response.status, 200);
    assert_true(json_is_true(json_object_get(f->st->response.json, "active")));

    d = act(f, "client-credentials secret=svc-app-secret-2 scope=api:read");
    assert_true(d.ok);
    assert_int_equal(f->st->response.status, 200);
    assert_string_equal(f->st->flow.client_id, "svc-app");

    d = act(f, "authorize scope=openid");
    assert_true(d.ok);
    assert_int_equal(f->st->response.status, 200);
    assert_string_equal(f->st->flow.client_id, "cli-app");
    assert_string_equal(f->st->flow.redirect_uri, "http://127.0.0.1:8765/callback");
    assert_string_equal(f->st->flow.next_step, "login");
}

static void test_lab_actions(void **state)
{
    fx *f = *state;
    done d = act(f, "clock +1h");
    assert_true(d.ok);
    assert_int_equal(f->st->response.status, 200);
    assert_int_equal(f->st->clock_offset, 3600);
    assert_int_equal(json_integer_value(json_object_get(f->st->response.json, "clock_offset")),
                     3600);
    d = act(f, "clock reset");
    assert_true(d.ok);
    assert_int_equal(f->st->clock_offset, 0);
    d = act(f, "lab on no-pkce");
    assert_true(d.ok);
    assert_true(server_lab_is_on(f->srv, "no-pkce"));
    d = act(f, "lab off no-pkce");
    assert_true(d.ok);
    assert_false(server_lab_is_on(f->srv, "no-pkce"));
    /* without the lab key: refused before any request */
    action_ctx c = {.http = f->h, .server_url = server_base_url(f->srv), .st = f->st};
    d = act_run_line(&c, "lab on no-pkce");
    assert_false(d.ok);
    assert_non_null(strstr(d.msg, "lab: no lab key for this server"));
}

/* The role look-up the defaults use, on a config with no client for a role. */
static void test_config_client_with(void **state)
{
    (void)state;
    static const char text[] =
        "{\"clients\": [{\"client_id\": \"pub\", \"type\": \"public\", \"redirect_uris\": [],"
        " \"grant_types\": [\"authorization_code\"], \"scopes\": []}]}";
    config *c = NULL;
    tl_err e = {0};
    if (!config_parse(text, strlen(text), &c, &e)) fail_msg("config_parse: %s", e.msg);
    assert_string_equal(config_client_with(c, false, CONFIG_GRANT_CODE)->client_id, "pub");
    assert_null(config_client_with(c, false, CONFIG_GRANT_CODE | CONFIG_GRANT_DEVICE));
    assert_null(config_client_with(c, true, CONFIG_GRANT_CODE));
    config_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_read_the_config),
        cmocka_unit_test(test_actions_follow_the_config),
        cmocka_unit_test(test_lab_actions),
        cmocka_unit_test(test_config_client_with),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
