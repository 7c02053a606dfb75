"""Initial schema (frozen copy of the models as they were at this migration)."""

import datetime
import uuid

from peewee import (
    AutoField,
    BigIntegerField,
    BooleanField,
    CharField,
    DateTimeField,
    FloatField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
    UUIDField,
)


def up(migrator, db):
    def now():
        return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)

    class Base(Model):
        id = UUIDField(primary_key=True, default=uuid.uuid4)
        created_at = DateTimeField(default=now)

        class Meta:
            database = db
            legacy_table_names = False

    class User(Base):
        email = CharField(unique=True)
        password_hash = CharField()
        role = CharField(default="staff")
        is_active = BooleanField(default=True)

    class ApiToken(Base):
        user = ForeignKeyField(User, on_delete="CASCADE")
        name = CharField(default="")
        token_hash = CharField(unique=True)
        last_used_at = DateTimeField(null=True)
        revoked_at = DateTimeField(null=True)

    class Plan(Base):
        filename = CharField()
        sha256 = CharField(index=True)
        size = BigIntegerField()
        uploaded_by = ForeignKeyField(User, null=True, on_delete="SET NULL")

    class Asset(Base):
        sha256 = CharField(index=True)
        size = BigIntegerField()
        source_sha256 = CharField()
        options_hash = CharField()
        format = CharField()
        converter_version = CharField()
        stats = TextField(default="{}")

        class Meta:
            indexes = ((("source_sha256", "options_hash", "converter_version"), True),)

    class Job(Base):
        plan = ForeignKeyField(Plan, on_delete="CASCADE")
        status = CharField(default="queued", index=True)
        stage = CharField(default="upload")
        progress = FloatField(default=0.0)
        eta_seconds = FloatField(null=True)
        options = TextField(default="{}")
        options_hash = CharField()
        channel = CharField(null=True)
        created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        format = CharField(null=True)
        converter_version = CharField(null=True)
        attempts = IntegerField(default=0)
        lease_owner = CharField(null=True)
        lease_expires_at = DateTimeField(null=True)
        enqueued_at = DateTimeField(default=now)
        started_at = DateTimeField(null=True)
        finished_at = DateTimeField(null=True)
        error_code = CharField(null=True)
        error_stage = CharField(null=True)
        error_message = TextField(null=True)
        error_detail = TextField(null=True)
        report = TextField(null=True)
        asset = ForeignKeyField(Asset, null=True, on_delete="SET NULL")

    class Channel(Base):
        name = CharField(unique=True)

    class Event(Model):
        id = AutoField()
        created_at = DateTimeField(default=now)
        type = CharField()
        channel = CharField(null=True, index=True)
        data = TextField(default="{}")

        class Meta:
            database = db
            legacy_table_names = False

    class Publication(Base):
        channel = ForeignKeyField(Channel, on_delete="CASCADE")
        version = IntegerField()
        asset = ForeignKeyField(Asset, on_delete="RESTRICT")
        job = ForeignKeyField(Job, null=True, unique=True, on_delete="SET NULL")
        event = ForeignKeyField(Event, null=True)
        published_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        note = CharField(default="")

        class Meta:
            indexes = ((("channel", "version"), True),)

    class Kiosk(Base):
        name = CharField()
        channel = ForeignKeyField(Channel, on_delete="RESTRICT")
        token_hash = CharField(null=True, unique=True)
        revoked_at = DateTimeField(null=True)
        last_seen_at = DateTimeField(null=True)
        online = BooleanField(default=False)
        shown_version = IntegerField(null=True)
        shown_sha256 = CharField(null=True)
        user_agent = CharField(null=True)
        screen = CharField(null=True)

    class Pairing(Base):
        code = CharField(index=True)
        secret_hash = CharField()
        expires_at = DateTimeField()
        approved_at = DateTimeField(null=True)
        approved_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        kiosk = ForeignKeyField(Kiosk, null=True, on_delete="CASCADE")
        claimed_at = DateTimeField(null=True)
        remote_addr = CharField(null=True)

    class AuditEntry(Base):
        actor = CharField()
        action = CharField()
        target = CharField(default="")
        data = TextField(default="{}")

    db.create_tables([User, ApiToken, Plan, Asset, Job, Channel, Event, Publication, Kiosk, Pairing, AuditEntry])
