/* SPDX-License-Identifier: MIT */
/* tui — the terminal UI's entry points (what main.c needs, nothing more). */
#ifndef TL_TUI_TUI_H
#define TL_TUI_TUI_H

#include <stdio.h>

/* Runs the TUI; argv as given to tokenlab (TUI options such as --server, --theme, --ascii). */
int tui_main(int argc, char **argv);
/* Prints the TUI's options for `tokenlab --help`. */
void tui_usage(FILE *f);

#endif
