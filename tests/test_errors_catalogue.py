"""One catalogue of error codes (core/errors.py), held to the code and the README:
every code the sources raise is in it, every code in it is documented, and the web
layer alone turns a domain error into its HTTP status and problem document."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from core.config import load_settings
from core.errors import (
    CATALOGUE,
    FIXES,
    PERMANENT_CODES,
    STAGES,
    TRANSIENT_CODES,
    ConfigError,
    ConversionError,
    FloorcastError,
    error_code,
    fix_for,
    is_permanent,
)
from core.jobs.resumable import UploadError
from core.kiosks.fleet import KioskError
from core.kiosks.pairing import PairingError
from web.problems import CLASS_STATUS, STATUS, status_for

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("core", "web", "plugins")

#: where a call names its code: the argument's position
CODE_ARGUMENT = {
    "ConversionError": 0,
    "KioskError": 0,
    "PairingError": 0,
    "UploadError": 0,
    "Problem": 1,
    "problem_response": 1,
}


def _name(func: ast.expr) -> str | None:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _literal(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def raised_codes(source: str) -> list[tuple[str, str | None, int]]:
    """``(code, stage, line)`` for every literal code the source raises or records:
    an error's or problem's code argument, ``code=`` / ``error_code=`` given to an
    error or a job update, a ``{"code": ...}`` a converter child reports, and an
    error class's own ``code``. ``stage`` is a ``stage=`` given with it."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            name = _name(node.func) or ""
            position = CODE_ARGUMENT.get(name)
            stage = next((_literal(k.value) for k in node.keywords if k.arg == "stage"), None)
            if position is not None and len(node.args) > position and (code := _literal(node.args[position])):
                found.append((code, stage, node.lineno))
            for keyword in node.keywords:
                named = keyword.arg == "error_code" or (keyword.arg == "code" and name.endswith("Error"))
                if named and (code := _literal(keyword.value)):
                    found.append((code, stage, node.lineno))
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if key is not None and _literal(key) == "code" and (code := _literal(value)):
                    found.append((code, None, node.lineno))
        elif isinstance(node, ast.ClassDef):
            for statement in node.body:
                if (
                    isinstance(statement, ast.Assign)
                    and [getattr(t, "id", None) for t in statement.targets] == ["code"]
                    and (code := _literal(statement.value))
                ):
                    found.append((code, None, statement.lineno))
    return found


def _source_files():
    for top in SOURCES:
        for path in sorted((ROOT / top).rglob("*.py")):
            if "/tests/" not in path.as_posix() and ".venv" not in path.parts:
                yield path


def test_the_scan_sees_each_way_a_code_is_raised():
    source = """
class GoneError(FloorcastError):
    code = "gone_away"

def f(exc):
    raise ConversionError("made_up", "m", stage="parse")
    raise UploadError("chunk_odd", "m", offset=3)
    raise Problem(418, "teapot", "m")
    raise AccountError("m", code="bad_thing")
    Job.update(error_code="lost_track")
    emit({"type": "error", "data": {"code": "child_broke", "stage": None}})
    raise KioskError(exc.code, exc.message)  # not a literal: its code was caught, so known
"""
    codes = {(code, stage) for code, stage, _line in raised_codes(source)}
    assert codes == {
        ("gone_away", None),
        ("made_up", "parse"),
        ("chunk_odd", None),
        ("teapot", None),
        ("bad_thing", None),
        ("lost_track", None),
        ("child_broke", None),
    }


def test_every_code_the_sources_raise_is_in_the_catalogue_with_its_stage():
    missing, wrong_stage, scanned = [], [], 0
    for path in _source_files():
        where = path.relative_to(ROOT)
        for code, stage, line in raised_codes(path.read_text()):
            scanned += 1
            entry = error_code(code)
            if entry is None:
                missing.append(f"{where}:{line}: {code}")
            elif stage and entry.stage and stage != entry.stage:
                wrong_stage.append(f"{where}:{line}: {code} raised at {stage}, catalogued at {entry.stage}")
    assert scanned > 100  # the scan reads the tree, not an empty folder
    assert not missing, "codes missing from core/errors.py CATALOGUE:\n" + "\n".join(missing)
    assert not wrong_stage, "\n".join(wrong_stage)


def _readme_codes_paragraph() -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index("A failed job says what went wrong")
    end = text.find("\n\n", start)
    return text[start : end if end >= 0 else len(text)]


def test_every_catalogued_code_is_documented_in_the_readme():
    paragraph = _readme_codes_paragraph()
    named = set(re.findall(r"`([a-z_]+)`", paragraph))
    undocumented = sorted(entry.code for entry in CATALOGUE if entry.code not in named)
    assert not undocumented, f"README's list of codes lacks {undocumented}"


def test_the_catalogue_has_one_entry_per_code_and_known_stages():
    codes = [entry.code for entry in CATALOGUE]
    assert len(codes) == len(set(codes))
    assert all(entry.stage in (None, *STAGES) for entry in CATALOGUE)
    with pytest.raises(ValueError):
        type(CATALOGUE[0])("made_up", stage="baking")


