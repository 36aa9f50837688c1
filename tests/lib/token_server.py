#!/usr/bin/env python3
"""A Docker-Hub-style token service for the tests (distribution token-auth
spec): GET /token?service=S&scope=repository:NAME:pull[&account=U].

- public repositories: a pull token for anyone (anonymous or not);
- the one --private repository: pull only with valid Basic credentials; an
  anonymous request gets a token without access (as Docker Hub does: the
  registry then answers 401);
- wrong Basic credentials: 401 from the token service itself.

Tokens are JWTs (RS256) carrying the signing certificate in the header's
x5c, so the registry accepts them when that certificate is in its
rootcertbundle. Signing goes through the openssl command line tool.
"""
import argparse
import base64
import json
import subprocess
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def cert_der_b64(path):
    with open(path) as f:
        lines = [l.strip() for l in f if l.strip() and not l.startswith("-----")]
    return "".join(lines)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, code, body, extra=None):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        a = self.server.args
        u = urlparse(self.path)
        q = parse_qs(u.query)
        user = None
        authz = self.headers.get("Authorization", "")
        with open(a.log, "a") as f:
            f.write("%s %s\n" % ("basic" if authz.startswith("Basic ") else "anon", self.path))
        if u.path != "/token":
            return self.reply(404, {"errors": [{"code": "NOT_FOUND"}]})
        if authz.startswith("Basic "):
            try:
                u_, p_ = base64.b64decode(authz[6:]).decode().split(":", 1)
            except Exception:
                u_, p_ = None, None
            if (u_, p_) != (a.user, a.password):
                return self.reply(401, {"errors": [{"code": "UNAUTHORIZED",
                                                     "message": "incorrect username or password"}]},
                                  {"WWW-Authenticate": 'Basic realm="ocikit-test"'})
            user = u_
        if q.get("service", [""])[0] != a.service:
            return self.reply(400, {"errors": [{"code": "DENIED", "message": "unknown service"}]})
        access = []
        for scope in q.get("scope", []):
            parts = scope.split(":")
            if len(parts) != 3 or parts[0] != "repository":
                continue
            name, actions = parts[1], parts[2].split(",")
            if "pull" not in actions:
                continue
            if name == a.private and user is None:
                continue
            access.append({"type": "repository", "name": name, "actions": ["pull"]})
        now = int(time.time())
        header = {"typ": "JWT", "alg": "RS256", "x5c": [cert_der_b64(a.cert)]}
        claims = {"iss": a.issuer, "sub": user or "", "aud": a.service, "exp": now + a.expires,
                  "nbf": now - 10, "iat": now, "jti": uuid.uuid4().hex, "access": access}
        signing_input = (b64url(json.dumps(header).encode()) + "." +
                         b64url(json.dumps(claims).encode()))
        sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", a.key],
                             input=signing_input.encode(), stdout=subprocess.PIPE,
                             check=True).stdout
        token = signing_input + "." + b64url(sig)
        body = {"token": token, "expires_in": a.expires,
                "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))}
        if a.access_token:
            body = {"access_token": token, "expires_in": a.expires}
        self.reply(200, body)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--issuer", required=True)
    ap.add_argument("--service", required=True)
    ap.add_argument("--private", required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--expires", type=int, default=300)
    ap.add_argument("--access-token", action="store_true",
                    help="answer with access_token instead of token")
    ap.add_argument("--log", required=True)
    a = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    srv.args = a
    srv.daemon_threads = True
    srv.serve_forever()


if __name__ == "__main__":
    main()
