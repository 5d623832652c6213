/* SPDX-License-Identifier: MIT */
/* complete — shell completion. `tokenlab completions bash|zsh|fish` prints a small script for
 * the shell; on TAB that script runs `tokenlab __complete WORD… CURRENT` and offers what it
 * prints, one candidate per line ("candidate<TAB>description"), or the single line "__files" /
 * "__dirs" for the shell's own file-name completion.
 *
 * Nothing here lists an option by hand: the commands come from CLI_COMMANDS, each command's
 * options, subcommands and positional arguments from its own `--help` text (the same text the man
 * pages are made from), the values of --alg from the JOSE algorithm table, of --lab from the
 * server's lab switches, of --lesson from the course on disk, of --theme from the TUI's themes.
 * So a new option is completed the moment it is in --help. */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "jose/jws.h"
#include "lesson/course.h"
#include "lesson/parse.h"
#include "server/server.h"
#include "tui/theme.h"

#define HELP_MAX (64u * 1024)

/* `tokenlab-full [cmd] --help`, run as a child (each command prints its help itself, then exits),
 * into buf (NUL-terminated). Empty on any failure: completion offers less, never breaks. */
static void help_text(const char *cmd, char *buf, size_t n)
{
    buf[0] = '\0';
    int fd[2];
    if (pipe(fd) != 0) return;
    pid_t pid = fork();
    if (pid < 0) {
        close(fd[0]);
        close(fd[1]);
        return;
    }
    if (pid == 0) {
        dup2(fd[1], STDOUT_FILENO);
        close(fd[0]);
        close(fd[1]);
        char *argv[] = {"tokenlab", (char *)cmd, "--help", NULL};
        if (!cmd) {
            argv[1] = "--help";
            argv[2] = NULL;
        }
        execv("/proc/self/exe", argv);
        _exit(127);
    }
    close(fd[1]);
    size_t len = 0;
    ssize_t r;
    while (len + 1 < n && (r = read(fd[0], buf + len, n - 1 - len)) > 0) len += (size_t)r;
    buf[len] = '\0';
    close(fd[0]);
    waitpid(pid, NULL, 0);
}

/* The usage lines ("usage: tokenlab CMD …" and the "       tokenlab CMD …" forms under it, with
 * their indented continuations joined) and the option definition lines ("  -k, --key FILE …").
 * Callback per line; `usage` tells which kind. */
typedef void (*line_fn)(const char *line, bool usage, void *ctx);

static void each_line(const char *help, line_fn fn, void *ctx)
{
    char form[1024] = "";
    bool in_usage = false;
    for (const char *p = help; *p;) {
        const char *e = strchr(p, '\n');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        char line[512];
        snprintf(line, sizeof line, "%.*s", (int)(l < sizeof line ? l : sizeof line - 1), p);
        p += l + (e ? 1 : 0);
        const char *t = line;
        while (*t == ' ') t++;
        bool indented = t != line;
        if (strncmp(line, "usage: ", 7) == 0) {
            if (form[0]) fn(form, true, ctx);
            snprintf(form, sizeof form, "%s", line + 7);
            in_usage = true;
            continue;
        }
        if (in_usage && indented && *t) {
            if (strncmp(t, "tokenlab ", 9) == 0) {
                fn(form, true, ctx);
                snprintf(form, sizeof form, "%s", t);
            } else {
                size_t fl = strlen(form);
                snprintf(form + fl, sizeof form - fl, " %s", t);
            }
            continue;
        }
        if (in_usage) {
            fn(form, true, ctx);
            form[0] = '\0';
            in_usage = false;
        }
        if (indented && t[0] == '-') fn(t, false, ctx);
    }
    if (form[0]) fn(form, true, ctx);
}

typedef struct optinfo {
    char name[48];        /* "--key" */
    char placeholder[32]; /* "FILE", "" for a flag */
    char shortname[4];    /* "-k" or "" */
} optinfo;

typedef struct scan {
    optinfo opts[96];
    size_t nopts;
    char subs[16][24]; /* subcommands: list, check, reset; public, private, thumbprint; export */
    size_t nsubs;
    const char *cmd;
} scan;

static optinfo *opt_find(scan *s, const char *name)
{
    for (size_t i = 0; i < s->nopts; i++)
        if (strcmp(s->opts[i].name, name) == 0) return &s->opts[i];
    return NULL;
}

