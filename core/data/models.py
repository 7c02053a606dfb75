"""The tables. The jobs table is the truth about work, not the queue.

The models name no database: the appliance that opens one binds them to it
(:func:`bind_models`, called by :func:`core.appliance.create_appliance`). Peewee
keeps that binding on the model classes, so the appliance built last in a process
is the one its queries reach; building another (a test's next box) binds them
again, with nothing to reset. Migrations keep frozen copies of these.
"""

from __future__ import annotations

import json
import uuid

from peewee import (
    AutoField,
    BigIntegerField,
    BooleanField,
    CharField,
    Database,
    DateTimeField,
    FloatField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
    UUIDField,
)

from core.data.db import utcnow


class JSONField(TextField):
    """JSON in a text column, portable across SQLite and PostgreSQL."""

    def db_value(self, value):
        return None if value is None else json.dumps(value, separators=(",", ":"))

    def python_value(self, value):
        return None if value is None else json.loads(value)


class BaseModel(Model):
    id = UUIDField(primary_key=True, default=uuid.uuid4)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        legacy_table_names = False


class User(BaseModel):
    email = CharField(unique=True)
    password_hash = CharField()
    role = CharField(default="staff")  # admin | staff
    is_active = BooleanField(default=True)
    # Console sessions carry this number; bumping it (password change, disable,
    # role change) ends every session the user has.
    session_version = IntegerField(default=0)


class ApiToken(BaseModel):
    user = ForeignKeyField(User, backref="tokens", on_delete="CASCADE")
    name = CharField(default="")
    token_hash = CharField(unique=True)  # sha256 of the token: tokens are random, not passwords
    last_used_at = DateTimeField(null=True)
    revoked_at = DateTimeField(null=True)


class Plan(BaseModel):
    """An uploaded source file."""

    filename = CharField()
    sha256 = CharField(index=True)
    size = BigIntegerField()
    uploaded_by = ForeignKeyField(User, null=True, on_delete="SET NULL")


class Asset(BaseModel):
    """A GLB produced from a plan with given options (reused for the same pair)."""

    sha256 = CharField(index=True)
    size = BigIntegerField()
    source_sha256 = CharField()
    options_hash = CharField()
    format = CharField()
    converter_version = CharField()
    stats = JSONField(default=dict)
    #: the blob key of the plan's PNG top view (None: none was drawn)
    preview_key = CharField(null=True)

    class Meta:
        indexes = ((("source_sha256", "options_hash", "converter_version"), True),)


class Job(BaseModel):
    plan = ForeignKeyField(Plan, backref="jobs", on_delete="CASCADE")
    status = CharField(default="queued", index=True)  # queued running succeeded failed cancelled
    stage = CharField(default="upload")
    progress = FloatField(default=0.0)  # 0..1 over the whole job
    eta_seconds = FloatField(null=True)
    options = JSONField(default=dict)
    options_hash = CharField()
    channel = CharField(null=True)  # publish here on success
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    format = CharField(null=True)
    converter_version = CharField(null=True)
    attempts = IntegerField(default=0)
    lease_owner = CharField(null=True)
    lease_expires_at = DateTimeField(null=True)
    enqueued_at = DateTimeField(default=utcnow)
    started_at = DateTimeField(null=True)
    finished_at = DateTimeField(null=True)
    error_code = CharField(null=True)
    error_stage = CharField(null=True)
    error_message = TextField(null=True)
    error_detail = JSONField(null=True)
    report = JSONField(null=True)
    asset = ForeignKeyField(Asset, null=True, on_delete="SET NULL")


class Channel(BaseModel):
    name = CharField(unique=True)


class Event(Model):
    """Every event kiosks and browsers see; ids are global and increase."""

    id = AutoField()
    created_at = DateTimeField(default=utcnow)
    type = CharField()
    channel = CharField(null=True, index=True)
    data = JSONField(default=dict)

    class Meta:
        legacy_table_names = False


class Publication(BaseModel):
    channel = ForeignKeyField(Channel, backref="publications", on_delete="CASCADE")
    version = IntegerField()
    asset = ForeignKeyField(Asset, on_delete="RESTRICT")
    job = ForeignKeyField(Job, null=True, unique=True, on_delete="SET NULL")  # one per job
    event = ForeignKeyField(Event, null=True)
    published_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    note = CharField(default="")  # "publish", "rollback to v3"...

    class Meta:
        indexes = ((("channel", "version"), True),)


class Kiosk(BaseModel):
    name = CharField()
    channel = ForeignKeyField(Channel, backref="kiosks", on_delete="RESTRICT")
    token_hash = CharField(null=True, unique=True)
    revoked_at = DateTimeField(null=True)
    last_seen_at = DateTimeField(null=True)
    online = BooleanField(default=False)
    shown_version = IntegerField(null=True)
    shown_sha256 = CharField(null=True)
    user_agent = CharField(null=True)
    screen = CharField(null=True)  # "WxH" in device pixels, as the kiosk reports it
    screenshot_request = CharField(null=True)  # the one upload the kiosk may make now
    screenshot_requested_at = DateTimeField(null=True)
    screenshot_key = CharField(null=True)  # storage key of the latest PNG
    screenshot_at = DateTimeField(null=True)


class Pairing(BaseModel):
    code = CharField(index=True)
    secret_hash = CharField()
    expires_at = DateTimeField()
    approved_at = DateTimeField(null=True)
    approved_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    kiosk = ForeignKeyField(Kiosk, null=True, on_delete="CASCADE")
    claimed_at = DateTimeField(null=True)
    remote_addr = CharField(null=True)


class Upload(BaseModel):
    """A resumable upload in progress; its bytes so far are ``<tmp>/uploads/<id>.part``."""

    user = ForeignKeyField(User, null=True, on_delete="CASCADE")
    filename = CharField()
    size = BigIntegerField()  # announced total
    options = JSONField(default=dict)
    channel = CharField(null=True)
    updated_at = DateTimeField(default=utcnow, index=True)


class AuditEntry(BaseModel):
    actor = CharField()  # "user:<email>", "token:<name>", "cli", "system"
    action = CharField()
    target = CharField(default="")
    data = JSONField(default=dict)


ALL_MODELS = (User, ApiToken, Plan, Asset, Job, Channel, Event, Publication, Kiosk, Pairing, Upload, AuditEntry)


def bind_models(db: Database) -> None:
    """Bind every table to ``db``: what the appliance owning ``db`` does once."""
    db.bind(ALL_MODELS, bind_refs=False, bind_backrefs=False)
