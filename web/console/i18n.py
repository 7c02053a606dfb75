"""The console's words in English and Korean, chosen from the browser's language.

Messages are keyed by their English text: ``_("Upload")`` shows "Upload" or
"업로드". The language comes from a choice made in the console (kept in the
session), else from ``Accept-Language``, else English. A test checks that every
message the templates and scripts use has its Korean text here.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import request, session

from web.console.messages_ko import KO

LANGUAGES = ("en", "ko")
CATALOGUES: dict[str, dict[str, str]] = {"en": {}, "ko": KO}

#: messages the scripts show, sent to the page once
JS_MESSAGES = (
    "queued",
    "running",
    "succeeded",
    "failed",
    "cancelled",
    "Uploading",
    "Resuming after a dropped connection",
    "Upload finished; the conversion is queued.",
    "The upload failed",
    "Choose a file first.",
    "The file is larger than the upload limit.",
    "Published",
    "to",
    "Could not publish",
    "Sent",
    "The kiosk is offline.",
    "Waiting for the screenshot",
    "No screenshot arrived.",
    "online",
    "offline",
    "revoked",
    "Live updates paused; reconnecting",
    "Loading the model",
    "The model could not be loaded",
    "done",
    "left",
    "The request failed",
    "Write the name of a channel.",
)


def language() -> str:
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES, default="en") or "en"


def translator(lang: str | None = None) -> Callable[..., str]:
    catalogue = CATALOGUES[lang or language()]

    def translate(message: str, **values) -> str:
        text = catalogue.get(message, message)
        return text.format(**values) if values else text

    return translate


def js_messages() -> dict[str, str]:
    _ = translator()
    return {key: _(key) for key in JS_MESSAGES}
