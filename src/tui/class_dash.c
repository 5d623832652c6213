/* Temporary stand-in until the presenter helper lands the dashboard. */
#include "tui/class_dash.h"

#include <stdio.h>

int tui_class_dashboard(const char *server_url, const char *key)
{
    (void)key;
    fprintf(stderr,
            "tokenlab class: dashboard not built yet (server %s); use tokenlab class export\n",
            server_url);
    return 3;
}
