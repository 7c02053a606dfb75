"""Settings: declared once here with default and help, loaded from appliance.toml,
overridden by ``FLOORCAST_<SECTION>__<KEY>`` environment variables.

``appliance.toml`` at the repo root shows every setting; a test keeps the two in
step. Relative paths in a config file are relative to that file's folder.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import ConfigError

MB = 1024 * 1024


@dataclass(frozen=True)
class Setting:
    section: str
    key: str
    default: Any
    help: str
    secret: bool = False


SETTINGS: tuple[Setting, ...] = (
    Setting("server", "bind", "127.0.0.1:8080", "host:port the web server listens on"),
    Setting("server", "public_url", "", "URL kiosks and users reach the box at; empty: taken from each request"),
    Setting(
        "server",
        "secret_key",
        "",
        "signs sessions and kiosk download URLs; `floorcast init` generates one",
        secret=True,
    ),
    Setting("paths", "data_dir", "data", "where the database, queue, blobs and temporary files live"),
    Setting(
        "database",
        "url",
        "",
        "peewee database URL; empty: SQLite file <data_dir>/floorcast.db; e.g. postgresql://user@host/db",
    ),
    Setting("queue", "backend", "sqlite", "job queue: sqlite (embedded, <data_dir>/queue.db) or redis"),
    Setting("queue", "redis_url", "redis://127.0.0.1:6379/0", "Redis for queue = redis"),
    Setting("queue", "name", "floorcast", "queue name; boxes sharing a queue must agree on it"),
    Setting("queue", "workers", 2, "conversions run at the same time on this box"),
    Setting("events", "backend", "memory", "fan-out of events to browsers and kiosks: memory (within this process)"),
    Setting(
        "storage", "backend", "local", "blob storage backend by plugin name: local (built in) or a storage plugin's"
    ),
    Setting("storage", "local_dir", "", "folder for local blobs; empty: <data_dir>/blobs"),
    Setting("uploads", "max_bytes", 500 * MB, "largest accepted upload in bytes (413 beyond)"),
    Setting("uploads", "stale_hours", 24, "unfinished resumable uploads untouched this long are deleted"),
    Setting("jobs", "timeout_seconds", 900, "wall-clock limit of one conversion"),
    Setting("jobs", "cpu_seconds", 1200, "CPU-time limit of one conversion process"),
    Setting("jobs", "memory_mb", 4096, "address-space limit of one conversion process"),
    Setting("jobs", "max_output_mb", 1024, "largest file a conversion process may write"),
    Setting(
        "jobs", "lease_seconds", 30, "a running job whose worker has not renewed its lease for this long is taken back"
    ),
    Setting("jobs", "max_attempts", 3, "attempts for transient failures (a lost worker) before the job fails"),
    Setting("jobs", "watchdog_seconds", 10, "how often the watchdog looks for lost and stuck jobs"),
    Setting(
        "jobs", "max_pages", 200, "pages a multi-page document (PDF) may have; beyond, pick one with the page option"
    ),
    Setting(
        "jobs",
        "max_render_megapixels",
        100.0,
        "pixel budget for rendering one page (scanned PDFs); a page needing more fails with page_too_large",
    ),
    Setting("kiosk", "ping_seconds", 25, "WebSocket ping interval; a kiosk that misses two is dropped"),
    Setting("kiosk", "pairing_seconds", 600, "how long a pairing code stays valid"),
    Setting("kiosk", "url_seconds", 86400, "validity of the signed model URLs sent to kiosks"),
    Setting("kiosk", "hello_seconds", 10, "time a new kiosk socket has to say hello"),
    Setting("kiosk", "pairing_rate", "10/minute", "pairings one client address may start (429 beyond)"),
    Setting("kiosk", "claim_rate", "60/minute", "token claims per client address and pairing (429 beyond)"),
    Setting("notifications", "webhook_url", "", "POST kiosk-offline and job-finished events here as JSON; empty: off"),
    Setting(
        "notifications",
        "webhook_secret",
        "",
        "signs webhook bodies: header X-Floorcast-Signature: sha256=<HMAC-SHA256 hex>",
        secret=True,
    ),
    Setting("notifications", "webhook_timeout", 5.0, "seconds to wait for the webhook receiver per attempt"),
    Setting("console", "session_hours", 12, "a console sign-in lasts this long"),
    Setting("console", "login_rate", "10/minute", "failed console sign-ins one client address may make (429 beyond)"),
    Setting("plugins", "safe_mode", False, "load only the built-in plugins"),
    Setting("plugins", "disabled", [], "plugin names (entry-point names) not to load"),
    Setting("model", "wall_height", 3.0, "default wall height in metres"),
    Setting("model", "storey_height", 4.0, "default height between levels (one per PDF page) in metres"),
    Setting(
        "model",
        "layer_rules",
        [],
        'CAD layer names of this venue, checked before the built-in name rules: "PATTERN = category"'
        ' lines with * and ? wildcards, e.g. ["WAND* = wall", "*-MOEB* = furniture"]; an upload\'s layers option wins',
    ),
    Setting(
        "model",
        "block_rules",
        [],
        'DXF block names of this venue: "PATTERN = category" lines, e.g. ["TUER* = door", "STUHL* = furniture"];'
        " a block's name decides what its content is when its layer does not",
    ),
    Setting(
        "model",
        "quantize",
        True,
        "store positions as 16-bit integers (KHR_mesh_quantization): a third smaller, error under 5 mm",
    ),
    Setting(
        "model",
        "tile_mb",
        32.0,
        "a model whose GLB is larger than this also gets tiles of at most this size and a manifest; 0: never",
    ),
)

#: settings every converter receives as option defaults (an upload's options win)
CONVERTER_DEFAULTS = {
    "wall_height": ("model", "wall_height"),
    "storey_height": ("model", "storey_height"),
    "layer_rules": ("model", "layer_rules"),
    "block_rules": ("model", "block_rules"),
    "max_pages": ("jobs", "max_pages"),
    "max_megapixels": ("jobs", "max_render_megapixels"),
    "glb_quantize": ("model", "quantize"),
    "glb_tile_mb": ("model", "tile_mb"),
}
#: of those, the ones an upload cannot set: the venue's rules, guards and the GLB
#: writer's settings (an upload's ``layers`` and ``blocks`` options beat the rules)
SETTING_ONLY_OPTIONS = frozenset(
    {"layer_rules", "block_rules", "max_pages", "max_megapixels", "glb_quantize", "glb_tile_mb"}
)

SECTIONS = tuple(dict.fromkeys(s.section for s in SETTINGS))


class Settings:
    """Effective configuration: ``settings["jobs"]["timeout_seconds"]`` or
    ``settings.get("jobs", "timeout_seconds")``; paths resolved."""

    def __init__(self, values: dict[str, dict[str, Any]], source: Path | None):
        self._values = values
        self.source = source

    def __getitem__(self, section: str) -> dict[str, Any]:
        return self._values[section]

    def get(self, section: str, key: str) -> Any:
        return self._values[section][key]

    def as_dict(self, mask_secrets: bool = False) -> dict[str, dict[str, Any]]:
        out = {sec: dict(vals) for sec, vals in self._values.items()}
        if mask_secrets:
            for s in SETTINGS:
                if s.secret and out[s.section][s.key]:
                    out[s.section][s.key] = "********"
        return out

    @property
    def data_dir(self) -> Path:
        return Path(self["paths"]["data_dir"])

    @property
    def database_url(self) -> str:
        return self["database"]["url"] or f"sqlite:///{self.data_dir / 'floorcast.db'}"

    @property
    def blob_dir(self) -> Path:
        return Path(self["storage"]["local_dir"] or self.data_dir / "blobs")

    @property
    def tmp_dir(self) -> Path:
        return self.data_dir / "tmp"


def converter_options(settings: Settings, options: dict | None) -> dict:
    """The options a converter runs with: the settings of :data:`CONVERTER_DEFAULTS`,
    overridden by the upload's own options (uploads cannot set
    :data:`SETTING_ONLY_OPTIONS`: :func:`core.jobs.options.validate_options`)."""
    merged = {key: settings.get(section, name) for key, (section, name) in CONVERTER_DEFAULTS.items()}
    merged.update(options or {})
    return merged


def setting_for_option(option: str) -> Setting | None:
    """The setting core passes as converter option ``option`` (it owns that option's
    default), or None."""
    where = CONVERTER_DEFAULTS.get(option)
    return next(s for s in SETTINGS if (s.section, s.key) == where) if where else None


def _coerce(setting: Setting, raw: Any, origin: str) -> Any:
    """Env values are strings: turn them into the default's type."""
    default = setting.default
    if not isinstance(raw, str) or isinstance(default, str):
        value = raw
    elif isinstance(default, bool):
        if raw.lower() not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
            raise ConfigError(f"{origin}: expected true/false, got {raw!r}")
        value = raw.lower() in ("1", "true", "yes", "on")
    elif isinstance(default, int | float):
        try:
            value = type(default)(raw)
        except ValueError as exc:
            raise ConfigError(f"{origin}: expected a number, got {raw!r}") from exc
    elif isinstance(default, list):
        value = json.loads(raw) if raw.startswith("[") else [p for p in raw.split(",") if p]
    else:
        value = raw
    if isinstance(default, bool) != isinstance(value, bool) or (
        not isinstance(default, bool)
        and not isinstance(value, type(default))
        and not (isinstance(default, float) and isinstance(value, int))
    ):
        raise ConfigError(f"{origin}: expected {type(default).__name__}, got {value!r}")
    return value


