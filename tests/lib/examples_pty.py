#!/usr/bin/env python3
"""examples_pty.py WAIT_FOR KEYS CMD...: run CMD on a new pseudo-terminal,
as a user at a terminal would; once WAIT_FOR appears in its output, type
KEYS (Python escapes, e.g. '\\x03' for Ctrl-C). Prints CMD's output with
CR LF made LF, exits with CMD's status. Gives up after 30 s."""
import os
import pty
import select
import sys
import time

wait_for = sys.argv[1].encode()
keys = sys.argv[2].encode().decode("unicode_escape").encode("latin-1")
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[3], sys.argv[3:])
out, typed, start = b"", False, time.time()
while time.time() - start < 30:
    r, _, _ = select.select([fd], [], [], 0.1)
    if r:
        try:
            data = os.read(fd, 4096)
        except OSError:  # EIO: the terminal's last user is gone
            break
        if not data:
            break
        out += data
    if not typed and wait_for in out:
        time.sleep(0.2)
        os.write(fd, keys)
        typed = True
else:
    os.kill(pid, 9)
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.replace(b"\r", b"").decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(status) & 0xff)
