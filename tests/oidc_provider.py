"""A small local OpenID Connect provider (joserfc, the JOSE library Authlib itself uses) for the single sign-on test: the parts of a real identity
provider that Streamlit's ``st.login`` (Authlib) talks to, on 127.0.0.1 at a free port.

* ``/.well-known/openid-configuration``: the discovery document (code flow, RS256, S256 PKCE);
* ``/authorize``: approves at once whoever ``provider.user`` is (no login page: the test decides who
  signs in) and redirects back with a one-time code, after checking client id and redirect URI;
* ``/token``: exchanges the code (client secret and PKCE verifier checked) for an access token and
  an RS256-signed ``id_token`` carrying ``iss``, ``aud``, ``nonce``, ``email``, ``name``;
* ``/jwks``: the public key that signed it; ``/userinfo``: the claims for the access token.

Every request is kept in ``provider.requests`` so the test can show the flow really went through it.

Example
-------
>>> with OidcProvider("orgnet", "s3cret", "http://127.0.0.1:8501/oauth2callback") as idp:  # doctest: +SKIP
...     idp.user = {"sub": "u1", "email": "li@example.org", "name": "李四"}
...     idp.issuer                                  # http://127.0.0.1:<port>
"""
from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class OidcProvider:
    def __init__(self, client_id: str, client_secret: str, redirect_uri: str):
        from joserfc.jwk import RSAKey

        self.client_id, self.client_secret, self.redirect_uri = client_id, client_secret, redirect_uri
        self.key = RSAKey.generate_key(2048, parameters={"kid": "orgnet-test", "use": "sig", "alg": "RS256"})
        self.user: dict[str, str] = {}
        self.codes: dict[str, dict] = {}
        self.tokens: dict[str, dict] = {}
        self.requests: list[str] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "OidcProvider":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def discovery(self) -> dict:
        return {
            "issuer": self.issuer, "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token", "jwks_uri": f"{self.issuer}/jwks",
            "userinfo_endpoint": f"{self.issuer}/userinfo", "response_types_supported": ["code"],
            "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"], "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        }

    def id_token(self, nonce: str | None) -> str:
        from joserfc import jwt

        now = int(time.time())
        claims = {"iss": self.issuer, "aud": self.client_id, "iat": now, "exp": now + 600, "auth_time": now,
                  **self.user}
        if nonce:
            claims["nonce"] = nonce
        return jwt.encode({"alg": "RS256", "kid": "orgnet-test"}, claims, self.key)

    def _handler(self):
        idp = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet: the test keeps its own record
                pass

            def _send(self, status: int, body: dict | None = None, headers: dict | None = None) -> None:
                data = json.dumps(body or {}).encode()
                self.send_response(status)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                url = urllib.parse.urlsplit(self.path)
                q = dict(urllib.parse.parse_qsl(url.query))
                idp.requests.append(url.path)
                if url.path == "/.well-known/openid-configuration":
                    self._send(200, idp.discovery())
                elif url.path == "/jwks":
                    self._send(200, {"keys": [idp.key.as_dict(private=False)]})
                elif url.path == "/authorize":
                    if q.get("client_id") != idp.client_id or q.get("redirect_uri") != idp.redirect_uri:
                        self._send(400, {"error": "invalid_request", "got": q})
                        return
                    code = secrets.token_urlsafe(16)
                    idp.codes[code] = {"nonce": q.get("nonce"), "challenge": q.get("code_challenge"),
                                       "redirect_uri": q["redirect_uri"]}
                    back = q["redirect_uri"] + "?" + urllib.parse.urlencode({"code": code, "state": q.get("state", "")})
                    self._send(302, headers={"Location": back})
                elif url.path == "/userinfo":
                    token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
                    if token in idp.tokens:
                        self._send(200, idp.tokens[token])
                    else:
                        self._send(401, {"error": "invalid_token"})
                else:
                    self._send(404, {"error": "not_found"})

            def do_POST(self) -> None:
                idp.requests.append(self.path)
                if self.path != "/token":
                    self._send(404, {"error": "not_found"})
                    return
                form = dict(urllib.parse.parse_qsl(self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()))
                client_id, secret = form.get("client_id"), form.get("client_secret")
                auth = self.headers.get("Authorization") or ""
                if auth.startswith("Basic "):
                    client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
                    client_id, secret = urllib.parse.unquote(client_id), urllib.parse.unquote(secret)
                grant = idp.codes.pop(form.get("code", ""), None)
                if (client_id, secret) != (idp.client_id, idp.client_secret) or grant is None \
                        or form.get("redirect_uri") != grant["redirect_uri"]:
                    self._send(400, {"error": "invalid_grant"})
                    return
                if grant["challenge"]:
                    verifier = form.get("code_verifier", "").encode()
                    expected = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=").decode()
                    if expected != grant["challenge"]:
                        self._send(400, {"error": "invalid_grant", "error_description": "PKCE"})
                        return
                access = secrets.token_urlsafe(24)
                idp.tokens[access] = dict(idp.user)
                self._send(200, {"access_token": access, "token_type": "Bearer", "expires_in": 600,
                                 "id_token": idp.id_token(grant["nonce"]), "scope": "openid email profile"},
                           headers={"Cache-Control": "no-store"})

        return Handler
