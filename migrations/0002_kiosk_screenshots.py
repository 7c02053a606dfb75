"""Kiosk screenshots: the pending request and the latest picture (a storage key)."""

from peewee import CharField, DateTimeField


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("kiosk", "screenshot_request", CharField(null=True)),
        migrator.add_column("kiosk", "screenshot_requested_at", DateTimeField(null=True)),
        migrator.add_column("kiosk", "screenshot_key", CharField(null=True)),
        migrator.add_column("kiosk", "screenshot_at", DateTimeField(null=True)),
    )
