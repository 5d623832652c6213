/* SPDX-License-Identifier: MIT */
/* Unit tests of the TUI's pure parts: the action table (no key bound twice where both apply, names
 * round-trip), text layout (widths, wrapping, hanging indents, fitting), themes, flow diagrams. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tui/doc.h"
#include "tui/keys.h"
#include "tui/pane_flow.h"
#include "tui/theme.h"

static void test_no_key_bound_twice(void **state)
{
    (void)state;
    size_t n;
    const keys_entry *k = keys_table(&n);
    assert_true(n > 20);
    for (size_t i = 0; i < n; i++) {
        int ki[2] = {k[i].key, k[i].alt};
        for (size_t j = i + 1; j < n; j++) {
            int kj[2] = {k[j].key, k[j].alt};
            for (int a = 0; a < 2; a++)
                for (int b = 0; b < 2; b++) {
                    if (!ki[a] || ki[a] != kj[b]) continue;
                    if (k[i].ctx & k[j].ctx)
                        fail_msg("key %s is bound to actions %zu and %zu in the same context",
                                 keys_name(ki[a]), i, j);
                }
        }
    }
}

static void test_every_action_explained(void **state)
{
    (void)state;
    size_t n;
    const keys_entry *k = keys_table(&n);
    for (size_t i = 0; i < n; i++) {
        assert_non_null(k[i].help);
        assert_true(strlen(k[i].help) > 8);
        assert_true(k[i].ctx != 0);
        assert_int_equal(k[i].act, (int)i + 1); /* the enum and the table stay in step */
    }
}

static void test_lookup_by_context(void **state)
{
    (void)state;
    assert_int_equal(keys_lookup('q', CTX_GLOBAL), ACT_QUIT);
    assert_int_equal(keys_lookup('K', CTX_DECODER), ACT_KEY);
    assert_int_equal(keys_lookup('K', CTX_LESSON), ACT_NONE); /* decoder-only */
    assert_int_equal(keys_lookup('r', CTX_TRACE), ACT_REVEAL);
    assert_int_equal(keys_lookup(TK_FN | KEY_F(1), CTX_GLOBAL), ACT_HELP);
    assert_int_equal(keys_lookup('j', CTX_FLOW), ACT_DOWN);
    assert_int_equal(keys_lookup('\n', CTX_TRACE), ACT_ACTIVATE);
    assert_int_equal(keys_lookup(0, CTX_GLOBAL), ACT_NONE);
}

static void test_key_names(void **state)
{
    (void)state;
    assert_int_equal(keys_parse("<Tab>"), '\t');
    assert_string_equal(keys_name('\t'), "Tab");
    assert_int_equal(keys_parse("<S-Tab>"), TK_FN | KEY_BTAB);
    assert_int_equal(keys_parse("<Enter>"), '\n');
    assert_int_equal(keys_parse("<esc>"), TK_ESC);
    assert_int_equal(keys_parse("<C-u>"), 21);
    assert_string_equal(keys_name(21), "C-u");
    assert_int_equal(keys_parse("<F1>"), TK_FN | KEY_F(1));
    assert_string_equal(keys_name(TK_FN | KEY_F(1)), "F1");
    assert_int_equal(keys_parse("<PgDn>"), TK_FN | KEY_NPAGE);
    assert_int_equal(keys_parse("x"), 'x');
    assert_int_equal(keys_parse("<lt>"), '<');
    assert_int_equal(keys_parse("<Nope>"), -1);
    assert_int_equal(keys_parse("<F13>"), -1);
    assert_int_equal(keys_parse("ab"), -1);
}

static void test_widths(void **state)
{
    (void)state;
    assert_int_equal(ui_width("abc"), 3);
    assert_int_equal(ui_width("→ ab"), 4); /* U+2192: one column */
    assert_int_equal(ui_width("日本"), 4); /* wide */
    assert_int_equal(ui_width("a\xff"
                              "b"),
                     3); /* an invalid byte counts one */
    assert_int_equal(ui_width(""), 0);
}

