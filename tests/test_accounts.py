"""Account rules live in core (core/accounts/users.py) and the console shows the
refusal that happened, not one message for every error."""

from __future__ import annotations

import re

import pytest

from core.accounts.audit import recent
from core.accounts.users import AccountError, LastAdminError, create_user, set_disabled, set_password, set_role
from core.appliance import create_appliance
from core.config import load_settings
from core.data.models import User
from core.errors import FloorcastError
from tests.console_session import csrf_of

PASSWORD = "long enough 1"


@pytest.fixture
def settings(settings_env):
    return load_settings(None, env=settings_env)


@pytest.fixture
def box(settings):
    return create_appliance(settings, with_queue=False)


def _refusal(call) -> AccountError:
    with pytest.raises(AccountError) as info:
        call()
    return info.value


def test_create_user_refuses_bad_values_with_a_code_each(box):
    create_user("Taken@Example.com ", PASSWORD)
    codes = {
        "invalid_email": lambda: create_user("no-at-sign", PASSWORD),
        "weak_password": lambda: create_user("a@example.com", "short"),
        "invalid_role": lambda: create_user("b@example.com", PASSWORD, "owner"),
        "duplicate_email": lambda: create_user("taken@example.com", PASSWORD),
    }
    for code, call in codes.items():
        error = _refusal(call)
        assert error.code == code and isinstance(error, FloorcastError) and isinstance(error, ValueError)
    assert [u.email for u in User.select()] == ["taken@example.com"]


def test_the_last_active_admin_can_be_neither_demoted_nor_disabled(box):
    admin = create_user("admin@example.com", PASSWORD, "admin")
    other = create_user("other@example.com", PASSWORD, "admin", by=admin)
    assert set_disabled(other, True, by=admin)  # two active admins: one may go
    for change in (lambda: set_role(admin, "staff", by=admin), lambda: set_disabled(admin, True, by=admin)):
        error = _refusal(change)
        assert isinstance(error, LastAdminError) and error.code == "last_admin"
    fresh = User.get_by_id(admin.id)
    assert (fresh.role, fresh.is_active, fresh.session_version) == ("admin", True, 0)
    # A disabled admin counts for nothing; once enabled again, the first may step down.
    assert set_disabled(other, False, by=admin)
    assert set_role(admin, "staff", by=other)
    assert _refusal(lambda: set_role(other, "staff")).code == "last_admin"
    assert not set_role(other, "admin"), "no change, no audit entry"


def test_changes_end_sessions_and_are_audited_with_who_made_them(box):
    admin = create_user("admin@example.com", PASSWORD, "admin")
    staff = create_user("staff@example.com", PASSWORD, by=admin)
    set_password(staff, "another one 2", by=admin)
    set_role(staff, "admin", by=admin)
    set_disabled(staff, True, by=admin)
    assert User.get_by_id(staff.id).session_version == 3
    trail = [(e.actor, e.action, e.target) for e in reversed(recent())]
    assert trail == [
        ("cli", "user.create", str(admin.id)),
        ("user:admin@example.com", "user.create", str(staff.id)),
        ("user:admin@example.com", "user.password", str(staff.id)),
        ("user:admin@example.com", "user.make_admin", str(staff.id)),
        ("user:admin@example.com", "user.disable", str(staff.id)),
    ]
    assert _refusal(lambda: set_password(staff, "short")).code == "weak_password"


# -- the console shows the refusal that happened -----------------------------------


@pytest.fixture
def console(settings):
    from web.app import create_app

    app = create_app(settings)
    create_user("admin@example.com", PASSWORD, "admin")
    client = app.test_client()
    token = csrf_of(client.get("/console/login").text)
    signed_in = client.post(
        "/console/login", data={"email": "admin@example.com", "password": PASSWORD, "csrf_token": token}
    )
    assert signed_in.status_code == 303
    return client


def _post(client, path: str, data: dict):
    token = csrf_of(client.get("/console/users").text)
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=True)


PASSWORD_TEXT = "A password needs at least 8 characters."


def test_console_user_form_shows_the_rule_that_refused(console):
    duplicate = _post(console, "/console/users", {"email": "admin@example.com", "password": PASSWORD})
    assert "A user with this email already exists." in duplicate.text and PASSWORD_TEXT not in duplicate.text
    role = _post(console, "/console/users", {"email": "x@example.com", "password": PASSWORD, "role": "owner"})
    assert "role must be admin or staff" in role.text and PASSWORD_TEXT not in role.text
    weak = _post(console, "/console/users", {"email": "y@example.com", "password": "short"})
    assert PASSWORD_TEXT in weak.text
    assert User.select().count() == 1


def test_console_refuses_to_demote_the_last_admin(console):
    admin = User.get(User.email == "admin@example.com")
    page = _post(console, f"/console/users/{admin.id}", {"action": "make_staff"})
    assert "This is the last active administrator: make another one first." in page.text
    assert PASSWORD_TEXT not in page.text
    assert User.get_by_id(admin.id).role == "admin"
    assert re.search(r"user\.make_staff", console.get("/console/audit").text) is None
