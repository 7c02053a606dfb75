"""Placeholder, written by the kiosk work."""

from flask_smorest import Blueprint

blp = Blueprint(__name__.rsplit(".", 1)[-1], __name__, url_prefix="/api/v1")
