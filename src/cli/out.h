/* SPDX-License-Identifier: MIT */
/* out — what the CLI prints for a human: pretty JSON coloured like jq on a terminal, plain when
 * piped or when NO_COLOR is set (https://no-color.org). Colour is ANSI SGR, decided per stream. */
#ifndef TL_CLI_OUT_H
#define TL_CLI_OUT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

typedef enum out_el {
    OUT_RESET,
    OUT_TITLE, /* section headings */
    OUT_KEY,   /* JSON object keys, claim names */
    OUT_STR,
    OUT_NUM,
    OUT_LIT, /* true, false, null */
    OUT_DIM, /* explanations, secondary text */
    OUT_OK,
    OUT_WARN,
    OUT_BAD,
    OUT_COUNT
} out_el;

/* True when `f` is a terminal, NO_COLOR is unset or empty, and TERM is not "dumb" — unless
 * --color=always|never (out_set_color) decided. */
bool out_color_wanted(FILE *f);
/* --color=WHEN: "auto" (the default above), "always" (even piped, even with NO_COLOR), "never".
 * False for anything else. Every command takes --color (cli/args.c). */
bool out_set_color(const char *when);
/* The escape sequence for an element, or "" when !color. */
const char *out_c(bool color, out_el el);
/* Two-space indented JSON, keys in their original order; `indent` spaces before every line after
 * the first. No trailing newline. */
void out_json(FILE *f, const json_t *j, bool color, int indent);
/* The width to wrap prose at on `f`: its terminal's columns (at most 100), or 0 when `f` is not a
 * terminal (piped output stays one line per paragraph, for logs and scripts). */
int out_width(FILE *f);
/* Prints `s` and a newline, wrapped at word boundaries to `width` columns (0: not wrapped); lines
 * after the first start with `hang` spaces. Counts UTF-8 characters, not bytes. */
void out_wrapped(FILE *f, const char *s, int width, int hang);

#endif