static void test_wrapping(void **state)
{
    (void)state;
    doc *d = doc_new();
    doc_put(d, THEME_NORMAL, "aaa bbb ccc");
    assert_int_equal(doc_rows(d, 7), 2); /* "aaa bbb " / "ccc" */
    assert_int_equal(doc_rows(d, 11), 1);
    assert_int_equal(doc_rows(d, 3), 3); /* no row starts with the space it broke at */
    doc_clear(d);
    doc_put(d, THEME_NORMAL, "abc   ");
    assert_int_equal(doc_rows(d, 3), 1); /* trailing spaces make no empty row */
    doc_clear(d);
    doc_put(d, THEME_NORMAL, "eyJhbGciOiJIUzI1NiJ9"); /* 20 chars, no spaces: hard wrap */
    assert_int_equal(doc_rows(d, 8), 3);
    doc_put(d, THEME_NORMAL, "\nsecond\n\nfourth");
    assert_int_equal(doc_line_count(d), 4);
    assert_int_equal(doc_line_row(d, 1, 8), 3);
    assert_int_equal(doc_line_row(d, 3, 8), 5);
    assert_int_equal(doc_rows(d, 8), 6);
    doc_clear(d);
    /* an indented word wider than the row (a token in a code block): the indentation is not a
     * break point, so no row of only spaces comes first */
    doc_put(d, THEME_NORMAL, "    .eyJzdWIiOiJhbGljZSIsIm5hbWUiO"); /* 4 + 30 columns */
    assert_int_equal(doc_rows(d, 20), 2); /* 20 | 14, not "    " | 20 | 10 */
    doc_clear(d);
    doc_put(d, THEME_NORMAL, "  ab cd"); /* a space after text still breaks */
    assert_int_equal(doc_rows(d, 5), 2); /* "  ab " / "cd" */
    doc_free(d);
}

static void test_hanging_indent(void **state)
{
    (void)state;
    doc *d = doc_new();
    /* 3 words of 9 + spaces: at width 20 the first row holds two words; with a hang of 4 the
     * continuation rows are 16 wide */
    doc_put(d, THEME_NORMAL, "123456789 123456789 123456789 123456789");
    assert_int_equal(doc_rows(d, 20), 2);
    doc_hang(d, 4);
    assert_int_equal(doc_rows(d, 20), 3); /* 20 | 16 | 16 */
    doc_hang(d, 15);                      /* leaves less than 12 columns: ignored */
    assert_int_equal(doc_rows(d, 20), 2);
    doc_free(d);
}

static void test_fit_and_width(void **state)
{
    (void)state;
    doc *d = doc_new();
    doc_put(d, THEME_NORMAL, "ab");
    assert_int_equal(doc_cur_width(d), 2);
    doc_put_fit(d, THEME_NOTE, "abcdefgh", 5);
    assert_int_equal(doc_cur_width(d), 7); /* "ab" + "abcd…" */
    doc_put_fit(d, THEME_NOTE, "xyz", 5);  /* fits: unchanged */
    assert_int_equal(doc_cur_width(d), 10);
    doc_put_fit(d, THEME_NOTE, "xyz", 0);
    assert_int_equal(doc_cur_width(d), 10);
    doc_nl(d);
    assert_int_equal(doc_cur_width(d), 0);
    doc_free(d);
}

static void test_themes(void **state)
{
    (void)state;
    theme_id t;
    assert_true(theme_parse("dark", &t));
    assert_int_equal(t, THEME_ID_DARK);
    assert_true(theme_parse("hc", &t));
    assert_int_equal(t, THEME_ID_HIGH_CONTRAST);
    assert_true(theme_parse("monochrome", &t));
    assert_int_equal(t, THEME_ID_MONO);
    assert_false(theme_parse("Dark", &t));
    assert_false(theme_parse(NULL, &t));
    assert_string_equal(theme_name(THEME_ID_LIGHT), "light");
    assert_string_equal(theme_elem_name(THEME_JWT_SIG), "JWT_SIG");
}

static void test_flows_parse(void **state)
{
    (void)state;
    pane_flow *p = pane_flow_new(NULL);
    static const char *const names[] = {"jwt-login", "auth-code-pkce", "client-credentials",
                                        "refresh", "device"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *err = pane_flow_error(p, names[i]);
        if (err) fail_msg("%s: %s", names[i], err);
        const char *ids[40];
        assert_true(pane_flow_steps(p, names[i], ids, 40) >= 4);
    }
    const char *ids[40];
    assert_int_equal(pane_flow_steps(p, "auth-code-pkce", ids, 40), 10);
    assert_string_equal(ids[1], "pkce");
    assert_string_equal(ids[6], "exchange");
    assert_null(ids[10]);
    assert_string_equal(pane_flow_error(p, "nope"), "no such flow");
    pane_flow_free(p);
}

int main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_key_bound_twice),
        cmocka_unit_test(test_every_action_explained),
        cmocka_unit_test(test_lookup_by_context),
        cmocka_unit_test(test_key_names),
        cmocka_unit_test(test_widths),
        cmocka_unit_test(test_wrapping),
        cmocka_unit_test(test_hanging_indent),
        cmocka_unit_test(test_fit_and_width),
        cmocka_unit_test(test_themes),
        cmocka_unit_test(test_flows_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