/* Every "--name[ PLACEHOLDER]" (and "-x, --name") in a line. */
static void scan_options(scan *s, const char *line)
{
    for (const char *p = line; (p = strstr(p, "--")) != NULL;) {
        if (p > line && (isalnum((unsigned char)p[-1]) || p[-1] == '-')) {
            p += 2;
            continue;
        }
        const char *q = p + 2;
        if (!islower((unsigned char)*q)) {
            p = q;
            continue;
        }
        while (islower((unsigned char)*q) || isdigit((unsigned char)*q) || *q == '-') q++;
        char name[48];
        snprintf(name, sizeof name, "%.*s", (int)(q - p), p);
        optinfo *o = opt_find(s, name);
        if (!o && s->nopts < sizeof s->opts / sizeof s->opts[0]) {
            o = &s->opts[s->nopts++];
            memset(o, 0, sizeof *o);
            snprintf(o->name, sizeof o->name, "%s", name);
        }
        if (o && !o->placeholder[0] && (*q == ' ' || *q == '=') && isupper((unsigned char)q[1])) {
            const char *r = q + 1;
            while (isupper((unsigned char)*r) || *r == '_' || *r == '|') r++;
            snprintf(o->placeholder, sizeof o->placeholder, "%.*s", (int)(r - q - 1), q + 1);
        }
        /* "-k, --key": the short form just before. */
        if (o && p >= line + 4 && p[-1] == ' ' && p[-2] == ',' && p[-5] == ' ' && p[-4] == '-' &&
            isalpha((unsigned char)p[-3]))
            snprintf(o->shortname, sizeof o->shortname, "-%c", p[-3]);
        p = q;
    }
}

/* "tokenlab lessons check [DIR] …": the word after the command when it is lower case is a
 * subcommand ("public|private|thumbprint" names three). */
static void scan_subcommands(scan *s, const char *form)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", form);
    char *save = NULL;
    char *w0 = strtok_r(buf, " ", &save), *w1 = strtok_r(NULL, " ", &save),
         *w2 = strtok_r(NULL, " ", &save);
    if (!w0 || !w1 || !w2 || strcmp(w0, "tokenlab") != 0 || !s->cmd || strcmp(w1, s->cmd) != 0)
        return;
    if (!islower((unsigned char)w2[0])) return;
    char *save2 = NULL;
    for (char *w = strtok_r(w2, "|", &save2); w; w = strtok_r(NULL, "|", &save2)) {
        bool dup = false;
        for (size_t i = 0; i < s->nsubs; i++) dup |= strcmp(s->subs[i], w) == 0;
        if (!dup && s->nsubs < sizeof s->subs / sizeof s->subs[0])
            snprintf(s->subs[s->nsubs++], sizeof s->subs[0], "%s", w);
    }
}

static void scan_line(const char *line, bool usage, void *ctx)
{
    scan *s = ctx;
    scan_options(s, line);
    if (usage) scan_subcommands(s, line);
}

/* The first positional placeholder of the usage form for `sub` (or the command's first form):
 * "FILE", "DIR", "LESSON", "ID", "TOKEN"; "" when none. */
typedef struct posfind {
    const char *cmd, *sub;
    char found[32];
} posfind;

static void find_positional(const char *line, bool usage, void *ctx)
{
    posfind *pf = ctx;
    if (!usage || pf->found[0]) return;
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", line);
    char *save = NULL;
    char *w = strtok_r(buf, " ", &save);
    if (!w || strcmp(w, "tokenlab") != 0) return;
    w = strtok_r(NULL, " ", &save);
    if (!w || strcmp(w, pf->cmd) != 0) return;
    w = strtok_r(NULL, " ", &save);
    if (pf->sub) {
        if (!w || !strstr(w, pf->sub)) return;
        w = strtok_r(NULL, " ", &save);
    }
    for (; w; w = strtok_r(NULL, " ", &save)) {
        while (*w == '[' || *w == '(') w++;
        if (*w == '-') return; /* options come after the positionals in our usage lines */
        if (isupper((unsigned char)*w)) {
            size_t l = 0;
            while (isupper((unsigned char)w[l]) || w[l] == '_') l++;
            snprintf(pf->found, sizeof pf->found, "%.*s", (int)l, w);
            return;
        }
    }
}

static bool starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void offer(const char *prefix, const char *cand, const char *desc, const char *cur)
{
    char full[256];
    snprintf(full, sizeof full, "%s%s", prefix, cand);
    if (!starts(full, cur)) return;
    if (desc && *desc)
        printf("%s\t%s\n", full, desc);
    else
        printf("%s\n", full);
}

static void offer_lessons(const char *prefix, const char *cur)
{
    course_options co = {0};
    parse_diags d = {0};
    tl_err e = {0};
    course *c = course_load(&co, &d, &e);
    parse_diags_free(&d);
    if (!c) return;
    for (size_t i = 0; i < c->n; i++) offer(prefix, c->lessons[i]->id, c->lessons[i]->title, cur);
    course_free(c);
}

/* The values of an option, by its name first (the tables the program itself uses), then by its
 * placeholder in --help (FILE, DIR). */
