#!/usr/bin/env python3
"""A seccomp notify agent for runner's tests (runtime-spec config-linux.md
"Seccomp", listenerPath).

    [AGENT_CONNECTIONS=N] runner_seccomp_agent.py SOCKET OUT.json (errno N | continue)

Listens on the unix stream socket SOCKET, accepts N connections (default
1: `create`; one more per `exec`), reads from each the container process
state and the listener fd passed with SCM_RIGHTS, writes the states to
OUT.json, OUT.json.2, … and answers every notification on the listeners:
`errno N` makes the notified syscall fail with errno N, `continue` lets the
kernel run it (SECCOMP_USER_NOTIF_FLAG_CONTINUE). Each answered syscall
number and pid are appended to OUT.json.calls. Exits when the last process
using each filter is gone (every listener hung up). SOCKET.ready appears once it
listens.
"""
import array
import ctypes
import fcntl
import json
import os
import select
import socket
import struct
import sys

# linux/seccomp.h: _IOWR('!', 0, struct seccomp_notif) and
# _IOWR('!', 1, struct seccomp_notif_resp)
NOTIF_SIZE = 80        # u64 id, u32 pid, u32 flags, seccomp_data (64)
RESP_SIZE = 24         # u64 id, s64 val, s32 error, u32 flags
IOC_NOTIF_RECV = (3 << 30) | (NOTIF_SIZE << 16) | (ord("!") << 8) | 0
IOC_NOTIF_SEND = (3 << 30) | (RESP_SIZE << 16) | (ord("!") << 8) | 1
FLAG_CONTINUE = 1


def check_state(st):
    """runtime.md "Container process state": the fields an agent relies on."""
    problems = []
    if not isinstance(st.get("ociVersion"), str):
        problems.append("ociVersion")
    if st.get("fds") != ["seccompFd"]:
        problems.append("fds")
    if not isinstance(st.get("pid"), int) or st["pid"] <= 0:
        problems.append("pid")
    if not isinstance(st.get("metadata", ""), str):
        problems.append("metadata")
    inner = st.get("state")
    if not isinstance(inner, dict):
        problems.append("state")
    else:
        for key in ("ociVersion", "id", "status", "bundle"):
            if not isinstance(inner.get(key), str):
                problems.append("state." + key)
        if not isinstance(inner.get("pid"), int) or inner["pid"] <= 0:
            problems.append("state.pid")
        # at create the process is the container's init; at exec another
        elif inner.get("status") == "creating" and inner["pid"] != st.get("pid"):
            problems.append("state.pid")
    return problems


def receive_state(conn):
    """Until the JSON is whole or the peer closes: runc 1.1 keeps its end
    open after sending, so waiting for EOF alone would block."""
    fds = array.array("i")
    data = b""
    while True:
        msg, anc, _flags, _addr = conn.recvmsg(65536, socket.CMSG_SPACE(4 * 4))
        for level, kind, payload in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.frombytes(payload[: len(payload) - len(payload) % 4])
        if not msg:
            break
        data += msg
        try:
            json.loads(data)
            break
        except ValueError:
            continue
    return data, list(fds)


def answer(listener, mode, errnum, calls):
    buf = ctypes.create_string_buffer(NOTIF_SIZE)
    try:
        fcntl.ioctl(listener, IOC_NOTIF_RECV, buf, True)
    except OSError:
        # the target died or the call was interrupted: ask again
        return
    notif_id, pid, _fl, nr = struct.unpack_from("=QIIi", buf.raw)
    if mode == "continue":
        resp = struct.pack("=QqiI", notif_id, 0, 0, FLAG_CONTINUE)
    else:
        resp = struct.pack("=QqiI", notif_id, 0, -errnum, 0)
    rbuf = ctypes.create_string_buffer(resp, RESP_SIZE)
    try:
        fcntl.ioctl(listener, IOC_NOTIF_SEND, rbuf, True)
    except OSError:
        return
    calls.write("%d %d\n" % (nr, pid))
    calls.flush()


def main():
    path, out = sys.argv[1], sys.argv[2]
    mode = sys.argv[3]
    errnum = int(sys.argv[4]) if mode == "errno" else 0
    want = int(os.environ.get("AGENT_CONNECTIONS", "1"))
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(4)
    open(path + ".ready", "w").close()
    poller = select.poll()
    poller.register(srv, select.POLLIN)
    listeners = set()
    accepted = 0
    with open(out + ".calls", "w") as calls:
        while accepted < want or listeners:
            for fd, ev in poller.poll():
                if fd == srv.fileno():
                    conn, _ = srv.accept()
                    data, fds = receive_state(conn)
                    conn.close()
                    accepted += 1
                    name = out if accepted == 1 else "%s.%d" % (out, accepted)
                    with open(name + ".tmp", "wb") as f:
                        f.write(data)
                    os.rename(name + ".tmp", name)
                    with open(name + ".nfds", "w") as f:
                        f.write("%d\n" % len(fds))
                    if len(fds) != 1:
                        sys.exit("agent: expected 1 fd, got %d" % len(fds))
                    problems = check_state(json.loads(data))
                    if problems:
                        sys.exit("agent: bad container process state: " + ", ".join(problems))
                    listeners.add(fds[0])
                    poller.register(fds[0], select.POLLIN)
                    if accepted == want:
                        poller.unregister(srv)
                        srv.close()
                elif ev & select.POLLIN:
                    answer(fd, mode, errnum, calls)
                elif ev & (select.POLLHUP | select.POLLERR):
                    # the last process using that filter is gone
                    poller.unregister(fd)
                    os.close(fd)
                    listeners.discard(fd)


if __name__ == "__main__":
    main()
