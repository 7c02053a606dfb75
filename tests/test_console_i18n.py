"""Every message the console shows has its Korean text; scripts only use messages sent to them."""

from __future__ import annotations

import re
from pathlib import Path

from core.convert.scene import CATEGORIES
from core.jobs.progress import STAGE_SPANS
from web.console.i18n import JS_MESSAGES
from web.console.messages_ko import KO
from web.console.pages import FIXES

CONSOLE = Path(__file__).resolve().parent.parent / "web" / "console"
CALL = re.compile(r"""(?:\b_|translator\(\))\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")
JS_CALL = re.compile(r"""\bt\(\s*"((?:[^"\\]|\\.)*)"\s*\)""")


def used_messages() -> set[str]:
    found = set()
    for path in [*CONSOLE.rglob("*.html"), *CONSOLE.glob("*.py")]:
        for match in CALL.finditer(path.read_text()):
            found.add(match.group(1) or match.group(2))
    return found


def test_every_message_has_korean_text():
    wanted = used_messages() | set(JS_MESSAGES) | set(FIXES.values()) | set(STAGE_SPANS) | set(CATEGORIES)
    wanted |= {"admin", "staff", "online", "offline", "revoked"}
    wanted |= {"queued", "running", "succeeded", "failed", "cancelled"}
    assert len(wanted) > 200
    missing = sorted(m for m in wanted if m not in KO)
    assert not missing, missing
    placeholders = re.compile(r"\{(\w+)\}")
    for english, korean in KO.items():
        assert set(placeholders.findall(english)) == set(placeholders.findall(korean)), english


def test_scripts_use_only_messages_they_are_sent():
    for path in (CONSOLE / "static").glob("*.js"):
        for message in JS_CALL.findall(path.read_text()):
            assert message in JS_MESSAGES, f"{path.name}: {message!r} is not in JS_MESSAGES"
