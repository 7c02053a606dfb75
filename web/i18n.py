"""The words of the console and the kiosk page in the reader's language (Flask-Babel).

The catalogues are ``web/translations``: ``messages.pot`` extracted with pybabel
(see ``babel.cfg``), one ``<lang>/LC_MESSAGES/messages.po`` per language, compiled
to ``.mo`` by the installer. The language is the one chosen in the console (kept
in the session), else the best match of ``Accept-Language``, else English. Times
are shown in UTC, the box's own clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from flask import Flask, request, session
from flask_babel import Babel, format_datetime, gettext

LANGUAGES = ("en", "ko")
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


def select_locale() -> str:
    """The request's language: the console's choice, else the browser's, else English."""
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES, default="en") or "en"


def datetime_text(value: str | dt.datetime | None) -> str:
    """An ISO timestamp (naive ones are UTC) as the locale writes a date and time."""
    if not value:
        return ""
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
    return format_datetime(moment, "medium")


def translated(messages: Iterable[str]) -> dict[str, str]:
    """Each message in the request's language: what a page's script is sent once."""
    return {message: gettext(message) for message in messages}


def install(app: Flask) -> None:
    """Translations for the app's templates and views; the console and the kiosk
    page both call it, so it does its work once per app."""
    if "babel" in app.extensions:
        return
    Babel(app, locale_selector=select_locale, default_translation_directories=str(TRANSLATIONS))
    app.jinja_env.filters["datetime_text"] = datetime_text
