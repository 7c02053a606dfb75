"""Placeholder, written by the kiosk work: the built-in WebSocket kiosk transport."""
