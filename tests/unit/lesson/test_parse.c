/* SPDX-License-Identifier: MIT */
/* Unit tests for src/lesson/parse.c and course.c: the lesson format and every lint message, each
 * asserting file:line and text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lesson/course.h"
#include "lesson/action.h"
#include "lesson/parse.h"

#define FM "---\nid: t\ntitle: T\nlevel: beginner\nminutes: 5\nrequires: []\nlab: []\n---\n"
/* FM is 8 lines: the body starts on line 9 */

static const char *GOOD = FM "# Title\n\nSome prose.\n\n"
                             "```json\n{\"a\": 1}\n```\n\n"
                             "```step s1\n"
                             "title: Log in\n"
                             "do: login alice@example.com wonderland\n"
                             "check: response.status == 200\n"
                             "check: not tokens.login.claim.admin exists\n"
                             "ok: Done\n"
                             "fail: response.status == 401 => Wrong password\n"
                             "hint: first\n"
                             "hint: second\n"
                             "  continued\n"
                             "```\n\n"
                             "```quiz q1\n"
                             "type: single\n"
                             "question: Who?\n"
                             "- [ ] a\n"
                             "- [x] b\n"
                             "explain: because\n"
                             "hint: h\n"
                             "```\n"
                             "```quiz q2\n"
                             "type: text\n"
                             "question: Code?\n"
                             "answer: 401\n"
                             "answer: 401 Unauthorized\n"
                             "explain: e\n"
                             "hint: h\n"
                             "```\n"
                             "```quiz q3\n"
                             "type: practical\n"
                             "task: Do it\n"
                             "check: response.status == 200\n"
                             "solution: api GET /api/profile token=login\n"
                             "explain: e\n"
                             "hint: h\n"
                             "```\n"
                             "Tail prose.\n";

static void test_good_lesson(void **state)
{
    (void)state;
    parse_diags d = {0};
    lesson *l = parse_lesson("t.md", GOOD, strlen(GOOD), &d);
    for (size_t i = 0; i < d.n; i++) fprintf(stderr, "%s\n", d.msgs[i]);
    assert_int_equal(d.n, 0);
    assert_non_null(l);
    assert_string_equal(l->id, "t");
    assert_string_equal(l->title, "T");
    assert_int_equal(l->minutes, 5);
    assert_string_equal(l->lang, "en");
    assert_int_equal(l->nsteps, 1);
    assert_int_equal(l->nquizzes, 3);
    assert_int_equal(parse_item_count(l), 4);
    /* blocks: prose, code, step, quiz, quiz, quiz, prose */
    assert_int_equal(l->nblocks, 7);
    assert_int_equal(l->blocks[0].kind, LESSON_PROSE);
    assert_int_equal(l->blocks[0].line, 9);
    assert_int_equal(l->blocks[1].kind, LESSON_CODE);
    assert_string_equal(l->blocks[1].lang, "json");
    assert_string_equal(l->blocks[1].text, "{\"a\": 1}");
    const lesson_step *s = parse_item(l, 0)->step;
    assert_string_equal(s->id, "s1");
    assert_int_equal(s->line, 17);
    assert_int_equal(s->nacts, 1);
    assert_int_equal(s->acts[0].argc, 3);
    assert_string_equal(s->acts[0].argv[0], "login");
    assert_int_equal(s->nchecks, 2);
    assert_true(s->checks[1].negate);
    assert_int_equal(s->checks[1].op, LESSON_OP_EXISTS);
    assert_string_equal(s->checks[1].path, "tokens.login.claim.admin");
    assert_int_equal(s->nfails, 1);
    assert_string_equal(s->fails[0].text, "Wrong password");
    assert_int_equal(s->nhints, 2);
    assert_string_equal(s->hints[1], "second continued");
    const lesson_quiz *q = parse_item(l, 1)->quiz;
    assert_int_equal(q->type, QUIZ_SINGLE);
    assert_int_equal(q->nopts, 2);
    assert_true(q->opts[1].correct);
    assert_string_equal(q->opts[1].text, "b");
    assert_int_equal(parse_item(l, 2)->quiz->nanswers, 2);
    assert_int_equal(parse_item(l, 3)->quiz->nsolution, 1);
    assert_int_equal(l->blocks[6].kind, LESSON_PROSE);
    assert_string_equal(l->blocks[6].text, "Tail prose.");
    parse_lesson_free(l);
    parse_diags_free(&d);
}

