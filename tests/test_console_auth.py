"""Console sign-in, sessions, CSRF, roles, users and tokens against a real server."""

from __future__ import annotations

import re

import pytest
import requests

from tests.console_session import Console, csrf_of
from tests.serverproc import ADMIN_EMAIL, ADMIN_PASSWORD, ServerProcess


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = ServerProcess(tmp_path_factory.mktemp("console-auth"))
    srv.start()
    yield srv
    srv.stop()


def make_user(admin: Console, email: str, role: str = "staff", password: str = "staff password 1") -> None:
    admin.get("/console/users")
    response = admin.post_form("/console/users", {"email": email, "password": password, "role": role})
    assert response.status_code == 303, response.text[:2000]


def test_pages_need_a_session(server):
    response = requests.get(server.url + "/console/jobs", allow_redirects=False, timeout=30)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/console/login?next=/console/jobs")
    assert requests.get(server.url + "/", allow_redirects=False, timeout=30).headers["Location"] == "/console/"


def test_sign_in_sets_a_strict_cookie_and_wrong_passwords_fail(server):
    anonymous = Console(server, email="")
    assert anonymous.login(ADMIN_EMAIL, "wrong password").status_code == 401
    assert anonymous.login("nobody@example.com", "wrong password").status_code == 401
    response = anonymous.login(ADMIN_EMAIL, ADMIN_PASSWORD)
    assert response.status_code == 303
    cookie = response.headers["Set-Cookie"]
    assert "floorcast_session=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # public_url is not https here
    assert anonymous.signed_in()


def test_forms_and_cookie_api_calls_without_csrf_are_refused(server):
    anonymous = requests.post(
        server.url + "/console/login", data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}, timeout=30
    )
    assert anonymous.status_code == 403
    admin = Console(server)
    refused = admin.post_form("/console/users", {"email": "x@example.com", "password": "12345678"}, csrf=False)
    assert refused.status_code == 403
    assert admin.post_form("/console/logout", csrf=False).status_code == 403
    bad = admin.post_form("/console/tokens", {"name": "x", "csrf_token": "forged"}, csrf=False)
    assert bad.status_code == 403
    # The JSON API with the session cookie needs the token too; with a bearer token it does not.
    no_token = admin.api("POST", "/api/v1/uploads", csrf=False, json={"filename": "a.dxf", "size": 10})
    assert no_token.status_code == 403 and no_token.json()["code"] == "csrf_failed"
    assert admin.api("POST", "/api/v1/uploads", json={"filename": "a.dxf", "size": 10}).status_code == 201
    assert server.post("/api/v1/uploads", json={"filename": "a.dxf", "size": 10}).status_code == 201
    assert admin.signed_in()


def test_staff_cannot_reach_admin_pages(server):
    admin = Console(server)
    make_user(admin, "staff1@example.com")
    staff = Console(server, "staff1@example.com", "staff password 1")
    for path in ("/console/", "/console/upload", "/console/jobs", "/console/channels", "/console/kiosks"):
        assert staff.get(path).status_code == 200, path
    for path in ("/console/users", "/console/settings", "/console/audit"):
        assert staff.get(path).status_code == 403, path
    staff.get("/console/kiosks")
    assert staff.post_form("/console/kiosks/pair", {"code": "ABC-234", "channel": "x"}).status_code == 403
    assert staff.post_form("/console/users", {"email": "y@example.com", "password": "12345678"}).status_code == 403
    assert staff.api("GET", "/api/v1/kiosks").status_code == 403
    page = staff.get("/console/").text
    assert 'href="/console/users"' not in page and 'href="/console/upload"' in page


