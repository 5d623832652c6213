/* SPDX-License-Identifier: MIT */
/* keys — the one action table (tig style): it generates the key map, the footer and the help
 * screen, so the three can never disagree. */
#ifndef TL_TUI_KEYS_H
#define TL_TUI_KEYS_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

/* Keys are code points for characters and TK_FN | KEY_xxx for curses function keys. */
#define TK_FN          0x1000000
#define TK_CTRL(c)     ((c)&0x1f)
#define TK_ESC         27
#define TK_ENTER       '\n'
#define TK_PASTE_BEGIN (TK_FN | 0x7000)
#define TK_PASTE_END   (TK_FN | 0x7001)

/* Where an action works. */
enum {
    CTX_GLOBAL = 1 << 0,
    CTX_LESSON = 1 << 1,
    CTX_DECODER = 1 << 2,
    CTX_TRACE = 1 << 3,
    CTX_FLOW = 1 << 4,
    CTX_ALL_PANES = CTX_LESSON | CTX_DECODER | CTX_TRACE | CTX_FLOW,
};

/* X(ID, key, alt key (0 = none), footer label (NULL = help only), help text, contexts) */
#define TUI_ACTIONS(X)                                                                             \
    X(HELP, '?', TK_FN | KEY_F(1), "Help", "show this help; Esc closes it", CTX_GLOBAL)            \
    X(QUIT, 'q', 0, "Quit", "quit (progress is always saved); Ctrl-C works too", CTX_GLOBAL)       \
    X(NEXT_PANE, '\t', 0, "Pane", "focus the next pane", CTX_GLOBAL)                               \
    X(PREV_PANE, TK_FN | KEY_BTAB, 0, NULL, "focus the previous pane (Shift-Tab)", CTX_GLOBAL)     \
    X(LESSONS, 'l', 0, "Lessons", "the lesson; l again: the list of lessons", CTX_GLOBAL)          \
    X(DECODER, 'd', 0, "Decode",                                                                   \
      "decoder: when empty, type or paste a token; else e edits (a paste replaces it anywhere)",   \
      CTX_GLOBAL)                                                                                  \
    X(TRACE, 't', 0, "Trace", "HTTP trace: every request the app made", CTX_GLOBAL)                \
    X(FLOW, 'f', 0, "Flow", "flow diagram of the current lesson", CTX_GLOBAL)                      \
    X(PRESENT, TK_FN | KEY_F(5), 0, NULL, "presenter mode for a projector (F5 again leaves)",      \
      CTX_GLOBAL)                                                                                  \
    X(UP, TK_FN | KEY_UP, 'k', NULL, "scroll / select up", CTX_ALL_PANES)                          \
    X(DOWN, TK_FN | KEY_DOWN, 'j', NULL, "scroll / select down", CTX_ALL_PANES)                    \
    X(PGUP, TK_FN | KEY_PPAGE, 0, NULL, "one page up", CTX_ALL_PANES)                              \
    X(PGDN, TK_FN | KEY_NPAGE, ' ', NULL,                                                          \
      "one page down; in a quiz, Space chooses the option under the cursor", CTX_ALL_PANES)        \
    X(LEFT, TK_FN | KEY_LEFT, 0, NULL, "code blocks and tables: scroll sideways", CTX_LESSON)      \
    X(RIGHT, TK_FN | KEY_RIGHT, 0, NULL, "code blocks and tables: scroll the other way",           \
      CTX_LESSON)                                                                                  \
    X(TOP, TK_FN | KEY_HOME, 'g', NULL, "go to the top", CTX_ALL_PANES)                            \
    X(BOTTOM, TK_FN | KEY_END, 'G', NULL, "go to the end", CTX_ALL_PANES)                          \
    X(ACTIVATE, '\n', '\r', "Run", "run the step, answer, open the request; next once passed",     \
      CTX_LESSON | CTX_TRACE)                                                                      \
    X(RERUN, 'R', 0, NULL, "run the step or answer the quiz again", CTX_LESSON)                    \
    X(NEXT_STEP, 'n', 0, "Next", "next step", CTX_LESSON | CTX_FLOW)                               \
    X(PREV_STEP, 'p', 0, "Prev", "previous step", CTX_LESSON | CTX_FLOW)                           \
    X(HINT, 'i', 0, "Hint", "reveal the next hint", CTX_LESSON)                                    \
    X(EDIT_TOKEN, 'e', 0, "Edit", "edit the token (typing or pasting replaces it)", CTX_DECODER)   \
    X(EDIT_HEADER, 'H', 0, "Header", "edit the header JSON (the signature stays as it was)",       \
      CTX_DECODER)                                                                                 \
    X(EDIT_PAYLOAD, 'P', 0, "Payload", "edit the payload JSON (the signature stays as it was)",    \
      CTX_DECODER)                                                                                 \
    X(KEY, 'K', 0, "Key", "type a secret or key file (@path) to verify and re-sign with",          \
      CTX_DECODER)                                                                                 \
    X(RESIGN, 'S', 0, "Re-sign", "re-sign the token with the key you hold", CTX_DECODER)           \
    X(HISTORY_PREV, '[', 0, NULL, "previous token in the history", CTX_DECODER)                    \
    X(HISTORY_NEXT, ']', 0, NULL, "next token in the history", CTX_DECODER)                        \
    X(COPY, 'c', 0, "Copy", "copy the focused token to the clipboard (OSC 52)",                    \
      CTX_DECODER | CTX_TRACE)                                                                     \
    X(REVEAL, 'r', 0, "Reveal", "reveal / mask secrets (passwords, client secrets, verifiers)",    \
      CTX_TRACE)                                                                                   \
    X(NEXT_TOKEN, 'o', 0, NULL, "in an opened exchange: next token (Enter loads)", CTX_TRACE)      \
    X(CONSOLE, ':', 0, NULL, "action console: run lesson actions (login, crack, …)", CTX_GLOBAL)   \
    X(CANCEL, TK_ESC, 0, NULL, "close help, leave editing, cancel a request", CTX_GLOBAL)

typedef enum tui_action {
    ACT_NONE = 0,
#define KEYS_ENUM(id, k1, k2, label, help, ctx) ACT_##id,
    TUI_ACTIONS(KEYS_ENUM)
#undef KEYS_ENUM
        ACT_COUNT
} tui_action;

typedef struct keys_entry {
    tui_action act;
    int key, alt;
    const char *label; /* footer, or NULL */
    const char *help;
    int ctx;
} keys_entry;

/* The action bound to `key` in context `ctx` (pane bit | CTX_GLOBAL), or ACT_NONE. */
tui_action keys_lookup(int key, int ctx);
/* The whole table in order; *n receives its length. */
const keys_entry *keys_table(size_t *n);
/* A key's name as the footer and help show it: "q", "Tab", "F1", "Enter", "PgDn". Static. */
const char *keys_name(int key);
/* Parses a script key name ("<Tab>", "<S-Tab>", "<Enter>", "<F1>", "<C-c>", "x"); -1 if unknown. */
int keys_parse(const char *name);

#endif
