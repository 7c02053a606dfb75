"""Setting up a new box: its config file (with a fresh secret), data dir, schema
and first admin. Used by ``floorcast init`` and by the first ``serve``."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from core.config import load_settings, render_toml

DEFAULT_CONFIG = Path("data") / "appliance.toml"


def write_config(config_path: Path, data_dir: Path) -> bool:
    """Write a commented config for a new box; False if one is already there."""
    if config_path.exists():
        return False
    config_path.parent.mkdir(parents=True, exist_ok=True)
    data_value = os.path.relpath(data_dir.resolve(), config_path.parent.resolve())
    text = render_toml({"paths": {"data_dir": data_value}, "server": {"secret_key": secrets.token_urlsafe(32)}})
    fd = os.open(config_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # it holds the secret key
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    return True


def ensure_admin(email: str, password: str | None) -> str | None:
    """Create the admin if no admin exists; returns the password when generated here."""
    from core.accounts.users import create_user
    from core.data.models import User

    if User.select().where(User.role == "admin").exists():
        return None
    generated = None
    if not password:
        password = generated = secrets.token_urlsafe(12)
    create_user(email, password, role="admin")
    return generated


def init_box(
    config_path: Path, data_dir: Path, admin_email: str, admin_password: str | None
) -> tuple[Path, str | None]:
    """Config + data dir + migrations + admin; idempotent. Returns (config path, generated password)."""
    from core.appliance import create_appliance

    write_config(config_path, data_dir)
    settings = load_settings(config_path)
    create_appliance(settings, with_queue=False)
    return config_path.resolve(), ensure_admin(admin_email, admin_password)
