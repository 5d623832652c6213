/* SPDX-License-Identifier: MIT */
#include "tui/theme.h"

#include <string.h>

typedef struct theme_style {
    short fg, bg;
    attr_t attrs;
} theme_style;

#define D  -1 /* terminal default colour */
#define BK COLOR_BLACK
#define RD COLOR_RED
#define GR COLOR_GREEN
#define YE COLOR_YELLOW
#define BL COLOR_BLUE
#define MA COLOR_MAGENTA
#define CY COLOR_CYAN
#define WH COLOR_WHITE

/* One row per element, one column per theme. jwt.io's three segment colours: red header,
 * purple payload, blue signature. Mono uses attributes only. */
/* clang-format off */
static const theme_style g_table[THEME_COUNT][4] = {
    /*                      dark                    light                   high-contrast                mono */
    [THEME_NORMAL] =       {{D, D, 0},              {D, D, 0},              {WH, BK, 0},                 {D, D, 0}},
    [THEME_DIM] =          {{D, D, A_DIM},          {D, D, A_DIM},          {WH, BK, 0},                 {D, D, A_DIM}},
    [THEME_HEADER] =       {{BK, CY, 0},            {WH, BL, 0},            {BK, WH, A_BOLD},            {D, D, A_REVERSE}},
    [THEME_HEADER_ACCENT] ={{BK, CY, A_BOLD},       {YE, BL, A_BOLD},       {BK, WH, A_BOLD},            {D, D, A_REVERSE | A_BOLD}},
    [THEME_FOOTER] =       {{BK, CY, 0},            {WH, BL, 0},            {BK, WH, 0},                 {D, D, A_REVERSE}},
    [THEME_FOOTER_KEY] =   {{WH, BK, A_BOLD},       {BK, WH, A_BOLD},       {WH, BK, A_BOLD},            {D, D, A_BOLD}},
    [THEME_BORDER] =       {{BL, D, 0},             {BL, D, 0},             {WH, BK, 0},                 {D, D, A_DIM}},
    [THEME_BORDER_FOCUS] = {{CY, D, A_BOLD},        {MA, D, A_BOLD},        {YE, BK, A_BOLD},            {D, D, A_BOLD}},
    [THEME_TITLE] =        {{WH, D, A_BOLD},        {BK, D, A_BOLD},        {YE, BK, A_BOLD},            {D, D, A_BOLD}},
    [THEME_TAB] =          {{WH, BL, 0},            {BK, WH, 0},            {WH, BK, 0},                 {D, D, 0}},
    [THEME_TAB_ACTIVE] =   {{BK, CY, A_BOLD},       {WH, BL, A_BOLD},       {BK, YE, A_BOLD},            {D, D, A_REVERSE | A_BOLD}},
    [THEME_SELECTED] =     {{BK, CY, 0},            {WH, BL, 0},            {BK, YE, A_BOLD},            {D, D, A_REVERSE}},
    [THEME_HEADING] =      {{CY, D, A_BOLD},        {BL, D, A_BOLD},        {YE, BK, A_BOLD},            {D, D, A_BOLD | A_UNDERLINE}},
    [THEME_CODE] =         {{YE, D, 0},             {MA, D, 0},             {CY, BK, 0},                 {D, D, 0}},
    [THEME_EMPHASIS] =     {{D, D, A_ITALIC},       {D, D, A_ITALIC},       {WH, BK, A_ITALIC},          {D, D, A_ITALIC}},
    [THEME_STRONG] =       {{WH, D, A_BOLD},        {BK, D, A_BOLD},        {WH, BK, A_BOLD},            {D, D, A_BOLD}},
    [THEME_LINK] =         {{BL, D, A_UNDERLINE},   {BL, D, A_UNDERLINE},   {CY, BK, A_UNDERLINE},       {D, D, A_UNDERLINE}},
    [THEME_BUTTON] =       {{BK, GR, 0},            {WH, GR, 0},            {BK, GR, A_BOLD},            {D, D, A_REVERSE}},
    [THEME_JWT_HEADER] =   {{RD, D, 0},             {RD, D, 0},             {RD, BK, A_BOLD},            {D, D, 0}},
    [THEME_JWT_PAYLOAD] =  {{MA, D, 0},             {MA, D, 0},             {MA, BK, A_BOLD},            {D, D, A_UNDERLINE}},
    [THEME_JWT_SIG] =      {{CY, D, 0},             {BL, D, 0},             {CY, BK, A_BOLD},            {D, D, A_BOLD}},
    [THEME_JSON_KEY] =     {{CY, D, 0},             {BL, D, 0},             {CY, BK, A_BOLD},            {D, D, A_BOLD}},
    [THEME_JSON_STRING] =  {{GR, D, 0},             {GR, D, 0},             {GR, BK, A_BOLD},            {D, D, 0}},
    [THEME_JSON_NUMBER] =  {{YE, D, 0},             {MA, D, 0},             {YE, BK, A_BOLD},            {D, D, 0}},
    [THEME_JSON_LITERAL] = {{MA, D, 0},             {RD, D, 0},             {MA, BK, A_BOLD},            {D, D, 0}},
    [THEME_JSON_PUNCT] =   {{D, D, 0},              {D, D, 0},              {WH, BK, 0},                 {D, D, 0}},
    [THEME_NOTE] =         {{D, D, A_DIM},          {D, D, A_DIM},          {WH, BK, 0},                 {D, D, A_DIM}},
    [THEME_OK] =           {{GR, D, A_BOLD},        {GR, D, A_BOLD},        {GR, BK, A_BOLD},            {D, D, A_BOLD}},
    [THEME_BAD] =          {{RD, D, A_BOLD},        {RD, D, A_BOLD},        {RD, BK, A_BOLD},            {D, D, A_BOLD | A_REVERSE}},
    [THEME_WARN] =         {{YE, D, A_BOLD},        {MA, D, A_BOLD},        {YE, BK, A_BOLD},            {D, D, A_BOLD | A_UNDERLINE}},
    [THEME_BAR] =          {{GR, D, 0},             {GR, D, 0},             {GR, BK, A_BOLD},            {D, D, 0}},
    [THEME_BAR_LOW] =      {{YE, D, 0},             {MA, D, 0},             {YE, BK, A_BOLD},            {D, D, A_BOLD}},
    [THEME_BAR_EXPIRED] =  {{RD, D, A_BOLD},        {RD, D, A_BOLD},        {RD, BK, A_BOLD},            {D, D, A_REVERSE}},
    [THEME_STATUS_UP] =    {{GR, CY, A_BOLD},       {GR, BL, A_BOLD},       {GR, WH, A_BOLD},            {D, D, A_REVERSE | A_BOLD}},
    [THEME_STATUS_DOWN] =  {{RD, CY, A_BOLD},       {RD, BL, A_BOLD},       {RD, WH, A_BOLD},            {D, D, A_REVERSE | A_BLINK}},
    [THEME_SERVER_VIEW] =  {{MA, D, 0},             {MA, D, 0},             {MA, BK, A_BOLD},            {D, D, A_ITALIC}},
    [THEME_SECRET] =       {{RD, D, 0},             {RD, D, 0},             {RD, BK, A_BOLD},            {D, D, A_DIM}},
    [THEME_TOKEN] =        {{YE, D, A_UNDERLINE},   {MA, D, A_UNDERLINE},   {YE, BK, A_UNDERLINE},       {D, D, A_UNDERLINE}},
    [THEME_ARROW] =        {{D, D, 0},              {D, D, 0},              {WH, BK, 0},                 {D, D, 0}},
    [THEME_ARROW_ACTIVE] = {{YE, D, A_BOLD},        {MA, D, A_BOLD},        {YE, BK, A_BOLD},            {D, D, A_BOLD | A_REVERSE}},
    [THEME_INPUT] =        {{WH, BL, 0},            {BK, WH, 0},            {WH, BL, A_BOLD},            {D, D, A_UNDERLINE}},
};
/* clang-format on */

