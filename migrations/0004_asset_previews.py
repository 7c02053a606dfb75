"""Asset previews: the blob key of a plan's PNG top view."""

from peewee import CharField


def up(migrator, db):
    migrator.migrate(migrator.add_column("asset", "preview_key", CharField(null=True)))
