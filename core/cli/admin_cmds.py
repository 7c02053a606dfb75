"""Box administration: init, migrate, users, API tokens."""

from __future__ import annotations

from pathlib import Path

import click

from core.cli.main import pass_ctx


@click.command()
@click.option("--data-dir", type=click.Path(file_okay=False), default="data", show_default=True)
@click.option("--admin-email", default="admin@localhost", show_default=True)
@click.option(
    "--admin-password-file", type=click.File("r"), help="file holding the admin password; generated if absent"
)
@pass_ctx
def init(ctx, data_dir, admin_email, admin_password_file):
    """Set up a new box: config (with a fresh secret), data dir, schema, admin.

    Writes the config to --config (default: <data dir>/appliance.toml) and prints
    its path as the last line."""
    from core.accounts.provision import init_box

    config = Path(ctx.config) if ctx.config else Path(data_dir) / "appliance.toml"
    password = admin_password_file.read().strip() if admin_password_file else None
    path, generated = init_box(config, Path(data_dir), admin_email, password)
    if generated:
        click.echo(f"admin account: {admin_email} / password: {generated} (shown once)")
    click.echo(str(path))


@click.command()
@pass_ctx
def migrate(ctx):
    """Apply pending database migrations (also done at every start)."""
    from core.data.db import open_database
    from core.data.migrate import migrate as run

    db = open_database(ctx.settings)
    applied = run(db, ctx.settings)
    click.echo("applied: " + ", ".join(applied) if applied else "up to date")


@click.group()
def user():
    """Manage console and API users."""


@user.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(["admin", "staff"]), default="staff", show_default=True)
@click.option("--password-file", type=click.File("r"), help="file holding the password; prompted if absent")
@pass_ctx
def user_create(ctx, email, role, password_file):
    """Create a user."""
    from core.accounts.users import create_user

    ctx.appliance(with_queue=False)
    password = (
        password_file.read().strip()
        if password_file
        else click.prompt("password", hide_input=True, confirmation_prompt=True)
    )
    try:
        created = create_user(email, password, role)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    click.echo(f"created {role} {created.email}")


@click.group()
def token():
    """Manage API tokens."""


@token.command("create")
@click.option("--user", "email", required=True, help="the user the token acts as")
@click.option("--name", default="", help="what the token is for")
@pass_ctx
def token_create(ctx, email, name):
    """Create an API token; prints only the token (shown once)."""
    from core.accounts.auth import create_api_token
    from core.data.models import User

    ctx.appliance(with_queue=False)
    owner = User.get_or_none(User.email == email.strip().lower())
    if owner is None:
        raise click.ClickException(f"no user {email}")
    click.echo(create_api_token(owner, name))


COMMANDS = (init, migrate, user, token)
