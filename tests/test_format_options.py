"""Formats declare their options; core checks every upload against core's options
and the chosen format's declaration, in the API, resumable uploads, the console's
form and ``floorcast convert --set``, without knowing any format's options itself."""

from __future__ import annotations

import io
import json
import re

import pytest
from floorcast_dxf.plugin import floorcast_register_formats as dxf_formats
from floorcast_pdf.plugin import floorcast_register_formats as pdf_formats

from core.config import load_settings, setting_for_option
from core.errors import ConversionError
from core.jobs.options import CORE_OPTIONS, validate_options
from core.plugin_api import FormatOption
from tests.conftest import TEST_PLUGINS, slowplan
from tests.console_session import csrf_of
from tests.dxf_factory import building_plan

DXF = dxf_formats()[0]
PDF = pdf_formats()[0]
MINIMAL_DXF = b"0\nSECTION\n2\nENTITIES\n0\nLINE\n8\nA-WALL\n10\n0\n20\n0\n11\n5000\n21\n0\n0\nENDSEC\n0\nEOF\n"


def _refusal(options, spec=DXF, formats=()) -> str:
    with pytest.raises(ConversionError) as info:
        validate_options(options, spec, formats)
    assert info.value.code == "invalid_options"
    return info.value.message


def test_values_are_read_with_the_declared_types():
    given = {
        "floor": "false",
        "max_wall_thickness": "0.45",
        "reader": "ezdxf",
        "level": "2",
        "layers": '{"W*": "wall"}',
    }
    assert validate_options(given, DXF) == {
        "floor": False,
        "max_wall_thickness": 0.45,
        "reader": "ezdxf",
        "level": 2,
        "layers": {"W*": "wall"},
    }
    assert validate_options({"wall_thickness": None, "units": "mm"}, DXF) == {"units": "mm"}, (
        "None leaves an option unset"
    )
    assert "max_wall_thickness must be a number" in _refusal({"max_wall_thickness": "thick"})
    assert "floor must be true or false" in _refusal({"floor": "maybe"})
    assert "reader must be one of auto, ezdxf" in _refusal({"reader": "fast"})
    assert "level must be a whole number" in _refusal({"level": 1.5})
    assert "options must be a JSON object" in _refusal(["floor"])


def test_unknown_options_are_named_with_the_accepted_ones():
    message = _refusal({"colour": "red"})
    assert "colour" in message and "max_wall_thickness" in message and "wall_height" in message
    assert "page" not in message, "a DXF upload is not offered the PDF's options"
    assert "unknown option(s): page" in _refusal({"page": 2})
    assert validate_options({"page": 2}, PDF) == {"page": 2}
    # format not known yet: any installed format's option passes
    assert validate_options({"page": 2, "reader": "auto"}, None, [DXF, PDF]) == {"page": 2, "reader": "auto"}
    # settings core passes are not upload options, even where a format declares them
    assert "[model] layer_rules setting" in _refusal({"layer_rules": ["A* = wall"]})
    assert "[jobs] max_render_megapixels" in _refusal({"max_megapixels": 1}, PDF)


def test_defaults_core_passes_are_owned_by_their_setting():
    owned = {o.name: o.default for o in (*CORE_OPTIONS, *DXF.options, *PDF.options) if setting_for_option(o.name)}
    assert {"wall_height", "storey_height", "layer_rules", "max_pages"} <= set(owned)
    for name, default in owned.items():
        assert default == setting_for_option(name).default, name
    with pytest.raises(ValueError, match="wall_height setting"):
        FormatOption("wall_height", "float", 2.5)
    with pytest.raises(ValueError, match="type"):
        FormatOption("speed", "number")
    assert "seconds" not in {o.name for o in CORE_OPTIONS}, "the test plugin's option is its own"


@pytest.fixture
def box(settings_env, monkeypatch):
    """An app with the test plugins installed and an API token."""
    from core.accounts.auth import create_api_token, hash_password
    from core.data.models import User
    from web.app import create_app

    monkeypatch.syspath_prepend(str(TEST_PLUGINS))
    app = create_app(load_settings(None, env=settings_env))
    user = User.create(email="staff@example.com", password_hash=hash_password("staff password"), role="admin")
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {create_api_token(user)}"
    return client


def _upload(client, name: str, data: bytes, options: dict):
    return client.post(
        "/api/v1/plans",
        data={"file": (io.BytesIO(data), name), "options": json.dumps(options)},
        content_type="multipart/form-data",
    )


def test_api_takes_a_format_option_and_refuses_a_wrong_one(box):
    accepted = _upload(box, "plan.dxf", MINIMAL_DXF, {"max_wall_thickness": 0.45, "floor": "false"})
    assert accepted.status_code == 202, accepted.text
    job = accepted.json["job"]
    assert job["options"] == {"max_wall_thickness": 0.45, "floor": False}
    assert job["format"] == "dxf", "the format sniffed at intake is recorded on the job"

    wrong = _upload(box, "plan.dxf", MINIMAL_DXF, {"max_wall_thickness": "thick"})
    assert wrong.status_code == 400 and wrong.json["code"] == "invalid_options"
    assert "max_wall_thickness" in wrong.json["detail"]
    unknown = _upload(box, "plan.dxf", MINIMAL_DXF, {"colour": "red"})
    assert unknown.status_code == 400 and "colour" in unknown.json["detail"]
    other_format = _upload(box, "plan.dxf", MINIMAL_DXF, {"page": 2})
    assert other_format.status_code == 400 and "page" in other_format.json["detail"]
    assert _upload(box, "plan.pdf", b"%PDF-1.7\n%%EOF\n", {"page": 2}).status_code == 202