/* Parses `text` as "x.md" and asserts that the diagnostics contain exactly `want` (one of them). */
static void expect(const char *text, const char *want)
{
    parse_diags d = {0};
    lesson *l = parse_lesson("x.md", text, strlen(text), &d);
    bool found = false;
    for (size_t i = 0; i < d.n; i++)
        if (strcmp(d.msgs[i], want) == 0) found = true;
    if (!found) {
        fprintf(stderr, "wanted: %s\ngot %zu:\n", want, d.n);
        for (size_t i = 0; i < d.n; i++) fprintf(stderr, "  %s\n", d.msgs[i]);
    }
    assert_true(found);
    assert_null(l);
    parse_diags_free(&d);
}

static char *with_body(const char *body)
{
    static char buf[8192];
    snprintf(buf, sizeof buf, FM "%s", body);
    return buf;
}

static void test_front_matter_errors(void **state)
{
    (void)state;
    expect("# no front matter\n",
           "x.md:1: missing front matter: the file must start with a '---' line");
    expect("---\nid: a\ntitle: T\n", "x.md:1: front matter is not closed: no second '---' line");
    expect("---\nid: a\ntitle: T\ncolour: red\n---\n",
           "x.md:4: unknown front matter key 'colour' (known: id, title, level, minutes, requires, "
           "lab)");
    expect("---\ntitle: T\n---\n", "x.md:1: front matter: missing 'id'");
    expect("---\nid: a\n---\n", "x.md:1: front matter: missing 'title'");
    expect("---\nid: Bad_Id\ntitle: T\n---\n",
           "x.md:2: front matter 'id': 'Bad_Id' is not a valid id ([a-z0-9-]+)");
    expect("---\nid: a\ntitle: T\nlevel: expert\n---\n",
           "x.md:4: front matter 'level': 'expert' is not beginner, intermediate or advanced");
    expect("---\nid: a\ntitle: T\nminutes: ten\n---\n",
           "x.md:4: front matter 'minutes': 'ten' is not a number of minutes (1-600)");
    expect("---\nid: a\nid: b\ntitle: T\n---\n",
           "x.md:3: front matter key 'id' given twice (first on line 2)");
    expect("---\nid: a\ntitle: T\nnonsense\n---\n",
           "x.md:4: bad front matter line (expected 'key: value')");
    expect("---\nid: a\ntitle: T\nrequires: [a, B!]\n---\n",
           "x.md:4: front matter 'requires': 'B!' is not a valid id ([a-z0-9-]+)");
    expect("---\nid: a\ntitle: T\nlab: [alg-none\n---\n",
           "x.md:4: front matter 'lab': list is not closed with ']'");
    expect("---\nid: a\ntitle: T\nlab: [alg-none, time-travel]\n---\n",
           "x.md:4: front matter 'lab': unknown lab switch 'time-travel' (known: alg-none, "
           "alg-confusion, weak-secret, skip-exp, no-pkce, loose-redirect, code-reuse, "
           "password-grant, unbound-session, skip-aud)");
}

