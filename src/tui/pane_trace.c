#include "tui/pane_trace.h"

#include <stdlib.h>

#include "tui/doc.h"

struct pane_trace {
    app *a;
    http_client *http;
};

pane_trace *pane_trace_new(app *a, http_client *http)
{
    pane_trace *p = calloc(1, sizeof *p);
    if (!p) abort();
    p->a = a;
    p->http = http;
    return p;
}
void pane_trace_free(pane_trace *p)
{
    free(p);
}
void pane_trace_server_event(pane_trace *p, const net_event *ev)
{
    (void)p, (void)ev;
}
int pane_trace_key(pane_trace *p, int key, tui_action act)
{
    (void)p, (void)key, (void)act;
    return KEY_R_IGNORED;
}
void pane_trace_draw(pane_trace *p, WINDOW *w, bool focused)
{
    (void)p;
    werase(w);
    ui_box(w, THEME_BORDER, "Trace", focused);
}
int pane_trace_pending(const pane_trace *p)
{
    (void)p;
    return 0;
}
