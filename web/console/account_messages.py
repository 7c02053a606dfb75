"""What the console says when an account rule refuses a change: the refusal's own
message, in the reader's language where the console has it translated."""

from __future__ import annotations

from flask_babel import gettext as _

from core.accounts.users import AccountError


def account_error_text(exc: AccountError) -> str:
    texts = {
        "weak_password": _("A password needs at least 8 characters."),
        "last_admin": _("This is the last active administrator: make another one first."),
        "duplicate_email": _("A user with this email already exists."),
        "invalid_email": _("Enter an email address."),
    }
    return texts.get(exc.code, exc.message)
