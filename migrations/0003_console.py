"""The console: a session version on users (bumped on a password change, a disable
or a role change, which ends that user's sessions) and resumable uploads."""

import datetime
import uuid

from peewee import BigIntegerField, CharField, DateTimeField, ForeignKeyField, IntegerField, Model, TextField, UUIDField


def up(migrator, db):
    def now():
        return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)

    class User(Model):
        id = UUIDField(primary_key=True)

        class Meta:
            database = db
            table_name = "user"

    class Upload(Model):
        id = UUIDField(primary_key=True, default=uuid.uuid4)
        created_at = DateTimeField(default=now)
        user = ForeignKeyField(User, null=True, on_delete="CASCADE")
        filename = CharField()
        size = BigIntegerField()
        options = TextField(default="{}")
        channel = CharField(null=True)
        updated_at = DateTimeField(default=now, index=True)

        class Meta:
            database = db
            legacy_table_names = False

    migrator.migrate(migrator.add_column("user", "session_version", IntegerField(default=0)))
    db.create_tables([Upload])
