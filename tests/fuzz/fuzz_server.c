/* SPDX-License-Identifier: MIT */
/* fuzz_server — whole HTTP requests through the mock server's real handlers: an embedded server
 * (server_start on 127.0.0.1:0, started once) receives each input over a loopback connection.
 *
 * The input chooses an endpoint and method (byte 0), the headers (byte 1: content type, Accept,
 * client authentication, the lab key) and then, split at 0x01 bytes, the query string, the body
 * and a bearer token. Query and header values are made legal for a request line / header (CR, LF,
 * space, NUL and non-ASCII bytes %-escaped or dropped), so the fuzzer spends its time in routing,
 * reqparse and the endpoint handlers rather than in libmicrohttpd's request-line parser. With bit 7
 * of byte 0 set the rest is sent raw instead, for the parser and the router.
 *
 * Properties (abort() on violation): every complete request gets an answer within 30 s (no hang,
 * no deadlock), and after raw bytes that get no answer (an unfinished request line may be held
 * until the connection timeout) the server still answers /health at once; no answer is a 500 (an
 * internal error is a bug: refusals are 4xx with a reason); the server is still answering /health
 * afterwards. ASan/UBSan watch the server threads too. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server/server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static server *srv;
static uint16_t port;
static const char *lab_key = "fuzz-lab-key";

static const struct {
    const char *method, *path;
} eps[] = {
    {"POST", "/token"},
    {"GET", "/authorize"},
    {"POST", "/authorize/login"},
    {"POST", "/authorize/consent"},
    {"POST", "/device_authorization"},
    {"GET", "/device"},
    {"POST", "/device"},
    {"GET", "/userinfo"},
    {"POST", "/userinfo"},
    {"POST", "/introspect"},
    {"POST", "/revoke"},
    {"GET", "/endsession"},
    {"POST", "/login"},
    {"GET", "/api/profile"},
    {"GET", "/api/notes"},
    {"POST", "/api/notes"},
    {"POST", "/lab/clock"},
    {"POST", "/lab/switch"},
    {"GET", "/lab/state"},
    /* not /lab/rotate-keys: a fresh RSA key per input is slow enough (seconds under load) to
     * drown the fuzzer in timeouts; tests/integration covers rotation. */
    {"GET", "/lab/state"},
    {"GET", "/.well-known/openid-configuration"},
    {"GET", "/.well-known/oauth-authorization-server"},
    {"GET", "/jwks"},
    {"GET", "/health"},
    {"DELETE", "/token"},
    {"PUT", "/api/notes"},
};
#define NEPS (sizeof eps / sizeof eps[0])

static void start(void)
{
    if (srv) return;
    server_options o = {.listen = "127.0.0.1:0", .lab_key = lab_key, .log = NULL};
    tl_err e = {0};
    if (!server_start(&o, &srv, &e)) {
        fprintf(stderr, "fuzz_server: cannot start the server: %s\n", e.msg);
        abort();
    }
    port = server_port(srv);
}

typedef struct buf {
    char *p;
    size_t n, cap;
} buf;

static void put(buf *b, const void *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
        if (!b->p) abort();
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void puts_(buf *b, const char *s)
{
    put(b, s, strlen(s));
}

/* Bytes that cannot appear in a request target are %-escaped; the rest passes as is (so '&', '=',
 * '%' and friends stay interesting). */
static void put_target(buf *b, const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t c = s[i];
        if (c <= 0x20 || c >= 0x7f || c == '#') {
            char esc[4];
            snprintf(esc, sizeof esc, "%%%02X", c);
            put(b, esc, 3);
        } else {
            put(b, &c, 1);
        }
    }
}

/* Header values: visible ASCII and spaces only. */
static void put_header_value(buf *b, const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n && i < 8192; i++)
        if (s[i] >= 0x20 && s[i] < 0x7f) put(b, &s[i], 1);
}

/* Sends the request, reads the whole answer (the server closes: Connection: close). Returns the
 * status, 0 for a connection closed without a status line, -1 when nothing came within wait_ms. */
