#!/usr/bin/env python3
"""The user side of the authorization code flow, for the load scripts (standard library only).

Signs the seeded user in on the sample server (Veza) or on the OpenIddict reference server, gives consent, and
then, before any timed phase:

  grant_client.py codes   SERVER BASE_URL COUNT OUT [THREADS]   one token-request body per line, each for a fresh
                                                                 code with its own PKCE verifier
  grant_client.py refresh SERVER BASE_URL COUNT OUT [THREADS]   one refresh token per line, each from its own grant
                                                                 (a code redeemed once)
  grant_client.py access  SERVER BASE_URL                       prints one access token of the signed-in user
  grant_client.py cookie  SERVER BASE_URL                       prints the signed-in session's Cookie header, after
                                                                 the user consented once

SERVER is "veza" or "openiddict". Veza remembers the consent, so after the first Allow every authorization request
answers 302 with a code; OpenIddict's reference server asks every time, so each of its codes is one POST of the
consent form (Allow, with the antiforgery token of the session).
"""
import base64
import hashlib
import html.parser
import http.client
import json
import secrets
import sys
import threading
import time
import urllib.parse

SERVERS = {
    "veza": {
        "signin": "/account/signin", "user": "root-admin", "password": "root-admin-sample-password",
        "authorize": "/oauth2/authorize", "token": "/oauth2/token",
        "client_id": "sample-webapp", "secret": "sample-webapp-secret-change-me-0123456789",
        "redirect_uri": "http://127.0.0.1:5090/signin-veza", "scope": "graph:read offline_access",
    },
    "openiddict": {
        "signin": "/login", "user": "alice", "password": "alice-password",
        "authorize": "/connect/authorize", "token": "/connect/token",
        "client_id": "ref-app", "secret": "ref-app-secret",
        "redirect_uri": "http://127.0.0.1:5599/callback", "scope": "api offline_access",
    },
}


class Forms(html.parser.HTMLParser):
    """The first form of a page: its action, its hidden inputs and the first option of each select."""

    def __init__(self):
        super().__init__()
        self.action, self.fields, self._select, self._in_form = None, {}, None, False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and self.action is None:
            self.action, self._in_form = a.get("action") or "", True
        elif not self._in_form:
            return
        elif tag == "input" and a.get("type") == "hidden" and a.get("name"):
            self.fields[a["name"]] = a.get("value") or ""
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and self._select not in self.fields:
            self.fields[self._select] = a.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "form":
            self._in_form = False


def parse_form(body):
    parser = Forms()
    parser.feed(body)
    if parser.action is None:
        raise RuntimeError("no form in the page: " + body[:300])
    return parser.action, parser.fields


def pkce():
    verifier = secrets.token_urlsafe(32)  # 43 characters
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode("ascii")
    return verifier, challenge


