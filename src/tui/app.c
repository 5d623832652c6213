/* PLACEHOLDER: being written by the TUI helper; replace this file. */
#include "tui/tui.h"

int tui_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "tokenlab: the TUI is not built yet; see tokenlab --help\n");
    return 0;
}

void tui_usage(FILE *f)
{
    fprintf(f, "TUI options: (being written)\n");
}
