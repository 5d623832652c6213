/* SPDX-License-Identifier: MIT */
/* fuzz_flow — the flow-diagram loader and renderer of the TUI (src/tui/pane_flow.c) on arbitrary
 * .flow text: the input becomes assets/flows/device.flow in a scratch data directory
 * (TOKENLAB_DATA), pane_flow_new loads it through assets_read like the app does, and every diagram
 * is selected, followed by a few HTTP exchanges, stepped through and drawn into curses windows from
 * 120x36 down to 1x1 (a headless curses screen on /dev/null).
 *
 * The pane only asks the app to redraw (app_dirty); this target provides that one function, so the
 * pane is tested without the rest of the app. Property: no crash, no over-read, no UB, no leak. */
#include <curses.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tui/app.h"
#include "tui/keys.h"
#include "tui/pane_flow.h"
#include "tui/theme.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static char flow_path[512];
static char data_dir[256];
static int dirty_calls;

/* The app service the pane uses; counted so the calls are not optimized away. */
void app_dirty(app *a, pane_id p)
{
    (void)a;
    if (p == PANE_FLOW) dirty_calls++;
}

static void mkdir_or_die(const char *p)
{
    if (mkdir(p, 0700) != 0) {
        perror(p);
        abort();
    }
}

static void remove_data_dir(void)
{
    static const char *const parts[] = {"assets/flows/device.flow", "assets/flows", "assets",
                                        "lessons", ""};
    char p[400];
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", data_dir, parts[i]);
        (void)remove(p);
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char *dir = data_dir;
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(dir, sizeof data_dir, "%s/tokenlab-fuzz-flow.XXXXXX", base);
    if (!mkdtemp(dir)) abort();
    char p[400];
    snprintf(p, sizeof p, "%s/lessons", dir);
    mkdir_or_die(p);
    snprintf(p, sizeof p, "%s/assets", dir);
    mkdir_or_die(p);
    snprintf(p, sizeof p, "%s/assets/flows", dir);
    mkdir_or_die(p);
    snprintf(flow_path, sizeof flow_path, "%s/assets/flows/device.flow", dir);
    atexit(remove_data_dir);
    setenv("TOKENLAB_DATA", dir, 1);
    setenv("TERM", "xterm-256color", 1);
    FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
    if (!out || !in || !newterm("xterm-256color", out, in)) abort();
    start_color();
    theme_apply(THEME_ID_DARK);
    return 0;
}

static const char *const names[] = {"jwt-login", "auth-code-pkce", "client-credentials", "refresh",
                                    "device"};
static const int sizes[][2] = {{36, 120}, {24, 80}, {10, 40}, {5, 12}, {3, 3}, {1, 1}};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *f = fopen(flow_path, "wb");
    if (!f) abort();
    if (size && fwrite(data, 1, size, f) != size) abort();
    fclose(f);

    /* A non-NULL handle that is never dereferenced: only app_dirty above receives it. */
    static char fake_app;
    pane_flow *p = pane_flow_new((app *)&fake_app);
    static const char *const reqs[][3] = {
        {"POST", "/token", "grant_type=refresh_token&refresh_token=x"},
        {"GET", "/api/notes", NULL},
        {"POST", "/device_authorization", "client_id=tokenlab-cli"},
        {"GET", "/", ""},
        {"POST", "/login", "{}"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (!pane_flow_select(p, names[i])) abort();
        pane_flow_highlight(p, "poll");
        for (size_t r = 0; r < sizeof reqs / sizeof reqs[0]; r++)
            pane_flow_follow(p, reqs[r][0], reqs[r][1], reqs[r][2]);
        pane_flow_key(p, 'n', ACT_NEXT_STEP);
        pane_flow_key(p, 'n', ACT_NEXT_STEP);
        pane_flow_key(p, 'p', ACT_PREV_STEP);
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            WINDOW *w = newwin(sizes[s][0], sizes[s][1], 0, 0);
            if (!w) continue;
            pane_flow_draw(p, w, s % 2 == 0);
            delwin(w);
        }
        pane_flow_key(p, 'j', ACT_DOWN);
    }
    if (pane_flow_select(p, "no-such-flow")) abort();
    pane_flow_free(p);
    return 0;
}