static const char *const g_elem_names[THEME_COUNT] = {
#define THEME_NAME(name) #name,
    THEME_ELEMENTS(THEME_NAME)
#undef THEME_NAME
};

static theme_id g_theme = THEME_ID_MONO;

bool theme_parse(const char *name, theme_id *out)
{
    if (!name) return false;
    if (strcmp(name, "dark") == 0)
        *out = THEME_ID_DARK;
    else if (strcmp(name, "light") == 0)
        *out = THEME_ID_LIGHT;
    else if (strcmp(name, "high-contrast") == 0 || strcmp(name, "hc") == 0)
        *out = THEME_ID_HIGH_CONTRAST;
    else if (strcmp(name, "mono") == 0 || strcmp(name, "monochrome") == 0)
        *out = THEME_ID_MONO;
    else
        return false;
    return true;
}

const char *theme_name(theme_id id)
{
    static const char *const names[] = {"dark", "light", "high-contrast", "mono"};
    return names[id];
}

theme_id theme_apply(theme_id id)
{
    if (id != THEME_ID_MONO &&
        (!has_colors() || start_color() == ERR || COLOR_PAIRS < THEME_COUNT + 1))
        id = THEME_ID_MONO;
    if (id != THEME_ID_MONO) {
        use_default_colors();
        for (int i = 0; i < THEME_COUNT; i++)
            init_pair((short)(i + 1), g_table[i][id].fg, g_table[i][id].bg);
    }
    g_theme = id;
    return id;
}

attr_t theme_attr(theme_elem elem)
{
    if (elem < 0 || elem >= THEME_COUNT) elem = THEME_NORMAL;
    attr_t a = g_table[elem][g_theme].attrs;
    if (g_theme != THEME_ID_MONO) a |= (attr_t)COLOR_PAIR(elem + 1);
    return a;
}

const char *theme_elem_name(theme_elem elem)
{
    return elem >= 0 && elem < THEME_COUNT ? g_elem_names[elem] : "?";
}