def test_permanent_and_transient_codes_are_views_of_the_catalogue():
    jobs = {entry.code for entry in CATALOGUE if entry.job}
    assert PERMANENT_CODES | TRANSIENT_CODES == jobs and not PERMANENT_CODES & TRANSIENT_CODES
    assert {"worker_lost", "storage_unavailable", "internal_error"} <= TRANSIENT_CODES
    assert {"corrupt_file", "timeout", "detector_unavailable"} <= PERMANENT_CODES
    assert is_permanent("corrupt_file") and not is_permanent("internal_error")
    # a code the catalogue does not know (a third-party plugin's) is retried, not failed at once
    assert not is_permanent("some_plugins_code")
    # codes only API answers carry are no job's
    assert "offset_mismatch" not in PERMANENT_CODES | TRANSIENT_CODES


def test_the_console_advice_comes_from_the_catalogue():
    from web.console.pages import FIXES as PAGE_FIXES

    assert PAGE_FIXES is FIXES
    assert fix_for("worker_lost") == "The worker stopped while converting: retry."
    assert fix_for("internal_error").startswith("Something went wrong on the box")
    assert fix_for("invalid_code") == "That is not a pairing code: it has 6 letters and digits, like ABC-123."
    assert fix_for("not_found") is None and fix_for(None) is None and fix_for("made_up") is None
    source = (ROOT / "web" / "console" / "kiosks.py").read_text()
    assert not any(text in source for text in FIXES.values()), "the kiosk page keeps a second copy of the advice"


# -- the web layer: domain error -> HTTP status and problem ----------------------------


def test_every_status_the_web_layer_knows_is_for_a_catalogued_code():
    assert not [code for code in STATUS if error_code(code) is None]
    assert not [code for _cls, code in CLASS_STATUS if error_code(code) is None]


def test_status_by_code_and_by_class():
    assert status_for(KioskError("revoked", "m")) == 409  # a change to a revoked kiosk: a conflict
    assert status_for(PairingError("revoked", "m")) == 410  # a pairing whose kiosk was revoked: over
    assert status_for(PairingError("not_approved", "m")) == 409
    assert status_for(UploadError("offset_mismatch", "m", offset=3)) == 409
    assert status_for(ConversionError("too_large", "m")) == 413
    assert status_for(ConversionError("invalid_options", "m")) == 400
    assert status_for(ConversionError("some_plugins_code", "m")) == 400  # refused as sent
    assert status_for(FloorcastError("m", code="last_admin")) == 409
    assert status_for(FloorcastError("m", code="weak_password")) == 400
    assert status_for(ConfigError("m")) == 500


def test_core_errors_carry_no_http_status():
    for error in (KioskError("not_found", "m"), UploadError("upload_gone", "m"), PairingError("claimed", "m")):
        assert not hasattr(error, "status")
    for path in (ROOT / "core").rglob("*.py"):
        assert "status_code" not in path.read_text(), path


@pytest.fixture
def app(settings_env):
    from web.app import create_app

    return create_app(load_settings(None, env=settings_env))


def test_a_domain_error_any_request_raises_is_answered_as_its_problem(app):
    def refuse_chunk():
        raise UploadError("offset_mismatch", "the upload is at byte 5", offset=5)

    def refuse_claim():
        raise PairingError("revoked", "this kiosk was revoked before it claimed its token")

    app.add_url_rule("/test/chunk", view_func=refuse_chunk)
    app.add_url_rule("/test/claim", view_func=refuse_claim)
    client = app.test_client()
    chunk = client.get("/test/chunk")
    assert chunk.status_code == 409 and chunk.mimetype == "application/problem+json"
    assert chunk.get_json() == {
        "type": "urn:floorcast:problem:offset_mismatch",
        "title": "Conflict",
        "status": 409,
        "code": "offset_mismatch",
        "detail": "the upload is at byte 5",
        "offset": 5,
    }
    claim = client.get("/test/claim")
    assert claim.status_code == 410 and claim.get_json()["code"] == "revoked"


def test_the_api_answers_core_refusals_through_the_one_handler(app):
    from core.kiosks.fleet import revoke
    from core.kiosks.pairing import approve, start_pairing

    client = app.test_client()
    box = app.extensions["floorcast"]
    pairing = start_pairing(box.settings)
    kiosk = approve(pairing["code"], "lobby")
    revoke(str(kiosk.id), bus=box.bus)
    claimed = client.post(f"/api/v1/kiosk/pairings/{pairing['pairing']}/claim", json={"secret": pairing["secret"]})
    assert claimed.status_code == 410 and claimed.get_json()["code"] == "revoked"
    assert claimed.get_json()["detail"] == "this kiosk was revoked before it claimed its token"
    wrong = client.post(f"/api/v1/kiosk/pairings/{pairing['pairing']}/claim", json={"secret": "wrong"})
    assert wrong.status_code == 403 and wrong.get_json()["code"] == "forbidden"
