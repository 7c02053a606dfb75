"""File storage: content-addressed blobs behind a small backend interface."""

from __future__ import annotations

from core.errors import ConfigError


def open_storage(settings, plugins):
    """The store named by ``[storage] backend``, built by its plugin's factory."""
    wanted = settings["storage"]["backend"]
    specs = {spec.name: spec for spec in plugins.storage_backends()}
    if wanted not in specs:
        raise ConfigError(
            f"storage backend {wanted!r} is not installed (available: {', '.join(sorted(specs)) or 'none'})"
        )
    return specs[wanted].factory(settings.as_dict())