static void test_block_errors(void **state)
{
    (void)state;
    expect(with_body("```step s\ntitle: T\n"),
           "x.md:9: unterminated ```step block (no closing ``` line)");
    expect(with_body("```step\ntitle: T\n```\n"),
           "x.md:9: ```step block without an id (write ```step ID)");
    expect(with_body("```quiz Q\ntype: text\n```\n"),
           "x.md:9: quiz id 'Q' is not valid ([a-z0-9-]+)");
    expect(with_body("```step s\ntitle: T\ncolour: red\n```\n"),
           "x.md:11: unknown key 'colour' in step 's' (known: title, do, check, ok, fail, hint, "
           "solution)");
    expect(with_body("```step s\ndo: api GET /api/profile\nhint: h\n```\n"),
           "x.md:9: step 's' has no 'title:'");
    expect(with_body("```step s\ntitle: T\ncheck: response.status == 200\n```\n"),
           "x.md:9: step 's' has no 'hint:' (hands-on steps need at least one)");
    expect(with_body("```step s\ntitle: A\nhint: h\n```\n```step s\ntitle: B\nhint: h\n```\n"),
           "x.md:13: duplicate id 's' (first used on line 9)");
    /* the known actions are ACTION_LIST's, in its order (a new action must not edit this test) */
    char known[1024] = "x.md:11: unknown action 'fly' (known: ";
    const char *const *names = action_names();
    for (size_t i = 0; names[i]; i++)
        snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", names[i],
                 names[i + 1] ? ", " : ")");
    assert_non_null(strstr(known, "(known: login, api, decode, mint, tamper, resign, verify, "));
    expect(with_body("```step s\ntitle: T\ndo: fly away\nhint: h\n```\n"), known);
    expect(with_body("```step s\ntitle: T\ndo: login alice\nhint: h\n```\n"),
           "x.md:11: login: expected 2 positional arguments, got 1 (usage: login EMAIL PASSWORD)");
    expect(with_body("```step s\ntitle: T\ndo: api GET /x colour=red\nhint: h\n```\n"),
           "x.md:11: api: unknown argument 'colour' (usage: api METHOD PATH "
           "[token=access|login|decoder|none] [body=JSON] [dpop=off|other])");
    expect(with_body("```step s\ntitle: T\ndo: clock 15m\nhint: h\n```\n"),
           "x.md:11: clock: '15m' is not +DURATION (e.g. +15m, +2h) or reset");
    expect(with_body("```step s\ntitle: T\ndo: mint alg=HS999 secret=x\nhint: h\n```\n"),
           "x.md:11: mint: unknown alg 'HS999'");
    expect(with_body("```step s\ntitle: T\ndo: login \"alice wonderland\nhint: h\n```\n"),
           "x.md:11: action 'login \"alice wonderland': unterminated \" quote");
    expect(with_body("```step s\ntitle: T\ncheck: response.colour == 1\nhint: h\n```\n"),
           "x.md:11: unknown check path 'response.colour'");
    expect(with_body("```step s\ntitle: T\ncheck: response.status ~ 1\nhint: h\n```\n"),
           "x.md:11: unknown operator '~' (use ==, !=, contains, exists, <, >)");
    expect(with_body("```step s\ntitle: T\ncheck: response.status ==\nhint: h\n```\n"),
           "x.md:11: operator '==' needs a value");
    expect(with_body("```step s\ntitle: T\ncheck: response.status exists 1\nhint: h\n```\n"),
           "x.md:11: 'exists' takes no value (got '1')");
    expect(with_body("```step s\ntitle: T\ncheck: response.status < abc\nhint: h\n```\n"),
           "x.md:11: operator '<' compares numbers, 'abc' is not a number");
    expect(with_body("```step s\ntitle: T\ncheck: response.status == 1\nfail: response.status == "
                     "401\nhint: h\n```\n"),
           "x.md:12: 'fail:' needs 'CONDITION => feedback text'");
    expect(with_body("```step s\ntitle: T\nhint: h\njust words\n```\n"),
           "x.md:12: expected 'key: value' or an option '- [ ] text', got 'just words'");
}

static void test_quiz_errors(void **state)
{
    (void)state;
    expect(
        with_body(
            "```quiz q\ntype: single\nquestion: Q\n- [ ] a\n- [ ] b\nexplain: e\nhint: h\n```\n"),
        "x.md:10: single-choice quiz 'q' needs exactly one [x] option, found 0");
    expect(
        with_body(
            "```quiz q\ntype: single\nquestion: Q\n- [x] a\n- [x] b\nexplain: e\nhint: h\n```\n"),
        "x.md:10: single-choice quiz 'q' needs exactly one [x] option, found 2");
    expect(with_body(
               "```quiz q\ntype: multi\nquestion: Q\n- [ ] a\n- [ ] b\nexplain: e\nhint: h\n```\n"),
           "x.md:10: multiple-choice quiz 'q' needs at least one [x] option");
    expect(with_body("```quiz q\ntype: essay\nquestion: Q\nexplain: e\nhint: h\n```\n"),
           "x.md:10: unknown quiz type 'essay' (single, multi, text, practical)");
    expect(with_body("```quiz q\nquestion: Q\nexplain: e\nhint: h\n```\n"),
           "x.md:9: quiz 'q' has no 'type:' (single, multi, text, practical)");
    expect(with_body("```quiz q\ntype: text\nanswer: a\nexplain: e\nhint: h\n```\n"),
           "x.md:9: quiz 'q' has no 'question:' (or 'task:')");
    expect(with_body("```quiz q\ntype: text\nquestion: Q\nanswer: a\nhint: h\n```\n"),
           "x.md:9: quiz 'q' has no 'explain:'");
    expect(with_body("```quiz q\ntype: text\nquestion: Q\nanswer: a\nexplain: e\n```\n"),
           "x.md:9: quiz 'q' has no 'hint:'");
    expect(with_body("```quiz q\ntype: text\nquestion: Q\nexplain: e\nhint: h\n```\n"),
           "x.md:10: text quiz 'q' needs at least one 'answer:'");
    expect(with_body("```quiz q\ntype: practical\ntask: T\ncheck: response.status == 200\nexplain: "
                     "e\nhint: h\n```\n"),
           "x.md:10: practical quiz 'q' needs 'solution:' actions (the reference path)");
    expect(
        with_body(
            "```quiz q\ntype: practical\ntask: T\nsolution: userinfo\nexplain: e\nhint: h\n```\n"),
        "x.md:10: practical quiz 'q' needs at least one 'check:'");
    expect(with_body("```quiz q\ntype: text\nquestion: Q\nquestion: R\nanswer: a\nexplain: "
                     "e\nhint: h\n```\n"),
           "x.md:12: 'question:' given twice");
}

