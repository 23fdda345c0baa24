"""Single sign-on against a real (local) OpenID Connect provider, driven in headless Chromium.

``tests/oidc_provider.py`` runs the identity provider: discovery, an authorize endpoint that
approves the configured user at once, a token endpoint that signs RS256 id_tokens, JWKS. The app
runs with a secrets file whose ``[auth]`` section points at it (as a department's would point at
its own provider), and Streamlit's ``st.login`` does the code flow with PKCE. The e-mail the provider
vouches for maps to an orgnet account and its role; an e-mail that maps to none is refused and audited.
"""
from __future__ import annotations

import time

import pytest

from access.accounts import Accounts
from access.audit import AuditLog
from browser import chromium, free_port, running_app
from ledgers import mini_county_db
from oidc_provider import OidcProvider

CLIENT_ID, CLIENT_SECRET = "orgnet-test", "client-secret-for-the-test"


def _wait_for(driver, predicate, timeout: float = 60, what: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate(driver.find_element("tag name", "body").text):
                return
        except Exception:  # the page is being replaced by a redirect: look again
            pass
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}: {driver.current_url}\n{driver.find_element('tag name', 'body').text[:2000]}")


def _click(driver, label: str, timeout: float = 60) -> None:
    """Click the button holding ``label`` once the page has drawn it (it may come after the text)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            for b in driver.find_elements("css selector", "button"):
                if label in b.text:
                    b.click()
                    return
        except Exception:  # redrawn under us: look again
            pass
        time.sleep(0.5)
    raise AssertionError(f"no button {label!r}: {[b.text for b in driver.find_elements('css selector', 'button')]}")


@pytest.fixture(scope="module")
def sso_app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sso")
    db = mini_county_db(str(tmp / "sso.kuzu"), tmp)
    access = tmp / "access"
    book = Accounts(access / "accounts.sqlite")
    book.add("boss", "orgnet-test-9", "admin")
    book.add("li", "orgnet-test-9", "analyst", email="li@example.org")
    book.add("wang", "orgnet-test-9", "community", area="C2", email="Wang@Example.org")
    book.add("gone", "orgnet-test-9", "viewer", email="gone@example.org")
    book.set_disabled("gone")
    port = free_port()
    redirect = f"http://127.0.0.1:{port}/oauth2callback"
    with OidcProvider(CLIENT_ID, CLIENT_SECRET, redirect) as idp:
        secrets = tmp / "secrets.toml"
        secrets.write_text(f'''[auth]
redirect_uri = "{redirect}"
cookie_secret = "a-cookie-secret-only-for-this-test"
client_id = "{CLIENT_ID}"
client_secret = "{CLIENT_SECRET}"
server_metadata_url = "{idp.discovery_url}"
''', encoding="utf-8")
        with running_app(db, port, env_extra={"ORGNET_ACCESS": str(access)},
                         args=("--secrets.files", str(secrets))) as base:
            yield base, idp, AuditLog(access / "audit.jsonl")


def _sign_in(driver, base: str) -> None:
    driver.delete_all_cookies()
    driver.get(base)
    _wait_for(driver, lambda text: "单点登录" in text, what="the login form with its sign-on button")
    _click(driver, "单点登录")


def test_single_sign_on_maps_the_email_to_the_account_and_role(sso_app):
    base, idp, audit = sso_app
    idp.user = {"sub": "u-li", "email": "li@example.org", "email_verified": True, "name": "李四"}
    with chromium() as driver:
        _sign_in(driver, base)
        _wait_for(driver, lambda text: "li · 县级分析员" in text, what="li signed in as county analyst")
        assert "密码 Password" not in driver.find_element("tag name", "body").text
        assert {"/.well-known/openid-configuration", "/authorize", "/token", "/jwks"} <= set(idp.requests)
        [event] = [r for r in audit.read(event="login") if r.get("source") == "sso" and r["user"] == "li"]
        assert event["role"] == "analyst" and event["email"] == "li@example.org"
        # log out: orgnet's session and the provider's sign-in here both end, back to the login form
        _click(driver, "退出登录")
        _wait_for(driver, lambda text: "单点登录" in text and "县级分析员" not in text, what="the login form again")
        assert any(r["user"] == "li" and r.get("source") == "sso" for r in audit.read(event="logout"))
        # the e-mail is matched without regard to case, and the role's area comes with it
        idp.user = {"sub": "u-wang", "email": "wang@example.org", "name": "王五"}
        _sign_in(driver, base)
        _wait_for(driver, lambda text: "wang · 社区工作人员 · C2" in text, what="wang signed in for C2")


@pytest.mark.parametrize("email, reason", [("nobody@example.org", "没有对应的 orgnet 账户"),
                                           ("gone@example.org", "已停用")])
def test_an_unmapped_or_disabled_email_is_refused_and_audited(sso_app, email, reason):
    base, idp, audit = sso_app
    idp.user = {"sub": f"u-{email}", "email": email, "name": "某人"}
    with chromium() as driver:
        _sign_in(driver, base)
        _wait_for(driver, lambda text: reason in text, what="the refusal")
        text = driver.find_element("tag name", "body").text
        assert email in text and "总览" not in text and "县级" not in text  # no page, no data
        assert "/token" in idp.requests  # the provider did vouch for the e-mail: orgnet refused it
        failed = [r for r in audit.read(event="login_failed") if r.get("source") == "sso" and r.get("email") == email]
        assert len(failed) == 1 and reason in failed[0]["reason"]
        _click(driver, "退出单点登录")
        _wait_for(driver, lambda text: "密码 Password" in text, what="the login form after signing out")
