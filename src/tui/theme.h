/* SPDX-License-Identifier: MIT */
/* theme — semantic colour elements × themes in one table (htop style). Panes draw with elements
 * (THEME_JSON_KEY), never with raw colours; the monochrome theme is attributes only. */
#ifndef TL_TUI_THEME_H
#define TL_TUI_THEME_H

#include <stdbool.h>
#include <curses.h>

/* X(name): the semantic elements; theme.c holds one {fg, bg, attrs} per element and theme. */
#define THEME_ELEMENTS(X)                                                                          \
    X(NORMAL)                                                                                      \
    X(DIM)                                                                                         \
    X(HEADER)                                                                                      \
    X(HEADER_ACCENT)                                                                               \
    X(FOOTER)                                                                                      \
    X(FOOTER_KEY)                                                                                  \
    X(BORDER)                                                                                      \
    X(BORDER_FOCUS)                                                                                \
    X(TITLE)                                                                                       \
    X(TAB)                                                                                         \
    X(TAB_ACTIVE)                                                                                  \
    X(SELECTED)                                                                                    \
    X(HEADING)                                                                                     \
    X(CODE)                                                                                        \
    X(EMPHASIS)                                                                                    \
    X(STRONG)                                                                                      \
    X(LINK)                                                                                        \
    X(BUTTON)                                                                                      \
    X(JWT_HEADER)                                                                                  \
    X(JWT_PAYLOAD)                                                                                 \
    X(JWT_SIG)                                                                                     \
    X(JSON_KEY)                                                                                    \
    X(JSON_STRING)                                                                                 \
    X(JSON_NUMBER)                                                                                 \
    X(JSON_LITERAL)                                                                                \
    X(JSON_PUNCT)                                                                                  \
    X(NOTE)                                                                                        \
    X(OK)                                                                                          \
    X(BAD)                                                                                         \
    X(WARN)                                                                                        \
    X(BAR)                                                                                         \
    X(BAR_LOW)                                                                                     \
    X(BAR_EXPIRED)                                                                                 \
    X(STATUS_UP)                                                                                   \
    X(STATUS_DOWN)                                                                                 \
    X(SERVER_VIEW)                                                                                 \
    X(SECRET)                                                                                      \
    X(TOKEN)                                                                                       \
    X(ARROW)                                                                                       \
    X(ARROW_ACTIVE)                                                                                \
    X(INPUT)

typedef enum theme_elem {
#define THEME_ENUM(name) THEME_##name,
    THEME_ELEMENTS(THEME_ENUM)
#undef THEME_ENUM
        THEME_COUNT
} theme_elem;

typedef enum theme_id {
    THEME_ID_DARK,
    THEME_ID_LIGHT,
    THEME_ID_HIGH_CONTRAST,
    THEME_ID_MONO
} theme_id;

/* "dark", "light", "high-contrast" ("hc"), "mono" ("monochrome"); false when unknown. */
bool theme_parse(const char *name, theme_id *out);
const char *theme_name(theme_id id);
/* Initialises colour pairs for `id` (after initscr). Falls back to mono when the terminal has no
 * colours; returns the theme actually used. */
theme_id theme_apply(theme_id id);
/* The attributes (colour pair included) to draw `elem` with under the applied theme. */
attr_t theme_attr(theme_elem elem);
/* Name of an element for screen dumps ("json_key"). */
const char *theme_elem_name(theme_elem elem);

#endif
