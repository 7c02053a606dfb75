"""A signed-in console session over plain HTTP (requests), as a browser would hold it."""

from __future__ import annotations

import re

import requests

from tests.serverproc import ADMIN_EMAIL, ADMIN_PASSWORD, ServerProcess

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = CSRF_FIELD.search(html)
    assert match, "no CSRF field on the page"
    return match.group(1)


class Console:
    def __init__(self, server: ServerProcess, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD, **headers):
        self.server = server
        self.http = requests.Session()
        self.http.headers.update(headers)
        self.csrf = ""
        if email:
            response = self.login(email, password)
            assert response.status_code == 303, response.text[:2000]

    def login(self, email: str, password: str) -> requests.Response:
        page = self.get("/console/login")
        response = self.http.post(
            self.server.url + "/console/login",
            data={"email": email, "password": password, "csrf_token": csrf_of(page.text)},
            allow_redirects=False,
            timeout=30,
        )
        if response.status_code == 303:
            self.get("/console/")  # a new session: the token of the sign-in page is gone
        return response

    def get(self, path: str, **kw) -> requests.Response:
        kw.setdefault("allow_redirects", False)
        response = self.http.get(self.server.url + path, timeout=30, **kw)
        if "csrf_token" in response.text:
            self.csrf = csrf_of(response.text)
        return response

    def post_form(self, path: str, data: dict | None = None, csrf: bool = True) -> requests.Response:
        """POST a console form (from the page at ``path`` unless told otherwise)."""
        data = dict(data or {})
        if csrf:
            data["csrf_token"] = self.csrf or csrf_of(self.get("/console/").text)
        return self.http.post(self.server.url + path, data=data, allow_redirects=False, timeout=60)

    def api(self, method: str, path: str, csrf: bool = True, **kw) -> requests.Response:
        """Call the JSON API with the session cookie, as the console's scripts do."""
        headers = kw.pop("headers", {})
        if csrf:
            headers["X-CSRFToken"] = self.csrf or csrf_of(self.get("/console/").text)
        return self.http.request(method, self.server.url + path, headers=headers, timeout=60, **kw)

    def signed_in(self) -> bool:
        response = self.get("/console/")
        return response.status_code == 200
