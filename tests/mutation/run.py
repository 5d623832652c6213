#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""make test-mutation: apply each one-line mutation of tests/mutation/mutations.txt to a copy of
the tree, rebuild incrementally, run the tests that guard the rule, and report which survived.

Usage: run.py [--build DIR] [--only NAME[,NAME…]] [--list] [--jobs N]

The real tree is never touched: the tracked and untracked-but-not-ignored files are mirrored into
DIR/tree (only files whose bytes changed are rewritten, so the build there stays incremental),
DIR/build is configured once (RelWithDebInfo, no -Werror: a mutation may leave an unused
variable), and each mutation rewrites one file of the mirror, rebuilds the targets its tests need,
runs them with ctest, and puts the file back.

Exit status: 0 when every mutation was killed; 1 when one survived, a pattern no longer applies
(it must match exactly once: the code moved, re-point it), a mutant does not compile, or the
unmutated tree fails its own tests (the baseline)."""
import argparse
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LIST = os.path.join(ROOT, "tests", "mutation", "mutations.txt")
FIELDS = ("rule", "file", "find", "find-re", "replace", "tests", "targets")


def parse(path):
    """Records separated by blank lines; `[name]` starts one; `key: value` lines; # comments."""
    muts, cur = [], None
    with open(path, encoding="utf-8") as f:
        for no, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            m = re.fullmatch(r"\[([A-Za-z0-9_.-]+)\]", line.strip())
            if m:
                cur = {"name": m.group(1), "line": no}
                muts.append(cur)
                continue
            m = re.fullmatch(r"([a-z-]+): ?(.*)", line)
            if not m or cur is None or m.group(1) not in FIELDS:
                sys.exit(f"{path}:{no}: expected [name] or one of {', '.join(FIELDS)}: {line}")
            if m.group(1) in cur:
                sys.exit(f"{path}:{no}: {m.group(1)} given twice in [{cur['name']}]")
            cur[m.group(1)] = m.group(2)
    names = set()
    for mu in muts:
        where = f"{path}:{mu['line']}: [{mu['name']}]"
        if mu["name"] in names:
            sys.exit(f"{where}: duplicate name")
        names.add(mu["name"])
        for k in ("rule", "file", "replace", "tests"):
            if k not in mu:
                sys.exit(f"{where}: missing {k}")
        if ("find" in mu) == ("find-re" in mu):
            sys.exit(f"{where}: give exactly one of find, find-re")
    return muts


def mirror(dst):
    """Copies the working tree's files (tracked + untracked, not ignored) into dst, rewriting only
    files whose content differs; removes mirrored files that are gone."""
    out = subprocess.run(["git", "-C", ROOT, "ls-files", "-z", "-c", "-o", "--exclude-standard"],
                         check=True, capture_output=True).stdout
    files = [f for f in out.decode().split("\0") if f and os.path.isfile(os.path.join(ROOT, f))]
    keep = set(files)
    for rel in files:
        src, d = os.path.join(ROOT, rel), os.path.join(dst, rel)
        with open(src, "rb") as f:
            data = f.read()
        try:
            with open(d, "rb") as f:
                if f.read() == data:
                    continue
        except FileNotFoundError:
            os.makedirs(os.path.dirname(d), exist_ok=True)
        with open(d, "wb") as f:
            f.write(data)
        shutil.copymode(src, d)
    for base, _, names in os.walk(dst):
        for n in names:
            rel = os.path.relpath(os.path.join(base, n), dst)
            if rel not in keep:
                os.unlink(os.path.join(base, n))


def apply(mu, text):
    """The mutated text, or an error message (the pattern must match exactly once)."""
    if "find" in mu:
        n = text.count(mu["find"])
        if n != 1:
            return None, f"pattern found {n} times, not once: {mu['find']!r}"
        return text.replace(mu["find"], mu["replace"]), None
    found = list(re.finditer(mu["find-re"], text, re.M))
    if len(found) != 1:
        return None, f"regex matched {len(found)} times, not once: {mu['find-re']!r}"
    m = found[0]
    return text[: m.start()] + m.expand(mu["replace"]) + text[m.end():], None


def targets_for(mu):
    """Build targets the tests need: a C test's own executable, the binaries for shell tests, the
    replay driver of a corpus test; plus `targets:` given in the record."""
    t = set(mu.get("targets", "").split())
    for name in mu["tests"].split():
        d, _, n = name.rpartition("/")
        if os.path.exists(os.path.join(ROOT, "tests", d, n + ".sh")):
            t.update(("tokenlab", "tokenlab-full"))
        elif d == "fuzz-corpus":
            t.add(n + "_replay")
        else:
            t.add(d.replace("/", "_") + "_" + n)
    return sorted(t)


