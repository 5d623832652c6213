/* SPDX-License-Identifier: MIT */
/* Interop for every JWS algorithm, both directions, against two independent implementations:
 * Debian's python3-jwt (PyJWT + cryptography, run with /usr/bin/python3) and the Go `jwt` CLI
 * (golang-jwt, /usr/bin/jwt). Tokens minted by tokenlab must verify there; tokens minted there must
 * verify here; and a wrong key must fail on both sides, so a harness that accepts everything
 * cannot pass. Missing tools are a failure, not a skip (scripts/deps.sh test installs them). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/fileio.h"
#include "jose/jwk.h"
#include "jose/jws.h"

#define PYTHON "/usr/bin/python3"
#define GOJWT  "/usr/bin/jwt"

static char dir[128];
static int failures;
static jwk *rsa_pair[2];

/* One python3 process serves every request (one line in, one line out), so the interpreter and
 * cryptography start once instead of forty times. */
static const char py_script[] =
    "import sys, jwt\n"
    "for line in sys.stdin:\n"
    "    mode, alg, keyfile, *rest = line.split()\n"
    "    key = open(keyfile, 'rb').read()\n"
    "    try:\n"
    "        if mode == 'verify':\n"
    "            out = 'OK ' + jwt.decode(rest[0], key, algorithms=[alg])['sub']\n"
    "        else:\n"
    "            out = 'OK ' + jwt.encode({'sub': 'from-python', 'n': 1}, key, algorithm=alg)\n"
    "    except Exception as ex:\n"
    "        out = 'ERR ' + type(ex).__name__ + ': ' + str(ex).replace('\\n', ' ')\n"
    "    print(out, flush=True)\n";

static FILE *py_in, *py_out;
static pid_t py_pid;

static bool py_start(const char *script)
{
    int to[2], from[2];
    if (pipe(to) != 0 || pipe(from) != 0) return false;
    py_pid = fork();
    if (py_pid < 0) return false;
    if (py_pid == 0) {
        dup2(to[0], 0);
        dup2(from[1], 1);
        dup2(from[1], 2);
        close(to[1]);
        close(from[0]);
        execl(PYTHON, PYTHON, script, (char *)NULL);
        _exit(127);
    }
    close(to[0]);
    close(from[1]);
    py_in = fdopen(to[1], "w");
    py_out = fdopen(from[0], "r");
    return py_in && py_out;
}

