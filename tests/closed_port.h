/* SPDX-License-Identifier: MIT */
/* A TCP port on 127.0.0.1 that refuses connections for as long as the returned socket stays open:
 * the socket is bound to the port and never listens. Bound, so no other test running beside this
 * one (ctest -j) can take the port; not listening, so a connect is refused at once. Unlike a
 * "free" port found and closed again (another test may take it meanwhile) or ports 1 and 9 (a
 * machine may serve them). Header-only; shell tests use tests/closed_port.py. */
#ifndef TL_TESTS_CLOSED_PORT_H
#define TL_TESTS_CLOSED_PORT_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

/* Returns the port and sets *fd (close it when done); exits the test on failure. */
static int closed_port(int *fd)
{
    *fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t n = sizeof a;
    if (*fd < 0 || bind(*fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        getsockname(*fd, (struct sockaddr *)&a, &n) != 0) {
        perror("closed_port");
        exit(1);
    }
    return ntohs(a.sin_port);
}

#endif
