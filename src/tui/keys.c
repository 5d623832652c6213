/* SPDX-License-Identifier: MIT */
#include "tui/keys.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const keys_entry g_keys[] = {
#define KEYS_ROW(id, k1, k2, label, help, ctx) {ACT_##id, k1, k2, label, help, ctx},
    TUI_ACTIONS(KEYS_ROW)
#undef KEYS_ROW
};

const keys_entry *keys_table(size_t *n)
{
    *n = sizeof g_keys / sizeof g_keys[0];
    return g_keys;
}

tui_action keys_lookup(int key, int ctx)
{
    if (key == 0) return ACT_NONE;
    for (size_t i = 0; i < sizeof g_keys / sizeof g_keys[0]; i++) {
        const keys_entry *k = &g_keys[i];
        if ((k->key == key || k->alt == key) && (k->ctx & ctx)) return k->act;
    }
    return ACT_NONE;
}

static const struct {
    int key;
    const char *name;
} g_names[] = {
    {'\t', "Tab"},
    {TK_FN | KEY_BTAB, "S-Tab"},
    {'\n', "Enter"},
    {'\r', "Enter"},
    {TK_ESC, "Esc"},
    {' ', "Space"},
    {TK_FN | KEY_UP, "Up"},
    {TK_FN | KEY_DOWN, "Down"},
    {TK_FN | KEY_LEFT, "Left"},
    {TK_FN | KEY_RIGHT, "Right"},
    {TK_FN | KEY_PPAGE, "PgUp"},
    {TK_FN | KEY_NPAGE, "PgDn"},
    {TK_FN | KEY_HOME, "Home"},
    {TK_FN | KEY_END, "End"},
    {TK_FN | KEY_BACKSPACE, "BS"},
    {127, "BS"},
    {TK_FN | KEY_DC, "Del"},
    {TK_FN | KEY_ENTER, "Enter"},
    {TK_FN | KEY_RESIZE, "Resize"},
    {TK_PASTE_BEGIN, "PasteBegin"},
    {TK_PASTE_END, "PasteEnd"},
};

const char *keys_name(int key)
{
    static char buf[16];
    for (size_t i = 0; i < sizeof g_names / sizeof g_names[0]; i++)
        if (g_names[i].key == key) return g_names[i].name;
    if ((key & TK_FN) && (key & ~TK_FN) >= KEY_F(1) && (key & ~TK_FN) <= KEY_F(12)) {
        snprintf(buf, sizeof buf, "F%d", (key & ~TK_FN) - KEY_F0);
        return buf;
    }
    if (key > 0 && key < 32) {
        snprintf(buf, sizeof buf, "C-%c", key + 'a' - 1);
        return buf;
    }
    if (key > 32 && key < 127) {
        snprintf(buf, sizeof buf, "%c", key);
        return buf;
    }
    snprintf(buf, sizeof buf, "#%d", key);
    return buf;
}

int keys_parse(const char *name)
{
    size_t n = strlen(name);
    if (n == 1) return (unsigned char)name[0];
    if (n < 3 || name[0] != '<' || name[n - 1] != '>') return -1;
    char in[32];
    if (n - 2 >= sizeof in) return -1;
    memcpy(in, name + 1, n - 2);
    in[n - 2] = '\0';
    for (size_t i = 0; i < sizeof g_names / sizeof g_names[0]; i++)
        if (strcasecmp(g_names[i].name, in) == 0) return g_names[i].key;
    if (strcasecmp(in, "Backspace") == 0) return TK_FN | KEY_BACKSPACE;
    if (strcasecmp(in, "CR") == 0) return '\n';
    if (strcasecmp(in, "lt") == 0) return '<';
    if ((in[0] == 'F' || in[0] == 'f') && in[1]) {
        int f = 0;
        if (sscanf(in + 1, "%d", &f) == 1 && f >= 1 && f <= 12) return TK_FN | KEY_F(f);
    }
    if ((in[0] == 'C' || in[0] == 'c') && in[1] == '-' && in[2] && !in[3]) {
        int c = in[2] | 0x20;
        if (c >= 'a' && c <= 'z') return c - 'a' + 1;
    }
    return -1;
}
