#!/usr/bin/env python3
"""A front proxy for a docker-registry in the tests.

Forwards every request to the registry at 127.0.0.1:--upstream, and can:

--cdn ROOT   answer blob GETs that the registry would serve (200) with a
             307 redirect to a "CDN" on another port, which serves the bytes
             from the registry's storage ROOT and rejects any request that
             carries an Authorization header (as S3 does), proving the
             client did not forward the registry token.
--fault SPEC inject a fault, SPEC = KIND[:ARG][*COUNT] (COUNT defaults to 1,
             `*always` never runs out):
  blob-cut            send half of a blob, then close the connection
  blob-ignore-range   answer a Range request with 200 and the whole blob
  blob-500 / manifest-500      answer 500
  blob-429:SECS / manifest-429:SECS   answer 429 with Retry-After: SECS
  blob-corrupt        flip one byte of the blob
  blob-slow:SECS      stream blobs slowly (over about SECS seconds)
  manifest-corrupt    flip one byte of the manifest, keep its headers
  manifest-body:FILE:TYPE   replace the manifest by FILE with Content-Type TYPE
  unauth              forward a manifest or blob request without the
                      Authorization header (the registry answers 401: the
                      client must fetch a fresh token); blob-unauth and
                      manifest-unauth only for that kind
  drop                close the connection without an answer

Every request is logged to --log as "METHOD PATH range=R auth=yes|no -> STATUS".
"""
import argparse
import http.client
import os
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BLOB_RE = re.compile(r"^/v2/(.+)/blobs/(sha256:[0-9a-f]{64})$")
MANIFEST_RE = re.compile(r"^/v2/(.+)/manifests/([^/]+)$")
HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
       "proxy-authorization", "proxy-authenticate"}


class Faults:
    def __init__(self, specs):
        self.lock = threading.Lock()
        self.items = []
        for s in specs:
            count = 1
            if "*" in s:
                s, c = s.rsplit("*", 1)
                count = -1 if c == "always" else int(c)
            kind, _, arg = s.partition(":")
            self.items.append([kind, arg, count])

    def take(self, kind):
        """Consume one use of fault `kind`; its argument or None."""
        with self.lock:
            for it in self.items:
                if it[0] == kind and it[2] != 0:
                    if it[2] > 0:
                        it[2] -= 1
                    return it[1]
        return None

    def has(self, kind):
        with self.lock:
            return any(it[0] == kind and it[2] != 0 for it in self.items)


def log(server, line):
    with server.log_lock:
        with open(server.args.log, "a") as f:
            f.write(line + "\n")


