/* PLACEHOLDER: being written (owned by the helper that builds 'mint'); replace this file. */
#include <stdio.h>

#include "cli/cli.h"

int cli_mint_main(int argc, char **argv)
{
    (void)argc;
    fprintf(stderr, "tokenlab %s: not built yet\n", argv[0]);
    return CLI_USAGE;
}
