#include "tui/pane_flow.h"

#include <stdlib.h>

#include "tui/doc.h"

struct pane_flow {
    app *a;
};

pane_flow *pane_flow_new(app *a)
{
    pane_flow *p = calloc(1, sizeof *p);
    if (!p) abort();
    p->a = a;
    return p;
}
void pane_flow_free(pane_flow *p)
{
    free(p);
}
bool pane_flow_select(pane_flow *p, const char *name)
{
    (void)p;
    (void)name;
    return false;
}
void pane_flow_highlight(pane_flow *p, const char *step)
{
    (void)p;
    (void)step;
}
void pane_flow_follow(pane_flow *p, const char *method, const char *path, const char *form)
{
    (void)p, (void)method, (void)path, (void)form;
}
int pane_flow_key(pane_flow *p, int key, tui_action act)
{
    (void)p, (void)key, (void)act;
    return KEY_R_IGNORED;
}
void pane_flow_draw(pane_flow *p, WINDOW *w, bool focused)
{
    (void)p;
    werase(w);
    ui_box(w, THEME_BORDER, "Flow", focused);
}
const char *pane_flow_name(const pane_flow *p)
{
    (void)p;
    return NULL;
}