class Proxy(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def note(self, status):
        log(self.server, "%s %s range=%s auth=%s -> %s" % (
            self.command, self.path, self.headers.get("Range", "-"),
            "yes" if self.headers.get("Authorization") else "no", status))

    def simple(self, code, body=b"", headers=None):
        self.note(code)
        self.send_response(code)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def upstream(self, drop_auth=False, drop_range=False):
        c = http.client.HTTPConnection("127.0.0.1", self.server.args.upstream, timeout=60)
        hdrs = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
        if drop_auth:
            hdrs.pop("Authorization", None)
        if drop_range:
            hdrs.pop("Range", None)
        body = None
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            body = self.rfile.read(n)
        c.request(self.command, self.path, body=body, headers=hdrs)
        return c, c.getresponse()

    def do_GET(self):
        self.handle_any()

    def do_HEAD(self):
        self.handle_any()

    def handle_any(self):
        f = self.server.faults
        path = self.path.split("?")[0]
        blob = BLOB_RE.match(path)
        manifest = MANIFEST_RE.match(path)
        kind = "blob" if blob else "manifest" if manifest else None
        if f.take("drop") is not None:
            self.note("dropped")
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if kind:
            for code in ("500", "429"):
                arg = f.take("%s-%s" % (kind, code))
                if arg is not None:
                    hdr = {"Retry-After": arg} if code == "429" and arg else {}
                    return self.simple(int(code), b'{"errors":[{"code":"TOOMANYREQUESTS"}]}'
                                       if code == "429" else b"oops", hdr)
        drop_auth = kind is not None and (f.take(kind + "-unauth") is not None or
                                          f.take("unauth") is not None)
        ignore_range = blob is not None and "Range" in self.headers and \
            f.take("blob-ignore-range") is not None
        conn, resp = self.upstream(drop_auth=drop_auth, drop_range=ignore_range)
        try:
            if blob and self.command == "GET" and resp.status == 200 and self.server.args.cdn:
                loc = "http://127.0.0.1:%d/blobs/%s" % (self.server.cdn_port, blob.group(2))
                return self.simple(307, b"", {"Location": loc})
            headers = [(k, v) for k, v in resp.getheaders() if k.lower() not in HOP]
            if manifest and self.command == "GET" and resp.status == 200:
                body = resp.read()
                arg = f.take("manifest-body")
                if arg is not None:
                    fn, ctype = arg.split(":", 1)
                    with open(fn, "rb") as fh:
                        body = fh.read()
                    headers = [(k, v) for k, v in headers
                               if k.lower() not in ("content-type", "docker-content-digest",
                                                    "content-length")]
                    headers.append(("Content-Type", ctype))
                if f.take("manifest-corrupt") is not None:
                    body = body[:-2] + bytes([body[-2] ^ 0x20]) + body[-1:]
                return self.send_body(resp.status, headers, body)
            if blob and self.command == "GET" and resp.status in (200, 206):
                return self.send_blob(resp, headers)
            body = resp.read()
            self.send_body(resp.status, headers, body)
        finally:
            conn.close()

    def send_body(self, status, headers, body):
        self.note(status)
        self.send_response(status)
        for k, v in headers:
            if k.lower() != "content-length":
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_blob(self, resp, headers):
        f = self.server.faults
        length = int(resp.getheader("Content-Length"))
        cut = f.take("blob-cut") is not None
        corrupt = f.take("blob-corrupt") is not None
        slow = f.take("blob-slow")
        self.note("%d%s" % (resp.status, " cut" if cut else ""))
        self.send_response(resp.status)
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        sent = 0
        limit = length // 2 if cut else length
        chunk = 16384
        delay = 0.0
        if slow:
            chunk = max(1024, length // 100)
            delay = float(slow) / 100
        while sent < limit:
            data = resp.read(min(chunk, limit - sent))
            if not data:
                break
            if corrupt and sent <= length // 2 < sent + len(data):
                i = length // 2 - sent
                data = data[:i] + bytes([data[i] ^ 0xff]) + data[i + 1:]
            self.wfile.write(data)
            sent += len(data)
            if delay:
                self.wfile.flush()
                time.sleep(delay)
        if cut:
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)


class CDN(BaseHTTPRequestHandler):
    """Serves blobs from the registry's storage; refuses Authorization."""
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        srv = self.server
        m = re.match(r"^/blobs/sha256:([0-9a-f]{64})$", self.path)
        authz = self.headers.get("Authorization")
        status = 200
        body = b""
        hdrs = {}
        if authz:
            status, body = 400, b"<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed</Message></Error>"
        elif not m:
            status, body = 404, b"not found"
        else:
            h = m.group(1)
            fn = os.path.join(srv.args.cdn, "docker", "registry", "v2", "blobs", "sha256",
                              h[:2], h, "data")
            try:
                with open(fn, "rb") as fh:
                    data = fh.read()
            except OSError:
                data = None
            if data is None:
                status, body = 404, b"not found"
            else:
                body = data
                rng = self.headers.get("Range")
                mm = re.match(r"^bytes=(\d+)-$", rng or "")
                if mm and int(mm.group(1)) < len(data):
                    start = int(mm.group(1))
                    status = 206
                    body = data[start:]
                    hdrs["Content-Range"] = "bytes %d-%d/%d" % (start, len(data) - 1, len(data))
                hdrs["Content-Type"] = "application/octet-stream"
        log(srv.proxy, "CDN GET %s range=%s auth=%s -> %d" % (
            self.path, self.headers.get("Range", "-"), "yes" if authz else "no", status))
        self.send_response(status)
        for k, v in hdrs.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--upstream", type=int, required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--cdn", default=None, help="registry storage root to serve blobs from")
    ap.add_argument("--fault", action="append", default=[])
    a = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", a.port), Proxy)
    srv.daemon_threads = True
    srv.args = a
    srv.faults = Faults(a.fault)
    srv.log_lock = threading.Lock()
    if a.cdn:
        cdn = ThreadingHTTPServer(("127.0.0.1", 0), CDN)
        cdn.daemon_threads = True
        cdn.args = a
        cdn.proxy = srv
        srv.cdn_port = cdn.server_address[1]
        threading.Thread(target=cdn.serve_forever, daemon=True).start()
    srv.serve_forever()


if __name__ == "__main__":
    main()
