"""Placeholder until the kiosk work lands."""
import click


@click.group()
def kiosks():
    """Kiosks."""
