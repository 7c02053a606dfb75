"""The console's and the kiosk page's words come from the gettext catalogues in
web/translations: every message the templates, views and scripts use is in
messages.pot and has its Korean text (not fuzzy, every plural form, the same
placeholders); the compiled .mo matches the .po; scripts only use messages they
are sent; a Korean browser gets Korean words, dates and plural forms."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir, extract_javascript
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from core.jobs.progress import STAGE_SPANS
from tests.console_session import csrf_of
from web.console.i18n import JS_MESSAGES
from web.kiosk.i18n import PAGE_MESSAGES
from web.runtime_messages import runtime_messages

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "web" / "translations"
KO_PO = TRANSLATIONS / "ko" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
UPDATE = "run pybabel extract and update (README, Translations)"


def catalogue(path: Path, locale: str | None = None):
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def extracted() -> set[str]:
    """What ``pybabel extract -F babel.cfg`` finds (singular msgids)."""
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    found = extract_from_dir(str(ROOT), method_map, options_map)
    return {message if isinstance(message, str) else message[0] for _file, _line, message, _c, _ctx in found}


def msgid(message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def texts(message) -> tuple[str, ...]:
    return (message.string,) if isinstance(message.string, str) else tuple(message.string)


@pytest.fixture(scope="module")
def used() -> set[str]:
    return extracted() | runtime_messages() | set(JS_MESSAGES) | set(PAGE_MESSAGES) | set(STAGE_SPANS)


def test_the_template_holds_every_message_in_use(used):
    template = {msgid(m) for m in catalogue(TRANSLATIONS / "messages.pot") if m.id}
    assert len(used) > 250
    assert not sorted(used - template), f"messages missing from messages.pot: {UPDATE}"
    assert not sorted(template - used), f"messages.pot holds messages no longer used: {UPDATE}"


def test_every_message_has_korean_text(used):
    ko = catalogue(KO_PO, "ko")
    entries = {msgid(m): m for m in ko if m.id}
    missing = sorted(m for m in used if m not in entries)
    assert not missing, missing
    assert ko.num_plurals == 1  # Korean counts without plural forms
    for key in sorted(used):
        entry = entries[key]
        assert not entry.fuzzy, f"fuzzy: {key!r}"
        forms = texts(entry)
        assert len(forms) == ko.num_plurals and all(forms), f"no Korean text: {key!r}"
        wanted = set(PLACEHOLDER.findall(" ".join(entry.id if isinstance(entry.id, tuple) else (entry.id,))))
        for form in forms:
            assert set(PLACEHOLDER.findall(form)) == wanted, f"placeholders differ: {key!r}"
            assert "%" not in PLACEHOLDER.sub("", form), f"a stray % breaks formatting: {key!r}"


def test_the_compiled_catalogue_matches_the_po():
    mo_path = KO_PO.with_suffix(".mo")
    assert mo_path.exists(), "no .mo: run pybabel compile -d web/translations (the installer does)"
    with mo_path.open("rb") as f:
        compiled = {msgid(m): texts(m) for m in read_mo(f) if m.id}
    source = {msgid(m): texts(m) for m in catalogue(KO_PO, "ko") if m.id}
    assert compiled == source, "the .mo is stale: run pybabel compile -d web/translations"


def script_messages(folder: Path) -> dict[str, set[str]]:
    found = {}
    for path in folder.glob("*.js"):
        with path.open("rb") as f:
            calls = extract_javascript(f, ["t"], [], {"parse_template_string": True})
            found[path.name] = {message for _line, _func, message, _c in calls if isinstance(message, str)}
    return found


def test_scripts_use_only_messages_they_are_sent():
    sent = set(JS_MESSAGES) | set(STAGE_SPANS)
    for name, messages in script_messages(ROOT / "web" / "console" / "static").items():
        assert messages <= sent, f"{name}: {sorted(messages - sent)} not in JS_MESSAGES"
    kiosk = script_messages(ROOT / "web" / "kiosk" / "static")
    for name, messages in kiosk.items():
        assert messages <= set(PAGE_MESSAGES), f"{name}: {sorted(messages - set(PAGE_MESSAGES))} not in PAGE_MESSAGES"
    assert set().union(*kiosk.values()) == set(PAGE_MESSAGES), "PAGE_MESSAGES holds messages no script shows"


KOREAN = {"Accept-Language": "ko-KR,ko;q=0.9,en;q=0.5"}
ENGLISH = {"Accept-Language": "en-GB,en;q=0.8"}
KOREAN_DATE = re.compile(
    r"<time datetime=\"[^\"]+\">\d{4}\. \d{1,2}\. \d{1,2}\. (오전|오후) \d{1,2}:\d{2}:\d{2} UTC</time>"
)
ENGLISH_DATE = re.compile(
    r"<time datetime=\"[^\"]+\">[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}:\d{2}\s[AP]M UTC</time>"
)


@pytest.fixture
def admin_client(settings_env):
    from core.accounts.provision import ensure_admin
    from core.config import load_settings
    from web.app import create_app

    app = create_app(load_settings(None, env=settings_env))
    ensure_admin("admin@example.com", "admin password 1")
    client = app.test_client()
    token = csrf_of(client.get("/console/login").text)
    signed_in = client.post(
        "/console/login", data={"email": "admin@example.com", "password": "admin password 1", "csrf_token": token}
    )
    assert signed_in.status_code == 303
    return client


def test_korean_browser_gets_korean_words_dates_and_counts(admin_client):
    korean = admin_client.get("/console/audit", headers=KOREAN).text
    assert '<html lang="ko">' in korean and "감사 로그" in korean
    assert KOREAN_DATE.search(korean), "no Korean date on the audit page"
    assert re.search(r"기록 \d+개", korean)
    messages = json.loads(re.search(r'id="fc-messages">(.*?)</script>', korean).group(1))
    assert messages["Uploading"] == "업로드 중" and messages["parse"] == "읽기"

    english = admin_client.get("/console/audit", headers=ENGLISH).text
    assert '<html lang="en">' in english and "Audit log" in english
    assert ENGLISH_DATE.search(english), "no English date on the audit page"
    count = int(re.search(r"(\d+) entr(?:y|ies)", english).group(1))
    assert f"{count} {'entry' if count == 1 else 'entries'}" in english


def test_a_choice_in_the_console_wins_over_the_browser(admin_client):
    admin_client.get("/console/language/ko?next=/console/")
    assert "대시보드" in admin_client.get("/console/", headers=ENGLISH).text


def test_kiosk_page_speaks_the_kiosks_language(settings_env):
    from core.config import load_settings
    from web.app import create_app

    client = create_app(load_settings(None, env=settings_env)).test_client()
    korean = client.get("/kiosk", headers=KOREAN)
    assert korean.status_code == 200, "the kiosk page needs three.js: ./installer/install.sh"
    html = korean.text
    assert '<html lang="ko">' in html and "이 화면 페어링" in html
    messages = json.loads(re.search(r'id="fc-messages">(.*?)</script>', html).group(1))
    assert messages["Walls"] == "벽" and set(messages) == set(PAGE_MESSAGES)
    english = client.get("/kiosk", headers=ENGLISH).text
    assert '<html lang="en">' in english and "Pair this screen" in english