def ctest_regex(names):
    return "^(" + "|".join(re.escape(n) for n in names) + ")$"


def run(cmd, cwd, log, timeout=None):
    with open(log, "ab") as f:
        f.write(("\n$ " + " ".join(cmd) + "\n").encode())
        f.flush()
        try:
            return subprocess.run(cmd, cwd=cwd, stdout=f, stderr=subprocess.STDOUT,
                                  timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            return 124


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build-mutation"))
    ap.add_argument("--only", default="")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--jobs", default=str(os.cpu_count() or 2))
    a = ap.parse_args()
    muts = parse(LIST)
    if a.only:
        want = set(a.only.split(","))
        unknown = want - {m["name"] for m in muts}
        if unknown:
            sys.exit(f"unknown mutation(s): {', '.join(sorted(unknown))}")
        muts = [m for m in muts if m["name"] in want]
    if a.list:
        for m in muts:
            print(f"{m['name']:32} {m['file']:28} {m['rule']}")
        return 0
    tree, build = os.path.join(a.build, "tree"), os.path.join(a.build, "build")
    os.makedirs(tree, exist_ok=True)
    log = os.path.join(a.build, "mutation.log")
    open(log, "w").close()
    mirror(tree)
    print(f"mutation testing: {len(muts)} mutations; tree copy {tree}; log {log}", flush=True)
    if not os.path.exists(os.path.join(build, "CMakeCache.txt")):
        if run(["cmake", "-S", tree, "-B", build, "-DCMAKE_BUILD_TYPE=RelWithDebInfo"], ROOT,
               log):
            sys.exit(f"cmake configure failed: see {log}")
    # every target any mutation needs, built once unmutated; then the baseline must pass
    alltargets = sorted({t for m in muts for t in targets_for(m)})
    if run(["cmake", "--build", build, "-j", a.jobs, "--target", *alltargets], ROOT, log):
        sys.exit(f"the unmutated tree does not build: see {log}")
    alltests = sorted({t for m in muts for t in m["tests"].split()})
    rc = run(["ctest", "--no-tests=error", "-j", a.jobs, "--timeout", "300", "--output-on-failure",
              "-R", ctest_regex(alltests)], build, log)
    if rc:
        sys.exit(f"baseline: the unmutated tree fails its tests (ctest exit {rc}): see {log}")
    results = []
    t_all = time.time()
    for i, mu in enumerate(muts, 1):
        path = os.path.join(tree, mu["file"])
        t0 = time.time()
        try:
            with open(path, encoding="utf-8") as f:
                orig = f.read()
        except FileNotFoundError:
            orig, err = None, f"{mu['file']} does not exist"
        mutated, err = apply(mu, orig) if orig is not None else (None, err)
        verdict = "stale"
        if mutated is not None:
            with open(path, "w", encoding="utf-8") as f:
                f.write(mutated)
            try:
                if run(["cmake", "--build", build, "-j", a.jobs, "--target", *targets_for(mu)],
                       ROOT, log):
                    verdict, err = "no-build", "the mutant does not compile"
                else:
                    tests = mu["tests"].split()
                    rc = run(["ctest", "--no-tests=error", "-j", a.jobs, "--timeout", "240", "-R",
                              ctest_regex(tests)], build, log, timeout=1800)
                    verdict = "killed" if rc else "SURVIVED"
                    if rc == 124:
                        err = "timed out (counted as killed)"
            finally:
                with open(path, "w", encoding="utf-8") as f:
                    f.write(orig)
        dt = time.time() - t0
        results.append((mu, verdict, err))
        print(f"[{i:2}/{len(muts)}] {verdict:9} {mu['name']:32} {dt:5.0f}s  {mu['rule']}"
              + (f"\n            {err}" if err and verdict != "killed" else ""), flush=True)
    # put the mirror back in step for the next run's incremental build
    targets = sorted({t for m in muts for t in targets_for(m)})
    run(["cmake", "--build", build, "-j", a.jobs, "--target", *targets], ROOT, log)
    killed = sum(1 for _, v, _ in results if v == "killed")
    print(f"\n{killed}/{len(results)} killed in {time.time() - t_all:.0f}s")
    bad = [(m, v, e) for m, v, e in results if v != "killed"]
    for m, v, e in bad:
        print(f"  {v}: [{m['name']}] {m['file']} ({LIST}:{m['line']}): {m['rule']}"
              + (f" — {e}" if e else ""))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
