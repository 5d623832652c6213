#!/bin/sh
# SPDX-License-Identifier: MIT
# Man pages from ONE source each, so they never disagree with what they document:
#   tokenlab(1), tokenlab-CMD(1)  help2man over `tokenlab-full [CMD] --help` (the commands and their
#                                 one-line summaries come from `tokenlab-full --help`, i.e. from
#                                 the CLI_COMMANDS table in src/cli/cli.h)
#   tokenlab-lessons(5)           lessons/README.md (the lesson format), converted below
# usage: man.sh pages FULL OUTDIR VERSION DATE SRCDIR
#        man.sh help FULL [CMD]     (internal: the --help text reshaped for help2man)
set -eu

# help2man wants GNU conventions: "Usage:" and one line per form ("  or:  tokenlab …"). Our usage
# blocks wrap long forms onto indented lines: join those. Drop the banner line of `tokenlab --help`
# (it becomes the NAME line anyway).
help_text() {
    "$@" --help | awk '
        NR == 1 && /^tokenlab [0-9]/ { skip_blank = 1; next }
        skip_blank && /^$/ { skip_blank = 0; next }
        { skip_blank = 0 }
        /^examples?:/ { exit }             # examples_of: they become an EXAMPLES section
        /^usage: / { sub(/^usage:/, "Usage:"); cur = $0; in_usage = 1; next }
        in_usage && /^ +tokenlab / { print cur; sub(/^ +/, ""); cur = "  or:  " $0; next }
        in_usage && /^ +[^ ]/ { sub(/^ +/, " "); cur = cur $0; next }
        in_usage { print cur; in_usage = 0; held = ""; }
        # A sentence at column 0 wrapped onto an indented line ("exit: 0 …,\n      2 …"): join.
        held != "" && /^ +[^ -]/ { sub(/^ +/, " "); held = held $0; next }
        held != "" { print held; held = "" }
        /^[^ ].*[^:]$/ { held = $0; next }
        { print }
        END { if (in_usage) print cur; if (held != "") print held }'
}

# The "examples:" block of a command's --help, as roff for an [EXAMPLES] section.
examples_of() {
    "$@" --help | awk '
        /^examples?:/ { on = 1; print "[EXAMPLES]"; print ".nf"; next }
        on && /^[^ ]/ { exit }
        on { sub(/^  /, ""); gsub(/\\/, "\\e"); if ($0 ~ /^[.\047]/) $0 = "\\&" $0; print }
        END { if (on) print ".fi" }'
}