static void offer_values(const optinfo *o, const char *prefix, const char *cur)
{
    const char *n = o->name + 2;
    if (strcmp(n, "alg") == 0) {
        /* The signing algorithms (not "none": only `mint` takes it, and it should be typed). */
        for (int a = 0; a < JWS_ALG_COUNT; a++) {
            const char *name = jws_alg_name((jws_alg)a);
            if (a != JWS_ALG_NONE && a != JWS_ALG_UNKNOWN && name) offer(prefix, name, NULL, cur);
        }
    } else if (strcmp(n, "lab") == 0) {
        for (const char *const *l = server_lab_names(); *l; l++)
            offer(prefix, *l, server_lab_describe(*l), cur);
    } else if (strcmp(n, "lesson") == 0) {
        offer_lessons(prefix, cur);
    } else if (strcmp(n, "theme") == 0) {
        for (int t = THEME_ID_DARK; t <= THEME_ID_MONO; t++)
            offer(prefix, theme_name((theme_id)t), NULL, cur);
    } else if (strstr(o->placeholder, "DIR")) {
        puts("__dirs");
    } else if (strstr(o->placeholder, "FILE")) {
        puts("__files");
    }
}

static void offer_positional(const char *kind, const char *cur)
{
    if (strcmp(kind, "FILE") == 0)
        puts("__files");
    else if (strcmp(kind, "DIR") == 0)
        puts("__dirs");
    else if (strcmp(kind, "LESSON") == 0 || strcmp(kind, "ID") == 0)
        offer_lessons("", cur);
}