class Client:
    """One keep-alive connection with its own cookie jar (name -> value; every cookie here has path /)."""

    def __init__(self, server, base, cookies=None):
        self.cfg = SERVERS[server]
        self.server = server
        url = urllib.parse.urlsplit(base)
        self.host, self.port = url.hostname, url.port or 80
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        self.cookies = dict(cookies or {})
        self.basic = "Basic " + base64.b64encode(f"{self.cfg['client_id']}:{self.cfg['secret']}".encode()).decode()

    def send(self, method, path, form=None, headers=None):
        h = dict(headers or {})
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            h["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=h)
                resp = self.conn.getresponse()
                data = resp.read().decode("utf-8", "replace")
                break
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                if attempt:
                    raise
        for value in resp.headers.get_all("Set-Cookie") or []:
            pair = value.split(";", 1)[0]
            name, _, val = pair.partition("=")
            expired = "expires=thu, 01 jan 1970" in value.lower()
            if expired or val == "":
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = val.strip()
        return resp.status, resp.headers, data

    def sign_in(self):
        status, _, page = self.send("GET", self.cfg["signin"])
        if status != 200:
            raise RuntimeError(f"GET {self.cfg['signin']} answered {status}")
        _, fields = parse_form(page)
        fields.update(username=self.cfg["user"], password=self.cfg["password"])
        status, headers, page = self.send("POST", self.cfg["signin"], fields)
        if status != 302:
            raise RuntimeError(f"sign-in answered {status}: {page[:300]}")

    def authorize_params(self, challenge, state):
        return {
            "response_type": "code", "client_id": self.cfg["client_id"], "redirect_uri": self.cfg["redirect_uri"],
            "scope": self.cfg["scope"], "code_challenge": challenge, "code_challenge_method": "S256", "state": state,
        }

    def code_from(self, status, headers, page):
        if status != 302:
            raise RuntimeError(f"authorization answered {status}, not a redirect: {page[:300]}")
        location = headers.get("Location", "")
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)
        if "code" not in query:
            raise RuntimeError("authorization redirect without a code: " + location)
        return query["code"][0]

    def consent(self):
        """Asks once and allows. Veza: returns None (consent is remembered). OpenIddict: returns the antiforgery
        field of the consent form, to post with every later Allow."""
        _, challenge = pkce()
        path = self.cfg["authorize"] + "?" + urllib.parse.urlencode(self.authorize_params(challenge, "consent"))
        status, headers, page = self.send("GET", path)
        if status == 302 and self.server == "veza":
            self.code_from(status, headers, page)
            return None  # already remembered
        if status != 200:
            raise RuntimeError(f"authorization answered {status}: {page[:300]}")
        action, fields = parse_form(page)
        if self.server == "veza":
            fields["decision"] = "allow"
            status, headers, page = self.send("POST", action, fields)
            self.code_from(status, headers, page)
            return None
        return {k: v for k, v in fields.items() if k.startswith("__RequestVerificationToken")}

    def new_code(self, antiforgery):
        verifier, challenge = pkce()
        params = self.authorize_params(challenge, secrets.token_urlsafe(8))
        if self.server == "veza":
            status, headers, page = self.send("GET", self.cfg["authorize"] + "?" + urllib.parse.urlencode(params))
        else:
            form = dict(params)
            form.update(antiforgery)
            form["submit.allow"] = "1"
            status, headers, page = self.send("POST", self.cfg["authorize"], form)
        return self.code_from(status, headers, page), verifier

    def token_body(self, code, verifier):
        return urllib.parse.urlencode({
            "grant_type": "authorization_code", "code": code, "redirect_uri": self.cfg["redirect_uri"], "code_verifier": verifier,
        })

    def redeem(self, code, verifier):
        status, _, body = self.send("POST", self.cfg["token"], dict(urllib.parse.parse_qsl(self.token_body(code, verifier))),
                                    {"Authorization": self.basic})
        if status != 200:
            raise RuntimeError(f"token endpoint answered {status}: {body[:300]}")
        return json.loads(body)


def session(server, base):
    client = Client(server, base)
    client.sign_in()
    return client, client.consent()


def produce(server, base, count, threads, make):
    """Runs make(client, antiforgery) count times over `threads` connections sharing the signed-in session."""
    first, antiforgery = session(server, base)
    results, lock, failures = [], threading.Lock(), []
    shares = [count // threads + (1 if i < count % threads else 0) for i in range(threads)]

    def work(n):
        client = Client(server, base, first.cookies)
        out = []
        try:
            for _ in range(n):
                out.append(make(client, antiforgery))
        except Exception as ex:  # reported after the join
            failures.append(ex)
        with lock:
            results.extend(out)

    workers = [threading.Thread(target=work, args=(n,)) for n in shares if n]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    if failures:
        raise failures[0]
    return results


def main(argv):
    if len(argv) < 3 or argv[0] not in ("codes", "refresh", "access", "cookie") or argv[1] not in SERVERS:
        sys.exit(__doc__)
    mode, server, base = argv[0], argv[1], argv[2].rstrip("/")
    if mode == "cookie":
        client, _ = session(server, base)
        print("; ".join(f"{k}={v}" for k, v in client.cookies.items()))
        return
    if mode == "access":
        client, antiforgery = session(server, base)
        print(client.redeem(*client.new_code(antiforgery))["access_token"])
        return
    count, out = int(argv[3]), argv[4]
    threads = int(argv[5]) if len(argv) > 5 else 4
    started = time.monotonic()
    if mode == "codes":
        lines = produce(server, base, count, threads, lambda c, af: c.token_body(*c.new_code(af)))
    else:
        lines = produce(server, base, count, threads, lambda c, af: c.redeem(*c.new_code(af))["refresh_token"])
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"{len(lines)} {mode} for {server} in {time.monotonic() - started:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
