#!/usr/bin/env python3
"""runner_console.py SOCKET OUTFILE [INPUT]: a --console-socket peer as
conmon/containerd are: accept one connection, receive the pty master with
SCM_RIGHTS, write INPUT to it, copy what the container prints to OUTFILE
until the pty closes. Prints 'ready' on stdout once listening."""
import array
import os
import socket
import sys

path, outfile = sys.argv[1], sys.argv[2]
data = sys.argv[3].encode() if len(sys.argv) > 3 else b""
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(1)
print("ready", flush=True)
conn, _ = srv.accept()
msg, fds, _, _ = socket.recv_fds(conn, 4096, 1)
master = fds[0]
with open(outfile + ".name", "w") as f:
    f.write(msg.decode(errors="replace"))
if data:
    os.write(master, data)
with open(outfile, "wb") as out:
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        out.write(chunk)
        out.flush()
