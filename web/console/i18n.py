"""The console's words: Flask-Babel and the catalogues in ``web/translations``
(see :mod:`web.i18n`). Templates and views call ``_()`` / ``ngettext()``; the
scripts get their messages translated, once per page, from :func:`js_messages`.
"""

from __future__ import annotations

from core.jobs.progress import STAGE_SPANS
from web.i18n import translated

#: messages the scripts show (``t("...")`` in web/console/static), sent to the page once
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


def js_messages() -> dict[str, str]:
    """The scripts' messages and the stage names the live feed reports, translated."""
    return translated((*JS_MESSAGES, *STAGE_SPANS))
