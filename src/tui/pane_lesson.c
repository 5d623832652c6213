#include "tui/pane_lesson.h"

#include <stdlib.h>

#include "tui/doc.h"

struct pane_lesson {
    app *a;
};

pane_lesson *pane_lesson_new(app *a, struct net *n, const pane_lesson_options *o)
{
    (void)n, (void)o;
    pane_lesson *p = calloc(1, sizeof *p);
    if (!p) abort();
    p->a = a;
    return p;
}
void pane_lesson_free(pane_lesson *p)
{
    free(p);
}
int pane_lesson_key(pane_lesson *p, int key, tui_action act)
{
    (void)p, (void)key, (void)act;
    return KEY_R_IGNORED;
}
int pane_lesson_click(pane_lesson *p, int y, int x)
{
    (void)p, (void)y, (void)x;
    return KEY_R_IGNORED;
}
void pane_lesson_draw(pane_lesson *p, WINDOW *w, bool focused)
{
    (void)p;
    werase(w);
    ui_box(w, THEME_BORDER, "Lesson", focused);
}
void pane_lesson_show_list(pane_lesson *p)
{
    (void)p;
}
bool pane_lesson_editing(const pane_lesson *p)
{
    (void)p;
    return false;
}
const char *pane_lesson_status(const pane_lesson *p)
{
    (void)p;
    return "";
}
const char *pane_lesson_flow(const pane_lesson *p)
{
    (void)p;
    return NULL;
}
void pane_lesson_decoder_changed(pane_lesson *p, const char *token)
{
    (void)p, (void)token;
}
long long pane_lesson_clock_offset(const pane_lesson *p)
{
    (void)p;
    return 0;
}