static bool is_command(const char *w)
{
#define CLI_IS(name, fn, summary)                                                                  \
    if (strcmp(w, #name) == 0) return true;
    CLI_COMMANDS(CLI_IS)
#undef CLI_IS
    return false;
}

static void offer_commands(const char *cur)
{
#define CLI_OFFER(name, fn, summary) offer("", #name, summary, cur);
    CLI_COMMANDS(CLI_OFFER)
#undef CLI_OFFER
    offer("", "help", "show the help of a command: help COMMAND", cur);
}

int cli_complete_main(int argc, char **argv)
{
    /* argv: "__complete", the words after "tokenlab", the last one being completed ("" at a
     * fresh word). */
    if (argc < 2) return CLI_OK;
    char **w = argv + 1;
    int n = argc - 1;
    const char *cur = w[n - 1];
    if (n == 1 && cur[0] != '-') {
        offer_commands(cur);
        return CLI_OK;
    }
    if (strcmp(w[0], "help") == 0) {
        if (n == 2) offer_commands(cur);
        return CLI_OK;
    }
    const char *cmd = is_command(w[0]) ? w[0] : NULL;
    static char help[HELP_MAX];
    help_text(cmd, help, sizeof help);
    scan s = {.cmd = cmd};
    each_line(help, scan_line, &s);
    if (!opt_find(&s, "--help")) scan_options(&s, "--help");

    /* A value: "--opt=CUR" (zsh and fish keep it one word), "--opt CUR", "-k CUR", and
     * "--opt = CUR" / "--opt =" (bash splits words at '='). */
    const char *eq = starts(cur, "--") ? strchr(cur, '=') : NULL;
    if (eq) {
        char name[48], prefix[64];
        snprintf(name, sizeof name, "%.*s", (int)(eq - cur), cur);
        snprintf(prefix, sizeof prefix, "%s=", name);
        const optinfo *o = opt_find(&s, name);
        if (o && o->placeholder[0]) offer_values(o, prefix, cur);
        return CLI_OK;
    }
    const char *prev = n >= 2 ? w[n - 2] : "";
    if (strcmp(cur, "=") == 0) {
        cur = "";
    } else if (strcmp(prev, "=") == 0 && n >= 3) {
        prev = w[n - 3];
    }
    const optinfo *po = prev[0] == '-' ? opt_find(&s, prev) : NULL;
    for (size_t i = 0; !po && prev[0] == '-' && prev[1] != '-' && i < s.nopts; i++)
        if (strcmp(s.opts[i].shortname, prev) == 0) po = &s.opts[i];
    if (po && po->placeholder[0]) {
        offer_values(po, "", cur);
        return CLI_OK;
    }
    if (cur[0] == '-') {
        for (size_t i = 0; i < s.nopts; i++) {
            offer("", s.opts[i].name, s.opts[i].placeholder, cur);
            if (s.opts[i].shortname[0] && strcmp(cur, "-") == 0)
                offer("", s.opts[i].shortname, s.opts[i].name, cur);
        }
        return CLI_OK;
    }
    if (!cmd) return CLI_OK;
    /* Positionals: the subcommand first, then what its usage form names. */
    const char *sub = NULL;
    for (size_t i = 0; i < s.nsubs && n >= 3; i++)
        if (strcmp(w[1], s.subs[i]) == 0) sub = s.subs[i];
    if (s.nsubs && n == 2) {
        for (size_t i = 0; i < s.nsubs; i++) offer("", s.subs[i], NULL, cur);
        return CLI_OK;
    }
    posfind pf = {.cmd = cmd, .sub = sub};
    each_line(help, find_positional, &pf);
    if (pf.found[0]) offer_positional(pf.found, cur);
    return CLI_OK;
}

/* The scripts: each asks `tokenlab __complete` and hands "__files"/"__dirs" to the shell. */
static const char BASH[] =
    "# bash completion for tokenlab (generated by `tokenlab completions bash`)\n"
    "_tokenlab() {\n"
    "    local cur=${COMP_WORDS[COMP_CWORD]} line\n"
    "    local -a cands=()\n"
    "    while IFS= read -r line; do cands+=(\"${line%%$'\\t'*}\"); done < <(\n"
    "        \"${COMP_WORDS[0]}\" __complete \"${COMP_WORDS[@]:1:COMP_CWORD}\" 2>/dev/null)\n"
    "    [ \"$cur\" = \"=\" ] && cur=\"\"\n"
    "    local IFS=$'\\n'\n"
    "    case \"${cands[0]}\" in\n"
    "    __files) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- \"$cur\")) ;;\n"
    "    __dirs) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- \"$cur\")) ;;\n"
    "    *) COMPREPLY=($(compgen -W \"${cands[*]}\" -- \"$cur\")) ;;\n"
    "    esac\n"
    "}\n"
    "complete -F _tokenlab tokenlab\n";

static const char ZSH[] =
    "#compdef tokenlab\n"
    "# zsh completion for tokenlab (generated by `tokenlab completions zsh`)\n"
    "_tokenlab() {\n"
    "    local -a out d\n"
    "    local l c\n"
    "    out=(\"${(@f)$(${words[1]} __complete \"${(@)words[2,CURRENT]}\" 2>/dev/null)}\")\n"
    "    case ${out[1]} in\n"
    "    __files) _files ;;\n"
    "    __dirs) _files -/ ;;\n"
    "    *)\n"
    "        for l in $out; do\n"
    "            [[ -n $l ]] || continue\n"
    "            c=${l%%$'\\t'*}; c=${c//:/\\\\:}\n"
    "            if [[ $l == *$'\\t'* ]]; then d+=(\"$c:${l#*$'\\t'}\"); else d+=(\"$c\"); fi\n"
    "        done\n"
    "        _describe -t values tokenlab d ;;\n"
    "    esac\n"
    "}\n"
    "if [[ ${funcstack[1]} == _tokenlab ]]; then _tokenlab \"$@\"; else compdef _tokenlab "
    "tokenlab; fi\n";

static const char FISH[] =
    "# fish completion for tokenlab (generated by `tokenlab completions fish`)\n"
    "function __tokenlab_complete\n"
    "    set -l tokens (commandline -opc)\n"
    "    set -l cur (commandline -ct)\n"
    "    set -l out ($tokens[1] __complete $tokens[2..-1] \"$cur\" 2>/dev/null)\n"
    "    switch \"$out[1]\"\n"
    "        case __files\n"
    "            __fish_complete_path \"$cur\"\n"
    "        case __dirs\n"
    "            __fish_complete_directories \"$cur\"\n"
    "        case '*'\n"
    "            printf '%s\\n' $out\n"
    "    end\n"
    "end\n"
    "complete -c tokenlab -f -a '(__tokenlab_complete)'\n";

int cli_completions_main(int argc, char **argv)
{
    const char *sh = argc >= 2 ? argv[1] : "";
    if (strcmp(sh, "--help") == 0 || strcmp(sh, "-h") == 0) {
        fputs("usage: tokenlab completions bash|zsh|fish\n\n"
              "Prints the completion script for the shell. Installed packages put it where the\n"
              "shell finds it; by hand:\n"
              "  bash   source <(tokenlab completions bash)        (in ~/.bashrc)\n"
              "  zsh    tokenlab completions zsh > ~/.zfunc/_tokenlab   (~/.zfunc in $fpath)\n"
              "  fish   tokenlab completions fish > ~/.config/fish/completions/tokenlab.fish\n"
              "The script asks tokenlab itself what to offer: commands, options, --alg values,\n"
              "lesson ids, lab switches, and file names where a file is expected.\n",
              stdout);
        return CLI_OK;
    }
    if (strcmp(sh, "bash") == 0)
        fputs(BASH, stdout);
    else if (strcmp(sh, "zsh") == 0)
        fputs(ZSH, stdout);
    else if (strcmp(sh, "fish") == 0)
        fputs(FISH, stdout);
    else {
        fprintf(stderr, "tokenlab completions: which shell? bash, zsh or fish (got '%s')\n", sh);
        return CLI_USAGE;
    }
    return CLI_OK;
}