def test_a_password_change_ends_the_other_sessions(server):
    admin = Console(server)
    make_user(admin, "staff2@example.com")
    first = Console(server, "staff2@example.com", "staff password 1")
    second = Console(server, "staff2@example.com", "staff password 1")
    first.get("/console/account")
    response = first.post_form(
        "/console/account",
        {
            "current_password": "staff password 1",
            "new_password": "new password 2",
            "confirm_password": "new password 2",
        },
    )
    assert response.status_code == 303
    assert first.signed_in()  # the session that changed it carries on
    assert second.get("/console/").status_code == 302  # every other one ends
    assert second.api("GET", "/api/v1/jobs").status_code == 401
    assert Console(server, email="").login("staff2@example.com", "staff password 1").status_code == 401
    assert Console(server, email="").login("staff2@example.com", "new password 2").status_code == 303


def test_disabling_a_user_ends_their_sessions(server):
    admin = Console(server)
    make_user(admin, "staff3@example.com")
    staff = Console(server, "staff3@example.com", "staff password 1")
    users = admin.get("/console/users").text
    user_id = re.search(r'<th scope="row">staff3@example.com</th>.*?action="/console/users/([^"]+)"', users, re.S)[1]
    assert admin.post_form(f"/console/users/{user_id}", {"action": "disable"}).status_code == 303
    assert staff.get("/console/").status_code == 302
    assert Console(server, email="").login("staff3@example.com", "staff password 1").status_code == 401
    audit = admin.get("/console/audit").text
    assert "user.disable" in audit and "user.create" in audit and "session.login" in audit


def test_api_tokens_are_shown_once_and_can_be_revoked(server):
    admin = Console(server)
    admin.get("/console/tokens")
    page = admin.post_form("/console/tokens", {"name": "signage script"})
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    token = page.text.split('id="new-token" readonly value="')[1].split('"')[0]
    assert token.startswith("fct_")
    bearer = {"Authorization": f"Bearer {token}"}
    assert requests.get(server.url + "/api/v1/jobs", headers=bearer, timeout=30).status_code == 200
    listing = admin.get("/console/tokens").text
    assert token not in listing and "signage script" in listing
    revoke_path = listing.split("signage script")[1].split('action="')[1].split('"')[0]
    assert admin.post_form(revoke_path).status_code == 303
    assert requests.get(server.url + "/api/v1/jobs", headers=bearer, timeout=30).status_code == 401


def test_korean_from_accept_language(server):
    korean = Console(server, **{"Accept-Language": "ko-KR,ko;q=0.9,en;q=0.5"})
    page = korean.get("/console/").text
    assert '<html lang="ko">' in page and "대시보드" in page and "로그아웃" in page
    english = Console(server, **{"Accept-Language": "en-GB"})
    assert "Dashboard" in english.get("/console/").text
    # a choice made in the console wins over the browser's language
    english.get("/console/language/ko?next=/console/jobs")
    assert "작업" in english.get("/console/jobs").text


def test_settings_page_masks_secrets(server):
    admin = Console(server)
    page = admin.get("/console/settings").text
    secret = next(
        line.split("=", 1)[1].strip().strip('"')
        for line in server.config.read_text().splitlines()
        if line.startswith("secret_key")
    )
    assert secret and secret not in page
    assert "********" in page and "uploads.max_bytes" in page


def test_login_is_throttled(server_factory):
    server = server_factory()
    client = Console(server, email="")
    statuses = [client.login(ADMIN_EMAIL, f"wrong {i}").status_code for i in range(12)]
    assert statuses[:10] == [401] * 10
    assert statuses[10:] == [429, 429]
    # even the right password waits now
    assert client.login(ADMIN_EMAIL, ADMIN_PASSWORD).status_code == 429
    assert csrf_of(client.get("/console/login").text)


def test_cookie_is_secure_behind_https(settings_env):
    from core.accounts.users import create_user
    from core.config import load_settings
    from web.app import create_app

    settings = load_settings(None, env=dict(settings_env, FLOORCAST_SERVER__PUBLIC_URL="https://floor.example"))
    app = create_app(settings)
    create_user("secure@example.com", "secure password")
    client = app.test_client()
    token = csrf_of(client.get("/console/login").text)
    response = client.post(
        "/console/login", data={"email": "secure@example.com", "password": "secure password", "csrf_token": token}
    )
    assert response.status_code == 303
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
