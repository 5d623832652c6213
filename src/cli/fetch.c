/* SPDX-License-Identifier: MIT */
/* fetch — GET a URL with libcurl: --jwks URL (the full binary only; see args_set_url_fetcher)
 * and `tokenlab class export`. */
#include "cli/fetch.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"

typedef struct fetch_buf {
    char *p;
    size_t n, max;
    bool too_big;
} fetch_buf;

static size_t on_body(char *data, size_t size, size_t nmemb, void *user)
{
    fetch_buf *b = user;
    size_t add = size * nmemb;
    if (b->n + add > b->max) {
        b->too_big = true;
        return 0;
    }
    char *np = realloc(b->p, b->n + add + 1);
    if (!np) return 0;
    memcpy(np + b->n, data, add);
    b->p = np;
    b->n += add;
    b->p[b->n] = '\0';
    return add;
}

bool cli_http_get(const cli_http_req *r, long *status, char **body, size_t *len, tl_err *e)
{
    static bool curl_ready;
    if (!curl_ready) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        curl_ready = true;
    }
    *body = NULL;
    *len = 0;
    *status = 0;
    CURL *c = curl_easy_init();
    if (!c) return err_set(e, "cli.http", "cannot start libcurl");
    fetch_buf b = {.max = r->max};
    char errbuf[CURL_ERROR_SIZE] = "", auth[600];
    struct curl_slist *h = NULL;
    if (r->bearer) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %.500s", r->bearer);
        h = curl_slist_append(NULL, auth);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    }
    curl_easy_setopt(c, CURLOPT_URL, r->url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    if (r->follow) {
        /* Never follow an https URL down to plain http: the data would arrive unauthenticated. */
        curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR,
                         strncmp(r->url, "https://", 8) == 0 ? "https" : "http,https");
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, r->timeout);
    }
    curl_easy_setopt(c, CURLOPT_TIMEOUT, r->timeout);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "tokenlab/" TOKENLAB_VERSION);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    if (rc != CURLE_OK) {
        free(b.p);
        if (b.too_big)
            return err_set(e, "cli.http", "%s: the response is larger than %zu bytes", r->url,
                           r->max);
        return err_set(e, "cli.http", "cannot fetch %s: %s", r->url,
                       errbuf[0] ? errbuf : curl_easy_strerror(rc));
    }
    if (!b.p) {
        b.p = malloc(1);
        if (!b.p) return err_set(e, "oom", "out of memory");
        b.p[0] = '\0';
    }
    *body = b.p;
    *len = b.n;
    return true;
}

bool cli_fetch_url(const char *url, char **out, size_t *len, tl_err *e)
{
    cli_http_req r = {.url = url, .max = ARGS_MAX_FILE, .timeout = 10, .follow = true};
    long status;
    if (!cli_http_get(&r, &status, out, len, e)) return false;
    if (status < 200 || status > 299) {
        free(*out);
        *out = NULL;
        const char *why = status == 404   ? " Not Found"
                          : status == 401 ? " Unauthorized"
                          : status == 403 ? " Forbidden"
                          : status == 500 ? " Internal Server Error"
                          : status == 503 ? " Service Unavailable"
                                          : "";
        return err_set(e, "cli.http", "fetching %s: the server answered HTTP %ld%s", url, status,
                       why);
    }
    return true;
}