/* Sends one request; the reply (without its "OK " / "ERR " tag) lands in out. True for OK. */
static bool py_call(char *out, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool py_call(char *out, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(py_in, fmt, ap);
    va_end(ap);
    fputc('\n', py_in);
    fflush(py_in);
    if (!fgets(out, (int)n, py_out)) {
        snprintf(out, n, "python3 exited");
        return false;
    }
    out[strcspn(out, "\n")] = '\0';
    bool ok = strncmp(out, "OK ", 3) == 0;
    size_t skip = ok ? 3 : strncmp(out, "ERR ", 4) == 0 ? 4 : 0;
    memmove(out, out + skip, strlen(out + skip) + 1);
    return ok;
}

static void py_stop(void)
{
    if (py_in) fclose(py_in);
    if (py_out) fclose(py_out);
    if (py_pid > 0) waitpid(py_pid, NULL, 0);
}

static void check(bool ok, const char *what, const char *alg, const char *detail)
{
    printf("%-4s %-6s %s%s%s\n", ok ? "ok" : "FAIL", alg, what, detail && *detail ? ": " : "",
           detail ? detail : "");
    if (!ok) failures++;
}

/* Runs a shell command; returns its exit status and its whole output (stdout and, when the
 * command says 2>&1, stderr). */
static int run(const char *cmd, char *out, size_t n)
{
    out[0] = '\0';
    FILE *p = popen(cmd, "r");
    if (!p) return -1;
    size_t got = fread(out, 1, n - 1, p);
    out[got] = '\0';
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void write_file(const char *name, const void *data, size_t len, char *path, size_t n)
{
    snprintf(path, n, "%s/%s", dir, name);
    tl_err e = {0};
    if (!fileio_write_atomic(path, data, len, &e)) {
        fprintf(stderr, "cannot write %s: %s\n", path, e.msg);
        exit(1);
    }
}

/* Writes the private and public key files both tools read: PEM, or the raw secret for HMAC. */
static void key_files(const jwk *k, const char *tag, char *priv, char *pub, size_t n)
{
    char name[64];
    if (jwk_type(k) == JWK_KTY_OCT) {
        size_t len;
        const uint8_t *s = jwk_secret(k, &len);
        snprintf(name, sizeof name, "%s.key", tag);
        write_file(name, s, len, priv, n);
        snprintf(pub, n, "%s", priv);
        return;
    }
    tl_err e = {0};
    char *pp = jwk_to_pem(k, true, &e), *pu = jwk_to_pem(k, false, &e);
    if (!pp || !pu) {
        fprintf(stderr, "PEM export failed: %s\n", e.msg);
        exit(1);
    }
    snprintf(name, sizeof name, "%s-priv.pem", tag);
    write_file(name, pp, strlen(pp), priv, n);
    snprintf(name, sizeof name, "%s-pub.pem", tag);
    write_file(name, pu, strlen(pu), pub, n);
    free(pp);
    free(pu);
}

static void first_line(char *s)
{
    char *nl = strchr(s, '\n');
    if (nl) *nl = '\0';
}

static bool verify_here(const char *token, const char *pubfile, jws_alg alg, const char *want_sub,
                        char *why, size_t n)
{
    why[0] = '\0';
    char *text;
    size_t len;
    tl_err e = {0};
    jwk *k = NULL;
    jws *t = NULL;
    bool ok = fileio_read(pubfile, 1 << 20, &text, &len, &e);
    if (ok) {
        if (alg >= JWS_HS256 && alg <= JWS_HS512) {
            k = jwk_from_secret((const uint8_t *)text, len);
            ok = k != NULL;
        } else {
            ok = jwk_from_pem(text, len, &k, &e);
        }
        free(text);
    }
    ok = ok && jws_parse(token, strlen(token), &t, &e) && jws_verify(t, k, &alg, 1, &e);
    if (ok) {
        const char *sub = json_string_value(json_object_get(t->claims, "sub"));
        if (!sub || strcmp(sub, want_sub) != 0) {
            ok = false;
            snprintf(why, n, "sub is %s", sub ? sub : "(missing)");
        }
    } else {
        snprintf(why, n, "%s: %s", e.code ? e.code : "?", e.msg);
    }
    jws_free(t);
    jwk_free(k);
    return ok;
}

static void one_alg(jws_alg alg)
{
    const char *an = jws_alg_name(alg);
    jwk *k = NULL, *other = NULL;
    tl_err e = {0};
    bool rsa = alg >= JWS_RS256 && alg <= JWS_PS512;
    /* RSA keys are slow to make: the six RS and PS algorithms share one pair. */
    if (rsa && rsa_pair[0]) {
        k = jwk_ref(rsa_pair[0]);
        other = jwk_ref(rsa_pair[1]);
    } else if (!jwk_generate(alg, 0, &k, &e) || !jwk_generate(alg, 0, &other, &e)) {
        check(false, "generate key", an, e.msg);
        return;
    }
    if (rsa && !rsa_pair[0]) {
        rsa_pair[0] = jwk_ref(k);
        rsa_pair[1] = jwk_ref(other);
    }
    char priv[256], pub[256], opriv[256], opub[256], cmd[8192], out[8192], why[600];
    key_files(k, an, priv, pub, sizeof priv);
    char otag[32];
    snprintf(otag, sizeof otag, "%s-other", an);
    key_files(other, otag, opriv, opub, sizeof opriv);

    /* tokenlab -> others */
    const char *claims = "{\"sub\":\"from-tokenlab\",\"n\":1}";
    char *tok = NULL;
    if (!jws_sign(NULL, (const uint8_t *)claims, strlen(claims), alg, k, false, &tok, &e)) {
        check(false, "tokenlab signs", an, e.msg);
        goto out;
    }
    bool pok = py_call(out, sizeof out, "verify %s %s %s", an, pub, tok);
    check(pok && strcmp(out, "from-tokenlab") == 0, "tokenlab -> python3-jwt verifies", an,
          pok ? "" : out);
    pok = py_call(out, sizeof out, "verify %s %s %s", an, opub, tok);
    /* Rejected for the right reason, not because the harness is broken. */
    bool bad_sig = strstr(out, "InvalidSignatureError") != NULL;
    check(!pok && bad_sig, "python3-jwt rejects it under another key", an,
          pok       ? "accepted!"
          : bad_sig ? ""
                    : out);
    snprintf(cmd, sizeof cmd, "echo '%s' | " GOJWT " -verify - -key %s -alg %s 2>&1", tok, pub, an);
    int st = run(cmd, out, sizeof out);
    check(st == 0 && strstr(out, "from-tokenlab"), "tokenlab -> go jwt verifies", an,
          st == 0 ? "" : out);
    snprintf(cmd, sizeof cmd, "echo '%s' | " GOJWT " -verify - -key %s -alg %s 2>&1", tok, opub,
             an);
    st = run(cmd, out, sizeof out);
    bad_sig = strstr(out, "signature is invalid") || strstr(out, "verification error");
    first_line(out);
    check(st != 0 && bad_sig, "go jwt rejects it under another key", an,
          st == 0   ? "accepted!"
          : bad_sig ? ""
                    : out);
    free(tok);

    /* others -> tokenlab */
    if (!py_call(out, sizeof out, "sign %s %s", an, priv)) {
        check(false, "python3-jwt signs", an, out);
    } else {
        check(verify_here(out, pub, alg, "from-python", why, sizeof why),
              "python3-jwt -> tokenlab verifies", an, why);
        bool rej = !verify_here(out, opub, alg, "from-python", why, sizeof why);
        check(rej && strstr(why, "jws.sig_mismatch"), "tokenlab rejects it under another key", an,
              why);
    }
    snprintf(cmd, sizeof cmd,
             "echo '{\"sub\":\"from-go\",\"n\":2}' | " GOJWT " -sign - -key %s -alg %s 2>&1", priv,
             an);
    st = run(cmd, out, sizeof out);
    first_line(out);
    if (st != 0) {
        check(false, "go jwt signs", an, out);
    } else {
        check(verify_here(out, pub, alg, "from-go", why, sizeof why), "go jwt -> tokenlab verifies",
              an, why);
        bool rej = !verify_here(out, opub, alg, "from-go", why, sizeof why);
        check(rej && strstr(why, "jws.sig_mismatch"), "tokenlab rejects it under another key", an,
              why);
    }
out:
    jwk_free(k);
    jwk_free(other);
}

int main(void)
{
    struct stat sb;
    if (stat(PYTHON, &sb) != 0 || stat(GOJWT, &sb) != 0) {
        fprintf(stderr,
                "FAIL: %s and %s are required (Debian packages python3-jwt "
                "python3-cryptography jwt; run scripts/deps.sh test)\n",
                PYTHON, GOJWT);
        return 1;
    }
    char out[512];
    if (run(PYTHON " -c 'import jwt, cryptography' 2>&1", out, sizeof out) != 0) {
        fprintf(stderr, "FAIL: %s cannot import jwt/cryptography: %s\n", PYTHON, out);
        return 1;
    }
    snprintf(dir, sizeof dir, "/tmp/tokenlab-interop-XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    char pyfile[256];
    write_file("pyjwt.py", py_script, strlen(py_script), pyfile, sizeof pyfile);
    if (!py_start(pyfile)) {
        fprintf(stderr, "FAIL: cannot start %s\n", PYTHON);
        return 1;
    }
    /* Ed25519 (RFC 9864) is EdDSA's signature under its new name; the PyJWT and golang-jwt we
     * test against know only "EdDSA" (InvalidAlgorithmError / "signing method (alg) is
     * unavailable"), so it is covered by the EdDSA run here and by test_jws.c. */
    for (int a = JWS_HS256; a < JWS_ALG_COUNT; a++)
        if (a != JWS_ED25519) one_alg((jws_alg)a);
    py_stop();
    jwk_free(rsa_pair[0]);
    jwk_free(rsa_pair[1]);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    printf("%d failure(s)\n", failures);
    return failures ? 1 : 0;
}
