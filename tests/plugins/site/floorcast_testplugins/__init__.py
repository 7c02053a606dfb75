"""Plugins used by Floorcast's tests."""