static int exchange(const char *req, size_t len, int wait_ms)
{
    /* libFuzzer's -timeout alarm may interrupt connect(): start over with a new socket. */
    int fd = -1;
    for (int tries = 0; fd < 0; tries++) {
        fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0) abort();
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
        inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
        if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
            int err = errno;
            close(fd);
            fd = -1;
            if (err != EINTR || tries >= 10) {
                fprintf(stderr, "fuzz_server: connect: %s\n", strerror(err));
                abort();
            }
        }
    }
    size_t off = 0;
    while (off < len) {
        ssize_t w = send(fd, req + off, len - off, MSG_NOSIGNAL);
        if (w <= 0) break; /* the server may refuse early (413) and close */
        off += (size_t)w;
    }
    shutdown(fd, SHUT_WR);
    char head[16] = "";
    size_t got = 0;
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = poll(&p, 1, wait_ms);
        if (r < 0 && errno == EINTR) continue;
        if (r == 0) {
            close(fd);
            return -1;
        }
        char chunk[4096];
        ssize_t n = recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0) break;
        if (got < sizeof head - 1) {
            size_t k = (size_t)n < sizeof head - 1 - got ? (size_t)n : sizeof head - 1 - got;
            memcpy(head + got, chunk, k);
            got += k;
            head[got] = '\0';
        }
    }
    close(fd);
    if (strncmp(head, "HTTP/1.", 7) != 0 || got < 12) return 0;
    return atoi(head + 9);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    start();
    if (size < 2) return 0;
    buf b = {0};
    if (data[0] & 0x80) {
        put(&b, data + 1, size - 1);
    } else {
        unsigned ep = data[0] % NEPS, fl = data[1];
        const uint8_t *rest = data + 2;
        size_t rn = size - 2;
        /* query \x01 body \x01 token */
        const uint8_t *parts[3] = {rest, NULL, NULL};
        size_t lens[3] = {rn, 0, 0};
        for (int k = 0; k < 2; k++) {
            const uint8_t *cut = memchr(parts[k], 0x01, lens[k]);
            if (!cut) break;
            parts[k + 1] = cut + 1;
            lens[k + 1] = lens[k] - (size_t)(cut + 1 - parts[k]);
            lens[k] = (size_t)(cut - parts[k]);
        }
        puts_(&b, eps[ep].method);
        puts_(&b, " ");
        puts_(&b, eps[ep].path);
        if (lens[0]) {
            puts_(&b, "?");
            put_target(&b, parts[0], lens[0]);
        }
        puts_(&b, " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
        static const char *const ctypes[] = {"application/x-www-form-urlencoded",
                                             "application/json", "text/plain", NULL};
        const char *ct = ctypes[fl & 3];
        if (ct) {
            puts_(&b, "Content-Type: ");
            puts_(&b, ct);
            puts_(&b, "\r\n");
        }
        if (fl & 4) puts_(&b, "Accept: application/json\r\n");
        switch ((fl >> 3) & 7) {
        case 1: /* demo-web:demo-web-secret */
            puts_(&b, "Authorization: Basic ZGVtby13ZWI6ZGVtby13ZWItc2VjcmV0\r\n");
            break;
        case 2: /* demo-service:demo-service-secret */
            puts_(&b, "Authorization: Basic ZGVtby1zZXJ2aWNlOmRlbW8tc2VydmljZS1zZWNyZXQ=\r\n");
            break;
        case 3:
        case 4:
            puts_(&b, (fl >> 3 & 7) == 3 ? "Authorization: Bearer " : "Authorization: Basic ");
            put_header_value(&b, parts[2] ? parts[2] : (const uint8_t *)"", lens[2]);
            puts_(&b, "\r\n");
            break;
        case 5:
            puts_(&b, "Authorization: ");
            put_header_value(&b, parts[2] ? parts[2] : (const uint8_t *)"", lens[2]);
            puts_(&b, "\r\n");
            break;
        default:
            break;
        }
        if (fl & 0x40) {
            puts_(&b, "X-Tokenlab-Lab-Key: ");
            puts_(&b, lab_key);
            puts_(&b, "\r\n");
        }
        char cl[64];
        snprintf(cl, sizeof cl, "Content-Length: %zu\r\n\r\n", lens[1]);
        puts_(&b, cl);
        if (lens[1]) put(&b, parts[1], lens[1]);
    }
    /* A complete request must be answered. Raw bytes may be an unfinished request line, which a
     * server may rightly hold until its connection timeout: then the property is that it still
     * serves everyone else (a slow client must not stall others). */
    bool raw = data[0] & 0x80;
    int status = exchange(b.p, b.n, raw ? 1000 : 30000);
    if (status < 0 && !raw) {
        fprintf(stderr, "fuzz_server: no answer within 30 s to:\n%.300s\n", b.p);
        abort();
    }
    if (status < 0) {
        static const char health[] =
            "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
        if (exchange(health, sizeof health - 1, 10000) != 200) {
            fprintf(stderr, "fuzz_server: the server stopped answering others after raw bytes\n");
            abort();
        }
    }
    if (status >= 500 && status != 505 && status != 503) {
        fprintf(stderr, "fuzz_server: HTTP %d (an internal error) for:\n%.600s\n", status, b.p);
        abort();
    }
    free(b.p);
    return 0;
}