# Characters outside ASCII as roff escapes (\(em, \(sc; others \[uXXXX]), so a page renders in any
# locale (an ASCII terminal shows -- for an em dash instead of ???).
roff_ascii() {
    perl -CSD -pe 's/\x{2014}/\\(em/g; s/\x{2013}/\\(en/g; s/\x{2026}/.../g; s/\x{00A7}/\\(sc/g;
        s/\x{00D7}/\\(mu/g; s/\x{2192}/\\(->/g; s/[\x{201C}\x{201D}]/"/g; s/[\x{2018}\x{2019}]/\x27/g;
        s/([^\x00-\x7f])/sprintf("\\[u%04X]", ord($1))/ge'
}

# lessons/README.md (CommonMark subset: headings, paragraphs, lists, fenced and indented code,
# pipe tables, `code` and **bold**) -> man(7).
md_to_man() {
    awk -v date="$2" -v version="$3" '
    function esc(s) {
        gsub(/\\/, "\\e", s)
        return s
    }
    function inline(s,   out, i, n, parts) {
        s = esc(s)
        while (match(s, /\*\*[^*]+\*\*/))
            s = substr(s, 1, RSTART - 1) "\\fB" substr(s, RSTART + 2, RLENGTH - 4) "\\fR" substr(s, RSTART + RLENGTH)
        while (match(s, /`[^`]+`/))
            s = substr(s, 1, RSTART - 1) "\\fB" substr(s, RSTART + 1, RLENGTH - 2) "\\fR" substr(s, RSTART + RLENGTH)
        return s
    }
    function line(s) {
        if (s ~ /^[.\047]/) s = "\\&" s
        print s
    }
    function para() { if (need_pp && !fresh) print ".PP"; need_pp = 0; fresh = 0 }
    function code_line(s) { s = esc(s); if (s ~ /^[.\047]/) s = "\\&" s; print s }
    BEGIN {
        print ".TH TOKENLAB-LESSONS 5 " date " \"tokenlab " version "\" \"File Formats\""
        print ".ad l"    # ragged right: long unbreakable words (JSON, URLs) cannot be justified
        print ".SH NAME"
        print "tokenlab-lessons \\- the tokenlab lesson file format"
        print ".SH DESCRIPTION"
        fresh = 1
    }
    fence { if ($0 ~ /^```/) { print ".EE"; fence = 0; need_pp = 1 } else code_line($0); next }
    /^```/ { para(); print ".EX"; fence = 1; next }
    indented && /^    / { code_line(substr($0, 5)); next }
    indented && /^$/ { code_line(""); next }
    indented { print ".EE"; indented = 0; need_pp = 1 }
    /^# / { next }
    /^## / { print ".SH " toupper(substr($0, 4)); need_pp = 0; fresh = 1; next }
    /^### / { print ".SS " substr($0, 5); need_pp = 0; fresh = 1; next }
    /^$/ { need_pp = 1; in_list = 0; next }
    /^    / && need_pp { para(); print ".EX"; need_pp = 0; indented = 1; code_line(substr($0, 5)); next }
    /^\|/ {
        if ($0 ~ /^\|[-| :]+\|$/) next
        if (!table) { table = 1; need_pp = 0; fresh = 0; next }   # the header row names the columns
        s = $0
        gsub(/\\\|/, "\001", s)
        n = split(s, c, "|")
        print ".TP"
        t = c[2]; gsub(/^ +| +$/, "", t); gsub("\001", "|", t); line(inline(t))
        rest = ""
        for (i = 3; i < n; i++) { t = c[i]; gsub(/^ +| +$/, "", t); gsub("\001", "|", t); rest = rest (rest == "" ? "" : " \\(em ") t }
        line(inline(rest))
        next
    }
    { table = 0 }
    /^[-*] / { print ".IP \\(bu 2"; line(inline(substr($0, 3))); in_list = 1; need_pp = 0; fresh = 0; next }
    { para(); s = $0; sub(/^ +/, "", s); line(inline(s)) }
    END { if (fence || indented) print ".EE"
          print ".SH SEE ALSO"
          print ".BR tokenlab (1),"
          print ".BR tokenlab\\-lessons (1)" }
    ' "$1"
}

cmd=$1
shift
case "$cmd" in
help)
    help_text "$@"
    ;;
pages)
    full=$1 out=$2 version=$3 date=$4 src=$5
    mkdir -p "$out/bin"
    cmds=$("$full" --help | awk '/^commands:/ { on = 1; next } on && /^$/ { exit } on { print $1 }')
    see="tokenlab (1)"
    for c in $cmds; do see="$see tokenlab-$c (1)"; done
    see="$see tokenlab-lessons (5)"
    { echo "[SEE ALSO]"; first=1
      for s in $see; do
          case "$s" in "("*) printf ' %s' "$s"; continue ;; esac
          [ $first = 1 ] || printf ',\n'; first=0
          printf '.BR %s' "$(echo "$s" | sed 's/-/\\-/g')"
      done; printf '\n'; } >"$out/see-also.h2m"
    self=$(cd "$(dirname "$0")" && pwd)/man.sh
    gen() { # NAME CMD SUMMARY
        w="$out/bin/$1"
        printf '#!/bin/sh\nexec sh "%s" help "%s" %s\n' "$self" "$full" "$2" >"$w"
        chmod +x "$w"
        # shellcheck disable=SC2086
        examples_of "$full" $2 >"$out/examples.h2m"
        [ -s "$out/examples.h2m" ] || echo "[EXAMPLES]" >"$out/examples.h2m"
        help2man --locale=C.UTF-8 --no-info --no-discard-stderr --section=1 --version-string="$version" \
            --name="$3" --include="$out/examples.h2m" --include="$out/see-also.h2m" "$w" |
            sed -e "s/^\.TH .*/.TH $(echo "$1" | tr a-z A-Z) 1 $date \"tokenlab $version\" \"User Commands\"\\
.ad l/" \
                -e '/^\.\\" DO NOT MODIFY THIS FILE!/d' |
            roff_ascii >"$out/$1.1.tmp"
        mv "$out/$1.1.tmp" "$out/$1.1"
    }
    gen tokenlab "" "learn how API authentication really works (JWT, OAuth 2.0, OIDC)"
    for c in $cmds; do
        summary=$("$full" --help | awk -v c="$c" '/^commands:/ { on = 1; next } on && $1 == c { $1 = ""; sub(/^ +/, ""); print; exit }')
        gen "tokenlab-$c" "$c" "$summary"
    done
    md_to_man "$src/lessons/README.md" "$date" "$version" | roff_ascii >"$out/tokenlab-lessons.5.tmp"
    mv "$out/tokenlab-lessons.5.tmp" "$out/tokenlab-lessons.5"
    rm -rf "$out/bin" "$out/see-also.h2m" "$out/examples.h2m"
    ;;
*)
    echo "usage: man.sh pages FULL OUTDIR VERSION DATE SRCDIR" >&2
    exit 2
    ;;
esac
