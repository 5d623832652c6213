#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Prints a port on 127.0.0.1 that refuses connections, and keeps it so until its parent exits:
a socket bound to the port that never listens (no other test under ctest -j can take it, and a
connect is refused at once). The shell twin of tests/closed_port.h.

    PORT=$(closed_port)   # cli_lib.sh / tui lib.sh wrap it: python3 tests/closed_port.py &"""
import os
import socket
import sys
import time

s = socket.socket()
s.bind(("127.0.0.1", 0))
parent = os.getppid()
print(s.getsockname()[1], flush=True)
sys.stdout.close()
while os.getppid() == parent:
    time.sleep(0.2)