static void test_more_messages(void **state)
{
    (void)state;
    expect("---\nid: a\ntitle:\n---\n", "x.md:3: front matter 'title' is empty");
    expect("---\nid: a\ntitle: T\nlab: [a,,b]\n---\n",
           "x.md:4: front matter 'lab': empty list item");
    expect(with_body("```step s extra\ntitle: T\n```\n"),
           "x.md:9: unexpected text after the step id 's'");
    expect(with_body("```step s\ntitle: T\n- [x] a\n```\n"),
           "x.md:11: options ('- [ ] …') belong in a quiz, not in step 's'");
    expect(with_body("```step s\ntitle: T\nfail: response.status == 1 => x\nhint: h\n```\n"),
           "x.md:9: step 's' has 'fail:' feedback but no 'check:'");
    expect(with_body("```step s\ntitle: T\ncheck: response.status == 1\nfail: response.status == 2 "
                     "=>\nhint: h\n```\n"),
           "x.md:12: 'fail:' has no feedback text after '=>'");
    expect(with_body("```step s\ntitle: T\ndo:\nhint: h\n```\n"), "x.md:11: empty action");
    expect(with_body("```step s\ntitle: T\nhint:\n```\n"), "x.md:11: 'hint:' is empty");
    expect(with_body("```step s\ntitle: T\nok:\n```\n"), "x.md:11: 'ok:' is empty");
    expect(with_body("```quiz q\ntype: single\ntype: multi\nquestion: Q\n- [ ] a\n- [x] "
                     "b\nexplain: e\nhint: h\n```\n"),
           "x.md:11: 'type:' given twice");
    expect(with_body(
               "```quiz q\ntype: single\nquestion: Q\n- [ ]\n- [x] b\nexplain: e\nhint: h\n```\n"),
           "x.md:12: empty option text");
    expect(with_body("```quiz q\ntype: single\nquestion: Q\n- [x] b\nexplain: e\nhint: h\n```\n"),
           "x.md:10: single-choice quiz 'q' needs at least 2 options, found 1");
    expect(with_body("```quiz q\ntype: multi\nquestion: Q\n- [x] b\nexplain: e\nhint: h\n```\n"),
           "x.md:10: multiple-choice quiz 'q' needs at least 2 options, found 1");
    expect(
        with_body(
            "```quiz q\ntype: text\nquestion: Q\nanswer: a\n- [x] b\nexplain: e\nhint: h\n```\n"),
        "x.md:10: text quiz 'q' has options; use 'answer:' lines");
    expect(with_body("```quiz q\ntype: practical\ntask: T\ncheck: response.status == 1\nsolution: "
                     "userinfo\n- [x] b\nexplain: e\nhint: h\n```\n"),
           "x.md:10: practical quiz 'q' takes no options");
    expect(with_body("```quiz q\ntype: single\nquestion: Q\n- [ ] a\n- [x] b\nanswer: b\nexplain: "
                     "e\nhint: h\n```\n"),
           "x.md:10: choice quiz 'q' takes no 'answer:' lines");
    expect(with_body("```quiz q\ntype: text\nquestion: Q\nanswer:\nexplain: e\nhint: h\n```\n"),
           "x.md:12: 'answer:' is empty");
    expect(with_body("```quiz q\ntype: text\nquestion: Q\nanswer: a\nexplain: e\nhint: h\ncolour: "
                     "red\n```\n"),
           "x.md:15: unknown key 'colour' in quiz 'q' (known: type, question, task, answer, "
           "explain, hint, check, solution)");
}