def load_settings(path: str | Path | None = None, env: dict[str, str] | None = None) -> Settings:
    """Defaults, then the TOML file (if any), then environment overrides."""
    env = os.environ if env is None else env
    path = path or env.get("FLOORCAST_CONFIG") or None
    file_values: dict[str, dict[str, Any]] = {}
    base = Path.cwd()
    if path:
        path = Path(path).resolve()
        try:
            with open(path, "rb") as fh:
                file_values = tomllib.load(fh)
        except FileNotFoundError as exc:
            raise ConfigError(f"config file not found: {path}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: {exc}") from exc
        base = path.parent
    known = {(s.section, s.key) for s in SETTINGS}
    for section, values in file_values.items():
        if not isinstance(values, dict):
            raise ConfigError(f"{path}: [{section}] must be a table")
        for key in values:
            if (section, key) not in known:
                raise ConfigError(f"{path}: unknown setting {section}.{key}")
    result: dict[str, dict[str, Any]] = {sec: {} for sec in SECTIONS}
    for s in SETTINGS:
        value = s.default
        if s.key in file_values.get(s.section, {}):
            value = _coerce(s, file_values[s.section][s.key], f"{path}: {s.section}.{s.key}")
        env_name = f"FLOORCAST_{s.section.upper()}__{s.key.upper()}"
        if env_name in env:
            value = _coerce(s, env[env_name], env_name)
        result[s.section][s.key] = value
    for section, key in (("paths", "data_dir"), ("storage", "local_dir")):
        if result[section][key]:
            result[section][key] = str((base / result[section][key]).resolve())
    return Settings(result, Path(path) if path else None)


def render_toml(overrides: dict[str, dict[str, Any]] | None = None) -> str:
    """A commented appliance.toml with every setting (used by ``floorcast init``)."""
    overrides = overrides or {}
    lines = [
        "# Floorcast appliance configuration.",
        "# Every setting is shown with its default; environment variables",
        "# FLOORCAST_<SECTION>__<KEY> override them (e.g. FLOORCAST_SERVER__BIND).",
        "",
    ]
    for section in SECTIONS:
        lines.append(f"[{section}]")
        for s in SETTINGS:
            if s.section != section:
                continue
            value = overrides.get(section, {}).get(s.key, s.default)
            lines.append(f"# {s.help}")
            lines.append(f"{s.key} = {_toml_value(value)}")
        lines.append("")
    return "\n".join(lines)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)