def test_a_plugin_option_core_does_not_know_works_through_the_api(box):
    job = _upload(box, "x.slow", slowplan(5), {"seconds": "0.1"}).json["job"]
    assert job["options"] == {"seconds": 0.1} and job["format"] == "slowplan"
    wrong = _upload(box, "x.slow", slowplan(5), {"seconds": "soon"})
    assert wrong.status_code == 400 and "seconds must be a number" in wrong.json["detail"]


def test_resumable_uploads_check_options_when_announced_and_completed(box):
    def announce(options):
        return box.post("/api/v1/uploads", json={"filename": "plan.dxf", "size": len(MINIMAL_DXF), "options": options})

    refused = announce({"reader": "fast"})
    assert refused.status_code == 400 and refused.json["code"] == "invalid_options"
    assert announce({"colour": 1}).status_code == 400

    # the bytes are not there yet: a PDF option may still be meant for this file
    upload = announce({"page": 2})
    assert upload.status_code == 201
    sent = box.put(f"/api/v1/uploads/{upload.json['id']}", data=MINIMAL_DXF)
    assert sent.status_code == 200, sent.text
    done = box.post(f"/api/v1/uploads/{upload.json['id']}/complete")
    assert done.status_code == 400 and done.json["code"] == "invalid_options" and "page" in done.json["detail"]

    good = announce({"reader": "ezdxf"})
    box.put(f"/api/v1/uploads/{good.json['id']}", data=MINIMAL_DXF)
    done = box.post(f"/api/v1/uploads/{good.json['id']}/complete")
    assert done.status_code == 202 and done.json["job"]["options"] == {"reader": "ezdxf"}


def test_the_upload_form_shows_each_formats_options(box):
    box.environ_base.pop("HTTP_AUTHORIZATION")
    token = csrf_of(box.get("/console/login").text)
    login = box.post(
        "/console/login", data={"email": "staff@example.com", "password": "staff password", "csrf_token": token}
    )
    assert login.status_code == 303
    page = box.get("/console/upload").text
    for fmt, option, help_text in (
        ("dxf", "max_wall_thickness", "wider double lines are not one wall"),
        ("pdf", "scale", "plan scale like 1:100"),
        ("slowplan", "seconds", "seconds to take"),
    ):
        assert f'data-format="{fmt}"' in page
        assert f'id="option-{fmt}-{option}" data-option="{option}"' in page
        assert help_text in page
    assert re.search(r'option-dxf-floor" data-option="floor"><option value=""></option><option value="true">', page)
    assert 'data-option="max_pages"' not in page, "settings core passes are not offered"


def test_convert_set_takes_format_options(server_factory, plugin_env, tmp_path):
    cli = server_factory(env=plugin_env, start=False).cli
    plan = tmp_path / "building.dxf"
    building_plan(plan)
    out = tmp_path / "building.glb"
    done = cli("convert", str(plan), "-o", str(out), "--set", "max_wall_thickness=0.5", "--set", "floor=false")
    assert out.stat().st_size > 0 and "format dxf" in done.stderr
    wrong = cli("convert", str(plan), "-o", str(out), "--set", "max_wall_thickness=thick", check=False)
    assert wrong.returncode == 2 and "error: invalid_options: max_wall_thickness must be a number" in wrong.stderr
    unknown = cli("convert", str(plan), "-o", str(out), "--set", "colour=red", check=False)
    assert unknown.returncode == 2 and "colour" in unknown.stderr and "reader" in unknown.stderr

    slow = tmp_path / "x.slow"
    slow.write_bytes(slowplan(30))
    assert "format slowplan" in cli("convert", str(slow), "-o", str(tmp_path / "x.glb"), "--set", "seconds=0.1").stderr

    listed = cli("plugins", "list", "--options").stdout
    assert re.search(r"options of dxf \(\.dxf\):\n(  .*\n)*  floor +bool .*\[default: true\]", listed)
    assert re.search(r"options of slowplan \(\.slow\):\n  seconds +float", listed)
    assert re.search(r"options of every format:\n(  .*\n)*  wall_height +float .*\[default: 3\.0\]", listed)
    assert "options of" not in cli("plugins", "list").stdout
    tables = json.loads(cli("plugins", "list", "--options", "--json").stdout)["formats"]
    assert {
        "name": "seconds",
        "type": "float",
        "default": None,
        "help": "seconds to take instead of the file's second line",
        "choices": [],
    } in next(t for t in tables if t["name"] == "slowplan")["options"]