static void test_action_messages(void **state)
{
    (void)state;
    struct {
        const char *action, *msg;
    } cases[] = {
        {"tamper sub=x", "tamper: 'sub=x' is not header.NAME=VALUE or claim.NAME=VALUE"},
        {"tamper claim.=x", "tamper: 'claim.=x' is not header.NAME=VALUE or claim.NAME=VALUE"},
        {"consent maybe", "consent: 'maybe' is not allow or deny"},
        {"device-approve a@b c maybe", "device-approve: 'maybe' is not allow or deny"},
        {"lab flip alg-none", "lab: 'flip' is not on or off"},
        {"lab on no-tls",
         "lab: unknown lab switch 'no-tls' (known: alg-none, alg-confusion, "
         "weak-secret, skip-exp, no-pkce, loose-redirect, code-reuse, password-grant, "
         "unbound-session, skip-aud)"},
        {"introspect id", "introspect: 'id' is not access or refresh"},
        {"revoke login", "revoke: 'login' is not access or refresh"},
        {"api GET api/profile", "api: the path 'api/profile' must start with '/'"},
        {"api GET /x token=cookie",
         "api: token=cookie is not access, login, id, refresh, decoder or none"},
        {"authorize pkce=S512", "authorize: pkce=S512 is not S256, plain or none"},
        {"mint alg=HS256 secret=s claims='[1]'",
         "mint: bad claims: expected a JSON object ({...}), found an array"},
        {"mint alg=HS256 secret=s exp=soon", "mint: exp=soon is not a duration (15m, -5m, none)"},
        {"device-poll now",
         "device-poll: expected 0 positional arguments, got 1 (usage: device-poll)"},
        {"device-approve a@b", "device-approve: expected 2 to 3 positional arguments, got 1 "
                               "(usage: device-approve EMAIL PASSWORD [allow|deny])"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char body[512], want[512];
        snprintf(body, sizeof body, "```step s\ntitle: T\ndo: %s\nhint: h\n```\n", cases[i].action);
        snprintf(want, sizeof want, "x.md:11: %s", cases[i].msg);
        expect(with_body(body), want);
    }
    /* and the good ones lint clean */
    const char *good[] = {"tamper header.alg=none claim.admin=true",
                          "resign none",
                          "resign alg=HS256 key=server-public-pem",
                          "clock +1h30m",
                          "clock reset",
                          "device-approve alice@example.com wonderland deny",
                          "mint alg=none claims='{\"sub\":\"x\"}' exp=-5m",
                          "verify jwks",
                          "crack wordlist=/tmp/w.txt",
                          "refresh token=old scope=\"notes:read\"",
                          "exchange verifier=wrong code=used"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        char body[512];
        snprintf(body, sizeof body, FM "```step s\ntitle: T\ndo: %s\nhint: h\n```\n", good[i]);
        parse_diags d = {0};
        lesson *l = parse_lesson("x.md", body, strlen(body), &d);
        if (!l) fail_msg("'%s' should lint clean: %s", good[i], d.n ? d.msgs[0] : "?");
        parse_lesson_free(l);
        parse_diags_free(&d);
    }
}

static void test_bytes(void **state)
{
    (void)state;
    char bad[] = FM "caf\xc3 x\n";
    expect(bad, "x.md:9: invalid UTF-8 at offset 74 (byte 0xc3)");
    char nul[sizeof(FM) + 8];
    size_t n = strlen(FM);
    memcpy(nul, FM "ab", n + 2);
    nul[n + 1] = 0;
    parse_diags d = {0};
    assert_null(parse_lesson("x.md", nul, n + 2, &d));
    assert_int_equal(d.n, 1);
    assert_string_equal(d.msgs[0], "x.md:9: NUL byte at offset 72 (a lesson is UTF-8 text)");
    parse_diags_free(&d);
    /* overlong encoding and surrogates are not UTF-8 */
    expect(FM "\xc0\xaf\n", "x.md:9: invalid UTF-8 at offset 71 (byte 0xc0)");
    expect(FM "\xed\xa0\x80\n", "x.md:9: invalid UTF-8 at offset 71 (byte 0xed)");
    size_t big = PARSE_MAX_FILE + 1;
    char *huge = malloc(big + 1);
    memset(huge, 'a', big);
    huge[big] = 0;
    d = (parse_diags){0};
    assert_null(parse_lesson("x.md", huge, big, &d));
    assert_string_equal(
        d.msgs[0], "x.md:1: file is too big (1048577 bytes; a lesson may have at most 1048576)");
    parse_diags_free(&d);
    free(huge);
    /* random garbage never crashes */
    srand(7);
    for (int round = 0; round < 300; round++) {
        char buf[512];
        size_t len = (size_t)(rand() % (int)sizeof buf);
        memcpy(buf, GOOD, len < strlen(GOOD) ? len : strlen(GOOD));
        for (int k = 0; k < 6 && len; k++) buf[rand() % (int)len] = (char)(rand() % 256);
        d = (parse_diags){0};
        lesson *l = parse_lesson("fuzz.md", buf, len, &d);
        parse_lesson_free(l);
        parse_diags_free(&d);
    }
}

static void test_words(void **state)
{
    (void)state;
    char **w;
    size_t n;
    assert_true(parse_words("authorize client=tokenlab-cli scope=\"openid notes:read\" x='a b'", &w,
                            &n, NULL));
    assert_int_equal(n, 4);
    assert_string_equal(w[2], "scope=openid notes:read");
    assert_string_equal(w[3], "x=a b");
    parse_words_free(w, n);
    tl_err e = {0};
    assert_false(parse_words("say \"hi", &w, &n, &e));
    assert_string_equal(e.msg, "unterminated \" quote");
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_course(void **state)
{
    (void)state;
    char dir[] = "/tmp/tl-course-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char p[256];
    snprintf(p, sizeof p, "%s/01-a.md", dir);
    write_file(p, "---\nid: a\ntitle: A\n---\n```quiz q\ntype: text\nquestion: Q\nanswer: "
                  "x\nexplain: e\nhint: h\n```\n");
    snprintf(p, sizeof p, "%s/02-b.md", dir);
    write_file(p, "---\nid: b\ntitle: B\nrequires: [a, zzz]\n---\nText\n");
    snprintf(p, sizeof p, "%s/02-b.de.md", dir);
    write_file(p, "---\nid: b\ntitle: B auf Deutsch\nrequires: [a]\n---\nText\n");
    snprintf(p, sizeof p, "%s/03-dup.md", dir);
    write_file(p, "---\nid: a\ntitle: Again\n---\n");
    snprintf(p, sizeof p, "%s/README.md", dir);
    write_file(p, "not a lesson\n");

    parse_diags d = {0};
    course_options o = {.dir = dir, .only_dir = true, .lang = "en_US.UTF-8"};
    course *c = course_load(&o, &d, NULL);
    assert_non_null(c);
    assert_int_equal(c->n, 2);
    assert_string_equal(c->lessons[0]->id, "a");
    assert_string_equal(c->lessons[1]->title, "B");
    assert_int_equal(course_question_count(c), 1);
    assert_int_equal(d.n, 2);
    char want[512];
    snprintf(want, sizeof want, "%s/03-dup.md:2: duplicate lesson id 'a' (also in %s/01-a.md)", dir,
             dir);
    assert_string_equal(d.msgs[0], want);
    snprintf(want, sizeof want, "%s/02-b.md:4: requires unknown lesson 'zzz'", dir);
    assert_string_equal(d.msgs[1], want);
    course_free(c);
    parse_diags_free(&d);

    o.lang = "de_DE.UTF-8";
    c = course_load(&o, &d, NULL);
    assert_non_null(c);
    assert_int_equal(c->n, 2);
    assert_string_equal(c->lessons[1]->title, "B auf Deutsch");
    assert_string_equal(c->lessons[1]->lang, "de");
    course_free(c);
    parse_diags_free(&d);

    char b[8];
    assert_string_equal(course_lang_from_locale("fr_FR.UTF-8", b, sizeof b), "fr");
    assert_string_equal(course_lang_from_locale("C.UTF-8", b, sizeof b), "en");
    assert_string_equal(course_lang_from_locale(NULL, b, sizeof b), "en");
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

/* The built-in course, then the user lessons folder ($XDG_DATA_HOME/tokenlab/lessons), then
 * --lessons DIR; a later folder's lesson with the same id replaces the earlier one. */
static void test_course_folders(void **state)
{
    (void)state;
    char home[] = "/tmp/tl-xdg-XXXXXX";
    assert_non_null(mkdtemp(home));
    char p[300];
    snprintf(p, sizeof p, "mkdir -p %s/tokenlab/lessons %s/extra", home, home);
    assert_int_equal(system(p), 0);
    snprintf(p, sizeof p, "%s/tokenlab/lessons/50-mine.md", home);
    write_file(p, "---\nid: mine\ntitle: Mine\nrequires: [jwt-anatomy]\n---\nText\n");
    snprintf(p, sizeof p, "%s/extra/60-api-auth.md", home);
    write_file(p, "---\nid: api-auth\ntitle: Replaced by the instructor\n---\nText\n");
    setenv("XDG_DATA_HOME", home, 1);
    parse_diags d = {0};
    course *base = course_load(&(course_options){.lang = "en"}, &d, NULL);
    assert_non_null(base);
    size_t nbuiltin = base->n - 1;
    assert_true(nbuiltin >= 12);
    assert_non_null(course_find(base, "mine", NULL));
    assert_int_equal(d.n, 0); /* requires: [jwt-anatomy] resolves against the built-in course */
    course_free(base);
    snprintf(p, sizeof p, "%s/extra", home);
    course *c = course_load(&(course_options){.dir = p, .lang = "en"}, &d, NULL);
    assert_non_null(c);
    assert_int_equal(c->n, nbuiltin + 1);
    size_t idx = 99;
    assert_string_equal(course_find(c, "api-auth", &idx)->title, "Replaced by the instructor");
    assert_int_equal(idx, 0); /* keeps its place in the course */
    course_free(c);
    parse_diags_free(&d);
    tl_err e = {0};
    assert_null(course_load(&(course_options){.dir = "/nonexistent/lessons"}, &d, &e));
    assert_string_equal(e.msg, "lesson folder /nonexistent/lessons: No such file or directory");
    parse_diags_free(&d);
    unsetenv("XDG_DATA_HOME");
    snprintf(p, sizeof p, "rm -rf %s", home);
    assert_int_equal(system(p), 0);
}

/* A translation keeps the step and question ids of its original (progress refers to them). */
static void test_translation_ids(void **state)
{
    (void)state;
    char dir[] = "/tmp/tl-tr-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char p[256];
    snprintf(p, sizeof p, "%s/01-c.md", dir);
    write_file(p, "---\nid: c\ntitle: C\n---\n```step one\ntitle: One\n```\n"
                  "```step two\ntitle: Two\n```\n");
    snprintf(p, sizeof p, "%s/01-c.fr.md", dir);
    write_file(p, "---\nid: c\ntitle: C en français\n---\n```step one\ntitle: Un\n```\n"
                  "```step deux\ntitle: Deux\n```\n");
    snprintf(p, sizeof p, "%s/02-orphan.fr.md", dir);
    write_file(p, "---\nid: orphan\ntitle: Orpheline\n---\n");
    parse_diags d = {0};
    course *c =
        course_load(&(course_options){.dir = dir, .only_dir = true, .lang = "en"}, &d, NULL);
    assert_non_null(c);
    assert_int_equal(d.n, 3);
    char want[512];
    snprintf(
        want, sizeof want,
        "%s/01-c.fr.md:8: 'deux' is not in the original %s/01-c.md (a translation keeps the ids)",
        dir, dir);
    assert_string_equal(d.msgs[0], want);
    snprintf(want, sizeof want, "%s/01-c.fr.md:1: the translation lacks 'two' (%s/01-c.md:8)", dir,
             dir);
    assert_string_equal(d.msgs[1], want);
    snprintf(want, sizeof want,
             "%s/02-orphan.fr.md:2: translation of 'orphan' has no original in this folder", dir);
    assert_string_equal(d.msgs[2], want);
    course_free(c);
    parse_diags_free(&d);
    snprintf(p, sizeof p, "rm -rf %s", dir);
    assert_int_equal(system(p), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_lesson),     cmocka_unit_test(test_front_matter_errors),
        cmocka_unit_test(test_block_errors),    cmocka_unit_test(test_quiz_errors),
        cmocka_unit_test(test_bytes),           cmocka_unit_test(test_more_messages),
        cmocka_unit_test(test_action_messages), cmocka_unit_test(test_words),
        cmocka_unit_test(test_course),          cmocka_unit_test(test_course_folders),
        cmocka_unit_test(test_translation_ids),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
