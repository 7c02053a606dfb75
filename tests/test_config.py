"""Settings: every one declared once, documented in appliance.toml, overridable by env."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from core.config import SETTINGS, load_settings, render_toml
from core.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent


def test_appliance_toml_documents_every_setting():
    text = (ROOT / "appliance.toml").read_text()
    assert text == render_toml(), "appliance.toml is stale: regenerate it with core.config.render_toml()"
    parsed = tomllib.loads(text)
    for s in SETTINGS:
        assert s.key in parsed[s.section], f"{s.section}.{s.key} missing"
        assert s.help and f"# {s.help}" in text


def test_file_then_env_overrides(tmp_path):
    cfg = tmp_path / "a.toml"
    cfg.write_text('[server]\nbind = "0.0.0.0:9000"\n[jobs]\nworkers_unused = 1\n')
    with pytest.raises(ConfigError, match="unknown setting jobs.workers_unused"):
        load_settings(cfg, env={})
    cfg.write_text('[server]\nbind = "0.0.0.0:9000"\n[paths]\ndata_dir = "d"\n')
    settings = load_settings(
        cfg,
        env={
            "FLOORCAST_JOBS__TIMEOUT_SECONDS": "12",
            "FLOORCAST_PLUGINS__SAFE_MODE": "yes",
            "FLOORCAST_PLUGINS__DISABLED": "a,b",
        },
    )
    assert settings["server"]["bind"] == "0.0.0.0:9000"
    assert settings["jobs"]["timeout_seconds"] == 12
    assert settings["plugins"]["safe_mode"] is True
    assert settings["plugins"]["disabled"] == ["a", "b"]
    assert settings.data_dir == tmp_path / "d"  # relative to the config file
    with pytest.raises(ConfigError, match="FLOORCAST_JOBS__TIMEOUT_SECONDS"):
        load_settings(cfg, env={"FLOORCAST_JOBS__TIMEOUT_SECONDS": "soon"})


def test_secrets_are_masked():
    settings = load_settings(None, env={"FLOORCAST_SERVER__SECRET_KEY": "s3cret"})
    assert settings.as_dict(mask_secrets=True)["server"]["secret_key"] == "********"
    assert settings["server"]["secret_key"] == "s3cret"


def test_converter_options_take_settings_as_defaults():
    from core.config import converter_options

    settings = load_settings(None, env={"FLOORCAST_MODEL__STOREY_HEIGHT": "3.5", "FLOORCAST_JOBS__MAX_PAGES": "7"})
    merged = converter_options(settings, {"wall_height": 2.7})
    assert merged["storey_height"] == 3.5 and merged["max_pages"] == 7
    assert merged["wall_height"] == 2.7  # the upload's own option wins
    assert merged["max_megapixels"] == settings["jobs"]["max_render_megapixels"]
