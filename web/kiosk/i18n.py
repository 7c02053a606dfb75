"""The kiosk page's words: the same catalogues as the console (:mod:`web.i18n`),
in the language of the kiosk's browser."""

from __future__ import annotations

from web.i18n import translated

#: messages the page's modules show (``t("...")`` in web/kiosk/static), sent with the page
PAGE_MESSAGES = (
    "connecting…",
    "connected",
    "reconnecting…",
    "offline",
    "Enter this code in the Floorcast console, under Kiosks.",
    "Asking the Floorcast box for a pairing code…",
    "Floorcast kiosk",
    "The new floor plan could not be loaded; retrying shortly.",
    "Waiting for a floor plan…",
    "Waiting for a floor plan on channel “%(channel)s”…",
    "Connecting to the Floorcast box…",
    "This screen cannot show 3D floor plans: WebGL is not available in this browser.",
    "Cannot reach the Floorcast box; trying again…",
    "Too many pairing attempts; waiting…",
    "The box answered %(status)s; trying again…",
    "Floor",
    "Rooms",
    "Walls",
    "Doors",
    "Windows",
    "Stairs",
    "Elevators",
    "Columns",
    "Furniture",
    "Annotations",
    "Other",
)


def page_messages() -> dict[str, str]:
    return translated(PAGE_MESSAGES)
